// Multi-head attention, as torch.nn.MultiheadAttention: same parameters (in_proj_weight, in_proj_bias,
// out_proj.weight/bias, or q/k/v_proj_weight when kdim/vdim differ), initialization, masks and outputs.
import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Generator } from '../../tensor/random.js';
import { add } from '../../ops/elementwise.js';
import { mean } from '../../ops/reduce.js';
import { cat, expand, narrow, pad, reshape, squeeze, triu, unsqueeze } from '../../ops/shape.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { ones } from '../../tensor/creation.js';
import { type HeadView, attention } from '../../ops/attention.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { constant_, xavierNormal_, xavierUniform_ } from '../init.js';
import { linear } from '../functional/linear.js';
import { additiveMask, maskStrides } from '../functional/attention.js';
import { dropoutMask } from '../functional/dropout.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training mode. Default 0. */
  dropout?: number;
  /** Biases in the input and output projections. Default true. */
  bias?: boolean;
  /** Learnable bias_k and bias_v appended to the keys and values as one more position. Default false. */
  addBiasKv?: boolean;
  /** Append a position of zeros to the keys and values (after bias_k/bias_v). Default false. */
  addZeroAttn?: boolean;
  /** Feature size of the keys (default embedDim). */
  kdim?: number;
  /** Feature size of the values (default embedDim). */
  vdim?: number;
  /** Inputs and output are [N, L, E] instead of [L, N, E]. Default false. */
  batchFirst?: boolean;
  dtype?: DType;
  /** Stream for the initial weights (default: the global one, so manualSeed reproduces PyTorch's weights). */
  generator?: Generator;
  /** Stream for the dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
}

export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): true (or -inf in a float mask) marks keys to ignore, such as padding. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights as the second output. Default true. */
  needWeights?: boolean;
  /**
   * [L, S] or [N * numHeads, L, S]: a bool mask where true forbids attending (a causal mask is
   * triu(ones([L, L]), 1) as bool), or a float mask added to the scores.
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads ([N, L, S]) instead of per head ([N, numHeads, L, S]). Default true. */
  averageAttnWeights?: boolean;
  /**
   * Causal attention: query i attends to keys <= i. Without attnMask the causal mask is built here (PyTorch
   * asks for the mask too); with one, attnMask is taken to be that mask and used as given, as PyTorch's hint.
   */
  isCausal?: boolean;
}

const MHA_OPTIONS = optionKeys<MultiheadAttentionOptions>({
  dropout: true, bias: true, addBiasKv: true, addZeroAttn: true, kdim: true, vdim: true, batchFirst: true, dtype: true, generator: true, dropoutGenerator: true,
});
const MHA_FORWARD_OPTIONS = optionKeys<MultiheadAttentionForwardOptions>({ keyPaddingMask: true, needWeights: true, attnMask: true, averageAttnWeights: true, isCausal: true });

/** The bool mask [L, S] that forbids query i from attending to keys after i (true = forbidden). */
export function causalMask(L: number, S = L, device?: string): Tensor {
  return triu(ones([L, S], { dtype: 'bool', device }), 1);
}

