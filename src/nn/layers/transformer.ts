// The Transformer encoder block, as torch.nn.TransformerEncoderLayer: self-attention and a feed-forward
// network, each with a residual connection and layer normalization (after each block, or before with normFirst).
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';
import { Generator } from '../../tensor/random.js';
import { triu } from '../../ops/shape.js';
import { full } from '../../tensor/creation.js';
import { formatShape } from '../../tensor/shape.js';
import { xavierUniform_ } from '../init.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { Module, markLibraryCode } from '../module.js';
import { ModuleList } from './container.js';
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

// Tensor methods rather than imported ops, here and in forward, so that an exporter's tracer sees them (ops/trace.ts).
const relu = (x: Tensor) => x.relu();
const exactGelu = (x: Tensor) => x.gelu();
markLibraryCode(relu, exactGelu);

const LAYER_OPTIONS = optionKeys<TransformerEncoderLayerOptions>({
  dimFeedforward: true, dropout: true, activation: true, layerNormEps: true, batchFirst: true, normFirst: true, dtype: true, generator: true, dropoutGenerator: true,
});

function activationFunction(activation: TransformerEncoderLayerOptions['activation'], layer: string): [(x: Tensor) => Tensor, string] {
  if (activation === 'relu') return [relu, 'relu'];
  if (activation === 'gelu') return [exactGelu, 'gelu'];
  if (typeof activation === 'function') return [activation, 'custom'];
  throw new Error(`${layer}: activation should be 'relu' or 'gelu' (or a function), got '${String(activation)}'`);
}

// A deep copy, as Python's copy.deepcopy: built from the same options, then given the source's weights and mode.
// A throwaway stream draws the overwritten initial weights, so copying does not advance the global one.
function copyOf<M extends Module>(source: M, make: (generator: Generator) => M): M {
  const copy = make(new Generator(0));
  noGrad(() => copy.loadStateDict(source.stateDict()));
  return copy.train(source.training);
}

export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask [L, L] or [N * nhead, L, L], as MultiheadAttention's attnMask (bool true = forbidden). */
  srcMask?: Tensor | null;
  /** [N, L]: true marks padding positions that no query attends to. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (position i attends to positions <= i); builds the mask when srcMask is not given. */
  isCausal?: boolean;
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
  private readonly options: TransformerEncoderLayerOptions;

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    checkKnownOptions('TransformerEncoderLayer', options, LAYER_OPTIONS);
    this.options = options;
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
    [this.activation, this.activationName] = activationFunction(activation, 'TransformerEncoderLayer');
  }

  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    checkKnownOptions('TransformerEncoderLayer.forward', options, ENCODER_LAYER_FORWARD_OPTIONS);
    const { srcMask = null, srcKeyPaddingMask = null, isCausal = false } = options;
    let x = src;
    if (this.normFirst) {
      x = x.add(this.selfAttentionBlock(this.norm1(x), srcMask, srcKeyPaddingMask, isCausal));
      x = x.add(this.feedForwardBlock(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this.selfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal)));
      x = this.norm2(x.add(this.feedForwardBlock(x)));
    }
    return x;
  }

  private selfAttentionBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    const [out] = this.selfAttn(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout1(out);
  }

  private feedForwardBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }

  /** A deep copy: same options, same (copied) weights, same training mode, as Python's copy.deepcopy. */
  clone(): TransformerEncoderLayer {
    return copyOf(this, (generator) => new TransformerEncoderLayer(this.dModel, this.nhead, { ...this.options, dtype: this.linear1.weight.dtype, generator }));
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, activation=${this.activationName}${this.normFirst ? ', normFirst=true' : ''}`;
  }
}

/**
 * A stack of `numLayers` copies of `encoderLayer` (deep copies, so all start with the same weights, as
 * torch.nn.TransformerEncoder), then an optional final `norm`. Keys: layers.0.self_attn.in_proj_weight, ..., norm.weight.
 * @example
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true, normFirst: true });
 * const encoder = new TransformerEncoder(layer, 3, { norm: new LayerNorm(32) });
 * const y = encoder(randn([2, 10, 32]), { srcKeyPaddingMask: padding }); // [2, 10, 32]
 */
export class TransformerEncoder extends Module<[Tensor, TransformerEncoderForwardOptions?], Tensor> {
  layers: ModuleList;
  norm: Module<[Tensor], Tensor> | null;

  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, options: { norm?: Module<[Tensor], Tensor> | null } = {}) {
    super();
    checkKnownOptions('TransformerEncoder', options, ['norm']);
    const { norm = null } = options ?? {};
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new Error('TransformerEncoder: encoderLayer must be a TransformerEncoderLayer');
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new Error(`TransformerEncoder: numLayers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = norm;
  }

  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    checkKnownOptions('TransformerEncoder.forward', options, ENCODER_FORWARD_OPTIONS);
    const { mask = null, srcKeyPaddingMask = null, isCausal = false } = options;
    let x = src;
    for (const layer of this.layers.children()) x = (layer as TransformerEncoderLayer)(x, { srcMask: mask, srcKeyPaddingMask, isCausal });
    return this.norm ? this.norm(x) : x;
  }
}

