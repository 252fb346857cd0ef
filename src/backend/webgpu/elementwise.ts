// Elementwise kernels: unary math, broadcasting binary ops and where, casts, fills, relu's backward.
// Operands are read in their own type and computed in f32 when any operand is floating, else in i32,
// as the reference computes in double and stores into the output's type.
import type { ActivationOp, BinaryOp, UnaryOp } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { broadcastStrides } from '../js/elementwise.js';
import { clearBuffer } from './commands.js';
import { bufferOf, ELEMENT_BYTES } from './memory.js';
import { binding, convert, elementwise, f32bits, gridFor, HEADER, i32bits, launch, wgslType } from './wgsl.js';
import { MATH } from './math.js';

type Compute = 'f32' | 'i32';

const FLOAT_UNARY: Partial<Record<UnaryOp, string>> = {
  neg: '-v', abs: 'abs(v)', sign: 'signF(v)', exp: 'exp(v)', expm1: 'expm1F(v)', log: 'logF(v)', log1p: 'log1pF(v)',
  log2: 'logF(v) * 1.4426950408889634', log10: 'logF(v) * 0.4342944819032518',
  sqrt: 'sqrtF(v)', rsqrt: '1.0 / sqrtF(v)', reciprocal: '1.0 / v', square: 'v * v', sin: 'sinCos(v, false)', cos: 'sinCos(v, true)',
  tan: 'sinCos(v, false) / sinCos(v, true)', asin: 'asinF(v)', acos: 'acosF(v)', atan: 'atanF(v)', sinh: 'sinhF(v)', cosh: 'coshF(v)', tanh: 'tanhF(v)',
  sigmoid: 'sigmoidF(v)', relu: 'select(0.0, v, v > 0.0 || isNan(v))', erf: 'erfF(v)', floor: 'floor(v)', ceil: 'ceil(v)',
  round: 'round(v)', trunc: 'trunc(v)', copy: 'v',
  gelu: 'v * normalCdf(v)', geluTanh: 'v * sigmoidF(geluTanhArg(v))', silu: 'v * sigmoidF(v)',
};
const INT_UNARY: Partial<Record<UnaryOp, string>> = {
  neg: '-v', abs: 'abs(v)', sign: 'sign(v)', square: 'v * v', relu: 'max(v, 0)', floor: 'v', ceil: 'v', round: 'v', trunc: 'v', copy: 'v',
};
// ops whose result is bool, by the compute type of their operand
const BOOL_UNARY: Partial<Record<UnaryOp, { f32: string; i32: string }>> = {
  logicalNot: { f32: 'v == 0.0', i32: 'v == 0' },
  isnan: { f32: 'isNan(v)', i32: 'false' },
  isinf: { f32: 'isInf(v)', i32: 'false' },
  isfinite: { f32: '!isNan(v) && !isInf(v)', i32: 'true' },
};

const floating = (d: DType) => d === 'float32';

export function unary(op: UnaryOp, x: Storage, out: Storage): void {
  const n = out.length;
  if (op === 'copy' && x.dtype === out.dtype) {
    launch(`${HEADER}${binding(1, 'x', wgslType(x.dtype))}${binding(2, 'out', wgslType(out.dtype), true)}${elementwise('out[i] = x[i];')}`, [n], [x, out], [1], gridFor(n));
    return;
  }
  let compute: Compute = floating(x.dtype) ? 'f32' : 'i32';
  const boolean = BOOL_UNARY[op];
  let expr: string;
  if (boolean) expr = `select(0u, 1u, ${boolean[compute]})`;
  else {
    if (compute === 'i32' && !INT_UNARY[op]) compute = 'f32';
    let value = (compute === 'f32' ? FLOAT_UNARY : INT_UNARY)[op]!;
    // NaN in, NaN out (sign(NaN) is 0): drivers' approximations of exp, atan, ... do not all propagate it
    if (compute === 'f32' && op !== 'sign') value = `select(${value}, v, isNan(v))`;
    expr = convert(value, compute, out.dtype);
  }
  const code = `${HEADER}${MATH}${binding(1, 'x', wgslType(x.dtype))}${binding(2, 'out', wgslType(out.dtype), true)}
${elementwise(`let v = ${convert('x[i]', x.dtype, compute)}; out[i] = ${boolean ? convert(expr, 'bool', out.dtype) : expr};`)}`;
  launch(code, [n], [x, out], [1], gridFor(n));
}

