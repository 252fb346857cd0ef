import type { BinaryOp, UnaryOp } from '../backend.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';
import { BINARY, COMPARE, LAYOUT, UNARY } from './generated/kernels-api.js';

const BINARY_CODES: Partial<Record<BinaryOp, number>> = BINARY;
const COMPARE_CODES: Partial<Record<BinaryOp, number>> = COMPARE;
const UNARY_CODES: Partial<Record<UnaryOp, number>> = UNARY;
const { FULL, ROW, COLUMN, SCALAR } = LAYOUT;

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

export function binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  const f32 = a.dtype === 'float32' && b.dtype === 'float32';
  if (f32 && out.dtype === 'bool' && COMPARE_CODES[op] !== undefined && a.length === n && (b.length === n || b.length === 1)) {
    beginCall();
    runtime!.kernels.compare(COMPARE_CODES[op]!, input(a), input(b), b.length === 1, output(out), n);
    endCall();
    return;
  }
  if (op === 'mul' && out.dtype === 'float32' && a.length === n && b.length === n
    && ((a.dtype === 'float32' && b.dtype === 'bool') || (a.dtype === 'bool' && b.dtype === 'float32'))) {
    const [x, mask] = a.dtype === 'float32' ? [a, b] : [b, a];
    beginCall();
    runtime!.kernels.mulMask(input(x), input(mask), output(out), n);
    endCall();
    return;
  }
  const code = BINARY_CODES[op];
  const la = code !== undefined && f32 && out.dtype === 'float32' ? layoutOf(aShape, a.length, outShape, n) : null;
  const lb = la ? layoutOf(bShape, b.length, outShape, n) : null;
  const grid = la && lb ? gridOf(la, lb, n) : null;
  if (!grid) {
    fallback.binary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  beginCall();
  const aAt = input(a);
  const bAt = input(b);
  runtime!.kernels.binary(code!, aAt, la!.mode, la!.period, bAt, lb!.mode, lb!.period, output(out), grid[0], grid[1]);
  endCall();
}

export function unary(op: UnaryOp, x: Storage, out: Storage): void {
  const code = UNARY_CODES[op];
  if (code === undefined || x.dtype !== 'float32' || out.dtype !== 'float32') {
    fallback.unary(op, x, out);
    return;
  }
  beginCall();
  runtime!.kernels.unary(code, input(x), output(out), x.length);
  endCall();
}

/** relu's backward in wasm for float32: out = y > 0 ? grad : 0. */
export function reluBackward(grad: Storage, y: Storage, out: Storage): void {
  if (!(grad.dtype === 'float32' && y.dtype === 'float32' && out.dtype === 'float32')) {
    fallback.reluBackward(grad, y, out);
    return;
  }
  beginCall();
  runtime!.kernels.reluBackward(input(grad), input(y), output(out), out.length);
  endCall();
}
