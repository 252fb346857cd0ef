// Unary functions, activations and their backward, dtype casts and fills, 4 lanes at a time.
// Exact against the reference (Math in double, rounded to float32): neg, abs, sign, sqrt, rsqrt (computed in
// double, as the reference), reciprocal, square, relu, floor, ceil, round (half to even), trunc, the
// predicates, casts and fills. exp, expm1, log, log1p, log2, log10, tanh, sigmoid, erf and the activations
// are the polynomials of vmath.ts. The trigonometric and hyperbolic sin/cos functions have no wasm loop
// (the caller runs the reference: no model spends time in them).

import {
  UNARY_neg, UNARY_abs, UNARY_sign, UNARY_exp, UNARY_expm1, UNARY_log, UNARY_log1p, UNARY_log2, UNARY_log10,
  UNARY_sqrt, UNARY_rsqrt, UNARY_reciprocal, UNARY_square, UNARY_tanh, UNARY_sigmoid, UNARY_relu, UNARY_erf,
  UNARY_floor, UNARY_ceil, UNARY_round, UNARY_trunc, UNARY_logicalNot, UNARY_isnan, UNARY_isinf,
  UNARY_isfinite, UNARY_gelu, UNARY_geluTanh, UNARY_silu,
  DTYPE_float32 as F32, DTYPE_int32 as I32, DTYPE_bool as U8, DTYPE_float64 as F64,
} from './codes';
import { vexp } from './elementwise';
import { nextUnit } from './strided';
import { verf, verfcPositive, vexpm1, vlog, vlog10, vlog1p, vlog2, vsigmoid, vtanh } from './vmath';

const SQRT1_2: f32 = 0.7071067811865476;
// torch's constants for GELU's tanh form: sqrt(2 / pi) and 0.044715, and for the exact form's pdf: 1 / sqrt(2 pi)
const GELU_BETA: f32 = 0.7978845608028654;
const GELU_KAPPA: f32 = 0.044715;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** 1 / sqrt(x) in double, rounded once, as the reference computes it. */
@inline
function vrsqrt(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const lo = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 2, 3))));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** Phi(x), the standard normal CDF: 0.5 erfc(-x / sqrt 2), through erfc of |x| so that the lower tail keeps its digits. */
@inline
function vnormalCdf(x: v128): v128 {
  const half = f32x4.mul(f32x4.splat(0.5), verfcPositive(f32x4.mul(f32x4.abs(x), f32x4.splat(SQRT1_2))));
  return v128.bitselect(half, f32x4.sub(f32x4.splat(1.0), half), f32x4.lt(x, f32x4.splat(0)));
}

/** 2u for GELU's tanh form, u = sqrt(2/pi) (x + 0.044715 x³): 0.5 (1 + tanh(u)) is sigmoid(2u), without cancellation. */
@inline
function geluTanhArg(x: v128): v128 {
  const cube = f32x4.mul(f32x4.mul(x, x), x);
  return f32x4.mul(f32x4.splat(2 * GELU_BETA), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_KAPPA), cube)));
}

@inline
function vunary(op: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1.0);
  if (op === UNARY_neg) return f32x4.neg(x);
  if (op === UNARY_abs) return f32x4.abs(x);
  if (op === UNARY_sign) {
    // ±1, else x itself (±0), and 0 for NaN as torch.sign
    let r = v128.bitselect(one, x, f32x4.gt(x, zero));
    r = v128.bitselect(f32x4.splat(-1.0), r, f32x4.lt(x, zero));
    return v128.and(r, f32x4.eq(x, x));
  }
  if (op === UNARY_exp) return vexp(x);
  if (op === UNARY_expm1) return vexpm1(x);
  if (op === UNARY_log) return vlog(x);
  if (op === UNARY_log1p) return vlog1p(x);
  if (op === UNARY_log2) return vlog2(x);
  if (op === UNARY_log10) return vlog10(x);
  if (op === UNARY_sqrt) return f32x4.sqrt(x);
  if (op === UNARY_rsqrt) return vrsqrt(x);
  if (op === UNARY_reciprocal) return f32x4.div(one, x);
  if (op === UNARY_square) return f32x4.mul(x, x);
  if (op === UNARY_tanh) return vtanh(x);
  if (op === UNARY_sigmoid) return vsigmoid(x);
  if (op === UNARY_relu) return f32x4.max(x, zero); // max keeps NaN, and relu(-0) = +0 as in the reference
  if (op === UNARY_erf) return verf(x);
  if (op === UNARY_floor) return f32x4.floor(x);
  if (op === UNARY_ceil) return f32x4.ceil(x);
  if (op === UNARY_round) return f32x4.nearest(x);
  if (op === UNARY_trunc) return f32x4.trunc(x);
  if (op === UNARY_gelu) return f32x4.mul(x, vnormalCdf(x));
  if (op === UNARY_geluTanh) return f32x4.mul(x, vsigmoid(geluTanhArg(x)));
  // silu
  return f32x4.mul(x, vsigmoid(x));
}

