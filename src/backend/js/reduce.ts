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

/**
 * `shape` with size-1 axes dropped and neighbours of the same kind (reduced or kept) merged: a reduction over
 * [0, 2, 3] of [N, C, H, W] is one over the first and last of [N, C, H*W].
 */
export function mergeAxes(shape: Shape, axes: readonly number[]): { sizes: number[]; reduced: boolean[] } {
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const r = axes.includes(i);
    if (sizes.length > 0 && reduced[reduced.length - 1] === r) sizes[sizes.length - 1] *= shape[i];
    else {
      sizes.push(shape[i]);
      reduced.push(r);
    }
  }
  return { sizes, reduced };
}

const IDENTITY: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, argmax: 0, argmin: 0, any: 0, all: 1 };

// max/min propagate NaN as PyTorch does; arg* return the first extreme (or the first NaN).
export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  if (op === 'argmax' || op === 'argmin') {
    argExtreme(op, x, shape, axes[0], out);
    return;
  }
  const acc = new Float64Array(out.length).fill(IDENTITY[op]);
  if (x.length > 0) {
    const { sizes, reduced } = mergeAxes(shape, axes);
    // the output index moves by outStride[d] along merged axis d (0 along reduced ones)
    const outStride = new Array<number>(sizes.length).fill(0);
    for (let d = sizes.length - 1, s = 1; d >= 0; d--) {
      if (!reduced[d]) {
        outStride[d] = s;
        s *= sizes[d];
      }
    }
    // x in row-major order: each output meets its elements in row-major order of the reduced indices
    const last = sizes.length - 1;
    const run = last >= 0 ? sizes[last] : 1;
    const runStride = last >= 0 ? outStride[last] : 0;
    const counter = new Array<number>(Math.max(0, last)).fill(0);
    let o = 0;
    for (let i = 0; i < x.length; i += run) {
      accumulate(op, x, i, run, acc, o, runStride);
      for (let d = last - 1; d >= 0; d--) {
        o += outStride[d];
        if (++counter[d] < sizes[d]) break;
        counter[d] = 0;
        o -= outStride[d] * sizes[d];
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i];
}

/** Folds x[start + r] for r < n into acc[at + r * step] (step 0: all into one accumulator). */
function accumulate(op: ReduceOp, x: TypedArray, start: number, n: number, acc: Float64Array, at: number, step: number): void {
  const end = start + n;
  switch (op) {
    case 'sum':
      for (let i = start, k = at; i < end; i++, k += step) acc[k] += x[i];
      break;
    case 'prod':
      for (let i = start, k = at; i < end; i++, k += step) acc[k] *= x[i];
      break;
    case 'max':
      for (let i = start, k = at; i < end; i++, k += step) if (x[i] > acc[k] || x[i] !== x[i]) acc[k] = x[i];
      break;
    case 'min':
      for (let i = start, k = at; i < end; i++, k += step) if (x[i] < acc[k] || x[i] !== x[i]) acc[k] = x[i];
      break;
    case 'any':
      for (let i = start, k = at; i < end; i++, k += step) if (x[i] !== 0) acc[k] = 1;
      break;
    case 'all':
      for (let i = start, k = at; i < end; i++, k += step) if (x[i] === 0) acc[k] = 0;
      break;
  }
}

function argExtreme(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axis: number, out: TypedArray): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  const sign = op === 'argmax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * size * inner + i;
      let best = -Infinity;
      let at = 0;
      for (let r = 0; r < size; r++) {
        const v = sign * x[start + r * inner];
        if (v > best || v !== v) {
          best = v;
          at = r;
          if (v !== v) break;
        }
      }
      out[o * inner + i] = at;
    }
  }
}

/** Softmax or log-softmax along `axis`, shifted by the maximum for stability (a row of -inf gives NaN). */
export function softmax(x: TypedArray, shape: Shape, axis: number, out: TypedArray, log: boolean): void {
  const [outer, n, inner] = splitAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const off = o * n * inner + i;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (x[off + j * inner] > max) max = x[off + j * inner];
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(x[off + j * inner] - max);
      if (log) {
        const lse = Math.log(sum);
        for (let j = 0; j < n; j++) out[off + j * inner] = x[off + j * inner] - max - lse;
      } else {
        for (let j = 0; j < n; j++) out[off + j * inner] = Math.exp(x[off + j * inner] - max) / sum;
      }
    }
  }
}

/** The backward of softmax (y * (g - sum(g * y))) or log-softmax (g - exp(y) * sum(g)) along `axis`, from the output y. */
export function softmaxBackward(grad: TypedArray, y: TypedArray, shape: Shape, axis: number, out: TypedArray, log: boolean): void {
  const [outer, n, inner] = splitAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const off = o * n * inner + i;
      let s = 0;
      if (log) {
        for (let j = 0; j < n; j++) s += grad[off + j * inner];
        for (let j = 0; j < n; j++) out[off + j * inner] = grad[off + j * inner] - Math.exp(y[off + j * inner]) * s;
      } else {
        for (let j = 0; j < n; j++) s += grad[off + j * inner] * y[off + j * inner];
        for (let j = 0; j < n; j++) out[off + j * inner] = y[off + j * inner] * (grad[off + j * inner] - s);
      }
    }
  }
}
