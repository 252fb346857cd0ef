// Multi-head attention, as torch.nn.MultiheadAttention: same parameters (in_proj_weight, in_proj_bias,
// out_proj.weight/bias, or q/k/v_proj_weight when kdim/vdim differ), initialization, masks and outputs.
import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Generator } from '../../tensor/random.js';
import { add } from '../../ops/elementwise.js';
import { mean } from '../../ops/reduce.js';
import { cat, expand, narrow, pad, permute, reshape, squeeze, transpose, unsqueeze } from '../../ops/shape.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { ones } from '../../tensor/creation.js';
import { triu } from '../../ops/shape.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { constant_, xavierNormal_, xavierUniform_ } from '../init.js';
import { linear } from '../functional/linear.js';
import { additiveMask, attentionWeightsAndOutput } from '../functional/attention.js';
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
export function causalMask(L: number, S = L): Tensor {
  return triu(ones([L, S], { dtype: 'bool' }), 1);
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
    const layout = (d: number) => (this.batchFirst ? `[N,L,${d}]` : `[L,N,${d}]`);
    const checkInput = (t: Tensor, what: string, d: number) => {
      if (!(t instanceof Tensor) || (t.ndim !== 2 && t.ndim !== 3) || t.shape[t.ndim - 1] !== d) {
        throw new Error(`${this.label}: expected ${what} ${layout(d)} or unbatched [L,${d}], got ${t instanceof Tensor ? formatShape(t.shape) : typeof t}`);
      }
    };
    checkInput(query, 'query', E);
    checkInput(key, 'key', this.kdim);
    checkInput(value, 'value', this.vdim);
    const batched = query.ndim === 3;
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new Error(`${this.label}: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must all be batched or all unbatched`);
    }
    // work in [L, N, E]
    const toSeqFirst = (t: Tensor) => (!batched ? unsqueeze(t, 1) : this.batchFirst ? transpose(t, 0, 1) : t);
    const q0 = toSeqFirst(query);
    const k0 = toSeqFirst(key);
    const v0 = toSeqFirst(value);
    const [L, N] = q0.shape;
    const S = k0.shape[0];
    if (k0.shape[1] !== N || v0.shape[1] !== N || v0.shape[0] !== S) {
      throw new Error(`${this.label}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same length and batch as each other and query ${formatShape(query.shape)}`);
    }
    const attnMask = options.attnMask ?? (isCausal ? causalMask(L, S) : null);
    let mask = this.mergeMasks(attnMask, keyPaddingMask, batched, L, S, N, q0.dtype);

    let kProj = linear(k0, ...this.projection(1), this.label);
    let vProj = linear(v0, ...this.projection(2), this.label);
    // extra key/value positions every query may attend to (their mask entries are 0)
    const extra: [Tensor, Tensor][] = [];
    if (this.biasK && this.biasV) extra.push([expand(this.biasK, [1, N, E]), expand(this.biasV, [1, N, E])]);
    if (this.addZeroAttn) extra.push([zeros([1, N, E], { dtype: kProj.dtype, device: kProj.device }), zeros([1, N, E], { dtype: vProj.dtype, device: vProj.device })]);
    for (const [bk, bv] of extra) {
      kProj = cat([kProj, bk], 0);
      vProj = cat([vProj, bv], 0);
      if (mask) mask = pad(mask, [0, 1]);
    }
    const keys = kProj.shape[0];

    // [len, N, E] -> [N, H, len, headDim]
    const heads = (t: Tensor, len: number) => permute(reshape(t, [len, N, H, this.headDim]), [1, 2, 0, 3]);
    const q = heads(linear(q0, ...this.projection(0), this.label), L);
    const k = heads(kProj, keys);
    const v = heads(vProj, keys);
    const [attended, weights] = attentionWeightsAndOutput(q, k, v, mask, this.dropout, this.training, this.dropoutGenerator);
    const merged = reshape(permute(attended, [2, 0, 1, 3]), [L, N, E]);
    let output = this.outProj(merged);
    output = !batched ? squeeze(output, 1) : this.batchFirst ? transpose(output, 0, 1) : output;
    if (!needWeights) return [output, null];
    let w = averageAttnWeights ? mean(weights, 1) : weights;
    if (!batched) w = squeeze(w, 0);
    return [output, w];
  }

  // attnMask and keyPaddingMask as one additive mask that broadcasts against the scores [N, H, L, S]
  private mergeMasks(attnMask: Tensor | null, keyPaddingMask: Tensor | null, batched: boolean, L: number, S: number, N: number, dtype: DType): Tensor | null {
    let mask: Tensor | null = null;
    if (attnMask) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) {
          throw new Error(`${this.label}: expected a 2-d attnMask of shape [${L},${S}], got ${formatShape(attnMask.shape)}`);
        }
        mask = additiveMask(attnMask, dtype, this.label);
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== N * this.numHeads || attnMask.shape[1] !== L || attnMask.shape[2] !== S) {
          throw new Error(`${this.label}: expected a 3-d attnMask of shape [${N * this.numHeads},${L},${S}] (N * numHeads, L, S), got ${formatShape(attnMask.shape)}`);
        }
        mask = reshape(additiveMask(attnMask, dtype, this.label), [N, this.numHeads, L, S]);
      } else {
        throw new Error(`${this.label}: attnMask must be 2-d [L,S] or 3-d [N*numHeads,L,S], got ${formatShape(attnMask.shape)}`);
      }
    }
    if (keyPaddingMask) {
      const expected = batched ? [N, S] : [S];
      if (keyPaddingMask.ndim !== expected.length || keyPaddingMask.shape.some((d, i) => d !== expected[i])) {
        throw new Error(`${this.label}: expected keyPaddingMask of shape ${formatShape(expected)}, got ${formatShape(keyPaddingMask.shape)}`);
      }
      const padding = reshape(additiveMask(keyPaddingMask, dtype, this.label), [N, 1, 1, S]);
      mask = mask ? add(mask, padding) : padding;
    }
    return mask;
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.dropout ? `, dropout=${this.dropout}` : ''}${this.batchFirst ? ', batchFirst=true' : ''}` +
      `${this.biasK ? ', addBiasKv=true' : ''}${this.addZeroAttn ? ', addZeroAttn=true' : ''}`;
  }
}