// The predicates, as 0/1 masks on 4 lanes.
@inline
function vpredicate(op: i32, x: v128): v128 {
  if (op === UNARY_logicalNot) return f32x4.eq(x, f32x4.splat(0));
  if (op === UNARY_isnan) return f32x4.ne(x, x);
  const ax = f32x4.abs(x);
  if (op === UNARY_isinf) return f32x4.eq(ax, f32x4.splat(Infinity));
  return f32x4.lt(ax, f32x4.splat(Infinity)); // isfinite: false for NaN too
}

/** Four 0/-1 lanes as four bytes 0/1 at `out`. */
@inline
function storeMaskBytes(out: usize, mask: v128): void {
  const bits = v128.and(mask, i32x4.splat(1));
  v128.store32_lane(out, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(bits, bits), i16x8.splat(0)), 0);
}

@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(out + (<usize>i << 2), vunary(op, v128.load(x + (<usize>i << 2))));
}

@inline
function predicateLoop(op: i32, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) storeMaskBytes(out + <usize>i, vpredicate(op, v128.load(x + (<usize>i << 2))));
}

// One function per op, reached by op code (one large switch of inlined SIMD loops compiles markedly worse).
type Loop = (x: usize, x2: usize, out: usize, n: i32) => void;

function noLoop(x: usize, x2: usize, out: usize, n: i32): void {}