export interface TransformerEncoderForwardOptions {
  /** Attention mask for every layer, as TransformerEncoderLayer's srcMask. */
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention in every layer (PyTorch's is_causal); builds the mask when `mask` is not given. */
  isCausal?: boolean;
}

const ENCODER_LAYER_FORWARD_OPTIONS = optionKeys<TransformerEncoderLayerForwardOptions>({ srcMask: true, srcKeyPaddingMask: true, isCausal: true });
const ENCODER_FORWARD_OPTIONS = optionKeys<TransformerEncoderForwardOptions>({ mask: true, srcKeyPaddingMask: true, isCausal: true });

export interface TransformerDecoderLayerForwardOptions {
  /** Self-attention mask over the target [T, T] (bool true = forbidden; the causal mask for generation). */
  tgtMask?: Tensor | null;
  /** Attention mask from the target to the memory [T, S]. */
  memoryMask?: Tensor | null;
  /** [N, T]: true marks padding target positions. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S]: true marks padding memory positions. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention over the target; builds the mask when tgtMask is not given. */
  tgtIsCausal?: boolean;
  /** Causal attention to the memory (target i sees memory positions <= i); builds the mask when memoryMask is not given. */
  memoryIsCausal?: boolean;
}

const DECODER_FORWARD_OPTIONS = optionKeys<TransformerDecoderLayerForwardOptions>({
  tgtMask: true, memoryMask: true, tgtKeyPaddingMask: true, memoryKeyPaddingMask: true, tgtIsCausal: true, memoryIsCausal: true,
});

/**
 * One Transformer decoder layer, as torch.nn.TransformerDecoderLayer: self-attention over the target,
 * attention from the target to the encoder's output (memory), and a feed-forward network, each with a
 * residual connection and layer normalization (after, or before with normFirst).
 * @example
 * const layer = new TransformerDecoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * const y = layer(randn([2, 7, 32]), randn([2, 10, 32]), { tgtMask: triu(ones([7, 7]), 1).bool() }); // [2, 7, 32]
 */
export class TransformerDecoderLayer extends Module<[Tensor, Tensor, TransformerDecoderLayerForwardOptions?], Tensor> {
  selfAttn: MultiheadAttention;
  multiheadAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  private readonly activationName: string;
  private readonly options: TransformerEncoderLayerOptions;

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    checkKnownOptions('TransformerDecoderLayer', options, LAYER_OPTIONS);
    this.options = options;
    const {
      dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst = false,
      dtype = 'float32', generator, dropoutGenerator,
    } = options;
    // created in PyTorch's order, so that the same seed draws the same initial weights
    this.selfAttn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype, generator, dropoutGenerator });
    this.multiheadAttn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype, generator, dropoutGenerator });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype, generator });
    this.dropout = new Dropout(dropout, { generator: dropoutGenerator });
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype, generator });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout(dropout, { generator: dropoutGenerator });
    this.dropout2 = new Dropout(dropout, { generator: dropoutGenerator });
    this.dropout3 = new Dropout(dropout, { generator: dropoutGenerator });
    [this.activation, this.activationName] = activationFunction(activation, 'TransformerDecoderLayer');
  }

  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    checkKnownOptions('TransformerDecoderLayer.forward', options, DECODER_FORWARD_OPTIONS);
    const { tgtMask = null, memoryMask = null, tgtKeyPaddingMask = null, memoryKeyPaddingMask = null, tgtIsCausal = false, memoryIsCausal = false } = options;
    const selfBlock = (x: Tensor) => this.dropout1(this.selfAttn(x, x, x, { attnMask: tgtMask, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, isCausal: tgtIsCausal })[0]);
    const crossBlock = (x: Tensor) => this.dropout2(this.multiheadAttn(x, memory, memory, { attnMask: memoryMask, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, isCausal: memoryIsCausal })[0]);
    const feedForward = (x: Tensor) => this.dropout3(this.linear2(this.dropout(this.activation(this.linear1(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = x.add(selfBlock(this.norm1(x)));
      x = x.add(crossBlock(this.norm2(x)));
      x = x.add(feedForward(this.norm3(x)));
    } else {
      x = this.norm1(x.add(selfBlock(x)));
      x = this.norm2(x.add(crossBlock(x)));
      x = this.norm3(x.add(feedForward(x)));
    }
    return x;
  }

  /** A deep copy: same options, same (copied) weights, same training mode. */
  clone(): TransformerDecoderLayer {
    return copyOf(this, (generator) => new TransformerDecoderLayer(this.dModel, this.nhead, { ...this.options, dtype: this.linear1.weight.dtype, generator }));
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, activation=${this.activationName}${this.normFirst ? ', normFirst=true' : ''}`;
  }
}

/**
 * A stack of `numLayers` deep copies of `decoderLayer`, then an optional final `norm`, as torch.nn.TransformerDecoder.
 * @example
 * const decoder = new TransformerDecoder(new TransformerDecoderLayer(32, 4, { batchFirst: true }), 2);
 * const y = decoder(randn([2, 7, 32]), memory, { tgtMask: triu(ones([7, 7]), 1).bool() });
 */
export class TransformerDecoder extends Module<[Tensor, Tensor, TransformerDecoderLayerForwardOptions?], Tensor> {
  layers: ModuleList;
  norm: Module<[Tensor], Tensor> | null;

  constructor(decoderLayer: TransformerDecoderLayer, readonly numLayers: number, options: { norm?: Module<[Tensor], Tensor> | null } = {}) {
    super();
    checkKnownOptions('TransformerDecoder', options, ['norm']);
    const { norm = null } = options ?? {};
    if (!(decoderLayer instanceof TransformerDecoderLayer)) throw new Error('TransformerDecoder: decoderLayer must be a TransformerDecoderLayer');
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new Error(`TransformerDecoder: numLayers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.norm = norm;
  }

  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    checkKnownOptions('TransformerDecoder.forward', options, DECODER_FORWARD_OPTIONS);
    let x = tgt;
    for (const layer of this.layers.children()) x = (layer as TransformerDecoderLayer)(x, memory, options);
    return this.norm ? this.norm(x) : x;
  }
}

export interface TransformerOptions extends TransformerEncoderLayerOptions {
  /** Default 6. */
  numEncoderLayers?: number;
  /** Default 6. */
  numDecoderLayers?: number;
}

export interface TransformerForwardOptions extends TransformerDecoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention in the encoder. */
  srcIsCausal?: boolean;
}

