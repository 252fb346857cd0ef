// Binary ops with any broadcast, where, expand and permute in wasm (assembly/strided.ts). Each describes its
// iteration as a walk: the output's dims with size-1 dims dropped and neighbours merged wherever every
// operand allows it ([N, C, H, W] + [C, 1, 1] becomes [N, C, H*W] with strides [0, 1, 0]), then runs the
// last dim as a SIMD row and the others with an odometer. Large calls split their rows among threads.
import type { BinaryOp } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { broadcastStrides } from '../js/elementwise.js';
import { arena, getNumThreads, runParallel, runtime } from './state.js';
import { beginCall, endCall, input, memoryBytes, output } from './memory.js';
import { fallback } from './fallback.js';
import type { Kernels, Ptr } from './runtime.js';
import { BINARY, DTYPE } from './generated/kernels-api.js';

/** Bytes per element, as the kernels that move elements of any dtype take them. */
export const ELEMENT_BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1, float64: 8 };

/**
 * Below this many elements per thread, a call stays on one thread: waking the workers and waiting for
 * them costs more than the second core saves (measured: on the shared 2-core machine, 2 threads lost at
 * every size up to 1M elements, the transcendental ones broke even there; docs/wasm.md#threads-for-elementwise-work).
 */
export const MIN_ELEMENTS_PER_THREAD = 1 << 20;
let minElementsPerThread = MIN_ELEMENTS_PER_THREAD;

/** Overrides the threshold above (bench/elementwise-threads.ts measures with it); null restores it. */
export function setMinElementsPerThread(elements: number | null): void {
  minElementsPerThread = elements ?? MIN_ELEMENTS_PER_THREAD;
}

/** The output's dims, merged, and each operand's element strides along them (at least one dim). */
export interface Walk {
  shape: number[];
  strides: number[][];
}

/**
 * Drops size-1 dims of `shape` and merges a dim into the one before it wherever every operand's stride
 * there is its stride here times this dim's size (so the merged dim is walked with one stride).
 */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): Walk {
  const dims: number[] = [];
  const merged: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => merged[k][last] === s[d] * size)) {
      dims[last] *= size;
      strides.forEach((s, k) => (merged[k][last] = s[d]));
    } else {
      dims.push(size);
      strides.forEach((s, k) => merged[k].push(s[d]));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    for (const s of merged) s.push(0);
  }
  return { shape: dims, strides: merged };
}

// The odometer keeps its counters in 32-bit words of the thread's scratch (assembly/strided.ts).
const MAX_DIMS = 32;

/** Whether the kernels can walk `walk` (at most 32 dims after merging; more runs the reference). */
export const walkable = (walk: Walk): boolean => walk.shape.length <= MAX_DIMS;

/**
 * The walk of operands that are each either as long as the output (stride 1) or one element (stride 0):
 * one dim, without looking at shapes (the common case, and the cheap one for small tensors).
 */
function flatWalk(n: number, operands: readonly Storage[]): Walk | null {
  const strides: number[][] = [];
  for (const s of operands) {
    if (s.length !== n && s.length !== 1) return null;
    strides.push([s.length === n ? 1 : 0]);
  }
  return { shape: [n], strides };
}

let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** Writes a walk into this call's scratch: the shape, then each operand's strides. */
export function placeWalk(walk: Walk): Ptr {
  const nd = walk.shape.length;
  const at = arena!.allocBytes(4 * nd * (1 + walk.strides.length));
  const buffer = runtime!.memory.buffer;
  if (words.buffer !== buffer || words.byteLength !== buffer.byteLength) words = new Int32Array(buffer);
  const first = at >> 2;
  words.set(walk.shape, first);
  for (let k = 0; k < walk.strides.length; k++) words.set(walk.strides[k], first + nd * (1 + k));
  return at;
}

/** Threads for a call of `elements` elements that can be cut into `units` pieces. */
export function threadsFor(elements: number, units: number): number {
  return Math.max(1, Math.min(getNumThreads(), units, Math.floor(elements / minElementsPerThread)));
}