const LOOPS: StaticArray<Loop> = [
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_neg, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_abs, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_sign, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_exp, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_expm1, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_log, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_log1p, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_log2, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_log10, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_sqrt, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_rsqrt, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_reciprocal, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_square, x, out, n),
  noLoop, // sin: the reference
  noLoop, // cos: the reference
  noLoop, // tan: the reference
  noLoop, // asin: the reference
  noLoop, // acos: the reference
  noLoop, // atan: the reference
  noLoop, // sinh: the reference
  noLoop, // cosh: the reference
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_tanh, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_sigmoid, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_relu, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_erf, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_floor, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_ceil, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_round, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_trunc, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => predicateLoop(UNARY_logicalNot, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => predicateLoop(UNARY_isnan, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => predicateLoop(UNARY_isinf, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => predicateLoop(UNARY_isfinite, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_gelu, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_geluTanh, x, out, n),
  (x: usize, x2: usize, out: usize, n: i32): void => unaryLoop(UNARY_silu, x, out, n),
];

/**
 * Runs `loop` (whole vectors only) over n elements in units of `unit` elements (a multiple of 4) taken from
 * counter: the last partial vector goes through a zero-padded copy in scratch (48 bytes), so each op's code
 * exists once.
 */
@inline
function inUnits(loop: Loop, x: usize, x2: usize, out: usize, outBytes: usize, n: i32, unit: i32, counter: usize, scratch: usize): void {
  for (let u = nextUnit(counter); u * unit < n; u = nextUnit(counter)) {
    const begin = u * unit;
    const count = min(unit, n - begin);
    const whole = count & ~3;
    const at = <usize>begin << 2;
    loop(x + at, x2 + at, out + <usize>begin * outBytes, whole);
    if (whole === count) continue;
    const rest = <usize>(count - whole);
    const tail = <usize>(begin + whole);
    v128.store(scratch, i32x4.splat(0));
    v128.store(scratch, i32x4.splat(0), 16);
    memory.copy(scratch, x + (tail << 2), rest << 2);
    memory.copy(scratch + 16, x2 + (tail << 2), rest << 2);
    loop(scratch, scratch + 16, scratch + 32, 4);
    memory.copy(out + tail * outBytes, scratch + 32, rest * outBytes);
  }
}

/**
 * out[i] = op(x[i]) for float32 x, i < n; out is float32, or bytes 0/1 for logicalNot, isnan, isinf and
 * isfinite. Units of `unit` elements taken from counter; scratch: 48 bytes of the calling thread.
 */
export function unary(op: i32, x: usize, out: usize, n: i32, unit: i32, counter: usize, scratch: usize): void {
  inUnits(LOOPS[op], x, x, out, op >= UNARY_logicalNot && op <= UNARY_isfinite ? 1 : 4, n, unit, counter, scratch);
}

/** out[i] = op(x[i]) for int32 x (neg, abs, sign, relu and square wrap as int32 arithmetic does) or bool x (logicalNot). */
export function unaryInt(op: i32, x: usize, out: usize, n: i32): void {
  if (op === UNARY_logicalNot) {
    for (let i = 0; i < n; i++) store<u8>(out + <usize>i, load<u8>(x + <usize>i) === 0 ? 1 : 0);
    return;
  }
  let i = 0;
  const zero = i32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const v = v128.load(x + at);
    let r: v128;
    if (op === UNARY_neg) r = i32x4.neg(v);
    else if (op === UNARY_abs) r = i32x4.abs(v);
    else if (op === UNARY_relu) r = i32x4.max_s(v, zero);
    else if (op === UNARY_square) r = i32x4.mul(v, v);
    else r = i32x4.sub(v128.and(i32x4.gt_s(v, zero), i32x4.splat(1)), v128.and(i32x4.lt_s(v, zero), i32x4.splat(1))); // sign
    v128.store(out + at, r);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<i32>(x + at);
    let r: i32;
    if (op === UNARY_neg) r = -v;
    else if (op === UNARY_abs) r = v < 0 ? -v : v;
    else if (op === UNARY_relu) r = v > 0 ? v : 0;
    else if (op === UNARY_square) r = v * v;
    else r = v > 0 ? 1 : v < 0 ? -1 : 0;
    store<i32>(out + at, r);
  }
}

@inline
function vbackward(op: i32, g: v128, x: v128): v128 {
  const one = f32x4.splat(1.0);
  if (op === UNARY_gelu) {
    // torch: Phi(x) + x phi(x)
    const pdf = f32x4.mul(f32x4.splat(INV_SQRT_2PI), vexp(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5))));
    return f32x4.mul(g, f32x4.add(vnormalCdf(x), f32x4.mul(x, pdf)));
  }
  if (op === UNARY_geluTanh) {
    // torch: 0.5 (1 + t) + 0.5 x (1 - t²) sqrt(2/pi) (1 + 3 0.044715 x²), t = tanh(u); with s = sigmoid(2u),
    // 0.5 (1 + t) = s and 1 - t² = 4 s (1 - s), 1 - s = sigmoid(-2u) (both sigmoids from one exp)
    const v = geluTanhArg(x);
    const e = vexp(f32x4.neg(f32x4.abs(v)));
    const big = f32x4.div(one, f32x4.add(one, e));
    const small = f32x4.mul(e, big);
    const negative = f32x4.lt(v, f32x4.splat(0));
    const s = v128.bitselect(small, big, negative);
    const rest = v128.bitselect(big, small, negative);
    const inner = f32x4.mul(f32x4.splat(GELU_BETA), f32x4.add(one, f32x4.mul(f32x4.splat(3.0 * GELU_KAPPA), f32x4.mul(x, x))));
    const right = f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(2.0), x), f32x4.mul(s, rest)), inner);
    return f32x4.mul(g, f32x4.add(s, right));
  }
  // silu: s (1 + x (1 - s))
  const s = vsigmoid(x);
  return f32x4.mul(g, f32x4.mul(s, f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s)))));
}

@inline
function backwardLoop(op: i32, grad: usize, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, vbackward(op, v128.load(grad + at), v128.load(x + at)));
  }
}

const BACKWARD_LOOPS: StaticArray<Loop> = [
  (grad: usize, x: usize, out: usize, n: i32): void => backwardLoop(UNARY_gelu, grad, x, out, n),
  (grad: usize, x: usize, out: usize, n: i32): void => backwardLoop(UNARY_geluTanh, grad, x, out, n),
  (grad: usize, x: usize, out: usize, n: i32): void => backwardLoop(UNARY_silu, grad, x, out, n),
];

