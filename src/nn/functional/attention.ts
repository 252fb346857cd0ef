// Scaled dot-product attention, softmax(q kᵀ / sqrt(d) + mask) v, as torch.nn.functional.scaled_dot_product_attention
// (the fused op in ops/attention.ts), and the masks MultiheadAttention shares with it.
import { Tensor } from '../../tensor/tensor.js';
import { checkedOptions } from '../../tensor/options.js';
import { formatShape, shapesEqual, sizeOf } from '../../tensor/shape.js';
import { ones } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import { add, cast, div, logicalNot, mul, where } from '../../ops/elementwise.js';
import { type HeadView, attention } from '../../ops/attention.js';
import { matmul } from '../../ops/linalg.js';
import { softmax } from '../../ops/softmax.js';
import { transpose, tril } from '../../ops/shape.js';
import { isFloating } from '../../tensor/dtype.js';
import { dropoutMask } from './dropout.js';

/**
 * A mask to add to attention scores: float masks are used as they are; in a bool mask, true marks
 * the positions to leave out (MultiheadAttention's convention), which become -inf.
 */
export function additiveMask(mask: Tensor, dtype: Tensor['dtype'], name: string): Tensor {
  if (mask.dtype === 'bool') return cast(where(mask, -Infinity, 0), dtype);
  if (!isFloating(mask.dtype)) throw new Error(`${name}: masks must be bool or floating point, got dtype ${mask.dtype}`);
  return mask;
}

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcasts against [..., L, S]. A float mask is added to the scores; in a bool mask, as in
   * torch.nn.functional.scaled_dot_product_attention, true marks the positions that TAKE PART.
   */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights (applied whenever > 0, as PyTorch's functional form). Default 0. */
  dropoutP?: number;
  /** A lower-triangular mask: position i attends to positions <= i. Cannot be combined with attnMask. */
  isCausal?: boolean;
  generator?: Generator;
}

/**
 * softmax(q kᵀ / sqrt(E) + mask) v over the last two dims, as torch.nn.functional.scaled_dot_product_attention:
 * query [..., L, E], key [..., S, E], value [..., S, Ev] -> [..., L, Ev].
 * @example
 * const q = randn([2, 4, 5, 8]); // batch, heads, length, head dim
 * const out = scaledDotProductAttention(q, q, q, { isCausal: true }); // [2, 4, 5, 8]
 */
export function scaledDotProductAttention(
  query: Tensor, key: Tensor, value: Tensor,
  options: ScaledDotProductAttentionOptions = {},
): Tensor {
  const { attnMask = null, dropoutP = 0, isCausal = false, generator } = checkedOptions('scaledDotProductAttention', options, ['attnMask', 'dropoutP', 'isCausal', 'generator']);
  const op = 'scaledDotProductAttention';
  for (const [what, t] of [['query', query], ['key', key], ['value', value]] as const) {
    if (!(t instanceof Tensor) || t.ndim < 2 || !isFloating(t.dtype)) {
      throw new Error(`${op}: expected ${what} to be a floating point tensor [..., length, features], got ${t instanceof Tensor ? `${t.dtype} ${formatShape(t.shape)}` : typeof t}`);
    }
  }
  const E = query.shape[query.ndim - 1];
  const L = query.shape[query.ndim - 2];
  const S = key.shape[key.ndim - 2];
  const Ev = value.shape[value.ndim - 1];
  if (key.shape[key.ndim - 1] !== E) throw new Error(`${op}: query ${formatShape(query.shape)} and key ${formatShape(key.shape)} must have the same feature size`);
  if (value.shape[value.ndim - 2] !== S) throw new Error(`${op}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same length`);
  if (isCausal && attnMask) throw new Error(`${op}: an explicit attnMask cannot be combined with isCausal`);
  if (attnMask && attnMask.dtype !== 'bool') additiveMask(attnMask, query.dtype, op); // refuses other dtypes
  const lead = query.shape.slice(0, -2);
  const batch = sizeOf(lead);
  const sameBatch = shapesEqual(key.shape.slice(0, -2), lead) && shapesEqual(value.shape.slice(0, -2), lead);
  const strides = attnMask ? sdpaMaskStrides(attnMask.shape, lead, L, S) : null;
  const dropout = dropoutP > 0 ? dropoutMask([...lead, L, S], dropoutP, query.dtype, query.device, generator) : null;
  if (sameBatch && query.dtype === key.dtype && key.dtype === value.dtype && (!attnMask || strides)) {
    // one fused op over the flattened batch dims (dense [B, L, E] operands: one head each)
    const view = (t: Tensor, rows: number, cols: number): HeadView => ({ tensor: t, strides: [0, rows * cols, 0, cols] });
    const [out] = attention(view(query, L, E), view(key, S, E), view(value, S, Ev),
      { batch, heads: 1, queries: L, keys: S, headDim: E, valueDim: Ev }, [...lead, L, Ev], [0, L * Ev, 0, Ev],
      { mask: attnMask, maskStrides: strides ?? undefined, maskKeeps: true, causal: isCausal, dropout });
    return out;
  }
  // batch dims that broadcast: composed from matmul and softmax
  let mask: Tensor | null = null;
  if (isCausal) {
    mask = additiveMask(logicalNot(tril(ones([L, S], { dtype: 'bool', device: query.device }))), query.dtype, op);
  } else if (attnMask) {
    mask = attnMask.dtype === 'bool' ? additiveMask(logicalNot(attnMask), query.dtype, op) : attnMask;
  }
  const scores = matmul(div(query, Math.sqrt(E)), transpose(key, -2, -1));
  let weights = softmax(mask ? add(scores, mask) : scores, -1);
  if (dropout) weights = mul(weights, dropout);
  return matmul(weights, value);
}

/**
 * The [batchStride, headStride, rowStride] of a mask broadcast against scores [N, H, L, S] (right-aligned,
 * size-1 dims broadcast); its keys must not broadcast.
 */
export function maskStrides(shape: readonly number[]): [number, number, number] {
  const dims = [1, 1, 1, 1, ...shape].slice(-4);
  const strides = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3]];
  return strides.map((st, i) => (dims[i] === 1 ? 0 : st)) as [number, number, number];
}

// A scaled_dot_product_attention mask [..., L | 1, S] against scores [...lead, L, S] flattened to [B, 1, L, S]:
// its batch dims all broadcast or all equal lead's; null for other shapes (the composed path takes them).
function sdpaMaskStrides(shape: readonly number[], lead: readonly number[], L: number, S: number): [number, number, number] | null {
  if (shape.length < 2 || shape[shape.length - 1] !== S || (shape[shape.length - 2] !== 1 && shape[shape.length - 2] !== L)) return null;
  const maskLead = shape.slice(0, -2);
  if (maskLead.length > lead.length) return null;
  const rowStride = shape[shape.length - 2] === 1 ? 0 : S;
  if (maskLead.every((d) => d === 1)) return [0, 0, rowStride];
  const padded = [...new Array<number>(lead.length - maskLead.length).fill(1), ...maskLead];
  return shapesEqual(padded, lead) ? [shape[shape.length - 2] * S, 0, rowStride] : null;
}