// Threads take units of work from a shared counter, about this many per thread and no smaller than
// MIN_UNIT elements, so that a thread the OS deschedules on a busy machine delays only its current unit.
const UNITS_PER_THREAD = 8;
const MIN_UNIT = 4096;

/** The split of a call: threads, and the size of a unit in pieces of `pieceElements` elements each (a multiple of `multiple`). */
export function unitsOf(elements: number, pieces: number, pieceElements: number, multiple = 1): { threads: number; unit: number } {
  const threads = threadsFor(elements, pieces);
  if (threads === 1) return { threads, unit: pieces };
  const perUnit = Math.max(MIN_UNIT, elements / (threads * UNITS_PER_THREAD));
  return { threads, unit: Math.ceil(Math.ceil(perUnit / pieceElements) / multiple) * multiple };
}

/**
 * Runs a unit-taking kernel on every thread the call is worth: `args(unit, counter)` gives the argument
 * list but for each thread's own scratch, appended last (`scratchBytes` of it).
 */
export function runUnits<K extends ParallelKernel>(kernel: K, split: { threads: number; unit: number }, scratchBytes: number,
  args: (unit: number, counter: Ptr) => WithoutLast<Parameters<Kernels[K]>>): void {
  const counter = arena!.allocBytes(4);
  memoryBytes().fill(0, counter, counter + 4);
  const common = args(split.unit, counter);
  const argLists: Parameters<Kernels[K]>[] = [];
  for (let t = 0; t < split.threads; t++) argLists.push([...common, arena!.allocBytes(scratchBytes)] as unknown as Parameters<Kernels[K]>);
  runParallel(kernel, argLists);
}

type WithoutLast<T extends unknown[]> = T extends [...infer Head, unknown] ? Head : never;
type ParallelKernel = 'binaryStrided' | 'whereStrided' | 'copyStrided' | 'permuteTiles' | 'unary' | 'unaryBackward';

let walkScratchBytes = 0;

/** Runs a walking kernel over `walk` (`elements` elements): units of rows, or of elements of a one-row walk. */
function walkUnits<K extends 'binaryStrided' | 'whereStrided' | 'copyStrided'>(kernel: K, walk: Walk, elements: number,
  args: (unit: number, counter: Ptr) => WithoutLast<Parameters<Kernels[K]>>): void {
  const inner = walk.shape[walk.shape.length - 1];
  const rows = elements / inner;
  const split = rows === 1 ? unitsOf(elements, inner, 1) : unitsOf(elements, rows, inner);
  runUnits(kernel, split, (walkScratchBytes ||= runtime!.kernels.walkScratchBytes()), args);
}

const BINARY_CODES: Record<BinaryOp, number> = BINARY;
const isComparison = (op: BinaryOp) => BINARY_CODES[op] >= BINARY.eq;

/** Whether binaryStrided takes op on these dtypes (its contract in assembly/strided.ts). */
function binaryTakes(op: BinaryOp, a: DType, b: DType, out: DType): boolean {
  if (a === 'float32' && b === 'float32') return op !== 'atan2' && out === (isComparison(op) ? 'bool' : 'float32');
  if (a === 'float32' || b === 'float32') return op === 'mul' && (a === 'bool' || b === 'bool') && out === 'float32'; // a mask
  if (!((a === 'int32' || a === 'bool') && (b === 'int32' || b === 'bool'))) return false;
  if (isComparison(op)) return out === 'bool';
  if (op === 'div') return out === 'float32';
  if (op === 'add' || op === 'sub' || op === 'mul') return out === 'int32';
  if (op === 'maximum' || op === 'minimum') return out === 'int32' || (out === 'bool' && a === 'bool' && b === 'bool');
  return false;
}