/** out[i] = grad[i] * op'(x[i]) for the activations gelu, geluTanh and silu (float32), in units as unary. */
export function unaryBackward(op: i32, grad: usize, x: usize, out: usize, n: i32, unit: i32, counter: usize, scratch: usize): void {
  inUnits(BACKWARD_LOOPS[op - UNARY_gelu], grad, x, out, 4, n, unit, counter, scratch);
}

// ---- casts and fills ----

/** A double to int32 as JavaScript stores it into an Int32Array (ToInt32: modulo 2^32, NaN and ±Infinity to 0). */
function toInt32(v: f64): i32 {
  if (!isFinite(v)) return 0;
  const t = Math.trunc(v);
  if (t >= -2147483648.0 && t <= 2147483647.0) return <i32>t;
  let m = t % 4294967296.0;
  if (m < 0) m += 4294967296.0;
  return <i32><u32>m;
}

@inline
function readAs(type: i32, x: usize, i: i32): f64 {
  if (type === F32) return <f64>load<f32>(x + (<usize>i << 2));
  if (type === I32) return <f64>load<i32>(x + (<usize>i << 2));
  if (type === U8) return <f64>load<u8>(x + <usize>i);
  return load<f64>(x + (<usize>i << 3));
}

@inline
function castScalar(xType: i32, x: usize, outType: i32, out: usize, i: i32): void {
  const v = readAs(xType, x, i);
  if (outType === U8) store<u8>(out + <usize>i, v !== 0 ? 1 : 0); // NaN too
  else if (outType === I32) store<i32>(out + (<usize>i << 2), toInt32(v));
  else if (outType === F32) store<f32>(out + (<usize>i << 2), <f32>v);
  else store<f64>(out + (<usize>i << 3), v);
}

/**
 * out[i] = x[i] converted from xType to outType (DTYPE codes), as the reference: float to int truncates
 * (modulo 2^32 beyond int32, as a JavaScript Int32Array stores), anything to bool is x != 0.
 */
export function cast(x: usize, xType: i32, out: usize, outType: i32, n: i32): void {
  let i = 0;
  if (xType === F32 && outType === I32) {
    const limit = f32x4.splat(2147483648.0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      if (v128.any_true(f32x4.ge(f32x4.abs(v), limit))) {
        for (let j = i; j < i + 4; j++) castScalar(F32, x, I32, out, j);
      } else {
        v128.store(out + (<usize>i << 2), i32x4.trunc_sat_f32x4_s(v)); // NaN to 0, as ToInt32
      }
    }
  } else if (xType === I32 && outType === F32) {
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), f32x4.convert_i32x4_s(v128.load(x + (<usize>i << 2))));
  } else if (xType === U8 && (outType === F32 || outType === I32)) {
    for (; i + 4 <= n; i += 4) {
      const v = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(x + <usize>i)));
      v128.store(out + (<usize>i << 2), outType === F32 ? f32x4.convert_i32x4_u(v) : v);
    }
  } else if ((xType === F32 || xType === I32) && outType === U8) {
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      storeMaskBytes(out + <usize>i, xType === F32 ? f32x4.ne(v, f32x4.splat(0)) : i32x4.ne(v, i32x4.splat(0)));
    }
  } else if (xType === F32 && outType === F64) {
    for (; i + 2 <= n; i += 2) v128.store(out + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2))));
  } else if (xType === F64 && outType === F32) {
    for (; i + 2 <= n; i += 2) v128.store64_lane(out + (<usize>i << 2), f32x4.demote_f64x2_zero(v128.load(x + (<usize>i << 3))), 0);
  }
  for (; i < n; i++) castScalar(xType, x, outType, out, i);
}

/** Fills `bytes` bytes at out with the element pattern (lo, hi) of `elemBytes` bytes (1, 4 or 8). */
export function fill(out: usize, bytes: i32, lo: i32, hi: i32, elemBytes: i32): void {
  const pattern = elemBytes === 1 ? i8x16.splat(<i8>lo)
    : elemBytes === 4 ? i32x4.splat(lo) : i64x2.splat((<i64>hi << 32) | <i64><u32>lo);
  let i = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + <usize>i, pattern);
  for (; i < bytes; i += elemBytes) {
    if (elemBytes === 1) store<u8>(out + <usize>i, <u8>lo);
    else if (elemBytes === 4) store<i32>(out + <usize>i, lo);
    else store<i64>(out + <usize>i, (<i64>hi << 32) | <i64><u32>lo);
  }
}