const TRANSFORMER_OPTIONS = optionKeys<TransformerOptions>({ ...Object.fromEntries(LAYER_OPTIONS.map((k) => [k, true])) as Record<keyof TransformerEncoderLayerOptions, true>, numEncoderLayers: true, numDecoderLayers: true });
const TRANSFORMER_FORWARD_OPTIONS = optionKeys<TransformerForwardOptions>({
  ...Object.fromEntries(DECODER_FORWARD_OPTIONS.map((k) => [k, true])) as Record<keyof TransformerDecoderLayerForwardOptions, true>,
  srcMask: true, srcKeyPaddingMask: true, srcIsCausal: true,
});

/**
 * The encoder-decoder Transformer, as torch.nn.Transformer: a TransformerEncoder and a TransformerDecoder,
 * each with a final LayerNorm, and every weight matrix re-initialized xavier-uniform (PyTorch's
 * _reset_parameters). Defaults: dModel 512, nhead 8, 6 + 6 layers, dimFeedforward 2048, dropout 0.1.
 * @example
 * const model = new Transformer(32, 4, { numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, batchFirst: true });
 * const tgtMask = Transformer.generateSquareSubsequentMask(7);
 * const y = model(randn([2, 10, 32]), randn([2, 7, 32]), { tgtMask }); // [2, 7, 32]
 */
export class Transformer extends Module<[Tensor, Tensor, TransformerForwardOptions?], Tensor> {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  readonly batchFirst: boolean;

  constructor(readonly dModel = 512, readonly nhead = 8, options: TransformerOptions = {}) {
    super();
    checkKnownOptions('Transformer', options, TRANSFORMER_OPTIONS);
    const { numEncoderLayers = 6, numDecoderLayers = 6, layerNormEps = 1e-5, batchFirst = false, dtype = 'float32', ...layerOptions } = options;
    const common = { ...layerOptions, layerNormEps, batchFirst, dtype };
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, common), numEncoderLayers, { norm: new LayerNorm(dModel, { eps: layerNormEps, dtype }) });
    this.decoder = new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, common), numDecoderLayers, { norm: new LayerNorm(dModel, { eps: layerNormEps, dtype }) });
    this.batchFirst = batchFirst;
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p, 1, options.generator);
  }

  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    checkKnownOptions('Transformer.forward', options, TRANSFORMER_FORWARD_OPTIONS);
    const { srcMask = null, srcKeyPaddingMask = null, srcIsCausal = false, ...decoderOptions } = options;
    const batchDim = this.batchFirst ? 0 : 1;
    if (src.ndim === 3 && tgt.ndim === 3 && src.shape[batchDim] !== tgt.shape[batchDim]) {
      throw new Error(`Transformer: the batch sizes of src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} must be equal`);
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new Error(`Transformer: the feature size of src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} must be dModel (${this.dModel})`);
    }
    const memory = this.encoder(src, { mask: srcMask, srcKeyPaddingMask, isCausal: srcIsCausal });
    return this.decoder(tgt, memory, decoderOptions);
  }

  /** A float mask with -inf above the diagonal: position i attends to positions <= i. */
  static generateSquareSubsequentMask(size: number, { dtype = 'float32' }: { dtype?: DType } = {}): Tensor {
    return triu(full([size, size], -Infinity, { dtype }), 1);
  }
}
