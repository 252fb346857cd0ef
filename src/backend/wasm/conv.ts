import type { ConvGeometry } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { col2im as jsCol2im, conv2d as jsConv2d, conv2dBackward as jsConv2dBackward, im2col as jsIm2col } from '../js/conv.js';
import { maxPool2d as jsMaxPool2d } from '../js/pool.js';
import { arena, getNumThreads, runParallel, runtime } from './state.js';

function geometryArgs(g: ConvGeometry): number[] {
  return [...g.kernel, ...g.stride, ...g.padding, ...g.dilation, ...g.outSize];
}

/** im2col in wasm for float32 (bit-identical to the reference: it only moves values). */
export function im2col(x: TypedArray, n: number, c: number, h: number, w: number, g: ConvGeometry, out: TypedArray): void {
  if (!(x instanceof Float32Array && out instanceof Float32Array)) {
    jsIm2col(x, n, c, h, w, g, out);
    return;
  }
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const outAt = mem.alloc(out.length);
  runtime!.kernels.im2colWalk(xAt, outAt, n, c, h, w, ...geometryArgs(g), 1, g.outSize[0] * g.outSize[1]);
  mem.get(outAt, out);
}

/** col2im in wasm for float32, summing in the reference's order (so bit-identical too). */
export function col2im(cols: TypedArray, n: number, c: number, h: number, w: number, g: ConvGeometry, out: TypedArray): void {
  if (!(cols instanceof Float32Array && out instanceof Float32Array)) {
    jsCol2im(cols, n, c, h, w, g, out);
    return;
  }
  const mem = arena!;
  mem.reset();
  const colsAt = mem.put(cols);
  const outAt = mem.alloc(out.length);
  mem.f32().fill(0, outAt >> 2, (outAt >> 2) + out.length);
  runtime!.kernels.im2colWalk(outAt, colsAt, n, c, h, w, ...geometryArgs(g), 0, g.outSize[0] * g.outSize[1]);
  mem.get(outAt, out);
}

/** Max pooling in wasm for float32 (same visiting order and tie/NaN rules as the reference). */
export function maxPool2d(x: TypedArray, planes: number, h: number, w: number, g: ConvGeometry, values: TypedArray, indices: Int32Array): void {
  if (!(x instanceof Float32Array && values instanceof Float32Array)) {
    jsMaxPool2d(x, planes, h, w, g, values, indices);
    return;
  }
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const valuesAt = mem.alloc(values.length);
  const indicesAt = mem.alloc(indices.length);
  runtime!.kernels.maxPool2d(xAt, planes, h, w, ...geometryArgs(g), valuesAt, indicesAt);
  mem.get(valuesAt, values);
  mem.get(indicesAt, indices);
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
function counter(): number {
  const mem = arena!;
  const at = mem.allocBytes(4);
  new Int32Array(mem.f32().buffer, at, 1)[0] = 0;
  return at;
}

/**
 * Fused convolution (groups 1) in wasm for float32: x, the weights and the bias are copied in, then
 * the threads take chunks of samples and run im2col and the product with the weights sample by sample
 * on their own scratch (see assembly/conv-gemm.ts), so the columns never leave wasm memory; only y is
 * copied out. Results do not depend on the thread count.
 */
export function conv2d(
  x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number,
  bias: TypedArray | null, g: ConvGeometry, out: TypedArray,
): void {
  if (!(x instanceof Float32Array && weight instanceof Float32Array && out instanceof Float32Array && (bias === null || bias instanceof Float32Array))) {
    jsConv2d(x, n, c, h, w, weight, cout, bias, g, out);
    return;
  }
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const weightAt = mem.put(weight);
  const biasAt = bias ? mem.put(bias) : 0;
  const outAt = mem.alloc(out.length);
  const counterAt = counter();
  const threads = threadCount(Math.ceil(n / FORWARD_CHUNK), n * cout * k * l);
  const pitch = runtime!.kernels.colsPitch(l) as number;
  const argLists: number[][] = [];
  for (let t = 0; t < threads; t++) {
    argLists.push([xAt, weightAt, biasAt, outAt, c, h, w, cout, ...geometryArgs(g), n, FORWARD_CHUNK, counterAt, mem.alloc(k * pitch)]);
  }
  runParallel('conv2dForward', argLists);
  mem.get(outAt, out);
}

/**
 * The backward of the fused convolution in wasm for float32, the gradients that are not null in one
 * call (grad_out is copied in once): per sample, im2col recomputed and a product for the weight
 * gradient, a product and col2im for the input gradient. Weight and bias gradients are summed per
 * chunk of samples, then over chunks in order here, so they too are the same for every thread count.
 */
export function conv2dBackward(
  x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, g: ConvGeometry,
  gradOut: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
): void {
  const f32 = (a: TypedArray | null) => a === null || a instanceof Float32Array;
  if (!(x instanceof Float32Array && weight instanceof Float32Array && gradOut instanceof Float32Array && f32(gradInput) && f32(gradWeight) && f32(gradBias))) {
    jsConv2dBackward(x, n, c, h, w, weight, cout, g, gradOut, gradInput, gradWeight, gradBias);
    return;
  }
  const k = c * g.kernel[0] * g.kernel[1];
  const l = g.outSize[0] * g.outSize[1];
  const mem = arena!;
  mem.reset();
  const xAt = gradWeight ? mem.put(x) : 0;
  const weightAt = gradInput ? mem.put(weight) : 0;
  const gradOutAt = mem.put(gradOut);
  const gradInputAt = gradInput ? mem.alloc(gradInput.length) : 0;
  const chunks = Math.ceil(n / BACKWARD_CHUNK);
  const weightPartials = gradWeight ? mem.alloc(chunks * cout * k) : 0;
  const biasPartials = gradBias ? mem.allocBytes(chunks * cout * 8) : 0;
  const counterAt = counter();
  const products = (gradWeight ? 1 : 0) + (gradInput ? 1 : 0);
  const threads = threadCount(chunks, n * cout * k * l * Math.max(1, products));
  const pitch = runtime!.kernels.colsPitch(l) as number;
  const argLists: number[][] = [];
  for (let t = 0; t < threads; t++) {
    argLists.push([
      xAt, weightAt, gradOutAt, gradInputAt, weightPartials, biasPartials, c, h, w, cout, ...geometryArgs(g),
      n, BACKWARD_CHUNK, counterAt, mem.alloc(k * pitch), gradInput ? mem.alloc(cout * k) : 0,
    ]);
  }
  runParallel('conv2dBackward', argLists);
  if (gradInput) mem.get(gradInputAt, gradInput);
  if (gradWeight) {
    const sumAt = mem.alloc(gradWeight.length);
    runtime!.kernels.sumChunks(weightPartials, chunks, gradWeight.length, sumAt);
    mem.get(sumAt, gradWeight);
  }
  if (gradBias) {
    const partials = new Float64Array(mem.f32().buffer, biasPartials, chunks * cout);
    for (let co = 0; co < cout; co++) {
      let s = 0;
      for (let chunk = 0; chunk < chunks; chunk++) s += partials[chunk * cout + co];
      gradBias[co] = s;
    }
  }
}
