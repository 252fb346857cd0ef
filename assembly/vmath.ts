// Float32 transcendental functions on 4 lanes: range reduction and polynomials (Cephes' single precision
// ones for log, log2, log10 and tanh; fitted here for erf and expm1), with IEEE special values (NaN, ±0,
// ±Infinity, subnormals) as JavaScript's Math gives them. The error bounds, in float32 ulps against the
// reference (Math's double result rounded to float32), are measured on dense sweeps by
// test/backend/wasm/unary.test.ts and listed in docs/wasm.md.

import { vexp } from './elementwise';

const SQRTHF: f32 = 0.707106781186547524;
const MIN_NORMAL: f32 = 1.17549435e-38;

/** The lanes where x is NaN replaced by NaN (a clamp or a polynomial may have turned them into numbers). */
@inline
export function keepNaN(x: v128, y: v128): v128 {
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

// log(1 + m) - m + m²/2 for m in [sqrt(1/2) - 1, sqrt(2) - 1], divided by m³ (Cephes logf's P).
@inline
function logPoly(m: v128): v128 {
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  return f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
}

// x > 0 as 2^e * (1 + m) with 1 + m in [sqrt(1/2), sqrt(2)) (subnormals scaled by 2^23 first): the
// fraction's bits go to `reducedM`, e (float32 lanes) to `reducedE`.
let reducedM: v128 = i32x4.splat(0);
let reducedE: v128 = i32x4.splat(0);

@inline
function logReduce(x: v128): void {
  const small = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, small);
  const frac = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // in [0.5, 1)
  const below = f32x4.lt(frac, f32x4.splat(SQRTHF));
  reducedM = f32x4.sub(f32x4.add(frac, v128.and(frac, below)), f32x4.splat(1.0));
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126));
  e = i32x4.add(e, below); // below is -1 where true
  reducedE = f32x4.convert_i32x4_s(i32x4.sub(e, v128.and(small, i32x4.splat(23))));
}

// Special values of the logarithms: log(0) = -Infinity, log(x < 0) = NaN, log(Infinity) = Infinity, NaN stays.
@inline
function logSpecial(x: v128, y: v128): v128 {
  let r = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(f32x4.splat(NaN), r, v128.or(f32x4.lt(x, f32x4.splat(0)), f32x4.ne(x, x)));
}

/** For x > 0: log(1 + m) - m for the reduction's m, as Cephes: m³ P(m) - m²/2 (m and e in the reduced* globals). */
@inline
function logFraction(x: v128): v128 {
  logReduce(x);
  const m = reducedM;
  const z = f32x4.mul(m, m);
  return f32x4.sub(f32x4.mul(f32x4.mul(logPoly(m), m), z), f32x4.mul(z, f32x4.splat(0.5)));
}

/** log(x) (Cephes logf): e ln 2 + log(1 + m), ln 2 in two parts. */
@inline
export function vlog(x: v128): v128 {
  const y = logFraction(x);
  const e = reducedE;
  const r = f32x4.add(f32x4.add(reducedM, f32x4.add(y, f32x4.mul(e, f32x4.splat(-2.12194440e-4)))), f32x4.mul(e, f32x4.splat(0.693359375)));
  return logSpecial(x, r);
}

/** log2(x) (Cephes log2f: the fraction's logarithm times log2(e), in pieces ordered by size). */
@inline
export function vlog2(x: v128): v128 {
  const y = logFraction(x);
  const m = reducedM;
  const log2eMinus1 = f32x4.splat(0.44269504088896340736);
  let r = f32x4.mul(y, log2eMinus1);
  r = f32x4.add(r, f32x4.mul(m, log2eMinus1));
  r = f32x4.add(r, y);
  r = f32x4.add(r, m);
  r = f32x4.add(r, reducedE);
  return logSpecial(x, r);
}

/** log10(x) (Cephes log10f). */
@inline
export function vlog10(x: v128): v128 {
  const y = logFraction(x);
  const m = reducedM;
  const e = reducedE;
  let r = f32x4.mul(f32x4.add(m, y), f32x4.splat(7.00731903251827651129e-4));
  r = f32x4.add(r, f32x4.mul(y, f32x4.splat(4.3359375e-1)));
  r = f32x4.add(r, f32x4.mul(m, f32x4.splat(4.3359375e-1)));
  r = f32x4.add(r, f32x4.mul(e, f32x4.splat(2.48745663981195213739e-4)));
  r = f32x4.add(r, f32x4.mul(e, f32x4.splat(3.0078125e-1)));
  return logSpecial(x, r);
}

/**
 * log(1 + x) as log(u) * x / (u - 1) with u = 1 + x rounded (Goldberg's trick: the rounding error of u
 * cancels), x itself where u == 1.
 */
