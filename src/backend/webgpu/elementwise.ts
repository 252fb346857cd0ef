// Elementwise kernels: unary math, broadcasting binary ops and where, casts, fills, relu's backward.
// Operands are read in their own type and computed in f32 when any operand is floating, else in i32,
// as the reference computes in double and stores into the output's type.
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { broadcastStrides } from '../js/elementwise.js';
import { clearBuffer } from './commands.js';
import { bufferOf, ELEMENT_BYTES } from './memory.js';
import { binding, convert, elementwise, f32bits, gridFor, HEADER, i32bits, launch, wgslType } from './wgsl.js';

type Compute = 'f32' | 'i32';

// Transcendental functions of our own where drivers' builtins are too coarse (Vulkan allows log an absolute
// error of 2^-21 near 1, sin and cos 2^-11, atan 4096 ulps): Cephes' float32 algorithms, a few ulps each.
const MATH = `
fn logPositive(v: f32) -> f32 {
  var x = v;
  var e = 0;
  if (x < 1.17549435e-38) { x = x * 8388608.0; e = -23; } // subnormal: scale into the normal range
  let bits = bitcast<u32>(x);
  e = e + i32((bits >> 23u) & 0xffu) - 126;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f000000u); // in [0.5, 1)
  if (m < 0.707106781186547524) { e = e - 1; m = m + m - 1.0; } else { m = m - 1.0; }
  return logOnePlus(m, f32(e));
}
// log(1 + m) + e log(2) for m in [sqrt(1/2) - 1, sqrt(2) - 1]
fn logOnePlus(m: f32, fe: f32) -> f32 {
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m + 1.4249322787e-1) * m
    - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m + 3.3333331174e-1) * m * z;
  y = y - 2.12194440e-4 * fe - 0.5 * z;
  return m + y + 0.693359375 * fe;
}
fn logF(x: f32) -> f32 {
  if (x < 0.0 || isNan(x)) { return nanF(); }
  if (x == 0.0) { return -infF(); }
  if (isInf(x)) { return x; }
  return logPositive(x);
}
// Kahan's form: the error of exp cancels in the quotient
fn expm1F(x: f32) -> f32 {
  if (x > 88.7) { return infF(); }
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  return um1 * x / logPositive(u);
}
fn log1pF(x: f32) -> f32 {
  if (x < -1.0 || isNan(x)) { return nanF(); }
  if (x == -1.0) { return -infF(); }
  if (isInf(x)) { return x; }
  if (x > -0.2928932188 && x < 0.4142135623) { return logOnePlus(x, 0.0); } // no rounding of 1 + x
  return logPositive(1.0 + x);
}
fn sqrtF(x: f32) -> f32 { if (x < 0.0) { return nanF(); } return sqrt(x); }
// sin (or cos, with cosine = true): reduction by pi/4 in three parts, then a polynomial on [-pi/4, pi/4]
fn sinCos(v: f32, cosine: bool) -> f32 {
  if (isInf(v)) { return nanF(); }
  var sgn = 1.0;
  if (!cosine && v < 0.0) { sgn = -1.0; }
  let x = abs(v);
  var j = u32(x * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j = j + 1u; y = y + 1.0; }
  j = j & 7u;
  if (j > 3u) { sgn = -sgn; j = j - 4u; }
  if (cosine && j > 1u) { sgn = -sgn; }
  let r = ((x - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  let z = r * r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  if ((j == 1u || j == 2u) != cosine) { return sgn * c; }
  return sgn * s;
}
fn asinPositive(a: f32) -> f32 {
  var x = a;
  var z: f32;
  let wide = a > 0.5;
  if (wide) { z = 0.5 * (1.0 - a); x = sqrt(z); } else { z = x * x; }
  var y = x;
  if (x >= 1e-4) { y = ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1) * z * x + x; }
  if (wide) { y = 1.5707963267948966 - (y + y); }
  return y;
}
fn asinF(x: f32) -> f32 { if (abs(x) > 1.0 || isNan(x)) { return nanF(); } return sign(x) * asinPositive(abs(x)); }
fn acosF(x: f32) -> f32 {
  if (abs(x) > 1.0 || isNan(x)) { return nanF(); }
  if (x < -0.5) { return 3.14159265358979323846 - 2.0 * asinPositive(sqrt(0.5 * (1.0 + x))); }
  if (x > 0.5) { return 2.0 * asinPositive(sqrt(0.5 * (1.0 - x))); }
  return 1.5707963267948966 - asinF(x);
}
fn atanF(v: f32) -> f32 {
  let a = abs(v);
  var x = a;
  var y = 0.0;
  if (a > 2.414213562373095) { y = 1.5707963267948966; x = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; x = (a - 1.0) / (a + 1.0); }
  let z = x * x;
  y = y + (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * x + x;
  if (v < 0.0) { return -y; }
  return y;
}
fn signBit(x: f32) -> bool { return (bitcast<u32>(x) >> 31u) == 1u; }
fn withSignOf(m: f32, s: f32) -> f32 { if (signBit(s)) { return -abs(m); } return abs(m); }
// Math.atan2's cases: signed zeros, infinities, then the quadrant of atan(y / x)
fn atan2F(y: f32, x: f32) -> f32 {
  let pi = 3.14159265358979323846;
  if (y == 0.0) { if (signBit(x)) { return withSignOf(pi, y); } return y; }
  if (isInf(x)) {
    if (isInf(y)) { return withSignOf(select(0.75 * pi, 0.25 * pi, x > 0.0), y); }
    if (x > 0.0) { return withSignOf(0.0, y); }
    return withSignOf(pi, y);
  }
  if (isInf(y) || x == 0.0) { return withSignOf(0.5 * pi, y); }
  let a = atanF(y / x);
  if (x > 0.0) { return a; }
  return a + withSignOf(pi, y);
}
fn sinhF(x: f32) -> f32 { if (abs(x) < 1.0) { let e = expm1F(x); return 0.5 * (e + e / (e + 1.0)); } return 0.5 * (exp(x) - exp(-x)); }
fn coshF(x: f32) -> f32 { let e = exp(abs(x)); return 0.5 * e + 0.5 / e; }
fn tanhF(x: f32) -> f32 {
  if (abs(x) > 10.0) { return sign(x); }
  let e = expm1F(2.0 * x);
  return e / (e + 2.0);
}
fn sigmoidF(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn signF(x: f32) -> f32 { if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } if (x == 0.0) { return x; } return 0.0; }
// W. J. Cody's rational erf, as the reference's, evaluated in f32
fn erfF(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    let p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    let q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return x * p / q;
  }
  if (ax >= 6.0) { return sign(x); }
  var c: f32;
  if (ax < 4.0) {
    let p = (((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax
      + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
    let q = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax
      + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    c = exp(-ax * ax) * p / q;
  } else {
    let z = 1.0 / (ax * ax);
    let p = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z
      + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    let q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z
      + 2.33520497626869185e-3;
    c = exp(-ax * ax) * (0.564189583547756287 - z * p / q) / ax;
  }
  if (x < 0.0) { return c - 1.0; }
  return 1.0 - c;
}
// C's pow, as torch: 1 ** y and (-1) ** +-inf are 1; a negative base needs an integral exponent
fn powF(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (isNan(a) || isNan(b)) { return nanF(); }
  if (isInf(b)) {
    let m = abs(a);
    if (m == 1.0) { return 1.0; }
    if ((m > 1.0) == (b > 0.0)) { return infF(); }
    return 0.0;
  }
  if (a == 0.0) {
    let odd = fract(b * 0.5) != 0.0 && fract(b) == 0.0;
    if (b > 0.0) { if (odd) { return a; } return 0.0; }
    if (odd) { return select(infF(), -infF(), bitcast<u32>(a) != 0u); }
    return infF();
  }
  if (fract(b) == 0.0 && abs(b) <= 64.0) {
    // small integral exponents by squaring: exact to a few ulps, where exp2(b log2 a) loses digits
    var r = 1.0; var base = a; var e = u32(abs(b));
    loop { if (e == 0u) { break; } if ((e & 1u) == 1u) { r = r * base; } base = base * base; e = e >> 1u; }
    if (b < 0.0) { return 1.0 / r; }
    return r;
  }
  if (a < 0.0) {
    if (fract(b) != 0.0) { return nanF(); }
    let r = exp2(b * logPositive(-a) * 1.4426950408889634);
    if (fract(b * 0.5) != 0.0) { return -r; }
    return r;
  }
  return exp2(b * logPositive(a) * 1.4426950408889634);
}
// a - b trunc(a / b) with the quotient corrected by one where a / b rounded across an integer: exact while |a / b| < 2^24
fn fmodF(a: f32, b: f32) -> f32 {
  if (isInf(b) && !isInf(a)) { return a; }
  var r = fma(-b, trunc(a / b), a);
  if (r != 0.0 && signBit(r) != signBit(a)) { r = r + withSignOf(b, a); }
  if (abs(r) >= abs(b)) { r = r - withSignOf(b, a); }
  return r;
}
fn remainderF(a: f32, b: f32) -> f32 { let r = fmodF(a, b); if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; } return r; }
fn floorDivI(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if (q * b != a && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}
fn remainderI(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } let r = a % b; if (r != 0 && ((r < 0) != (b < 0))) { return r + b; } return r; }
fn powI(a: i32, b: i32) -> i32 {
  var r = 1; var base = a; var e = u32(max(b, 0));
  loop { if (e == 0u) { break; } if ((e & 1u) == 1u) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}
`;

const FLOAT_UNARY: Partial<Record<UnaryOp, string>> = {
  neg: '-v', abs: 'abs(v)', sign: 'signF(v)', exp: 'exp(v)', expm1: 'expm1F(v)', log: 'logF(v)', log1p: 'log1pF(v)',
  log2: 'logF(v) * 1.4426950408889634', log10: 'logF(v) * 0.4342944819032518',
  sqrt: 'sqrtF(v)', rsqrt: '1.0 / sqrtF(v)', reciprocal: '1.0 / v', square: 'v * v', sin: 'sinCos(v, false)', cos: 'sinCos(v, true)',
  tan: 'sinCos(v, false) / sinCos(v, true)', asin: 'asinF(v)', acos: 'acosF(v)', atan: 'atanF(v)', sinh: 'sinhF(v)', cosh: 'coshF(v)', tanh: 'tanhF(v)',
  sigmoid: 'sigmoidF(v)', relu: 'select(0.0, v, v > 0.0 || isNan(v))', erf: 'erfF(v)', floor: 'floor(v)', ceil: 'ceil(v)',
  round: 'round(v)', trunc: 'trunc(v)', copy: 'v',
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
export function collapse(shape: Shape, stridesList: number[][]): { shape: number[]; strides: number[][] } {
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
