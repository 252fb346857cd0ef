// Reductions, softmax and its backward. A reduction sees x as [outer, r0, k, r1] with r0 and r1 reduced
// (any shape and set of axes whose merged runs fit that pattern): out [outer, k]. Sums and products
// accumulate in float64 in the reference's order (row-major over the reduced elements), so float32 sums
// equal the reference bit for bit.

import { vexp } from './elementwise';
import {
  REDUCE_sum as SUM, REDUCE_prod as PROD, REDUCE_max as MAX, REDUCE_min as MIN, REDUCE_argmax as ARGMAX,
  REDUCE_argmin as ARGMIN, REDUCE_any as ANY, REDUCE_all as ALL, DTYPE_float32 as F32, DTYPE_int32 as I32,
  DTYPE_float64 as F64,
} from './codes';

// ---- float32 sums ----

/**
 * out[o, j] = sum over a, t of x[o, a, j, t] for x [outer, r0, k, r1], each in float64 in row-major
 * order of (a, t), as the reference. acc: k doubles.
 */
export function sumFloat32(x: usize, outer: i32, r0: i32, k: i32, r1: i32, out: usize, acc: usize): void {
  const rowBytes = (<usize>k * r1) << 2;
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, <usize>k << 3);
    let block = x + <usize>o * r0 * rowBytes;
    for (let a = 0; a < r0; a++) {
      if (r1 === 1) addColumns(block, k, acc);
      else addRuns(block, k, r1, acc);
      block += rowBytes;
    }
    const dst = out + ((<usize>o * k) << 2);
    for (let j = 0; j < k; j++) store<f32>(dst + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
  }
}

// acc[j] += x[j] for j < k, two lanes of float64 at a time.
@inline
function addColumns(x: usize, k: i32, acc: usize): void {
  let j = 0;
  for (; j + 2 <= k; j += 2) {
    const at = acc + (<usize>j << 3);
    v128.store(at, f64x2.add(v128.load(at), f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>j << 2)))));
  }
  if (j < k) store<f64>(acc + (<usize>j << 3), load<f64>(acc + (<usize>j << 3)) + <f64>load<f32>(x + (<usize>j << 2)));
}

// acc[j] += x[j, 0] + x[j, 1] + ... (left to right) for j < k over runs of n: four chains side by side to
// overlap the additions' latency.
@inline
function addRuns(x: usize, k: i32, n: i32, acc: usize): void {
  const stride = <usize>n << 2;
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const x0 = x + <usize>j * stride;
    const at = acc + (<usize>j << 3);
    let a0 = load<f64>(at), a1 = load<f64>(at, 8), a2 = load<f64>(at, 16), a3 = load<f64>(at, 24);
    for (let t = 0; t < n; t++) {
      const p = x0 + (<usize>t << 2);
      a0 += <f64>load<f32>(p);
      a1 += <f64>load<f32>(p + stride);
      a2 += <f64>load<f32>(p + 2 * stride);
      a3 += <f64>load<f32>(p + 3 * stride);
    }
    store<f64>(at, a0);
    store<f64>(at, a1, 8);
    store<f64>(at, a2, 16);
    store<f64>(at, a3, 24);
  }
  for (; j < k; j++) {
    const xr = x + <usize>j * stride;
    let s = load<f64>(acc + (<usize>j << 3));
    for (let t = 0; t < n; t++) s += <f64>load<f32>(xr + (<usize>t << 2));
    store<f64>(acc + (<usize>j << 3), s);
  }
}

// ---- every reduction, any of float32, int32 and bool ----

@inline
function identity(op: i32): f64 {
  if (op === PROD) return 1;
  if (op === MAX) return -Infinity;
  if (op === MIN) return Infinity;
  if (op === SUM || op === ANY) return 0;
  return 1; // ALL
}

@inline
function loadAs<T>(x: usize, i: usize): f64 {
  return <f64>load<T>(x + i * sizeof<T>());
}

