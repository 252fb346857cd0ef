// The Transformer encoder block, as torch.nn.TransformerEncoderLayer: self-attention and a feed-forward
// network, each with a residual connection and layer normalization (after each block, or before with normFirst).
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';
import type { Generator } from '../../tensor/random.js';
import { add, gelu, relu } from '../../ops/elementwise.js';
import { Module } from '../module.js';
import { Dropout } from './dropout.js';
import { LayerNorm } from './normalization.js';
import { Linear } from './linear.js';
import { MultiheadAttention } from './attention.js';

export interface TransformerEncoderLayerOptions {
  /** Hidden size of the feed-forward network. Default 2048. */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward network, and on the attention weights. Default 0.1. */
  dropout?: number;
  /** The feed-forward activation: 'relu' (default), 'gelu', or a function. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  layerNormEps?: number;
  /** Input and output are [N, L, E] instead of [L, N, E]. Default false. */
  batchFirst?: boolean;
  /** Pre-norm: x + block(norm(x)) instead of norm(x + block(x)). Default false. */
  normFirst?: boolean;
  dtype?: DType;
  /** Stream for the initial weights. */
  generator?: Generator;
  /** Stream for the dropout masks. */
  dropoutGenerator?: Generator;
}

export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask [L, L] or [N * nhead, L, L], as MultiheadAttention's attnMask (bool true = forbidden). */
  srcMask?: Tensor | null;
  /** [N, L]: true marks padding positions that no query attends to. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * One Transformer encoder layer. Parameters are named as PyTorch's (self_attn.in_proj_weight,
 * linear1.weight, norm1.bias, ...) so state dicts transfer both ways.
 * @example
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true, normFirst: true });
 * const y = layer(randn([2, 10, 32]), { srcMask: triu(ones([10, 10]), 1).bool() }); // [2, 10, 32]
 */
export class TransformerEncoderLayer extends Module<[Tensor, TransformerEncoderLayerForwardOptions?], Tensor> {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  private readonly activationName: string;

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const {
      dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst = false,
      dtype = 'float32', generator, dropoutGenerator,
    } = options;
    // created in PyTorch's order, so that the same seed draws the same initial weights
    this.selfAttn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype, generator, dropoutGenerator });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype, generator });
    this.dropout = new Dropout(dropout, { generator: dropoutGenerator });
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype, generator });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout(dropout, { generator: dropoutGenerator });
    this.dropout2 = new Dropout(dropout, { generator: dropoutGenerator });
    if (activation === 'relu') this.activation = relu;
    else if (activation === 'gelu') this.activation = (x) => gelu(x);
    else if (typeof activation === 'function') this.activation = activation;
    else throw new Error(`TransformerEncoderLayer: activation should be 'relu' or 'gelu' (or a function), got '${String(activation)}'`);
    this.activationName = typeof activation === 'string' ? activation : 'custom';
  }

  forward(src: Tensor, { srcMask = null, srcKeyPaddingMask = null }: TransformerEncoderLayerForwardOptions = {}): Tensor {
    let x = src;
    if (this.normFirst) {
      x = add(x, this.selfAttentionBlock(this.norm1(x), srcMask, srcKeyPaddingMask));
      x = add(x, this.feedForwardBlock(this.norm2(x)));
    } else {
      x = this.norm1(add(x, this.selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
      x = this.norm2(add(x, this.feedForwardBlock(x)));
    }
    return x;
  }

  private selfAttentionBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [out] = this.selfAttn(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1(out);
  }

  private feedForwardBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, activation=${this.activationName}${this.normFirst ? ', normFirst=true' : ''}`;
  }
}
