import type { ReduceOp } from '../backend.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { splitAxis } from '../js/reduce.js';
import { arena, runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';

export function reduce(op: ReduceOp, x: Storage, shape: Shape, axes: readonly number[], out: Storage): void {
  if (axes.length !== 1 || op !== 'sum' || x.dtype !== 'float32' || out.dtype !== 'float32' || x.length === 0) {
    fallback.reduce(op, x, shape, axes, out);
    return;
  }
  const [outer, size, inner] = splitAxis(shape, axes[0]);
  beginCall();
  if (inner === 1) {
    runtime!.kernels.sumRows(input(x), outer, size, output(out));
  } else {
    const acc = arena!.alloc(inner * 2); // float64 accumulators
    runtime!.kernels.sumAxis(input(x), outer, size, inner, output(out), acc);
  }
  endCall();
}

export function softmax(x: Storage, shape: Shape, axis: number, out: Storage, log: boolean): void {
  const [, n, inner] = splitAxis(shape, axis);
  if (inner !== 1 || n === 0 || x.length === 0 || x.dtype !== 'float32' || out.dtype !== 'float32') {
    fallback.softmax(x, shape, axis, out, log);
    return;
  }
  beginCall();
  runtime!.kernels.softmax(input(x), x.length / n, n, output(out), log);
  endCall();
}