@inline
export function vlog1p(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const u = f32x4.add(one, x);
  const d = f32x4.sub(u, one);
  let r = f32x4.mul(vlog(u), f32x4.div(x, d));
  r = v128.bitselect(x, r, f32x4.eq(d, f32x4.splat(0))); // keeps -0 and tiny x exact
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(-1.0)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/**
 * exp(x) - 1: x = n ln2 + r with |r| <= ln2 / 2, expm1(r) by its Taylor series to r^8, then
 * 2^n (1 + p) - 1 = (2^n - 1) + 2^n p (both exact but the last addition); exp(x) - 1 above 20.
 */
@inline
export function vexpm1(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-30.0)), f32x4.splat(20.0));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(2.48015873e-5); // 1/8!
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.98412698e-4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.38888889e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.33333333e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.16666667e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.66666667e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r);
  const t = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  let y = f32x4.add(f32x4.sub(t, f32x4.splat(1.0)), f32x4.mul(t, p));
  y = v128.bitselect(f32x4.sub(vexp(x), f32x4.splat(1.0)), y, f32x4.gt(x, f32x4.splat(20.0)));
  y = v128.bitselect(x, y, f32x4.eq(x, f32x4.splat(0))); // expm1(-0) = -0
  return keepNaN(x, y);
}

/** tanh(x) (Cephes tanhf): an odd polynomial below 0.625, else 1 - 2 / (exp(2|x|) + 1) with x's sign. */
@inline
export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = vexp(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return keepNaN(x, v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625))));
}

/** 1 / (1 + exp(-x)), as exp(x) / (1 + exp(x)) for x < 0 so that tiny results keep their digits. */
@inline
export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(f32x4.mul(e, s), s, f32x4.lt(x, f32x4.splat(0)));
}

// erf and erfc: x P(x²) for |x| < 0.921875; erfc(a) = exp(Q(a)) above, Q a fit of log(erfc) on
// [0.921875, 3.925] (degree 8, erf's range: beyond it erf rounds to ±1) and on [3.925, 10.05] (degree 6, for
// erfc's tail, which GELU needs); erfc(a) < 2^-149 beyond 10.05. Least-squares fits in double (relative to
// erfc), coefficients rounded to float32.
const ERF_SMALL: f32 = 0.921875;
const ERF_MID: f32 = 3.925;
const ERFC_TAIL: f32 = 10.05;

@inline
function erfSmall(x: v128): v128 {
  const t = f32x4.mul(x, x);
  let p = f32x4.splat(-0.0005986210890114307);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.004992183297872543));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.026765864342451096));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.1128179281949997));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.37612491846084595));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.1283791065216064));
  return f32x4.mul(p, x);
}

/** log(erfc(a)) for a in [0.921875, 3.925] (a is clamped to it). */
@inline
function logErfcMid(a: v128): v128 {
  const x = f32x4.min(a, f32x4.splat(ERF_MID));
  let q = f32x4.splat(1.2122266070946353e-06);
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-3.870250657200813e-05));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(0.0005429306183941662));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.004541626200079918));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(0.025888238102197647));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.109273262321949));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.6325657367706299));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-1.1298574209213257));
  return f32x4.add(f32x4.mul(q, x), f32x4.splat(0.00023886197595857084));
}

/** log(erfc(a)) for a in [3.925, 10.05] (clamped). */
@inline
function logErfcTail(a: v128): v128 {
  const x = f32x4.min(f32x4.max(a, f32x4.splat(ERF_MID)), f32x4.splat(ERFC_TAIL));
  let q = f32x4.splat(1.2100872481823899e-06);
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-6.174341979203746e-05));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(0.001356054563075304));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.016872964799404144));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.8665183782577515));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.7698131799697876));
  return f32x4.add(f32x4.mul(q, x), f32x4.splat(-0.2532425820827484));
}

/** erf(x), within 2 ulps. */
@inline
export function verf(x: v128): v128 {
  const ax = f32x4.abs(x);
  let large = f32x4.sub(f32x4.splat(1.0), vexp(logErfcMid(ax)));
  large = v128.bitselect(f32x4.splat(1.0), large, f32x4.gt(ax, f32x4.splat(ERF_MID)));
  large = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return keepNaN(x, v128.bitselect(erfSmall(x), large, f32x4.lt(ax, f32x4.splat(ERF_SMALL))));
}

/** erfc(a) for a >= 0 (NaN stays), with relative accuracy in the tail (no 1 - erf cancellation above 0.921875). */
@inline
export function verfcPositive(a: v128): v128 {
  const q = v128.bitselect(logErfcMid(a), logErfcTail(a), f32x4.lt(a, f32x4.splat(ERF_MID)));
  let r = v128.bitselect(f32x4.sub(f32x4.splat(1.0), erfSmall(a)), vexp(q), f32x4.lt(a, f32x4.splat(ERF_SMALL)));
  r = v128.bitselect(f32x4.splat(0), r, f32x4.gt(a, f32x4.splat(ERFC_TAIL)));
  return keepNaN(a, r);
}
