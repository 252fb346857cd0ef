// Sums or means of embedding rows per bag, as torch.nn.functional.embedding_bag: bag-of-words text models
// and recommenders' "items a user touched", without materializing [bags, length, dim].
import { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { ones, tensor, zeros } from '../../tensor/creation.js';
import { checkedOptions } from '../../tensor/options.js';
import { cast, clamp, div, mul, ne } from '../../ops/elementwise.js';
import { expand, reshape, unsqueeze } from '../../ops/shape.js';
import { embedding } from './embedding.js';

export interface EmbeddingBagOptions {
  /** With a 1-d input: where each bag starts (int32 [B], offsets[0] = 0). A 2-d input [B, L] is B bags of L. */
  offsets?: Tensor | null;
  /** 'mean' (default, as PyTorch) or 'sum'. */
  mode?: 'mean' | 'sum';
  /** With mode 'sum': a weight per index (input's shape), e.g. tf-idf. */
  perSampleWeights?: Tensor | null;
  /** Entries equal to it are left out of their bag (and of its count for the mean). */
  paddingIdx?: number | null;
  /** offsets has B + 1 entries, the last one the input's length (PyTorch's include_last_offset). Default false. */
  includeLastOffset?: boolean;
  /** The weight's gradient is a SparseTensor (see Embedding). Default false. */
  sparse?: boolean;
}

const OPTIONS = ['offsets', 'mode', 'perSampleWeights', 'paddingIdx', 'includeLastOffset', 'sparse'];

/**
 * One row per bag: the sum or the mean of the embedding rows of the bag's indices, as
 * torch.nn.functional.embedding_bag (an empty bag gives zeros). Differentiable in weight and perSampleWeights.
 * @example
 * // two sentences as bags of word ids: [3, 1, 4] and [1, 5]
 * embeddingBag(tensor([3, 1, 4, 1, 5], { dtype: 'int32' }), weight, { offsets: tensor([0, 3], { dtype: 'int32' }) }) // [2, dim]
 */
export function embeddingBag(input: Tensor, weight: Tensor, options: EmbeddingBagOptions = {}, name = 'embeddingBag'): Tensor {
  const { offsets = null, mode = 'mean', perSampleWeights = null, paddingIdx = null, includeLastOffset = false, sparse = false } = checkedOptions(name, options, OPTIONS);
  if (mode !== 'mean' && mode !== 'sum') throw new Error(`${name}: mode must be 'mean' or 'sum', got '${String(mode)}' ('max' is not supported)`);
  if (!(input instanceof Tensor) || input.dtype !== 'int32' || (input.ndim !== 1 && input.ndim !== 2)) {
    throw new Error(`${name}: input must be int32 [n] (with offsets) or [bags, length], got ${input instanceof Tensor ? `${input.dtype} ${formatShape(input.shape)}` : typeof input}`);
  }
  if (perSampleWeights !== null) {
    if (mode !== 'sum') throw new Error(`${name}: perSampleWeights is only supported with mode 'sum', got mode '${mode}'`);
    if (!(perSampleWeights instanceof Tensor) || perSampleWeights.shape.join() !== input.shape.join()) {
      throw new Error(`${name}: perSampleWeights must have the input's shape ${formatShape(input.shape)}`);
    }
  }
  const n = input.numel;
  let bags: number;
  const bagOf = new Int32Array(n);
  if (input.ndim === 2) {
    if (offsets !== null) throw new Error(`${name}: offsets must be null for a 2-d input (each row is a bag)`);
    bags = input.shape[0];
    const length = input.shape[1];
    for (let i = 0; i < n; i++) bagOf[i] = Math.floor(i / length);
  } else {
    if (!(offsets instanceof Tensor) || offsets.dtype !== 'int32' || offsets.ndim !== 1) throw new Error(`${name}: a 1-d input needs offsets, an int32 [bags] tensor`);
    const starts = Array.from(offsets.dataSync());
    if (includeLastOffset) {
      if (starts.length === 0 || starts[starts.length - 1] !== n) throw new Error(`${name}: with includeLastOffset the last offset must be the input's length ${n}`);
      starts.pop();
    }
    bags = starts.length;
    if (bags > 0 && starts[0] !== 0) throw new Error(`${name}: offsets[0] must be 0, got ${starts[0]}`);
    for (let b = 0; b < bags; b++) {
      const end = b + 1 < bags ? starts[b + 1] : n;
      if (starts[b] > end || end > n) throw new Error(`${name}: offsets must be non-decreasing and at most the input's length ${n}, got ${JSON.stringify(Array.from(offsets.dataSync()))}`);
      bagOf.fill(b, starts[b], end);
    }
  }
  const dim = weight.shape[1];
  const flat = reshape(input, [n]);
  let rows = embedding(flat, weight, { paddingIdx, sparse }, name); // [n, dim]
  let keep: Tensor | null = paddingIdx === null ? null : cast(ne(flat, paddingIdx < 0 ? paddingIdx + weight.shape[0] : paddingIdx), weight.dtype);
  if (keep) rows = mul(rows, unsqueeze(keep, 1));
  if (perSampleWeights) rows = mul(rows, unsqueeze(reshape(perSampleWeights, [n]), 1));
  const bagIndex = tensor(bagOf, { device: weight.device });
  const sums = zeros([bags, dim], { dtype: rows.dtype, device: weight.device }).scatterAdd(0, expand(unsqueeze(bagIndex, 1), [n, dim]), rows);
  if (mode === 'sum') return sums;
  keep ??= ones([n], { dtype: weight.dtype, device: weight.device });
  const counts = zeros([bags], { dtype: weight.dtype, device: weight.device }).scatterAdd(0, bagIndex, keep);
  return div(sums, unsqueeze(clamp(counts, 1), 1)); // an empty bag: 0 / 1
}
