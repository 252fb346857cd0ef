import type { ConvGeometry } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { col2im as jsCol2im, im2col as jsIm2col } from '../js/conv.js';
import { maxPool2d as jsMaxPool2d } from '../js/pool.js';
import { arena, runtime } from './state.js';

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
  runtime!.kernels.im2colWalk(xAt, outAt, n, c, h, w, ...geometryArgs(g), 1);
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
  runtime!.kernels.im2colWalk(outAt, colsAt, n, c, h, w, ...geometryArgs(g), 0);
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
