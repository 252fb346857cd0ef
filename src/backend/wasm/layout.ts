import type { TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { permute as jsPermute, scatterAdd as jsScatterAdd } from '../js/layout.js';
import { arena, runtime } from './state.js';

/**
 * Permute with a fast path for the common case, a transpose of the last two axes (t(), mT, and
 * nn.Linear's weight) of float32 or int32 data: SIMD 4 x 4 block transposes in wasm, about ten times
 * the reference's element-by-element odometer.
 */
export function permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const nd = shape.length;
  let swapsLastTwo = nd >= 2 && perm[nd - 1] === nd - 2 && perm[nd - 2] === nd - 1;
  for (let i = 0; i < nd - 2 && swapsLastTwo; i++) if (perm[i] !== i) swapsLastTwo = false;
  const words = (x instanceof Float32Array && out instanceof Float32Array) || (x instanceof Int32Array && out instanceof Int32Array);
  if (!swapsLastTwo || !words || x.length < 64) {
    jsPermute(x, shape, perm, out);
    return;
  }
  const rows = shape[nd - 2];
  const cols = shape[nd - 1];
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const outAt = mem.allocBytes(out.byteLength);
  runtime!.kernels.transpose(xAt, outAt, x.length / (rows * cols), rows, cols);
  mem.get(outAt, out);
}

/**
 * scatterAdd with a fast path for float32 along the last axis when src, index and out agree on the
 * leading dims (max pooling's backward): same order of additions as the reference, so bit-identical.
 */
export function scatterAdd(src: TypedArray, srcShape: Shape, index: Int32Array, indexShape: Shape, axis: number, out: TypedArray, outShape: Shape): void {
  const nd = outShape.length;
  let fast = src instanceof Float32Array && out instanceof Float32Array && nd >= 1 && axis === nd - 1
    && srcShape.length === nd && indexShape.length === nd && index.length >= 64;
  for (let i = 0; i < nd && fast; i++) {
    if (srcShape[i] !== indexShape[i] || (i < nd - 1 && outShape[i] !== indexShape[i])) fast = false;
  }
  if (!fast) {
    jsScatterAdd(src, srcShape, index, indexShape, axis, out, outShape);
    return;
  }
  const cols = indexShape[nd - 1];
  const mem = arena!;
  mem.reset();
  const srcAt = mem.put(src as Float32Array);
  const indexAt = mem.put(index);
  const outAt = mem.put(out as Float32Array);
  runtime!.kernels.scatterAddRows(srcAt, indexAt, index.length / cols, cols, outAt, outShape[nd - 1]);
  mem.get(outAt, out as Float32Array);
}
