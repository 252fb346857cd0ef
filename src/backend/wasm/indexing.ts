// slice, sliceAssign (cat, split, chunk, narrow, select), indexSelect, indexAdd, gather and scatterAdd in
// wasm (assembly/indexing.ts): the copies for any dtype, the accumulations for float32 and int32.
import type { Shape } from '../../tensor/shape.js';
import { stridesOf } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { splitAxis } from '../js/reduce.js';
import { arena, runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';
import { DTYPE } from './generated/kernels-api.js';
import { ELEMENT_BYTES, collapse, placeWalk, walkable } from './strided.js';

const accumulates = (s: Storage) => s.dtype === 'float32' || s.dtype === 'int32';

/** Copies the block x[..., start:start+length:step, ...] along `axis`. */
export function slice(x: Storage, shape: Shape, axis: number, start: number, length: number, step: number, out: Storage): void {
  if (out.length === 0) return;
  const [outer, size, inner] = splitAxis(shape, axis);
  beginCall();
  const xAt = input(x);
  const outAt = output(out);
  runtime!.kernels.copyChunks(xAt, size, start, step, outAt, length, 0, 1, outer, length, inner * ELEMENT_BYTES[x.dtype]);
  endCall();
}

/** Writes src into out[..., offset::step, ...] along `axis`. */
export function sliceAssign(src: Storage, srcShape: Shape, axis: number, offset: number, step: number, out: Storage, outShape: Shape): void {
  if (src.length === 0) return;
  const [outer, length, inner] = splitAxis(srcShape, axis);
  beginCall();
  const srcAt = input(src);
  const outAt = output(out);
  runtime!.kernels.copyChunks(srcAt, length, 0, 1, outAt, outShape[axis], offset, step, outer, length, inner * ELEMENT_BYTES[src.dtype]);
  endCall();
}

/** out[outer, j, inner] = x[outer, index[j], inner]. */
export function indexSelect(x: Storage, shape: Shape, axis: number, index: Storage, out: Storage): void {
  if (out.length === 0) return;
  const [outer, size, inner] = splitAxis(shape, axis);
  beginCall();
  const xAt = input(x);
  const indexAt = input(index);
  const outAt = output(out);
  runtime!.kernels.selectChunks(xAt, size, indexAt, index.length, outAt, outer, inner * ELEMENT_BYTES[x.dtype]);
  endCall();
}

/** out[outer, index[j], inner] += src[outer, j, inner], float32 and int32 in wasm. */
export function indexAdd(src: Storage, srcShape: Shape, axis: number, index: Storage, out: Storage, outShape: Shape): void {
  if (src.length === 0) return;
  if (!accumulates(src) || src.dtype !== out.dtype) {
    fallback.indexAdd(src, srcShape, axis, index, out, outShape);
    return;
  }
  const [outer, count, inner] = splitAxis(srcShape, axis);
  beginCall();
  const srcAt = input(src);
  const indexAt = input(index);
  const outAt = output(out);
  runtime!.kernels.addChunks(DTYPE[src.dtype], srcAt, count, indexAt, outAt, outShape[axis], outer, inner);
  endCall();
}

/** torch.gather along `axis`: out (index's shape) = x at the index's positions. */
export function gather(x: Storage, shape: Shape, axis: number, index: Storage, indexShape: Shape, out: Storage): void {
  if (out.length === 0) return;
  const xStrides = stridesOf(shape);
  const strides = xStrides.slice();
  strides[axis] = 0; // the index supplies the position along `axis`
  const walk = collapse(indexShape, [strides]);
  if (!walkable(walk)) {
    fallback.gather(x, shape, axis, index, indexShape, out);
    return;
  }
  beginCall();
  const xAt = input(x);
  const indexAt = input(index);
  const outAt = output(out);
  const desc = placeWalk(walk);
  const nd = walk.shape.length;
  const scratch = arena!.allocBytes(runtime!.kernels.walkScratchBytes());
  runtime!.kernels.gatherStrided(ELEMENT_BYTES[x.dtype], xAt, indexAt, outAt, desc, nd, xStrides[axis], out.length / walk.shape[nd - 1], scratch);
  endCall();
}

/** torch.scatter_add_ along `axis`, float32 and int32 in wasm (in the reference's order: bit-identical). */
export function scatterAdd(src: Storage, srcShape: Shape, index: Storage, indexShape: Shape, axis: number, out: Storage, outShape: Shape): void {
  if (index.length === 0) return;
  if (!accumulates(src) || src.dtype !== out.dtype) {
    fallback.scatterAdd(src, srcShape, index, indexShape, axis, out, outShape);
    return;
  }
  const outStrides = stridesOf(outShape);
  const strides = outStrides.slice();
  strides[axis] = 0;
  const walk = collapse(indexShape, [strides, stridesOf(srcShape)]); // src (maybe larger) is read at index's coordinates
  if (!walkable(walk)) {
    fallback.scatterAdd(src, srcShape, index, indexShape, axis, out, outShape);
    return;
  }
  beginCall();
  const srcAt = input(src);
  const indexAt = input(index);
  const outAt = output(out);
  const desc = placeWalk(walk);
  const nd = walk.shape.length;
  const scratch = arena!.allocBytes(runtime!.kernels.walkScratchBytes());
  runtime!.kernels.scatterAddStrided(DTYPE[src.dtype], srcAt, indexAt, outAt, desc, nd, outStrides[axis], index.length / walk.shape[nd - 1], scratch);
  endCall();
}
