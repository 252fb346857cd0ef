// Slices, index selections and scatters, for elements of 1, 4 or 8 bytes (the accumulating ones for
// float32 and int32). A "chunk" is everything after the indexed axis (inner elements), moved as a block.
// Accumulations add in the reference's order, so results are bit-identical.

import { DTYPE_float32 as F32, DTYPE_int32 as I32 } from './codes';
import { dimAt, moveElement, offsetOf, strideAt, walkNext, walkStart } from './strided';

@inline
function copyChunk(dst: usize, src: usize, bytes: usize): void {
  if (bytes === 4) store<u32>(dst, load<u32>(src));
  else if (bytes === 8) store<u64>(dst, load<u64>(src));
  else if (bytes === 1) store<u8>(dst, load<u8>(src));
  else memory.copy(dst, src, bytes);
}

/**
 * For o < outer and j < count: dst chunk (o * dstPitch + dstStart + j * dstStep) = src chunk
 * (o * srcPitch + srcStart + j * srcStep), in chunks of chunkBytes (slice, and its inverse sliceAssign).
 */
export function copyChunks(src: usize, srcPitch: i32, srcStart: i32, srcStep: i32, dst: usize, dstPitch: i32, dstStart: i32,
  dstStep: i32, outer: i32, count: i32, chunkBytes: i32): void {
  const cb = <usize>chunkBytes;
  for (let o = 0; o < outer; o++) {
    const s = src + <usize>(o * srcPitch + srcStart) * cb;
    const d = dst + <usize>(o * dstPitch + dstStart) * cb;
    if (srcStep === 1 && dstStep === 1) {
      memory.copy(d, s, <usize>count * cb);
      continue;
    }
    for (let j = 0; j < count; j++) copyChunk(d + <usize>(j * dstStep) * cb, s + <usize>(j * srcStep) * cb, cb);
  }
}

/** indexSelect: out chunk (o, j) = x chunk (o, index[j]) for x [outer, size, chunk], j < count. */
export function selectChunks(x: usize, size: i32, index: usize, count: i32, out: usize, outer: i32, chunkBytes: i32): void {
  const cb = <usize>chunkBytes;
  for (let o = 0; o < outer; o++) {
    const s = x + <usize>(o * size) * cb;
    const d = out + <usize>(o * count) * cb;
    for (let j = 0; j < count; j++) copyChunk(d + <usize>j * cb, s + <usize>load<i32>(index + (<usize>j << 2)) * cb, cb);
  }
}

@inline
function addInto(type: i32, dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const sum = type === F32 ? f32x4.add(v128.load(dst + at), v128.load(src + at)) : i32x4.add(v128.load(dst + at), v128.load(src + at));
    v128.store(dst + at, sum);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    if (type === F32) store<f32>(dst + at, load<f32>(dst + at) + load<f32>(src + at));
    else store<i32>(dst + at, load<i32>(dst + at) + load<i32>(src + at));
  }
}

/** indexAdd: out chunk (o, index[j]) += src chunk (o, j) for src [outer, count, inner], out [outer, size, inner]; float32 or int32 (type). */
export function addChunks(type: i32, src: usize, count: i32, index: usize, out: usize, size: i32, outer: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const s = src + <usize>(o * count) * rowBytes;
    const d = out + <usize>(o * size) * rowBytes;
    for (let j = 0; j < count; j++) {
      const to = d + <usize>load<i32>(index + (<usize>j << 2)) * rowBytes;
      if (type === F32) addInto(F32, to, s + <usize>j * rowBytes, inner);
      else addInto(I32, to, s + <usize>j * rowBytes, inner);
    }
  }
}

/**
 * torch.gather over the walk `desc` of index's shape (operand x, its stride along the axis 0): out[o] =
 * x[offset + index[o] * axisStride], rows [0, rows).
 */
export function gatherStrided(elemBytes: i32, x: usize, index: usize, out: usize, desc: usize, nd: i32, axisStride: i32, rows: i32, scratch: usize): void {
  const inner = dimAt(desc, nd - 1);
  const sx = strideAt(desc, nd, 0, nd - 1);
  const eb = <usize>elemBytes;
  walkStart(desc, nd, 1, 0, scratch);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    let at = offsetOf(scratch, 0);
    for (let i = 0; i < inner; i++) {
      const from = at + load<i32>(index + (<usize>o << 2)) * axisStride;
      moveElement(elemBytes, out + <usize>o * eb, x + <usize>from * eb);
      at += sx;
      o++;
    }
    walkNext(desc, nd, 1, scratch);
  }
}

/**
 * torch.scatter_add_ over the walk `desc` of index's shape (operands out, its stride along the axis 0,
 * and src): out[offset + index[o] * axisStride] += src[offset'], float32 or int32 (type), in row-major
 * order of index, rows [0, rows).
 */
export function scatterAddStrided(type: i32, src: usize, index: usize, out: usize, desc: usize, nd: i32, axisStride: i32, rows: i32, scratch: usize): void {
  const inner = dimAt(desc, nd - 1);
  const so = strideAt(desc, nd, 0, nd - 1);
  const ss = strideAt(desc, nd, 1, nd - 1);
  walkStart(desc, nd, 2, 0, scratch);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    let to = offsetOf(scratch, 0);
    let from = offsetOf(scratch, 1);
    for (let i = 0; i < inner; i++) {
      const d = out + (<usize>(to + load<i32>(index + (<usize>o << 2)) * axisStride) << 2);
      const s = src + (<usize>from << 2);
      if (type === F32) store<f32>(d, load<f32>(d) + load<f32>(s));
      else store<i32>(d, load<i32>(d) + load<i32>(s));
      to += so;
      from += ss;
      o++;
    }
    walkNext(desc, nd, 2, scratch);
  }
}