const FLOAT_BINARY: Record<BinaryOp, string> = {
  add: 'a + b', sub: 'a - b', mul: 'a * b', div: 'a / b', pow: 'powF(a, b)',
  maximum: 'select(select(b, a, a > b), nanF(), isNan(a) || isNan(b))',
  minimum: 'select(select(b, a, a < b), nanF(), isNan(a) || isNan(b))',
  atan2: 'atan2F(a, b)', remainder: 'remainderF(a, b)', fmod: 'fmodF(a, b)', floorDivide: 'floor(a / b)',
  // !(a == b) for ne and truth values: some drivers compile != as an ordered comparison, false for NaN
  eq: 'a == b', ne: '!(a == b)', lt: 'a < b', le: 'a <= b', gt: 'a > b', ge: 'a >= b',
  logicalAnd: '!(a == 0.0) && !(b == 0.0)', logicalOr: '!(a == 0.0) || !(b == 0.0)', logicalXor: '(a == 0.0) != (b == 0.0)',
};
// ops whose float result is NaN when an operand is NaN (drivers' approximations do not all propagate it)
const NAN_PROPAGATING = new Set<BinaryOp>(['add', 'sub', 'mul', 'div', 'atan2', 'remainder', 'fmod', 'floorDivide']);
const INT_BINARY: Partial<Record<BinaryOp, string>> = {
  add: 'a + b', sub: 'a - b', mul: 'a * b', pow: 'powI(a, b)', maximum: 'max(a, b)', minimum: 'min(a, b)',
  remainder: 'remainderI(a, b)', fmod: 'select(a % b, 0, b == 0)', floorDivide: 'floorDivI(a, b)',
  eq: 'a == b', ne: 'a != b', lt: 'a < b', le: 'a <= b', gt: 'a > b', ge: 'a >= b',
  logicalAnd: 'a != 0 && b != 0', logicalOr: 'a != 0 || b != 0', logicalXor: '(a != 0) != (b != 0)',
};
const BOOL_BINARY = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);

/**
 * Merges adjacent axes that every operand walks contiguously (and drops axes of size 1), so that
 * broadcast index arithmetic runs on as few axes as possible.
 */
function collapse(shape: Shape, stridesList: number[][]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const strides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && stridesList.every((s, k) => strides[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      stridesList.forEach((s, k) => { strides[k][last] = s[d]; });
    } else {
      dims.push(shape[d]);
      stridesList.forEach((s, k) => strides[k].push(s[d]));
    }
  }
  return { shape: dims, strides };
}

/**
 * WGSL that sets `o0`, `o1`, ... to the offsets of output element `i` in each operand, for a collapsed
 * shape of rank `rank` whose sizes are parameters from word `first` and each operand's strides follow.
 */
export function offsets(rank: number, operands: number, first = 1): string {
  const lines = [`var rem = i;`];
  for (let k = 0; k < operands; k++) lines.push(`var o${k} = 0u;`);
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`{ let size = P(${first + d}u); let c = rem % size; rem = rem / size;`);
    for (let k = 0; k < operands; k++) lines.push(`  o${k} = o${k} + c * P(${first + rank * (k + 1) + d}u);`);
    lines.push('}');
  }
  return lines.join('\n  ');
}

/** Parameter words for `offsets`: n, the collapsed sizes, then each operand's strides. */
export function offsetParams(n: number, shape: Shape, stridesList: number[][]): { rank: number; words: number[] } {
  const c = collapse(shape, stridesList);
  return { rank: c.shape.length, words: [n, ...c.shape, ...c.strides.flat()] };
}

