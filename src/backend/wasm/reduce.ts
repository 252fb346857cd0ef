import type { ReduceOp } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { mergeAxes, splitAxis } from '../js/reduce.js';
import { arena, runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';
import { DTYPE, REDUCE } from './generated/kernels-api.js';

const TYPES: Partial<Record<DType, number>> = DTYPE;

/**
 * The reduction as the kernels see it, x [outer, r0, k, r1] with r0 and r1 reduced, or null for layouts
 * with more runs (reducing axes 0, 2 and 4 of five, say).
 */
function reductionGrid(shape: Shape, axes: readonly number[]): [number, number, number, number] | null {
  const { sizes, reduced } = mergeAxes(shape, axes);
  const kinds = reduced.map((r) => (r ? 'R' : 'K')).join('');
  const [a, b, c, d] = sizes;
  switch (kinds) {
    case '': return [1, 1, 1, 1];
    case 'K': return [1, 1, a, 1];
    case 'R': return [1, 1, 1, a];
    case 'KR': return [1, 1, a, b];
    case 'RK': return [1, a, b, 1];
    case 'KRK': return [a, b, c, 1];
    case 'RKR': return [1, a, b, c];
    case 'KRKR': return [a, b, c, d];
    default: return null;
  }
}

/**
 * Every reduction of float32, float64, int32 and bool in wasm, over any axes whose runs fit [outer, r0, k, r1] (all
 * that tensors' ops make: one axis, leading or trailing ones, BatchNorm's [0, 2, 3]). float32 sums equal the
 * reference bit for bit (float64 in its order); the rest fold as it does.
 */
export function reduce(op: ReduceOp, x: Storage, shape: Shape, axes: readonly number[], out: Storage): void {
  const grid = x.length > 0 ? reductionGrid(shape, axes) : null;
  const xType = TYPES[x.dtype];
  const outType = TYPES[out.dtype];
  const indexOut = (op === 'argmax' || op === 'argmin') && out.dtype !== 'int32'; // the kernel writes int32 indices
  if (!grid || xType === undefined || outType === undefined || indexOut) {
    fallback.reduce(op, x, shape, axes, out);
    return;
  }
  const [outer, r0, k, r1] = grid;
  beginCall();
  const xAt = input(x);
  const outAt = output(out);
  if (op === 'sum' && x.dtype === 'float32' && out.dtype === 'float32') {
    runtime!.kernels.sumFloat32(xAt, outer, r0, k, r1, outAt, arena!.allocBytes(k * 8));
  } else {
    runtime!.kernels.reduce(REDUCE[op], xType, xAt, outer, r0, k, r1, outType, outAt, arena!.allocBytes(outer * k * 8));
  }
  endCall();
}

const f32 = (...storages: Storage[]) => storages.every((s) => s.dtype === 'float32');

/** Softmax along any axis in wasm for float32: rows with SIMD, other axes four columns at a time. */
export function softmax(x: Storage, shape: Shape, axis: number, out: Storage, log: boolean): void {
  const [outer, n, inner] = splitAxis(shape, axis);
  if (x.length === 0 || !f32(x, out)) {
    fallback.softmax(x, shape, axis, out, log);
    return;
  }
  beginCall();
  runtime!.kernels.softmax(input(x), outer, n, inner, output(out), log);
  endCall();
}

/** softmax's and logSoftmax's backward in wasm for float32, from their output. */
export function softmaxBackward(grad: Storage, y: Storage, shape: Shape, axis: number, out: Storage, log: boolean): void {
  const [outer, n, inner] = splitAxis(shape, axis);
  if (y.length === 0 || !f32(grad, y, out)) {
    fallback.softmaxBackward(grad, y, shape, axis, out, log);
    return;
  }
  beginCall();
  runtime!.kernels.softmaxBackward(input(grad), input(y), outer, n, inner, output(out), log);
  endCall();
}
