// Scaled dot-product attention, softmax(q kᵀ / sqrt(d) + mask) v, the core of MultiheadAttention.
import { Tensor } from '../../tensor/tensor.js';
import { checkedOptions } from '../../tensor/options.js';
import { formatShape } from '../../tensor/shape.js';
import { ones } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import { add, cast, div, logicalNot, where } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { softmax } from '../../ops/softmax.js';
import { transpose, tril } from '../../ops/shape.js';
import { isFloating } from '../../tensor/dtype.js';
import { dropout } from './dropout.js';

/**
 * A mask to add to attention scores: float masks are used as they are; in a bool mask, true marks
 * the positions to leave out (MultiheadAttention's convention), which become -inf.
 */
export function additiveMask(mask: Tensor, dtype: Tensor['dtype'], name: string): Tensor {
  if (mask.dtype === 'bool') return cast(where(mask, -Infinity, 0), dtype);
  if (!isFloating(mask.dtype)) throw new Error(`${name}: masks must be bool or floating point, got dtype ${mask.dtype}`);
  return mask;
}

/**
 * softmax(q kᵀ / sqrt(d) + mask) over the keys, optionally with dropout, and its product with v.
 * Returns [output, attention weights]. `mask` is additive and broadcasts against [..., L, S].
 */
export function attentionWeightsAndOutput(
  query: Tensor, key: Tensor, value: Tensor, mask: Tensor | null, dropoutP: number, training: boolean, generator?: Generator,
): [Tensor, Tensor] {
  const scale = Math.sqrt(query.shape[query.ndim - 1]);
  let scores = matmul(div(query, scale), transpose(key, -2, -1));
  if (mask) scores = add(scores, mask);
  let weights = softmax(scores, -1);
  if (training && dropoutP > 0) weights = dropout(weights, dropoutP, true, generator);
  return [matmul(weights, value), weights];
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
  const S = key.shape[key.ndim - 2];
  if (key.shape[key.ndim - 1] !== E) throw new Error(`${op}: query ${formatShape(query.shape)} and key ${formatShape(key.shape)} must have the same feature size`);
  if (value.shape[value.ndim - 2] !== S) throw new Error(`${op}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same length`);
  let mask: Tensor | null = null;
  if (isCausal) {
    if (attnMask) throw new Error(`${op}: an explicit attnMask cannot be combined with isCausal`);
    const L = query.shape[query.ndim - 2];
    mask = additiveMask(logicalNot(tril(ones([L, S], { dtype: 'bool', device: query.device }))), query.dtype, op);
  } else if (attnMask) {
    mask = attnMask.dtype === 'bool' ? additiveMask(logicalNot(attnMask), query.dtype, op) : additiveMask(attnMask, query.dtype, op);
  }
  return attentionWeightsAndOutput(query, key, value, mask, dropoutP, dropoutP > 0, generator)[0];
}