// s folded with the n values x[at + t] (the reference's fold: max/min keep the first NaN they meet). Each op
// has its own loop written out: one shared loop taking the op, inlined with a constant, gets merged back by
// the optimizer into a loop that tests the op at every element.
@inline
function foldRun<T>(op: i32, x: usize, at: usize, n: i32, s: f64): f64 {
  if (op === SUM) {
    for (let t = 0; t < n; t++) s += loadAs<T>(x, at + t);
  } else if (op === PROD) {
    for (let t = 0; t < n; t++) s *= loadAs<T>(x, at + t);
  } else if (op === MAX) {
    for (let t = 0; t < n; t++) {
      const v = loadAs<T>(x, at + t);
      if (v > s || v != v) s = v;
    }
  } else if (op === MIN) {
    for (let t = 0; t < n; t++) {
      const v = loadAs<T>(x, at + t);
      if (v < s || v != v) s = v;
    }
  } else if (op === ANY) {
    for (let t = 0; t < n; t++) if (loadAs<T>(x, at + t) != 0) return 1;
  } else {
    for (let t = 0; t < n; t++) if (loadAs<T>(x, at + t) == 0) return 0;
  }
  return s;
}

// acc[j] folded with x[at + j] for j < k (the same, across a row).
@inline
function foldColumns<T>(op: i32, x: usize, at: usize, k: i32, acc: usize): void {
  if (op === SUM) {
    for (let j = 0; j < k; j++) store<f64>(acc + (<usize>j << 3), load<f64>(acc + (<usize>j << 3)) + loadAs<T>(x, at + j));
  } else if (op === PROD) {
    for (let j = 0; j < k; j++) store<f64>(acc + (<usize>j << 3), load<f64>(acc + (<usize>j << 3)) * loadAs<T>(x, at + j));
  } else if (op === MAX) {
    for (let j = 0; j < k; j++) {
      const v = loadAs<T>(x, at + j);
      if (v > load<f64>(acc + (<usize>j << 3)) || v != v) store<f64>(acc + (<usize>j << 3), v);
    }
  } else if (op === MIN) {
    for (let j = 0; j < k; j++) {
      const v = loadAs<T>(x, at + j);
      if (v < load<f64>(acc + (<usize>j << 3)) || v != v) store<f64>(acc + (<usize>j << 3), v);
    }
  } else if (op === ANY) {
    for (let j = 0; j < k; j++) if (loadAs<T>(x, at + j) != 0) store<f64>(acc + (<usize>j << 3), 1);
  } else {
    for (let j = 0; j < k; j++) if (loadAs<T>(x, at + j) == 0) store<f64>(acc + (<usize>j << 3), 0);
  }
}

@inline
function fold<T>(op: i32, x: usize, outer: i32, r0: i32, k: i32, r1: i32, acc: usize): void {
  const init = identity(op);
  for (let o = 0; o < outer; o++) {
    const at = acc + ((<usize>o * k) << 3);
    for (let j = 0; j < k; j++) store<f64>(at + (<usize>j << 3), init);
    for (let a = 0; a < r0; a++) {
      const row = (<usize>o * r0 + a) * k;
      if (r1 === 1) {
        foldColumns<T>(op, x, row, k, at);
        continue;
      }
      for (let j = 0; j < k; j++) {
        const cell = at + (<usize>j << 3);
        store<f64>(cell, foldRun<T>(op, x, (row + j) * r1, r1, load<f64>(cell)));
      }
    }
  }
}

// Index (in row-major order of (a, t)) of the first largest (sign 1) or smallest (sign -1) value, or of the
// first NaN. best: outer * k doubles.
@inline
function argLoop<T>(sign: f64, x: usize, outer: i32, r0: i32, k: i32, r1: i32, best: usize, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const bo = best + ((<usize>o * k) << 3);
    const io = out + ((<usize>o * k) << 2);
    for (let j = 0; j < k; j++) {
      store<f64>(bo + (<usize>j << 3), -Infinity);
      store<i32>(io + (<usize>j << 2), 0);
    }
    for (let a = 0; a < r0; a++) {
      for (let j = 0; j < k; j++) {
        const base = ((<usize>o * r0 + a) * k + j) * r1;
        let b = load<f64>(bo + (<usize>j << 3));
        let at = load<i32>(io + (<usize>j << 2));
        for (let t = 0; t < r1 && b == b; t++) {
          const v = sign * loadAs<T>(x, base + t);
          if (v > b || v != v) {
            b = v;
            at = a * r1 + t;
          }
        }
        store<f64>(bo + (<usize>j << 3), b);
        store<i32>(io + (<usize>j << 2), at);
      }
    }
  }
}

