import type { ReduceOp } from '../backend.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { splitAxis } from '../js/reduce.js';
import { arena, runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';

export function reduce(op: ReduceOp, x: Storage, shape: Shape, axis: number, out: Storage): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  if (op !== 'sum' || x.dtype !== 'float32' || out.dtype !== 'float32' || x.length === 0) {
    fallback.reduce(op, x, shape, axis, out);
    return;
  }
  beginCall();
  if (inner === 1) {
    runtime!.kernels.sumRows(input(x), outer, size, output(out));
  } else {
    const acc = arena!.alloc(inner * 2); // float64 accumulators
    runtime!.kernels.sumAxis(input(x), outer, size, inner, output(out), acc);
  }
  endCall();
}

export function softmax(x: Storage, n: number, out: Storage, log: boolean): void {
  if (n === 0 || x.length === 0 || x.dtype !== 'float32' || out.dtype !== 'float32') {
    fallback.softmax(x, n, out, log);
    return;
  }
  beginCall();
  runtime!.kernels.softmax(input(x), x.length / n, n, output(out), log);
  endCall();
}

/** relu's backward in wasm for float32: out = y > 0 ? grad : 0. */
export function reluBackward(grad: Storage, y: Storage, out: Storage): void {
  if (!(grad.dtype === 'float32' && y.dtype === 'float32' && out.dtype === 'float32')) {
    fallback.reluBackward(grad, y, out);
    return;
  }
  beginCall();
  runtime!.kernels.reluBackward(input(grad), input(y), output(out), out.length);
  endCall();
}