export function binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  let compute: Compute = [a, b, out].some((s) => floating(s.dtype)) ? 'f32' : 'i32';
  if (compute === 'i32' && !INT_BINARY[op]) compute = 'f32';
  let expr = (compute === 'f32' ? FLOAT_BINARY : INT_BINARY)[op]!;
  if (compute === 'f32' && NAN_PROPAGATING.has(op)) expr = `select(${expr}, nanF(), isNan(a) || isNan(b))`;
  const value = BOOL_BINARY.has(op) ? convert(`select(0u, 1u, ${expr})`, 'bool', out.dtype) : convert(expr, compute, out.dtype);
  const { rank, words } = offsetParams(n, outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  const code = `${HEADER}${MATH}${binding(1, 'x', wgslType(a.dtype))}${binding(2, 'y', wgslType(b.dtype))}${binding(3, 'out', wgslType(out.dtype), true)}
${elementwise(`${offsets(rank, 2)}
  let a = ${convert('x[o0]', a.dtype, compute)};
  let b = ${convert('y[o1]', b.dtype, compute)};
  out[i] = ${value};`)}`;
  launch(code, words, [a, b, out], [2], gridFor(n));
}

export function where(cond: Storage, condShape: Shape, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  const { rank, words } = offsetParams(n, outShape, [condShape, aShape, bShape].map((s) => broadcastStrides(s, outShape)));
  const code = `${HEADER}${binding(1, 'c', wgslType(cond.dtype))}${binding(2, 'x', wgslType(a.dtype))}${binding(3, 'y', wgslType(b.dtype))}${binding(4, 'out', wgslType(out.dtype), true)}
${elementwise(`${offsets(rank, 3)}
  if (${convert('c[o0]', cond.dtype, 'bool')} != 0u) { out[i] = ${convert('x[o1]', a.dtype, out.dtype)}; } else { out[i] = ${convert('y[o2]', b.dtype, out.dtype)}; }`)}`;
  launch(code, words, [cond, a, b, out], [3], gridFor(n));
}

export function cast(x: Storage, out: Storage): void {
  const n = out.length;
  const code = `${HEADER}${binding(1, 'x', wgslType(x.dtype))}${binding(2, 'out', wgslType(out.dtype), true)}
${elementwise(`out[i] = ${convert('x[i]', x.dtype, out.dtype)};`)}`;
  launch(code, [n], [x, out], [1], gridFor(n));
}

/** The u32 word of `value` stored as an element of `dtype` (as a typed array of that dtype stores it). */
export function elementBits(value: number, dtype: DType): number {
  if (dtype === 'float32') return f32bits(value);
  if (dtype === 'int32') return i32bits(value | 0);
  return value !== 0 ? 1 : 0;
}

export function fill(out: Storage, value: number): void {
  const bits = elementBits(value, out.dtype);
  if (bits === 0) {
    clearBuffer(bufferOf(out), out.length * ELEMENT_BYTES);
    return;
  }
  const code = `${HEADER}${binding(1, 'out', 'u32', true)}${elementwise('out[i] = P(1);')}`;
  launch(code, [out.length, bits], [out], [0], gridFor(out.length));
}

export function reluBackward(grad: Storage, y: Storage, out: Storage): void {
  const n = out.length;
  const code = `${HEADER}${binding(1, 'g', 'f32')}${binding(2, 'y', 'f32')}${binding(3, 'out', 'f32', true)}
${elementwise('out[i] = select(0.0, g[i], y[i] > 0.0);')}`;
  launch(code, [n], [grad, y, out], [2], gridFor(n));
}

// d/dx of the activations, PyTorch's formulas (as the reference's ACTIVATION_GRAD)
const ACTIVATION_GRAD: Record<ActivationOp, string> = {
  gelu: 'normalCdf(v) + v * exp(-0.5 * v * v) * 0.3989422804014327',
  geluTanh: 'tanhGrad(v)',
  silu: 'siluGrad(v)',
};
const ACTIVATION_HELPERS = `
fn tanhGrad(x: f32) -> f32 {
  let u = geluTanhArg(x);
  let s = sigmoidF(u);
  return s + 2.0 * x * s * sigmoidF(-u) * 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x * x);
}
fn siluGrad(x: f32) -> f32 { let s = sigmoidF(x); return s * (1.0 + x * (1.0 - s)); }
`;

export function unaryBackward(op: ActivationOp, grad: Storage, x: Storage, out: Storage): void {
  const n = out.length;
  const code = `${HEADER}${MATH}${ACTIVATION_HELPERS}${binding(1, 'g', 'f32')}${binding(2, 'x', 'f32')}${binding(3, 'out', 'f32', true)}
${elementwise(`let v = x[i]; out[i] = g[i] * (${ACTIVATION_GRAD[op]});`)}`;
  launch(code, [n], [grad, x, out], [2], gridFor(n));
}