/**
 * out[o, j] = op over a, t of x[o, a, j, t] for x [outer, r0, k, r1] of dtype xType into out of outType
 * (float32, float64, int32 wrapping as JavaScript's ToInt32, or bool bytes); argmax/argmin give the row-major
 * index of (a, t). acc: outer * k doubles.
 */
export function reduce(op: i32, xType: i32, x: usize, outer: i32, r0: i32, k: i32, r1: i32, outType: i32, out: usize, acc: usize): void {
  if (op === ARGMAX || op === ARGMIN) {
    const sign: f64 = op === ARGMAX ? 1 : -1;
    if (xType === F32) argLoop<f32>(sign, x, outer, r0, k, r1, acc, out);
    else if (xType === F64) argLoop<f64>(sign, x, outer, r0, k, r1, acc, out);
    else if (xType === I32) argLoop<i32>(sign, x, outer, r0, k, r1, acc, out);
    else argLoop<u8>(sign, x, outer, r0, k, r1, acc, out);
    return;
  }
  if (xType === F32) fold<f32>(op, x, outer, r0, k, r1, acc);
  else if (xType === F64) fold<f64>(op, x, outer, r0, k, r1, acc);
  else if (xType === I32) fold<i32>(op, x, outer, r0, k, r1, acc);
  else fold<u8>(op, x, outer, r0, k, r1, acc);
  const n = <usize>outer * k;
  for (let i: usize = 0; i < n; i++) {
    const v = load<f64>(acc + (i << 3));
    if (outType === F32) store<f32>(out + (i << 2), <f32>v);
    else if (outType === F64) store<f64>(out + (i << 3), v);
    else if (outType === I32) store<i32>(out + (i << 2), isFinite(v) ? <i32><i64>v : 0);
    else store<u8>(out + i, v != 0 ? 1 : 0);
  }
}

// ---- softmax ----

/**
 * exp(d) for d <= 0 (a value minus its row's maximum), 0 below -86: exp's results there are subnormal, and
 * producing subnormals costs x86 cores a microcode assist per lane (a masked attention row is half -inf).
 * The reference's values there are below 1e-37, far under float32 rounding of any sum they join.
 */
@inline
export function expShifted(d: v128): v128 {
  const floor = f32x4.splat(-86.0);
  return v128.andnot(vexp(f32x4.pmax(d, floor)), f32x4.lt(d, floor));
}

/** The horizontal maximum of 4 lanes, ignoring NaN as the reference's `x > max` does. */
@inline
function laneMax(v: v128): f32 {
  const m = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1));
}

/** sum += the 4 lanes of v, in float64. */
@inline
export function addLanes(sum: v128, v: v128): v128 {
  return f64x2.add(f64x2.add(sum, f64x2.promote_low_f32x4(v)), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

@inline
export function total(sum: v128): f64 {
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

/**
 * The maximum of a contiguous row of n, ignoring NaN as the reference's `x > max` does, or 0 for a row of
 * -inf: what softmax and log-sum-exp subtract first.
 */
@inline
export function rowShift(xr: usize, n: i32): f32 {
  let mv = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) mv = f32x4.pmax(mv, v128.load(xr + (<usize>j << 2)));
  let m = laneMax(mv);
  for (; j < n; j++) {
    const v = load<f32>(xr + (<usize>j << 2));
    if (v > m) m = v;
  }
  return m === -Infinity ? 0 : m;
}

/** log(sum(exp(x))) of n values `stride` bytes apart, shifted by their maximum, scalar (the reference's loop). */
@inline
export function columnLogSumExp(x: usize, n: i32, stride: usize): f64 {
  let m: f32 = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(x + <usize>j * stride);
    if (v > m) m = v;
  }
  if (m === -Infinity) m = 0;
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) sum += Math.exp(<f64>(load<f32>(x + <usize>j * stride) - m));
  return <f64>m + Math.log(sum);
}

