import type { ReduceOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';

/** Views `shape` around `axis` as [outer, size, inner]. */
export function splitAxis(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

// max/min propagate NaN as PyTorch does; arg* return the first extreme (or the first NaN).
export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axis: number, out: TypedArray): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) {
      const start = base + i;
      let acc: number;
      switch (op) {
        case 'sum':
          acc = 0;
          for (let r = 0; r < size; r++) acc += x[start + r * inner];
          break;
        case 'prod':
          acc = 1;
          for (let r = 0; r < size; r++) acc *= x[start + r * inner];
          break;
        case 'max':
        case 'argmax': {
          let best = -Infinity;
          let at = 0;
          for (let r = 0; r < size; r++) {
            const v = x[start + r * inner];
            if (v > best || v !== v) {
              best = v;
              at = r;
              if (v !== v) break;
            }
          }
          if (size > 0 && best === -Infinity) at = firstIndexOf(x, start, inner, size, -Infinity);
          acc = op === 'max' ? best : at;
          break;
        }
        case 'min':
        case 'argmin': {
          let best = Infinity;
          let at = 0;
          for (let r = 0; r < size; r++) {
            const v = x[start + r * inner];
            if (v < best || v !== v) {
              best = v;
              at = r;
              if (v !== v) break;
            }
          }
          if (size > 0 && best === Infinity) at = firstIndexOf(x, start, inner, size, Infinity);
          acc = op === 'min' ? best : at;
          break;
        }
        case 'any':
          acc = 0;
          for (let r = 0; r < size; r++) if (x[start + r * inner] !== 0) { acc = 1; break; }
          break;
        case 'all':
          acc = 1;
          for (let r = 0; r < size; r++) if (x[start + r * inner] === 0) { acc = 0; break; }
          break;
      }
      out[o * inner + i] = acc;
    }
  }
}

function firstIndexOf(x: TypedArray, start: number, inner: number, size: number, value: number): number {
  for (let r = 0; r < size; r++) if (x[start + r * inner] === value) return r;
  return 0;
}

/** Softmax or log-softmax over contiguous rows of length n, shifted by the row max for stability. */
export function softmax(x: TypedArray, n: number, out: TypedArray, log: boolean): void {
  const rows = n === 0 ? 0 : x.length / n;
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (x[off + i] > max) max = x[off + i];
    if (max === -Infinity) max = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
    if (log) {
      const lse = Math.log(sum);
      for (let i = 0; i < n; i++) out[off + i] = x[off + i] - max - lse;
    } else {
      for (let i = 0; i < n; i++) out[off + i] = Math.exp(x[off + i] - max) / sum;
    }
  }
}
