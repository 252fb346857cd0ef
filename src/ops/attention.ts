// Scaled dot-product attention as one op: softmax((q / sqrt(E)) kᵀ + mask) v for every batch and head in
// one backend call, and its gradients in one more. Operands are read where they are: a head is a strided
// view (HeadStrides) of a projection's [N, L, heads * E] output (or of the packed q/k/v of self-attention),
// and the output is written straight into the merged-heads layout, so nothing is permuted or transposed.
// A backward that must be differentiable (createGraph), or a float mask that needs a gradient, runs the
// same attention composed of differentiable ops instead.
import type { AttentionGeometry, AttentionSizes, Backend, HeadStrides } from '../backend/backend.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import { ownUntilFirstFreed } from '../autograd/scope.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { full, tensor, zeros } from '../tensor/creation.js';
import { backendOf, emptyTensor, zerosTensor } from './util.js';
import { add, cast, div, eq, logicalNot, mul, where } from './elementwise.js';
import { matmul } from './linalg.js';
import { softmax } from './softmax.js';
import { reshape, transpose, tril } from './shape.js';
import { indexSelect, scatterAdd } from './indexing.js';
import { vjp } from './vjp.js';

export type { AttentionSizes };

/** One attention operand: a tensor and where head (b, h)'s rows are in it. */
export interface HeadView {
  tensor: Tensor;
  strides: HeadStrides;
}

export interface AttentionOptions {
  /** A float mask (added to the scores) or a bool mask, broadcast against [batch, heads, L, S] by `maskStrides`. */
  mask?: Tensor | null;
  /** The mask's [batchStride, headStride, rowStride] (keys contiguous). */
  maskStrides?: readonly [number, number, number];
  /** In a bool mask, true marks keys that take part (scaled_dot_product_attention) rather than keys left out. */
  maskKeeps?: boolean;
  /** Query i attends to keys j <= i only. */
  causal?: boolean;
  /** Scale factors [batch, heads, L, S] applied to the weights (dropout's mask), or null. */
  dropout?: Tensor | null;
  /** Also return the weights [batch, heads, L, S] (after dropout). */
  needWeights?: boolean;
}

/**
 * Attention over strided heads, written into a new tensor of `outShape` at `outStrides` (which must cover
 * it). Returns [output, weights or null].
 * @example
 * // self-attention from one projection qkv [N, L, 3E] with H heads of d = E / H features, output [N, L, E]
 * const view = (offset: number): HeadView => ({ tensor: qkv, strides: [offset, L * 3 * E, d, 3 * E] });
 * const [out] = attention(view(0), view(E), view(2 * E), { batch: N, heads: H, queries: L, keys: L, headDim: d, valueDim: d },
 *   [N, L, E], [0, L * E, d, E], { causal: true });
 */
export function attention(
  q: HeadView, k: HeadView, v: HeadView, sizes: AttentionSizes, outShape: readonly number[], outStrides: HeadStrides,
  options: AttentionOptions = {},
): [Tensor, Tensor | null] {
  const { mask = null, maskKeeps = false, causal = false, dropout = null, needWeights = false } = options;
  const b = backendOf('attention', q.tensor, k.tensor, v.tensor);
  for (const t of [mask, dropout]) if (t) backendOf('attention', q.tensor, t);
  const g: AttentionGeometry = {
    ...sizes, q: q.strides, k: k.strides, v: v.strides, out: outStrides,
    mask: mask ? options.maskStrides ?? null : null, maskKeeps, causal,
  };
  if (mask && !g.mask) throw new Error('attention: a mask needs its strides (maskStrides)');
  const inputs = uniqueTensors([q.tensor, k.tensor, v.tensor]);
  if (mask && mask.dtype !== 'bool' && mask.requiresGrad && isGradEnabled()) {
    return composedAttention(q, k, v, g, outShape, options);
  }
  const dtype = q.tensor.dtype;
  const out = emptyTensor(outShape, dtype, b);
  const weights = emptyTensor([sizes.batch, sizes.heads, sizes.queries, sizes.keys], dtype, b);
  b.attention(q.tensor.storage, k.tensor.storage, v.tensor.storage, mask?.storage ?? null, dropout?.storage ?? null, g, out.storage, weights.storage);
  let returned: Tensor | null = null;
  if (needWeights) returned = dropout ? droppedWeights(b, weights, dropout) : weights;
  if (!(isGradEnabled() && inputs.some((t) => t.requiresGrad))) return [out, returned];

  let ownership: { released(): boolean } | null = null;
  const backward = (gradOut: Tensor | null, gradWeights: Tensor | null): (Tensor | null)[] => {
    if (ownership?.released()) {
      throw new Error('backward: trying to backward through attention\'s graph a second time (or after its other output\'s backward freed it); pass { retainGraph: true } to the first backward');
    }
    if (isGradEnabled()) {
      const [o, w] = composedAttention(q, k, v, g, outShape, { ...options, needWeights: gradWeights !== null });
      return vjp(w ? [o, w] : [o], w ? [gradOut, gradWeights] : [gradOut], inputs);
    }
    return fusedGrads(b, q, k, v, g, inputs, weights, dropout, gradOut, gradWeights);
  };
  const saved = [...inputs, ...(mask ? [mask] : []), ...(dropout ? [dropout] : [])];
  record(out, 'ScaledDotProductAttentionBackward', inputs, (grad) => backward(grad, null), saved);
  if (returned) record(returned, 'AttentionWeightsBackward', inputs, (grad) => backward(null, grad), saved);
  // the softmax is saved for backward; released with the first node freed unless it is the returned weights
  if (returned !== weights) ownership = ownUntilFirstFreed(returned ? [out, returned] : [out], [weights.storage]);
  return [out, returned];
}