// Softmax of one contiguous row of n.
@inline
function softmaxRow(xr: usize, orow: usize, n: i32, log: bool): void {
  const rowMax = rowShift(xr, n);
  // exp(x - max) into out, summed in float64 as the reference does
  const shift = f32x4.splat(rowMax);
  let sums = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const e = expShifted(f32x4.sub(v128.load(xr + (<usize>j << 2)), shift));
    v128.store(orow + (<usize>j << 2), e);
    sums = addLanes(sums, e);
  }
  let sum = total(sums);
  for (; j < n; j++) {
    const e = <f32>Math.exp(<f64>(load<f32>(xr + (<usize>j << 2)) - rowMax));
    store<f32>(orow + (<usize>j << 2), e);
    sum += <f64>e;
  }
  if (log) {
    // (x - max) - log(sum), in the reference's order
    const lse = f32x4.splat(<f32>Math.log(sum));
    j = 0;
    for (; j + 4 <= n; j += 4) v128.store(orow + (<usize>j << 2), f32x4.sub(f32x4.sub(v128.load(xr + (<usize>j << 2)), shift), lse));
    const ls = f32x4.extract_lane(lse, 0);
    for (; j < n; j++) store<f32>(orow + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) - rowMax - ls);
  } else {
    const ts = <f32>sum;
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const at = orow + (<usize>j << 2);
      v128.store(at, f32x4.div(v128.load(at), f32x4.splat(ts)));
    }
    for (; j < n; j++) {
      const at = orow + (<usize>j << 2);
      store<f32>(at, load<f32>(at) / ts);
    }
  }
}

// Softmax of 4 interleaved columns (lanes) of n values, `stride` bytes apart.
@inline
function softmaxColumns(x: usize, out: usize, n: i32, stride: usize, log: bool): void {
  let mv = f32x4.splat(-Infinity);
  for (let j = 0; j < n; j++) mv = f32x4.pmax(mv, v128.load(x + <usize>j * stride));
  const shift = v128.bitselect(f32x4.splat(0), mv, f32x4.eq(mv, f32x4.splat(-Infinity)));
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  for (let j = 0; j < n; j++) {
    const e = expShifted(f32x4.sub(v128.load(x + <usize>j * stride), shift));
    v128.store(out + <usize>j * stride, e);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
  }
  if (log) {
    const lse = f32x4.demote_f64x2_zero(f64x2.replace_lane(f64x2.splat(Math.log(f64x2.extract_lane(lo, 0))), 1, Math.log(f64x2.extract_lane(lo, 1))));
    const lseHi = f32x4.demote_f64x2_zero(f64x2.replace_lane(f64x2.splat(Math.log(f64x2.extract_lane(hi, 0))), 1, Math.log(f64x2.extract_lane(hi, 1))));
    const l = i32x4.shuffle(lse, lseHi, 0, 1, 4, 5);
    for (let j = 0; j < n; j++) v128.store(out + <usize>j * stride, f32x4.sub(f32x4.sub(v128.load(x + <usize>j * stride), shift), l));
  } else {
    const s = i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
    for (let j = 0; j < n; j++) {
      const at = out + <usize>j * stride;
      v128.store(at, f32x4.div(v128.load(at), s));
    }
  }
}

// Softmax of one column of n values `stride` bytes apart, scalar.
@inline
function softmaxColumn(x: usize, out: usize, n: i32, stride: usize, log: bool): void {
  const lse = columnLogSumExp(x, n, stride);
  for (let j = 0; j < n; j++) {
    const d = <f64>load<f32>(x + <usize>j * stride) - lse;
    store<f32>(out + <usize>j * stride, <f32>(log ? d : Math.exp(d)));
  }
}

