import { Tensor } from '../../tensor/tensor.js';
import { arange, zeros } from '../../tensor/creation.js';
import { eq, where } from '../../ops/elementwise.js';
import { noGrad } from '../../autograd/grad-mode.js';
import type { DType } from '../../tensor/dtype.js';
import type { Generator } from '../../tensor/random.js';
import { Module } from '../module.js';
import { checkPositiveInt } from './check.js';
import { Parameter } from '../parameter.js';
import { normal_ } from '../init.js';
import { EMBEDDING_OPTIONS, type EmbeddingOptions, embedding } from '../functional/embedding.js';
import { checkKnownOptions } from '../../tensor/options.js';
import { embeddingBag } from '../functional/embedding-bag.js';

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, as torch.nn.Embedding: weights start
 * N(0, 1) and the paddingIdx row starts at zero and gets no gradient.
 * @example const emb = new Embedding(100, 16, { paddingIdx: 0 }); emb(tensor([[0, 5, 7]], { dtype: 'int32' })).shape // [1, 3, 16]
 */
export class Embedding extends Module<[Tensor], Tensor> {
  weight: Parameter;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  /** The weight's gradient is a SparseTensor of the rows looked up (for optim.SparseAdam, SGD, Adagrad). */
  readonly sparse: boolean;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions & { dtype?: DType; generator?: Generator } = {}) {
    super();
    checkKnownOptions('Embedding', options, [...EMBEDDING_OPTIONS, 'dtype', 'generator']);
    checkPositiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('Embedding', 'embeddingDim', embeddingDim);
    const { paddingIdx = null, maxNorm = null, normType = 2, sparse = false, dtype = 'float32' } = options;
    if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
      throw new Error(`Embedding(${numEmbeddings}, ${embeddingDim}): paddingIdx must be within [-${numEmbeddings}, ${numEmbeddings}), got ${paddingIdx}`);
    }
    this.paddingIdx = paddingIdx !== null && paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    this.maxNorm = maxNorm;
    this.normType = normType;
    this.sparse = sparse;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype }));
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    normal_(this.weight, 0, 1, generator);
    const padding = this.paddingIdx;
    if (padding !== null) {
      noGrad(() => {
        const row = arange(this.numEmbeddings, undefined, 1, { device: this.weight.device }).eq(padding).unsqueeze(1);
        this.weight.copy_(this.weight.where(row.logicalNot(), 0));
      });
    }
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, sparse: this.sparse }, `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`);
  }

  /**
   * An Embedding holding a copy of `embeddings` [num, dim], frozen by default, as torch's from_pretrained.
   * @example const emb = Embedding.fromPretrained(randn([5, 3]));
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new Error(`Embedding.fromPretrained: embeddings must be 2-d, got ${embeddings.shape.length}-d`);
    checkKnownOptions('Embedding.fromPretrained', options, [...EMBEDDING_OPTIONS, 'freeze']);
    const { freeze = true, ...rest } = options;
    const emb = new Embedding(embeddings.shape[0], embeddings.shape[1], { ...rest, dtype: embeddings.dtype });
    noGrad(() => emb.weight.copy_(embeddings));
    emb.weight.requiresGrad = !freeze;
    return emb;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}${this.maxNorm !== null ? `, maxNorm=${this.maxNorm}` : ''}${this.sparse ? ', sparse=true' : ''}`;
  }
}

export interface EmbeddingBagLayerOptions {
  /** 'mean' (default) or 'sum'. */
  mode?: 'mean' | 'sum';
  paddingIdx?: number | null;
  includeLastOffset?: boolean;
  sparse?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A table of `numEmbeddings` vectors whose forward returns one vector per bag of indices: their mean (or sum),
 * as torch.nn.EmbeddingBag. Weights start N(0, 1), the paddingIdx row at zero.
 * @example
 * const bag = new EmbeddingBag(5000, 32, { mode: 'mean' });
 * bag(tensor([3, 1, 4, 1, 5], { dtype: 'int32' }), tensor([0, 3], { dtype: 'int32' })).shape // [2, 32]
 */
export class EmbeddingBag extends Module<[Tensor, (Tensor | null)?, (Tensor | null)?], Tensor> {
  weight: Parameter;
  readonly mode: 'mean' | 'sum';
  readonly paddingIdx: number | null;
  readonly includeLastOffset: boolean;
  readonly sparse: boolean;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingBagLayerOptions = {}) {
    super();
    checkKnownOptions('EmbeddingBag', options, ['mode', 'paddingIdx', 'includeLastOffset', 'sparse', 'dtype', 'generator']);
    checkPositiveInt('EmbeddingBag', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('EmbeddingBag', 'embeddingDim', embeddingDim);
    const { mode = 'mean', paddingIdx = null, includeLastOffset = false, sparse = false, dtype = 'float32' } = options;
    if (mode !== 'mean' && mode !== 'sum') throw new Error(`EmbeddingBag: mode must be 'mean' or 'sum', got '${String(mode)}'`);
    if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
      throw new Error(`EmbeddingBag(${numEmbeddings}, ${embeddingDim}): paddingIdx must be within [-${numEmbeddings}, ${numEmbeddings}), got ${paddingIdx}`);
    }
    this.mode = mode;
    this.paddingIdx = paddingIdx !== null && paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    this.includeLastOffset = includeLastOffset;
    this.sparse = sparse;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype }));
    normal_(this.weight, 0, 1, options.generator);
    if (this.paddingIdx !== null) {
      const padding = eq(arange(numEmbeddings).unsqueeze(1), this.paddingIdx);
      noGrad(() => this.weight.copy_(where(padding, 0, this.weight))); // the padding row starts at zero
    }
  }

  /** `input` int32 [bags, length], or [n] with `offsets` [bags]; `perSampleWeights` (mode 'sum') the input's shape. */
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    const { mode, paddingIdx, includeLastOffset, sparse } = this;
    return embeddingBag(input, this.weight, { offsets, perSampleWeights, mode, paddingIdx, includeLastOffset, sparse }, `EmbeddingBag(${this.numEmbeddings}, ${this.embeddingDim})`);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode='${this.mode}'${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}${this.sparse ? ', sparse=true' : ''}`;
  }
}