function uniqueTensors(tensors: Tensor[]): Tensor[] {
  return tensors.filter((t, i) => tensors.indexOf(t) === i);
}

function droppedWeights(b: Backend, weights: Tensor, dropout: Tensor): Tensor {
  const out = emptyTensor(weights.shape, weights.dtype, b);
  b.binary('mul', weights.storage, weights.shape, dropout.storage, dropout.shape, out.storage, out.shape);
  return out;
}

// The backend's backward kernel: q, k and v's gradients added into zeros (they may share one tensor).
function fusedGrads(
  b: Backend, q: HeadView, k: HeadView, v: HeadView, g: AttentionGeometry, inputs: Tensor[], weights: Tensor,
  dropout: Tensor | null, gradOut: Tensor | null, gradWeights: Tensor | null,
): (Tensor | null)[] {
  const grads = inputs.map((t) => zerosTensor(t.shape, t.dtype, b));
  const gradOf = (t: Tensor) => grads[inputs.indexOf(t)].storage;
  b.attentionBackward(q.tensor.storage, k.tensor.storage, v.tensor.storage, weights.storage, dropout?.storage ?? null,
    gradOut?.storage ?? null, gradWeights?.storage ?? null, g, gradOf(q.tensor), gradOf(k.tensor), gradOf(v.tensor));
  return inputs.map((t, i) => (t.requiresGrad ? grads[i] : null));
}

// ---- the same attention from differentiable ops ----

/** Flat indices of the elements (b, h, r, j) of a [batch, heads, rows, cols] view at `strides`, as an int32 tensor. */
function viewIndices(strides: HeadStrides, batch: number, heads: number, rows: number, cols: number, device: string): Tensor {
  const [offset, bs, hs, rs] = strides;
  const index = new Int32Array(batch * heads * rows * cols);
  let i = 0;
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) index[i++] = offset + b * bs + h * hs + r * rs + j;
  }
  return tensor(index, { dtype: 'int32', device });
}

/** The [batch, heads, rows, cols] view of `t` at `strides`, as its own (differentiable) tensor. */
function gatherView(t: Tensor, strides: HeadStrides, batch: number, heads: number, rows: number, cols: number): Tensor {
  const flat = reshape(t, [t.numel]);
  return reshape(indexSelect(flat, 0, viewIndices(strides, batch, heads, rows, cols, t.device)), [batch, heads, rows, cols]);
}

/** attention() written with matmul, softmax and gathers: differentiable to any order, and slow. */
export function composedAttention(
  q: HeadView, k: HeadView, v: HeadView, g: AttentionGeometry, outShape: readonly number[], options: AttentionOptions,
): [Tensor, Tensor | null] {
  const { batch: B, heads: H, queries: L, keys: S, headDim: E, valueDim: Ev } = g;
  const Q = gatherView(q.tensor, q.strides, B, H, L, E);
  const K = gatherView(k.tensor, k.strides, B, H, S, E);
  const V = gatherView(v.tensor, v.strides, B, H, S, Ev);
  let scores = matmul(div(Q, Math.sqrt(E)), transpose(K, -2, -1));
  const { mask = null, maskKeeps = false, causal = false, dropout = null } = options;
  if (mask && options.maskStrides) {
    const [mb, mh, mr] = options.maskStrides;
    let m = gatherView(mask, [0, mb, mh, mr], B, H, L, S);
    if (m.dtype === 'bool') m = cast(where(maskKeeps ? logicalNot(m) : m, -Infinity, 0), scores.dtype);
    scores = add(scores, m);
  }
  if (causal) {
    const lower = tril(full([L, S], 1, { dtype: scores.dtype, device: scores.device }));
    scores = add(scores, cast(where(eq(lower, 0), -Infinity, 0), scores.dtype));
  }
  let weights = softmax(scores, -1);
  if (dropout) weights = mul(weights, dropout);
  const o = matmul(weights, V);
  const total = sizeOf(outShape);
  const index = viewIndices(g.out, B, H, L, Ev, o.device);
  if (index.numel !== total) throw new Error(`attention: the output strides cover ${index.numel} elements of an output ${formatShape(outShape)}`);
  const out = reshape(scatterAdd(zeros([total], { dtype: o.dtype, device: o.device }), 0, index, reshape(o, [total])), outShape);
  return [out, options.needWeights ? weights : null];
}
