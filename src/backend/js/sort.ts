// Sorting and selection kernels over [outer, n, inner] views: the axis of interest has n elements, `inner`
// apart. They return positions along that axis; the ops gather the values (which gives them a gradient).
import type { TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';

// NaN sorts after every number, as in PyTorch (so it comes first in a descending sort and wins topk).
function ascending(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// The positions 0..n-1 of one line (x[base + j * inner]) in sorted order; ties keep their order (stable).
function sortedLine(x: TypedArray, base: number, n: number, inner: number, descending: boolean, order: number[]): void {
  for (let j = 0; j < n; j++) order[j] = j;
  order.sort(descending ? (i, j) => ascending(x[base + j * inner], x[base + i * inner]) : (i, j) => ascending(x[base + i * inner], x[base + j * inner]));
}

/** out[o, j, i]: the position along the axis of the j-th element of line (o, i) in sorted order (stable). */
export function argsort(x: TypedArray, outer: number, n: number, inner: number, descending: boolean, out: Int32Array): void {
  topk(x, outer, n, inner, n, descending, out);
}

/** out[o, j, i] for j < k: the position of the j-th largest (or smallest) element of line (o, i); ties by position. */
export function topk(x: TypedArray, outer: number, n: number, inner: number, k: number, largest: boolean, out: Int32Array): void {
  const order: number[] = new Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      sortedLine(x, o * n * inner + i, n, inner, largest, order);
      const at = o * k * inner + i;
      for (let j = 0; j < k; j++) out[at + j * inner] = order[j];
    }
  }
}

/**
 * The sorted distinct values of x into values[0..u), each element's position among them into inverse, and
 * how often each occurs into counts[0..u); u into distinct[0]. values and counts need room for x.length entries.
 */
export function unique(x: TypedArray, values: TypedArray, inverse: Int32Array, counts: Int32Array, distinct: Int32Array): void {
  const n = x.length;
  const order: number[] = new Array(n);
  sortedLine(x, 0, n, 1, false, order);
  let u = 0;
  for (let j = 0; j < n; j++) {
    const v = x[order[j]];
    // NaN !== NaN: each NaN is its own value, as in PyTorch
    if (u === 0 || v !== values[u - 1]) {
      values[u] = v;
      counts[u] = 0;
      u++;
    }
    counts[u - 1]++;
    inverse[order[j]] = u - 1;
  }
  distinct[0] = u;
}

/** The coordinates of the non-zero elements of x (row-major order) into out, ndim per element; their number into total[0]. */
export function nonzero(x: TypedArray, shape: Shape, out: Int32Array, total: Int32Array): void {
  const ndim = shape.length;
  const index = new Array<number>(ndim).fill(0);
  let count = 0;
  for (let e = 0; e < x.length; e++) {
    if (x[e] !== 0) {
      for (let d = 0; d < ndim; d++) out[count * ndim + d] = index[d];
      count++;
    }
    for (let d = ndim - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  total[0] = count;
}
