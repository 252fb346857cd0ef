// Layout kernels: strided copies (permute, expand, slice, sliceAssign), selection along an axis
// (indexSelect, gather) and their accumulating adjoints (indexAdd, scatterAdd). Every element type is one
// 32-bit word, so copies move words whatever the dtype. Accumulation uses atomics: a compare-and-swap
// loop on the float's bits (WGSL has no float atomics), so the order of additions to one element, and
// its last bits, may vary from run to run.
import type { Shape } from '../../tensor/shape.js';
import { stridesOf } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { broadcastStrides } from '../js/elementwise.js';
import { splitAxis } from '../js/reduce.js';
import { offsetParams, offsets } from './elementwise.js';
import { binding, elementwise, gridFor, HEADER, launch } from './wgsl.js';

/** out[i] = x[base + offset of i in `shape` under `strides`] (or the inverse: out[offset] = x[i] when `scatter`). */
function strided(x: Storage, out: Storage, n: number, shape: Shape, strides: number[], base: number, scatter: boolean): void {
  if (n === 0) return;
  const { rank, words } = offsetParams(n, shape, [strides]);
  const move = scatter ? 'out[base + o0] = x[i];' : 'out[i] = x[base + o0];';
  const code = `${HEADER}${binding(1, 'x', 'u32')}${binding(2, 'out', 'u32', true)}
${elementwise(`${offsets(rank, 1)}
  let base = P(${1 + 2 * rank}u);
  ${move}`)}`;
  launch(code, [...words, base], [x, out], [1], gridFor(n));
}

export function permute(x: Storage, shape: Shape, perm: readonly number[], out: Storage): void {
  const inStrides = stridesOf(shape);
  strided(x, out, out.length, perm.map((p) => shape[p]), perm.map((p) => inStrides[p]), 0, false);
}

export function expand(x: Storage, shape: Shape, out: Storage, outShape: Shape): void {
  strided(x, out, out.length, outShape, broadcastStrides(shape, outShape), 0, false);
}

export function slice(x: Storage, shape: Shape, axis: number, start: number, length: number, step: number, out: Storage): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  strided(x, out, out.length, [outer, length, inner], [size * inner, step * inner, 1], start * inner, false);
}

export function sliceAssign(src: Storage, srcShape: Shape, axis: number, offset: number, step: number, out: Storage, outShape: Shape): void {
  const [outer, length, inner] = splitAxis(srcShape, axis);
  const size = outShape[axis];
  strided(src, out, src.length, [outer, length, inner], [size * inner, step * inner, 1], offset * inner, true);
}

export function indexSelect(x: Storage, shape: Shape, axis: number, index: Storage, out: Storage): void {
  const [, size, inner] = splitAxis(shape, axis);
  const count = index.length;
  const code = `${HEADER}${binding(1, 'x', 'u32')}${binding(2, 'index', 'i32')}${binding(3, 'out', 'u32', true)}
${elementwise(`let inner = P(2); let count = P(3);
  let k = i % inner; let j = (i / inner) % count; let o = i / (inner * count);
  out[i] = x[(o * P(1) + u32(index[j])) * inner + k];`)}`;
  launch(code, [out.length, size, inner, count], [x, index, out], [2], gridFor(out.length));
}

/** WGSL declaring `out` for atomic accumulation and `accumulate(at, v)`, for float32 or int32 elements. */
export function accumulator(index: number, dtype: string, kernel: string): string {
  if (dtype === 'int32') {
    return `${binding(index, 'out', 'atomic<i32>', true)}
fn accumulate(at: u32, v: i32) { atomicAdd(&out[at], v); }`;
  }
  if (dtype !== 'float32') throw new Error(`webgpu: ${kernel} on ${dtype} is not implemented`);
  return `${binding(index, 'out', 'atomic<u32>', true)}
fn accumulate(at: u32, v: f32) {
  var old = atomicLoad(&out[at]);
  loop {
    let swapped = atomicCompareExchangeWeak(&out[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (swapped.exchanged) { break; }
    old = swapped.old_value;
  }
}`;
}

export function indexAdd(src: Storage, srcShape: Shape, axis: number, index: Storage, out: Storage, outShape: Shape): void {
  const [, count, inner] = splitAxis(srcShape, axis);
  const size = outShape[axis];
  const t = src.dtype === 'int32' ? 'i32' : 'f32';
  const code = `${HEADER}${binding(1, 'src', t)}${binding(2, 'index', 'i32')}${accumulator(3, out.dtype, 'indexAdd')}
${elementwise(`let inner = P(2); let count = P(3);
  let k = i % inner; let j = (i / inner) % count; let o = i / (inner * count);
  accumulate((o * P(1) + u32(index[j])) * inner + k, src[i]);`)}`;
  launch(code, [src.length, size, inner, count], [src, index, out], [2], gridFor(src.length));
}

export function gather(x: Storage, shape: Shape, axis: number, index: Storage, indexShape: Shape, out: Storage): void {
  const n = out.length;
  if (n === 0) return;
  const xStrides = stridesOf(shape);
  const strides = xStrides.slice();
  strides[axis] = 0; // the index supplies the position along `axis`
  const { rank, words } = offsetParams(n, indexShape, [strides]);
  const code = `${HEADER}${binding(1, 'x', 'u32')}${binding(2, 'index', 'i32')}${binding(3, 'out', 'u32', true)}
${elementwise(`${offsets(rank, 1)}
  out[i] = x[o0 + u32(index[i]) * P(${1 + 2 * rank}u)];`)}`;
  launch(code, [...words, xStrides[axis]], [x, index, out], [2], gridFor(n));
}

export function scatterAdd(src: Storage, srcShape: Shape, index: Storage, indexShape: Shape, axis: number, out: Storage, outShape: Shape): void {
  const n = index.length;
  if (n === 0) return;
  const outStrides = stridesOf(outShape);
  const strides = outStrides.slice();
  strides[axis] = 0;
  const { rank, words } = offsetParams(n, indexShape, [strides, stridesOf(srcShape)]);
  const t = src.dtype === 'int32' ? 'i32' : 'f32';
  const code = `${HEADER}${binding(1, 'src', t)}${binding(2, 'index', 'i32')}${accumulator(3, out.dtype, 'scatterAdd')}
${elementwise(`${offsets(rank, 2)}
  accumulate(o0 + u32(index[i]) * P(${1 + 3 * rank}u), src[o1]);`)}`;
  launch(code, [...words, outStrides[axis]], [src, index, out], [2], gridFor(n));
}