/** Elementwise a op b with NumPy broadcasting, in wasm for float32, int32 and bool operands as binaryTakes says. */
export function binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  const walk = !binaryTakes(op, a.dtype, b.dtype, out.dtype) ? null
    : flatWalk(n, [a, b]) ?? collapse(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  if (!walk || !walkable(walk)) {
    fallback.binary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  beginCall();
  const aAt = input(a);
  const bAt = input(b);
  const outAt = output(out);
  const desc = placeWalk(walk);
  const nd = walk.shape.length;
  walkUnits('binaryStrided', walk, n, (unit, counter) =>
    [BINARY_CODES[op], DTYPE[a.dtype], DTYPE[b.dtype], DTYPE[out.dtype], aAt, bAt, outAt, desc, nd, unit, counter]);
  endCall();
}

/** cond ? a : b with all three broadcast, in wasm when a, b and out share a dtype. */
export function where(cond: Storage, condShape: Shape, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  const walk = !(cond.dtype === 'bool' && a.dtype === out.dtype && b.dtype === out.dtype) ? null
    : flatWalk(n, [cond, a, b]) ?? collapse(outShape, [condShape, aShape, bShape].map((s) => broadcastStrides(s, outShape)));
  if (!walk || !walkable(walk)) {
    fallback.where(cond, condShape, a, aShape, b, bShape, out, outShape);
    return;
  }
  beginCall();
  const condAt = input(cond);
  const aAt = input(a);
  const bAt = input(b);
  const outAt = output(out);
  const desc = placeWalk(walk);
  const nd = walk.shape.length;
  walkUnits('whereStrided', walk, n, (unit, counter) => [ELEMENT_BYTES[out.dtype], condAt, aAt, bAt, outAt, desc, nd, unit, counter]);
  endCall();
}

/** Copies x through `walk` (one operand) into out, contiguous. */
function copyWalk(x: Storage, out: Storage, walk: Walk): void {
  const n = out.length;
  beginCall();
  const xAt = input(x);
  const outAt = output(out);
  const desc = placeWalk(walk);
  const nd = walk.shape.length;
  walkUnits('copyStrided', walk, n, (unit, counter) => [ELEMENT_BYTES[out.dtype], xAt, outAt, desc, nd, unit, counter]);
  endCall();
}

/** out = x broadcast from `shape` to `outShape`, any dtype. */
export function expand(x: Storage, shape: Shape, out: Storage, outShape: Shape): void {
  if (out.length === 0) return;
  const walk = collapse(outShape, [broadcastStrides(shape, outShape)]);
  if (!walkable(walk)) fallback.expand(x, shape, out, outShape);
  else copyWalk(x, out, walk);
}

/**
 * out = x with axes permuted, any dtype. When x's innermost dim stays innermost, rows are block copies;
 * else each pair (x's innermost dim, out's innermost dim) is a 2-d transpose in cache-sized tiles, for
 * every index of the other dims.
 */
export function permute(x: Storage, shape: Shape, perm: readonly number[], out: Storage): void {
  const n = out.length;
  if (n === 0) return;
  const inStrides = stridesOf(shape);
  const walk = collapse(perm.map((p) => shape[p]), [perm.map((p) => inStrides[p])]);
  const nd = walk.shape.length;
  const strides = walk.strides[0];
  const k = strides.indexOf(1);
  if (!walkable(walk)) {
    fallback.permute(x, shape, perm, out);
    return;
  }
  if (strides[nd - 1] <= 1 || k < 0) {
    copyWalk(x, out, walk);
    return;
  }
  const outStrides = stridesOf(walk.shape);
  const others = walk.shape.map((_, d) => d).filter((d) => d !== k && d !== nd - 1);
  const tiles: Walk = {
    shape: [...others.map((d) => walk.shape[d]), 1],
    strides: [[...others.map((d) => strides[d]), 0], [...others.map((d) => outStrides[d]), 0]],
  };
  const count = sizeOf(tiles.shape);
  beginCall();
  const xAt = input(x);
  const outAt = output(out);
  const desc = placeWalk(tiles);
  runUnits('permuteTiles', unitsOf(n, count, n / count), (walkScratchBytes ||= runtime!.kernels.walkScratchBytes()), (unit, counter) => [
    ELEMENT_BYTES[out.dtype], xAt, outAt, desc, tiles.shape.length, walk.shape[k], walk.shape[nd - 1],
    strides[nd - 1], outStrides[k], unit, counter,
  ]);
  endCall();
}
