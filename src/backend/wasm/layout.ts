import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';

/**
 * Permute with a fast path for the common case, a transpose of the last two axes (t(), mT, and
 * nn.Linear's weight) of float32 or int32 data: SIMD 4 x 4 block transposes in wasm, about ten times
 * the reference's element-by-element odometer.
 */
export function permute(x: Storage, shape: Shape, perm: readonly number[], out: Storage): void {
  const nd = shape.length;
  let swapsLastTwo = nd >= 2 && perm[nd - 1] === nd - 2 && perm[nd - 2] === nd - 1;
  for (let i = 0; i < nd - 2 && swapsLastTwo; i++) if (perm[i] !== i) swapsLastTwo = false;
  const words = (x.dtype === 'float32' || x.dtype === 'int32') && x.dtype === out.dtype;
  if (!swapsLastTwo || !words || x.length === 0) {
    fallback.permute(x, shape, perm, out);
    return;
  }
  const rows = shape[nd - 2];
  const cols = shape[nd - 1];
  beginCall();
  runtime!.kernels.transpose(input(x), output(out), x.length / (rows * cols), rows, cols);
  endCall();
}

/**
 * scatterAdd with a fast path for float32 along the last axis when src, index and out agree on the
 * leading dims (max pooling's backward): same order of additions as the reference, so bit-identical.
 */
export function scatterAdd(src: Storage, srcShape: Shape, index: Storage, indexShape: Shape, axis: number, out: Storage, outShape: Shape): void {
  const nd = outShape.length;
  let fast = src.dtype === 'float32' && out.dtype === 'float32' && nd >= 1 && axis === nd - 1
    && srcShape.length === nd && indexShape.length === nd && index.length > 0;
  for (let i = 0; i < nd && fast; i++) {
    if (srcShape[i] !== indexShape[i] || (i < nd - 1 && outShape[i] !== indexShape[i])) fast = false;
  }
  if (!fast) {
    fallback.scatterAdd(src, srcShape, index, indexShape, axis, out, outShape);
    return;
  }
  const cols = indexShape[nd - 1];
  beginCall();
  runtime!.kernels.scatterAddRows(input(src), input(index), index.length / cols, cols, output(out), outShape[nd - 1]);
  endCall();
}
