import type { ConvGeometry } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { arena, getNumThreads, runParallel, runtime } from './state.js';
import { NONE, beginCall, endCall, input, memoryBytes, output } from './memory.js';
import type { Kernels, Ptr } from './runtime.js';
import { fallback } from './fallback.js';

type Geometry = [number, number, number, number, number, number, number, number, number, number];
function geometryArgs(g: ConvGeometry): Geometry {
  return [...g.kernel, ...g.stride, ...g.padding, ...g.dilation, ...g.outSize];
}

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');

/** im2col in wasm for float32 (bit-identical to the reference: it only moves values). */
export function im2col(x: Storage, n: number, c: number, h: number, w: number, g: ConvGeometry, out: Storage): void {
  if (!f32(x, out) || out.length === 0) {
    fallback.im2col(x, n, c, h, w, g, out);
    return;
  }
  beginCall();
  runtime!.kernels.im2colWalk(input(x), output(out), n, c, h, w, ...geometryArgs(g), true, g.outSize[0] * g.outSize[1]);
  endCall();
}

/** col2im in wasm for float32, summing in the reference's order (so bit-identical too). */
export function col2im(cols: Storage, n: number, c: number, h: number, w: number, g: ConvGeometry, out: Storage): void {
  if (!f32(cols, out) || out.length === 0) {
    fallback.col2im(cols, n, c, h, w, g, out);
    return;
  }
  beginCall();
  const colsAt = input(cols);
  const outAt = output(out);
  memoryBytes().fill(0, outAt, outAt + out.length * 4);
  runtime!.kernels.im2colWalk(outAt, colsAt, n, c, h, w, ...geometryArgs(g), false, g.outSize[0] * g.outSize[1]);
  endCall();
}

/** Max pooling in wasm for float32 (same visiting order and tie/NaN rules as the reference). */
export function maxPool2d(x: Storage, planes: number, h: number, w: number, g: ConvGeometry, values: Storage, indices: Storage): void {
  if (!f32(x, values) || values.length === 0) {
    fallback.maxPool2d(x, planes, h, w, g, values, indices);
    return;
  }
  beginCall();
  runtime!.kernels.maxPool2d(input(x), planes, h, w, ...geometryArgs(g), output(values), output(indices));
  endCall();
}

// Below this many multiply-adds per thread, waking workers costs more than it saves (as matmul).
const MIN_THREAD_WORK = 1 << 18;
// Samples per chunk that threads take from a shared counter: small enough to balance two threads
// when one is descheduled, large enough that a chunk's weight-gradient partial is worth its sum.
const FORWARD_CHUNK = 4;
const BACKWARD_CHUNK = 8;

/** Threads for `chunks` chunks of `work` multiply-adds in all. */
function threadCount(chunks: number, work: number): number {
  return Math.max(1, Math.min(getNumThreads(), chunks, Math.floor(work / MIN_THREAD_WORK)));
}

/** A zeroed int32 in the arena: the chunk counter the threads share. */
function counter(): Ptr {
  const at = arena!.allocBytes(4);
  memoryBytes().fill(0, at, at + 4);
  return at;
}

/**
 * Fused convolution (groups 1) in wasm for float32: the threads take chunks of samples and run im2col
 * and the product with the weights sample by sample on their own scratch (see assembly/conv-gemm.ts),
 * so the columns never leave wasm memory. Results do not depend on the thread count.
 */
export function conv2d(
  x: Storage, n: number, c: number, h: number, w: number, weight: Storage, cout: number,
  bias: Storage | null, g: ConvGeometry, out: Storage,
): void {
  if (!f32(x, weight, out, bias) || out.length === 0) {
    fallback.conv2d(x, n, c, h, w, weight, cout, bias, g, out);
    return;
  }
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  beginCall();
  const xAt = input(x);
  const weightAt = input(weight);
  const biasAt = bias ? input(bias) : NONE;
  const outAt = output(out);
  const counterAt = counter();
  const threads = threadCount(Math.ceil(n / FORWARD_CHUNK), n * cout * k * l);
  const pitch = runtime!.kernels.colsPitch(l) as number;
  const argLists: Parameters<Kernels['conv2dForward']>[] = [];
  for (let t = 0; t < threads; t++) {
    argLists.push([xAt, weightAt, biasAt, outAt, c, h, w, cout, ...geometryArgs(g), n, FORWARD_CHUNK, counterAt, arena!.alloc(k * pitch)]);
  }
  runParallel('conv2dForward', argLists);
  endCall();
}

/**
 * The backward of the fused convolution in wasm for float32, the gradients that are not null in one
 * call: per sample, im2col recomputed and a product for the weight gradient, a product and col2im for
 * the input gradient. Weight and bias gradients are summed per chunk of samples, then over chunks in
 * order, so they too are the same for every thread count.
 */
export function conv2dBackward(
  x: Storage, n: number, c: number, h: number, w: number, weight: Storage, cout: number, g: ConvGeometry,
  gradOut: Storage, gradInput: Storage | null, gradWeight: Storage | null, gradBias: Storage | null,
): void {
  if (!f32(x, weight, gradOut, gradInput, gradWeight, gradBias) || n === 0) {
    fallback.conv2dBackward(x, n, c, h, w, weight, cout, g, gradOut, gradInput, gradWeight, gradBias);
    return;
  }
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  const mem = arena!;
  beginCall();
  const xAt = gradWeight ? input(x) : NONE;
  const weightAt = gradInput ? input(weight) : NONE;
  const gradOutAt = input(gradOut);
  const gradInputAt = gradInput ? output(gradInput) : NONE;
  const gradWeightAt = gradWeight ? output(gradWeight) : NONE;
  const gradBiasAt = gradBias ? output(gradBias) : NONE;
  const chunks = Math.ceil(n / BACKWARD_CHUNK);
  const weightPartials = gradWeight ? mem.alloc(chunks * cout * k) : NONE;
  const biasPartials = gradBias ? mem.allocBytes(chunks * cout * 8) : NONE;
  const counterAt = counter();
  const products = (gradWeight ? 1 : 0) + (gradInput ? 1 : 0);
  const threads = threadCount(chunks, n * cout * k * l * Math.max(1, products));
  const pitch = runtime!.kernels.colsPitch(l) as number;
  const argLists: Parameters<Kernels['conv2dBackward']>[] = [];
  for (let t = 0; t < threads; t++) {
    argLists.push([
      xAt, weightAt, gradOutAt, gradInputAt, weightPartials, biasPartials, c, h, w, cout, ...geometryArgs(g),
      n, BACKWARD_CHUNK, counterAt, mem.alloc(k * pitch), gradInput ? mem.alloc(cout * k) : NONE,
    ]);
  }
  runParallel('conv2dBackward', argLists);
  if (gradWeight) runtime!.kernels.sumChunks(weightPartials, chunks, gradWeight.length, gradWeightAt);
  if (gradBias) {
    const buffer = memoryBytes().buffer;
    const partials = new Float64Array(buffer, biasPartials, chunks * cout);
    const sums = new Float32Array(buffer, gradBiasAt, cout);
    for (let co = 0; co < cout; co++) {
      let s = 0;
      for (let chunk = 0; chunk < chunks; chunk++) s += partials[chunk * cout + co];
      sums[co] = s;
    }
  }
  endCall();
}
