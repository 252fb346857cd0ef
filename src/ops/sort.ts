// Sorting and selection: sort, argsort, topk, unique. The kernels give positions; the values are gathered
// with them, so the values' gradient is gather's (each element's gradient goes back where it came from).
import { formatShape, normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkKnownOptions } from '../tensor/options.js';
import { backendOf, checkSyncShape, emptyTensor, zerosTensor } from './util.js';
import { gather } from './indexing.js';
import { slice } from './shape.js';
import type { ValuesIndices } from './reduce.js';

/** [outer, n, inner] around `dim` (a 0-d tensor counts as one element). */
function axisView(x: Tensor, dim: number, op: string): { d: number; outer: number; n: number; inner: number } {
  const d = normalizeDim(dim, Math.max(x.ndim, 1), op);
  if (x.ndim === 0) return { d, outer: 1, n: 1, inner: 1 };
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= x.shape[i];
  for (let i = d + 1; i < x.ndim; i++) inner *= x.shape[i];
  return { d, outer, n: x.shape[d], inner };
}

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${typeof x}`);
}

/**
 * The elements along `dim` in ascending (or descending) order with their original positions, as
 * torch.sort(input, dim, descending, stable=True): ties keep their order, NaN sorts as the largest value.
 * The values are differentiable.
 * @example const { values, indices } = sort(tensor([3, 1, 2]), 0, true); // values [3, 2, 1], indices [0, 2, 1]
 */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  checkTensor('sort', x);
  const indices = argsort(x, dim, descending);
  return { values: gather(x, normalizeDim(dim, Math.max(x.ndim, 1), 'sort'), indices), indices };
}

/**
 * The positions that sort `x` along `dim` (int32), as torch.argsort(input, dim, descending, stable=True).
 * @example argsort(tensor([[3, 1, 2]]), 1) // [[1, 2, 0]]
 */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  checkTensor('argsort', x);
  const { outer, n, inner } = axisView(x, dim, 'argsort');
  const b = backendOf('argsort', x);
  const out = emptyTensor(x.shape, 'int32', b);
  b.argsort(x.storage, outer, n, inner, descending, out.storage);
  return out;
}

/**
 * The k largest (or smallest) elements along `dim` and their positions, in order, as torch.topk; ties go to
 * the earlier position. The values are differentiable.
 * @example const { values, indices } = topk(logits, 5); // the 5 best classes of each row
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  checkTensor('topk', x);
  const { d, outer, n, inner } = axisView(x, dim, 'topk');
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`topk: k must be an integer in [0, ${n}] (the size of dimension ${dim} of ${formatShape(x.shape)}), got ${k}`);
  void sorted; // the k elements always come in order, which torch's sorted=true promises and sorted=false allows
  // a 0-d tensor is one element: k = 1 keeps the 0-d shape, k = 0 gives an empty vector
  const shape = x.ndim === 0 ? (k === 1 ? [] : [0]) : x.shape.map((s, i) => (i === d ? k : s));
  const b = backendOf('topk', x);
  const indices = emptyTensor(shape, 'int32', b);
  b.topk(x.storage, outer, n, inner, k, largest, indices.storage);
  const values = x.ndim === 0 && k === 0 ? emptyTensor([0], x.dtype, b) : gather(x, d, indices);
  return { values, indices };
}

export interface UniqueOptions {
  /** Sort the distinct values (they always are: sorted false is accepted, as torch allows either order). Default true. */
  sorted?: boolean;
  /** Also return `inverse`: for each element, the position of its value in `values` (x's shape). */
  returnInverse?: boolean;
  /** Also return `counts`: how often each value occurs. */
  returnCounts?: boolean;
  /** Only undefined (distinct elements of the flattened tensor) is supported. */
  dim?: undefined;
}

export interface UniqueResult {
  /** The distinct values, ascending (1-d). */
  values: Tensor;
  /** int32, x's shape: values.indexSelect(0, inverse.flatten()) rebuilds x. */
  inverse: Tensor;
  /** int32, values' shape. */
  counts: Tensor;
}

/**
 * The distinct elements of `x`, sorted, as torch.unique; with returnInverse or returnCounts, an object that
 * also holds the inverse indices and the counts. Not differentiable.
 * @example
 * unique(tensor([2, 1, 2, 3])) // [1, 2, 3]
 * const { values, inverse, counts } = unique(tensor([2, 1, 2]), { returnInverse: true, returnCounts: true });
 * // values [1, 2], inverse [1, 0, 1], counts [1, 2]
 */
export function unique(x: Tensor, options?: { sorted?: boolean; returnInverse?: false; returnCounts?: false; dim?: undefined }): Tensor;
export function unique(x: Tensor, options: UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): UniqueResult;
export function unique(x: Tensor, options: UniqueOptions = {}): Tensor | UniqueResult {
  if (x instanceof Tensor) checkSyncShape('unique', x, 'dt.uniqueAsync(x, options)');
  const parts = uniqueParts(x, options, 'unique');
  return uniqueResult(parts, options, parts.distinct.item());
}

/**
 * unique on every device, a GPU included: the number of distinct values is read with `await`, as
 * `await t.data()`. Same options and results as unique.
 * @example const { values, counts } = await uniqueAsync(labels, { returnCounts: true });
 */
export async function uniqueAsync(x: Tensor, options?: { sorted?: boolean; returnInverse?: false; returnCounts?: false; dim?: undefined }): Promise<Tensor>;
export async function uniqueAsync(x: Tensor, options: UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): Promise<UniqueResult>;
export async function uniqueAsync(x: Tensor, options: UniqueOptions = {}): Promise<Tensor | UniqueResult> {
  const parts = uniqueParts(x, options, 'uniqueAsync');
  return uniqueResult(parts, options, (await parts.distinct.data())[0]);
}

interface UniqueParts extends UniqueResult {
  /** int32 [1]: how many of values' entries are distinct values. */
  distinct: Tensor;
}

function uniqueParts(x: Tensor, options: UniqueOptions, op: string): UniqueParts {
  checkTensor(op, x);
  checkKnownOptions(op, options, ['sorted', 'returnInverse', 'returnCounts', 'dim']);
  if (options.dim !== undefined) throw new Error(`${op}: dim is not supported (got ${String(options.dim)}); only the distinct elements of the whole tensor`);
  const n = x.numel;
  const b = backendOf(op, x);
  const values = zerosTensor([n], x.dtype, b);
  const inverse = emptyTensor(x.shape, 'int32', b);
  const counts = zerosTensor([n], 'int32', b);
  const distinct = emptyTensor([1], 'int32', b);
  b.unique(x.storage, values.storage, inverse.storage, counts.storage, distinct.storage);
  return { values, inverse, counts, distinct };
}

function uniqueResult({ values, inverse, counts }: UniqueParts, options: UniqueOptions, u: number): Tensor | UniqueResult {
  const distinct = slice(values, 0, 0, u);
  if (!options.returnInverse && !options.returnCounts) return distinct;
  return { values: distinct, inverse, counts: slice(counts, 0, 0, u) };
}