/** Softmax (or log-softmax) along the middle axis of x [outer, n, inner]; the maximum is subtracted first for stability. */
export function softmax(x: usize, outer: i32, n: i32, inner: i32, out: usize, log: bool): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * n * stride;
    const oo = out + <usize>o * n * stride;
    if (inner === 1) {
      softmaxRow(xo, oo, n, log);
      continue;
    }
    let i = 0;
    for (; i + 4 <= inner; i += 4) softmaxColumns(xo + (<usize>i << 2), oo + (<usize>i << 2), n, stride, log);
    for (; i < inner; i++) softmaxColumn(xo + (<usize>i << 2), oo + (<usize>i << 2), n, stride, log);
  }
}

// out = y * (g - sum(g * y)), or g - exp(y) * sum(g) (log), along one contiguous row of n.
@inline
function softmaxBackwardRow(g: usize, y: usize, out: usize, n: i32, log: bool): void {
  let sums = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const gv = v128.load(g + (<usize>j << 2));
    sums = addLanes(sums, log ? gv : f32x4.mul(gv, v128.load(y + (<usize>j << 2))));
  }
  let sum = total(sums);
  for (; j < n; j++) {
    const gv = load<f32>(g + (<usize>j << 2));
    sum += <f64>(log ? gv : gv * load<f32>(y + (<usize>j << 2)));
  }
  const s = f32x4.splat(<f32>sum);
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const at = <usize>j << 2;
    const yv = v128.load(y + at);
    const gv = v128.load(g + at);
    v128.store(out + at, log ? f32x4.sub(gv, f32x4.mul(expShifted(yv), s)) : f32x4.mul(yv, f32x4.sub(gv, s)));
  }
  const ss = <f32>sum;
  for (; j < n; j++) {
    const at = <usize>j << 2;
    const yv = load<f32>(y + at);
    const gv = load<f32>(g + at);
    store<f32>(out + at, log ? gv - <f32>Math.exp(<f64>yv) * ss : yv * (gv - ss));
  }
}

// The same over 4 columns (lanes) of n values `stride` bytes apart.
@inline
function softmaxBackwardColumns(g: usize, y: usize, out: usize, n: i32, stride: usize, log: bool): void {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  for (let j = 0; j < n; j++) {
    const gv = v128.load(g + <usize>j * stride);
    const v = log ? gv : f32x4.mul(gv, v128.load(y + <usize>j * stride));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  const s = i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
  for (let j = 0; j < n; j++) {
    const at = <usize>j * stride;
    const yv = v128.load(y + at);
    const gv = v128.load(g + at);
    v128.store(out + at, log ? f32x4.sub(gv, f32x4.mul(expShifted(yv), s)) : f32x4.mul(yv, f32x4.sub(gv, s)));
  }
}

// The same for one column, scalar.
@inline
function softmaxBackwardColumn(g: usize, y: usize, out: usize, n: i32, stride: usize, log: bool): void {
  let s: f64 = 0;
  for (let j = 0; j < n; j++) {
    const gv = <f64>load<f32>(g + <usize>j * stride);
    s += log ? gv : gv * <f64>load<f32>(y + <usize>j * stride);
  }
  for (let j = 0; j < n; j++) {
    const at = <usize>j * stride;
    const gv = <f64>load<f32>(g + at);
    const yv = <f64>load<f32>(y + at);
    store<f32>(out + at, <f32>(log ? gv - Math.exp(yv) * s : yv * (gv - s)));
  }
}

/** The backward of softmax (log: of log-softmax) along the middle axis of [outer, n, inner], from its output y. */
export function softmaxBackward(grad: usize, y: usize, outer: i32, n: i32, inner: i32, out: usize, log: bool): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const at = <usize>o * n * stride;
    if (inner === 1) {
      softmaxBackwardRow(grad + at, y + at, out + at, n, log);
      continue;
    }
    let i = 0;
    for (; i + 4 <= inner; i += 4) softmaxBackwardColumns(grad + at + (<usize>i << 2), y + at + (<usize>i << 2), out + at + (<usize>i << 2), n, stride, log);
    for (; i < inner; i++) softmaxBackwardColumn(grad + at + (<usize>i << 2), y + at + (<usize>i << 2), out + at + (<usize>i << 2), n, stride, log);
  }
}
