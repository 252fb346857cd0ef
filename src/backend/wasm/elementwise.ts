import type { BinaryOp, ReduceOp, UnaryOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { binary as jsBinary, reluBackward as jsReluBackward, unary as jsUnary } from '../js/elementwise.js';
import { reduce as jsReduce, softmax as jsSoftmax, splitAxis } from '../js/reduce.js';
import { arena, runtime } from './state.js';

// Below this many elements the reference loops beat copying operands in and out of wasm memory.
const MIN_ELEMENTS = 256;

const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
const COMPARE_CODES: Partial<Record<BinaryOp, number>> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, relu: 2, square: 3, sqrt: 4, exp: 5, sigmoid: 6 };

// Operand layouts against out seen as [rows, cols] (assembly/elementwise.ts).
const FULL = 0;
const ROW = 1;
const COLUMN = 2;
const SCALAR = 3;

interface Layout {
  mode: number;
  /** ROW: the row length; COLUMN: the elements that follow each value (the grid's row length). */
  cols: number;
  /** COLUMN: how many values there are (row r reads value r % period). */
  period: number;
}

/**
 * How `shape` broadcasts to `outShape` in kernel terms, or null for patterns the kernel lacks. The
 * operand's dims other than leading and trailing 1s must equal out's: [C] against [N, C] is a ROW,
 * [C, 1, 1] against [N, C, H, W] a COLUMN of period C over rows of H*W.
 */
function layoutOf(shape: Shape, length: number, outShape: Shape, outLength: number): Layout | null {
  if (length === outLength) return { mode: FULL, cols: 0, period: 0 };
  if (length === 1) return { mode: SCALAR, cols: 0, period: 0 };
  const nd = outShape.length;
  const pad = nd - shape.length;
  const dim = (i: number) => (i < pad ? 1 : shape[i - pad]);
  let first = 0;
  while (first < nd && dim(first) === 1) first++;
  let last = nd - 1;
  while (last > first && dim(last) === 1) last--;
  for (let i = first; i <= last; i++) if (dim(i) !== outShape[i]) return null;
  let inner = 1;
  for (let i = last + 1; i < nd; i++) inner *= outShape[i];
  return inner === 1 ? { mode: ROW, cols: length, period: 0 } : { mode: COLUMN, cols: inner, period: length };
}

/** The [rows, cols] grid both layouts agree on, or null. */
function gridOf(a: Layout, b: Layout, n: number): [number, number] | null {
  let cols = 0;
  for (const l of [a, b]) {
    if (l.mode !== ROW && l.mode !== COLUMN) continue;
    if (cols && l.cols !== cols) return null;
    cols = l.cols;
  }
  return cols ? [n / cols, cols] : [1, n];
}

export function binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const code = BINARY_CODES[op];
  const n = out.length;
  if (n >= MIN_ELEMENTS && out instanceof Uint8Array && a instanceof Float32Array && b instanceof Float32Array
    && COMPARE_CODES[op] !== undefined && a.length === n && (b.length === n || b.length === 1)) {
    compare(COMPARE_CODES[op]!, a, b, out);
    return;
  }
  if (op === 'mul' && n >= MIN_ELEMENTS && out instanceof Float32Array && a.length === n && b.length === n
    && ((a instanceof Float32Array && b instanceof Uint8Array) || (a instanceof Uint8Array && b instanceof Float32Array))) {
    mulMask(a instanceof Float32Array ? a : (b as Float32Array), a instanceof Uint8Array ? a : (b as Uint8Array), out);
    return;
  }
  const fast = code !== undefined && n >= MIN_ELEMENTS
    && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array;
  const la = fast ? layoutOf(aShape, a.length, outShape, n) : null;
  const lb = fast ? layoutOf(bShape, b.length, outShape, n) : null;
  const grid = la && lb ? gridOf(la, lb, n) : null;
  if (!grid) {
    jsBinary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  const mem = arena!;
  mem.reset();
  const aAt = mem.put(a as Float32Array);
  const bAt = b === a ? aAt : mem.put(b as Float32Array);
  const outAt = mem.alloc(n);
  runtime!.kernels.binary(code!, aAt, la!.mode, la!.period, bAt, lb!.mode, lb!.period, outAt, grid[0], grid[1]);
  mem.get(outAt, out as Float32Array);
}

/** a op b (b full or a scalar) as bytes 0/1, e.g. relu's backward mask out > 0. */
function compare(code: number, a: Float32Array, b: Float32Array, out: Uint8Array): void {
  withOperands(a, b, out, (aAt, bAt, outAt) => runtime!.kernels.compare(code, aAt, bAt, b.length === 1 ? 1 : 0, outAt, out.length));
}

/** Copies two operands into the arena, runs `kernel` on their addresses and copies `out` back out. */
function withOperands(
  a: Float32Array | Uint8Array, b: Float32Array | Uint8Array, out: Float32Array | Uint8Array,
  kernel: (aAt: number, bAt: number, outAt: number) => void,
): void {
  const mem = arena!;
  mem.reset();
  const aAt = mem.put(a);
  const bAt = mem.put(b);
  const outAt = mem.allocBytes(out.byteLength);
  kernel(aAt, bAt, outAt);
  mem.get(outAt, out);
}

/** x * mask for a bool mask (a product with a bool tensor promotes to float32). */
function mulMask(x: Float32Array, mask: Uint8Array, out: Float32Array): void {
  withOperands(x, mask, out, (xAt, maskAt, outAt) => runtime!.kernels.mulMask(xAt, maskAt, outAt, out.length));
}

export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const code = UNARY_CODES[op];
  if (code === undefined || x.length < MIN_ELEMENTS || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsUnary(op, x, out);
    return;
  }
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const outAt = mem.alloc(x.length);
  runtime!.kernels.unary(code, xAt, outAt, x.length);
  mem.get(outAt, out);
}

export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axis: number, out: TypedArray): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  if (op !== 'sum' || x.length < MIN_ELEMENTS || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsReduce(op, x, shape, axis, out);
    return;
  }
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const outAt = mem.alloc(out.length);
  if (inner === 1) {
    runtime!.kernels.sumRows(xAt, outer, size, outAt);
  } else {
    const acc = mem.alloc(inner * 2); // float64 accumulators
    runtime!.kernels.sumAxis(xAt, outer, size, inner, outAt, acc);
  }
  mem.get(outAt, out);
}

export function softmax(x: TypedArray, n: number, out: TypedArray, log: boolean): void {
  if (x.length < MIN_ELEMENTS || n === 0 || !(x instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsSoftmax(x, n, out, log);
    return;
  }
  const mem = arena!;
  mem.reset();
  const xAt = mem.put(x);
  const outAt = mem.alloc(x.length);
  runtime!.kernels.softmax(xAt, x.length / n, n, outAt, log ? 1 : 0);
  mem.get(outAt, out);
}

/** relu's backward in wasm for float32: out = y > 0 ? grad : 0. */
export function reluBackward(grad: TypedArray, y: TypedArray, out: TypedArray): void {
  if (out.length < MIN_ELEMENTS || !(grad instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array)) {
    jsReluBackward(grad, y, out);
    return;
  }
  withOperands(grad, y, out, (gradAt, yAt, outAt) => runtime!.kernels.reluBackward(gradAt, yAt, outAt, out.length));
}
