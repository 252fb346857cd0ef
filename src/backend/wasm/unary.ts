// Unary functions, activations and their backward, casts and fills in wasm (assembly/unary.ts); large
// float32 calls split their elements among threads.
import type { ActivationOp, UnaryOp } from '../backend.js';
import { allocate } from '../../tensor/dtype.js';
import type { Storage } from '../../tensor/storage.js';
import { runtime } from './state.js';
import { beginCall, endCall, input, memoryBytes, output } from './memory.js';
import { fallback } from './fallback.js';
import { DTYPE, UNARY } from './generated/kernels-api.js';
import { ELEMENT_BYTES, runUnits, unitsOf } from './strided.js';

const UNARY_CODES: Partial<Record<UnaryOp, number>> = UNARY;
// No wasm loop: these run the reference (no model spends time in them).
const REFERENCE_ONLY = new Set<UnaryOp>(['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh']);
const PREDICATES = new Set<UnaryOp>(['logicalNot', 'isnan', 'isinf', 'isfinite']);
const INT_OPS = new Set<UnaryOp>(['neg', 'abs', 'sign', 'relu', 'square']);
/** Scratch of a thread for the last partial vector (assembly/unary.ts withTail). */
const TAIL_SCRATCH = 48;

/** Copies a storage's bytes into another of the same dtype (clone, and casts to the same dtype). */
function copyBytes(x: Storage, out: Storage): void {
  beginCall();
  const from = input(x);
  const to = output(out);
  memoryBytes().copyWithin(to, from, from + x.length * ELEMENT_BYTES[x.dtype]);
  endCall();
}

/**
 * op(x) elementwise: float32 (into float32, or bool for the predicates) but the trigonometric and
 * hyperbolic functions, int32 neg/abs/sign/relu/square, bool logicalNot.
 */
export function unary(op: UnaryOp, x: Storage, out: Storage): void {
  const n = x.length;
  if (n === 0) return;
  if (op === 'copy' && x.dtype === out.dtype) {
    copyBytes(x, out);
    return;
  }
  const code = UNARY_CODES[op];
  const float = x.dtype === 'float32' && out.dtype === (PREDICATES.has(op) ? 'bool' : 'float32');
  const int = (x.dtype === 'int32' && out.dtype === 'int32' && INT_OPS.has(op)) || (x.dtype === 'bool' && out.dtype === 'bool' && op === 'logicalNot');
  if (code === undefined || REFERENCE_ONLY.has(op) || !(float || int)) {
    fallback.unary(op, x, out);
    return;
  }
  beginCall();
  const xAt = input(x);
  const outAt = output(out);
  if (int) runtime!.kernels.unaryInt(code, xAt, outAt, n);
  else {
    runUnits('unary', unitsOf(n, n, 1, 16), TAIL_SCRATCH, (unit, counter) => [code, xAt, outAt, n, unit, counter]);
  }
  endCall();
}

/** grad * op'(x) for the activations with a backward kernel (gelu, geluTanh, silu), float32 in wasm. */
export function unaryBackward(op: ActivationOp, grad: Storage, x: Storage, out: Storage): void {
  const n = x.length;
  if (n === 0) return;
  if (!(grad.dtype === 'float32' && x.dtype === 'float32' && out.dtype === 'float32')) {
    fallback.unaryBackward(op, grad, x, out);
    return;
  }
  beginCall();
  const gAt = input(grad);
  const xAt = input(x);
  const outAt = output(out);
  runUnits('unaryBackward', unitsOf(n, n, 1, 16), TAIL_SCRATCH, (unit, counter) => [UNARY[op], gAt, xAt, outAt, n, unit, counter]);
  endCall();
}

/** out = x converted to out's dtype (every pair of dtypes), as the reference converts. */
export function cast(x: Storage, out: Storage): void {
  if (x.length === 0) return;
  if (x.dtype === out.dtype) {
    copyBytes(x, out);
    return;
  }
  beginCall();
  const xAt = input(x);
  const outAt = output(out);
  runtime!.kernels.cast(xAt, DTYPE[x.dtype], outAt, DTYPE[out.dtype], x.length);
  endCall();
}

/** Every element of out set to value, converted as the dtype's typed array converts it. */
export function fill(out: Storage, value: number): void {
  if (out.length === 0) return;
  const element = allocate(out.dtype, 8); // at least two 32-bit words
  element[0] = value;
  const words = new Int32Array(element.buffer, 0, 2);
  const bytes = ELEMENT_BYTES[out.dtype];
  beginCall();
  const at = output(out);
  runtime!.kernels.fill(at, out.length * bytes, bytes === 1 ? element[0] : words[0], words[1], bytes);
  endCall();
}