/**
 * Attention over numHeads heads of embedDim / numHeads features each:
 * out_proj(concat_h softmax(q_h k_hᵀ / sqrt(d) + mask) v_h). Returns [output, weights or null].
 * @example
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const x = randn([2, 5, 16]);
 * const causal = triu(ones([5, 5]), 1).bool();
 * const [out, weights] = mha(x, x, x, { attnMask: causal }); // out [2, 5, 16], weights [2, 5, 5]
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiheadAttentionForwardOptions?], [Tensor, Tensor | null]> {
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly dropoutGenerator: Generator | undefined;
  inProjWeight: Parameter | null = null;
  qProjWeight: Parameter | null = null;
  kProjWeight: Parameter | null = null;
  vProjWeight: Parameter | null = null;
  inProjBias: Parameter | null;
  biasK: Parameter | null = null;
  biasV: Parameter | null = null;
  outProj: Linear;
  readonly addZeroAttn: boolean;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkKnownOptions('MultiheadAttention', options, MHA_OPTIONS);
    const {
      dropout = 0, bias = true, addBiasKv = false, addZeroAttn = false, kdim = embedDim, vdim = embedDim, batchFirst = false,
      dtype = 'float32', generator,
    } = options;
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0) {
      throw new Error(`MultiheadAttention: embedDim and numHeads must be positive integers, got ${embedDim} and ${numHeads}`);
    }
    if (embedDim % numHeads !== 0) throw new Error(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    if (!(dropout >= 0 && dropout <= 1)) throw new Error(`MultiheadAttention: dropout must be in [0, 1], got ${dropout}`);
    this.headDim = embedDim / numHeads;
    this.kdim = kdim;
    this.vdim = vdim;
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.dropoutGenerator = options.dropoutGenerator;
    if (kdim === embedDim && vdim === embedDim) {
      this.inProjWeight = new Parameter(zeros([3 * embedDim, embedDim], { dtype }));
    } else {
      this.qProjWeight = new Parameter(zeros([embedDim, embedDim], { dtype }));
      this.kProjWeight = new Parameter(zeros([embedDim, kdim], { dtype }));
      this.vProjWeight = new Parameter(zeros([embedDim, vdim], { dtype }));
    }
    this.inProjBias = bias ? new Parameter(zeros([3 * embedDim], { dtype })) : null;
    if (addBiasKv) {
      this.biasK = new Parameter(zeros([1, 1, embedDim], { dtype }));
      this.biasV = new Parameter(zeros([1, 1, embedDim], { dtype }));
    }
    this.addZeroAttn = addZeroAttn;
    // PyTorch builds out_proj (drawing its Linear init) before initializing the input projection
    this.outProj = new Linear(embedDim, embedDim, { bias, dtype, generator });
    this.resetParameters(generator);
  }

  /** Xavier-uniform input projections, zero biases and xavier-normal bias_k/bias_v, as PyTorch (out_proj.weight keeps Linear's init). */
  resetParameters(generator?: Generator): void {
    if (this.inProjWeight) xavierUniform_(this.inProjWeight, 1, generator);
    for (const w of [this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w) xavierUniform_(w, 1, generator);
    if (this.inProjBias) {
      constant_(this.inProjBias, 0);
      if (this.outProj.bias) constant_(this.outProj.bias, 0);
    }
    if (this.biasK) xavierNormal_(this.biasK, 1, generator);
    if (this.biasV) xavierNormal_(this.biasV, 1, generator);
  }

  private get label(): string {
    return `MultiheadAttention(embedDim=${this.embedDim}, numHeads=${this.numHeads})`;
  }

  private projection(index: number): [Tensor, Tensor | null] {
    const E = this.embedDim;
    const weight = this.inProjWeight ? narrow(this.inProjWeight, 0, index * E, E) : [this.qProjWeight, this.kProjWeight, this.vProjWeight][index]!;
    const bias = this.inProjBias ? narrow(this.inProjBias, 0, index * E, E) : null;
    return [weight, bias];
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    checkKnownOptions(`${this.label}.forward`, options, MHA_FORWARD_OPTIONS);
    const { keyPaddingMask = null, needWeights = true, averageAttnWeights = true, isCausal = false } = options;
    const E = this.embedDim;
    const H = this.numHeads;
    const d = this.headDim;
    const layout = (n: number) => (this.batchFirst ? `[N,L,${n}]` : `[L,N,${n}]`);
    const checkInput = (t: Tensor, what: string, n: number) => {
      if (!(t instanceof Tensor) || (t.ndim !== 2 && t.ndim !== 3) || t.shape[t.ndim - 1] !== n) {
        throw new Error(`${this.label}: expected ${what} ${layout(n)} or unbatched [L,${n}], got ${t instanceof Tensor ? formatShape(t.shape) : typeof t}`);
      }
    };
    checkInput(query, 'query', E);
    checkInput(key, 'key', this.kdim);
    checkInput(value, 'value', this.vdim);
    const batched = query.ndim === 3;
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new Error(`${this.label}: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must all be batched or all unbatched`);
    }
    // batch-first [N, len, C] or sequence-first [len, N, C] (an unbatched input is a batch of one, a view)
    const bf = batched && this.batchFirst;
    const seqDim = bf ? 1 : 0;
    const asBatch = (t: Tensor) => (batched ? t : unsqueeze(t, 1));
    const [q0, k0, v0] = [asBatch(query), asBatch(key), asBatch(value)];
    const L = q0.shape[seqDim];
    const N = q0.shape[1 - seqDim];
    const S = k0.shape[seqDim];
    if (k0.shape[1 - seqDim] !== N || v0.shape[1 - seqDim] !== N || v0.shape[seqDim] !== S) {
      throw new Error(`${this.label}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same length and batch as each other and query ${formatShape(query.shape)}`);
    }
    const attnMask = options.attnMask ?? (isCausal ? causalMask(L, S, q0.device) : null);
    let mask = this.mergeMasks(attnMask, keyPaddingMask, batched, L, S, N, q0.dtype);
    // head h of a [.., len, C] projection: columns offset + h*d (features contiguous)
    const heads = (t: Tensor, len: number, offset: number): HeadView => {
      const C = t.shape[2];
      return { tensor: t, strides: bf ? [offset, len * C, d, C] : [offset, C, d, N * C] };
    };
    let q: HeadView;
    let k: HeadView;
    let v: HeadView;
    let keys = S;
    if (query === key && key === value && this.inProjWeight && !this.biasK && !this.addZeroAttn) {
      // self-attention: one product for q, k and v, whose heads are read in place
      const qkv = linear(q0, this.inProjWeight, this.inProjBias, this.label);
      [q, k, v] = [heads(qkv, L, 0), heads(qkv, L, E), heads(qkv, L, 2 * E)];
    } else {
      let kProj = linear(k0, ...this.projection(1), this.label);
      let vProj = linear(v0, ...this.projection(2), this.label);
      // extra key/value positions every query may attend to (their mask entries are 0)
      const extraShape = bf ? [N, 1, E] : [1, N, E];
      const extra: [Tensor, Tensor][] = [];
      if (this.biasK && this.biasV) extra.push([expand(this.biasK, extraShape), expand(this.biasV, extraShape)]);
      if (this.addZeroAttn) extra.push([zeros(extraShape, { dtype: kProj.dtype, device: kProj.device }), zeros(extraShape, { dtype: vProj.dtype, device: vProj.device })]);
      for (const [bk, bv] of extra) {
        kProj = cat([kProj, bk], seqDim);
        vProj = cat([vProj, bv], seqDim);
        if (mask) mask = pad(mask, [0, 1]);
      }
      keys = kProj.shape[seqDim];
      [q, k, v] = [heads(linear(q0, ...this.projection(0), this.label), L, 0), heads(kProj, keys, 0), heads(vProj, keys, 0)];
    }
    const dropout = this.training && this.dropout > 0 ? dropoutMask([N, H, L, keys], this.dropout, q0.dtype, q0.device, this.dropoutGenerator) : null;
    const outShape = bf ? [N, L, E] : [L, N, E];
    const [attended, weights] = attention(q, k, v, { batch: N, heads: H, queries: L, keys, headDim: d, valueDim: d }, outShape,
      bf ? [0, L * E, d, E] : [0, E, d, N * E], { mask, maskStrides: mask ? maskStrides(mask.shape) : undefined, dropout, needWeights });
    let output = this.outProj(attended);
    if (!batched) output = squeeze(output, 1);
    if (!needWeights) return [output, null];
    let w = averageAttnWeights ? mean(weights!, 1) : weights!;
    if (!batched) w = squeeze(w, 0);
    return [output, w];
  }

  // attnMask and keyPaddingMask as one mask that broadcasts against the scores [N, H, L, S]: a bool mask
  // (true forbids) when there is one bool mask, else an additive float mask
  private mergeMasks(attnMask: Tensor | null, keyPaddingMask: Tensor | null, batched: boolean, L: number, S: number, N: number, dtype: DType): Tensor | null {
    let mask: Tensor | null = null;
    if (attnMask) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) {
          throw new Error(`${this.label}: expected a 2-d attnMask of shape [${L},${S}], got ${formatShape(attnMask.shape)}`);
        }
        mask = attnMask;
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== N * this.numHeads || attnMask.shape[1] !== L || attnMask.shape[2] !== S) {
          throw new Error(`${this.label}: expected a 3-d attnMask of shape [${N * this.numHeads},${L},${S}] (N * numHeads, L, S), got ${formatShape(attnMask.shape)}`);
        }
        mask = reshape(attnMask, [N, this.numHeads, L, S]);
      } else {
        throw new Error(`${this.label}: attnMask must be 2-d [L,S] or 3-d [N*numHeads,L,S], got ${formatShape(attnMask.shape)}`);
      }
      if (mask.dtype !== 'bool') additiveMask(mask, dtype, this.label); // refuses other dtypes
    }
    if (keyPaddingMask) {
      const expected = batched ? [N, S] : [S];
      if (keyPaddingMask.ndim !== expected.length || keyPaddingMask.shape.some((d, i) => d !== expected[i])) {
        throw new Error(`${this.label}: expected keyPaddingMask of shape ${formatShape(expected)}, got ${formatShape(keyPaddingMask.shape)}`);
      }
      const padding = reshape(keyPaddingMask, [N, 1, 1, S]);
      if (padding.dtype !== 'bool') additiveMask(padding, dtype, this.label);
      mask = mask ? add(additiveMask(mask, dtype, this.label), additiveMask(padding, dtype, this.label)) : padding;
    }
    return mask;
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.dropout ? `, dropout=${this.dropout}` : ''}${this.batchFirst ? ', batchFirst=true' : ''}` +
      `${this.biasK ? ', addBiasKv=true' : ''}${this.addZeroAttn ? ', addZeroAttn=true' : ''}`;
  }
}
