// Fused losses of float32: cross-entropy of class indices (log-softmax, pick and label smoothing in one pass
// per row) and binary cross-entropy, each with its input gradient in one pass. A pointer of 0 is an absent
// operand (the class weights).

import { addLanes, columnLogSumExp, expShifted, rowShift, total } from './reduce';
import { vlog } from './vmath';

// ---- cross-entropy ----

@inline
function classWeight(weight: usize, c: i32): f32 {
  return weight !== 0 ? load<f32>(weight + (<usize>c << 2)) : 1;
}

/** The sum of the class weights (the class count without them). */
@inline
function weightTotal(weight: usize, classes: i32): f64 {
  if (weight === 0) return <f64>classes;
  let s: f64 = 0;
  for (let c = 0; c < classes; c++) s += <f64>load<f32>(weight + (<usize>c << 2));
  return s;
}

/** log(sum(exp(x))) of a contiguous row of n, shifted by its maximum (0 for a row of -inf). */
@inline
function rowLogSumExp(xr: usize, n: i32): f64 {
  const m = rowShift(xr, n);
  const shift = f32x4.splat(m);
  let sums = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) sums = addLanes(sums, expShifted(f32x4.sub(v128.load(xr + (<usize>j << 2)), shift)));
  let sum = total(sums);
  for (; j < n; j++) sum += Math.exp(<f64>(load<f32>(xr + (<usize>j << 2)) - m));
  return <f64>m + Math.log(sum);
}

/** sum over c of w[c] * x[c] for a contiguous row (w 1 when weight is 0). */
@inline
function rowWeightedSum(xr: usize, weight: usize, n: i32): f64 {
  let sums = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(xr + (<usize>j << 2));
    sums = addLanes(sums, weight !== 0 ? f32x4.mul(v, v128.load(weight + (<usize>j << 2))) : v);
  }
  let s = total(sums);
  for (; j < n; j++) s += <f64>(load<f32>(xr + (<usize>j << 2)) * classWeight(weight, j));
  return s;
}

/** The same along a column of n values `stride` bytes apart, scalar. */
@inline
function columnWeightedSum(x: usize, weight: usize, n: i32, stride: usize): f64 {
  let s: f64 = 0;
  for (let j = 0; j < n; j++) s += <f64>load<f32>(x + <usize>j * stride) * <f64>classWeight(weight, j);
  return s;
}

/**
 * Cross-entropy per element of input [outer, classes, inner] (logits, or log-probabilities when
 * !fromLogits) against int32 targets [outer, inner] (see ArrayKernels.crossEntropy). Returns the flat
 * index of the first target out of range (other than ignoreIndex), or -1.
 */
export function crossEntropy(
  input: usize, target: usize, weight: usize, outer: i32, classes: i32, inner: i32, ignoreIndex: i32, labelSmoothing: f64,
  fromLogits: bool, losses: usize, weights: usize, logSumExp: usize,
): i32 {
  let bad = -1;
  const total = weightTotal(weight, classes);
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const e = <usize>o * inner + i;
      const y = load<i32>(target + (e << 2));
      store<f32>(losses + (e << 2), 0);
      store<f32>(weights + (e << 2), 0);
      store<f32>(logSumExp + (e << 2), 0);
      if (y === ignoreIndex) continue;
      if (y < 0 || y >= classes) {
        if (bad < 0) bad = <i32>e;
        continue;
      }
      const at = input + ((<usize>o * classes * inner + i) << 2);
      let lse: f64 = 0;
      if (fromLogits) lse = inner === 1 ? rowLogSumExp(at, classes) : columnLogSumExp(at, classes, stride);
      const wy = <f64>classWeight(weight, y);
      let loss = -wy * (<f64>load<f32>(at + <usize>y * stride) - lse);
      if (labelSmoothing > 0) {
        const weighted = inner === 1 ? rowWeightedSum(at, weight, classes) : columnWeightedSum(at, weight, classes, stride);
        loss = (1 - labelSmoothing) * loss + (labelSmoothing / <f64>classes) * -(weighted - lse * total);
      }
      store<f32>(losses + (e << 2), <f32>loss);
      store<f32>(weights + (e << 2), <f32>wy);
      store<f32>(logSumExp + (e << 2), <f32>lse);
    }
  }
  return bad;
}

/**
 * The gradient of crossEntropy's losses with respect to its input, times `scale` (see
 * ArrayKernels.crossEntropyBackward); grad holds one value per element, or one for all.
 */
export function crossEntropyBackward(
  input: usize, logSumExp: usize, target: usize, weight: usize, outer: i32, classes: i32, inner: i32, ignoreIndex: i32,
  labelSmoothing: f64, fromLogits: bool, grad: usize, gradPerElement: bool, scale: f64, out: usize,
): void {
  const total = weightTotal(weight, classes);
  const smooth = labelSmoothing / <f64>classes;
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const e = <usize>o * inner + i;
      const y = load<i32>(target + (e << 2));
      const xr = input + ((<usize>o * classes * inner + i) << 2);
      const or = out + ((<usize>o * classes * inner + i) << 2);
      if (y === ignoreIndex || y < 0 || y >= classes) {
        for (let c = 0; c < classes; c++) store<f32>(or + <usize>c * stride, 0);
        continue;
      }
      const g = <f64>load<f32>(grad + (gradPerElement ? e << 2 : 0)) * scale;
      const pick = (1 - labelSmoothing) * <f64>classWeight(weight, y);
      // out[c] = g * (p[c] * (pick + smooth * total) - smooth * w[c]), then out[y] -= g * pick
      const pScale = <f32>(fromLogits ? g * (pick + smooth * total) : 0);
      const wScale = <f32>(g * smooth);
      const lse = load<f32>(logSumExp + (e << 2));
      if (inner === 1) {
        const ps = f32x4.splat(pScale);
        const ws = f32x4.splat(wScale);
        const shift = f32x4.splat(lse);
        let c = 0;
        for (; c + 4 <= classes; c += 4) {
          const at = <usize>c << 2;
          const w = weight !== 0 ? v128.load(weight + at) : f32x4.splat(1);
          const p = fromLogits ? expShifted(f32x4.sub(v128.load(xr + at), shift)) : f32x4.splat(0);
          v128.store(or + at, f32x4.sub(f32x4.mul(p, ps), f32x4.mul(w, ws)));
        }
        for (; c < classes; c++) {
          const at = <usize>c << 2;
          const p = fromLogits ? <f32>Math.exp(<f64>(load<f32>(xr + at) - lse)) : 0;
          store<f32>(or + at, p * pScale - classWeight(weight, c) * wScale);
        }
      } else {
        for (let c = 0; c < classes; c++) {
          const at = <usize>c * stride;
          const p = fromLogits ? <f32>Math.exp(<f64>(load<f32>(xr + at) - lse)) : 0;
          store<f32>(or + at, p * pScale - classWeight(weight, c) * wScale);
        }
      }
      const at = or + <usize>y * stride;
      store<f32>(at, load<f32>(at) - <f32>(g * pick));
    }
  }
}

// ---- binary cross-entropy ----

/**
 * out = -(y log x + (1 - y) log(1 - x)) with each log clamped to >= -100, for n elements. Returns the index
 * of the first x outside [0, 1] (or NaN), or -1.
 */
export function binaryCrossEntropy(x: usize, y: usize, out: usize, n: i32): i32 {
  let bad = -1;
  const one = f32x4.splat(1);
  const floor = f32x4.splat(-100);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const xv = v128.load(x + at);
    const yv = v128.load(y + at);
    if (bad < 0 && !i32x4.all_true(v128.and(f32x4.ge(xv, f32x4.splat(0)), f32x4.le(xv, one)))) {
      for (let j = 0; j < 4; j++) {
        const v = load<f32>(x + at + (<usize>j << 2));
        if (!(v >= 0 && v <= 1)) {
          bad = i + j;
          break;
        }
      }
    }
    const lx = f32x4.max(vlog(xv), floor);
    const l1x = f32x4.max(vlog(f32x4.sub(one, xv)), floor);
    v128.store(out + at, f32x4.neg(f32x4.add(f32x4.mul(yv, lx), f32x4.mul(f32x4.sub(one, yv), l1x))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    const t = load<f32>(y + at);
    if (bad < 0 && !(v >= 0 && v <= 1)) bad = i;
    const lx = max(<f32>Math.log(<f64>v), <f32>-100);
    const l1x = max(<f32>Math.log(<f64>(1 - v)), <f32>-100);
    store<f32>(out + at, -(t * lx + (1 - t) * l1x));
  }
  return bad;
}

/** out = grad * scale * (x - y) / max((1 - x) x, 1e-12) for n elements (grad one value per element, or one for all). */
export function binaryCrossEntropyBackward(x: usize, y: usize, grad: usize, gradPerElement: bool, scale: f32, out: usize, n: i32): void {
  const one = f32x4.splat(1);
  const floor = f32x4.splat(1e-12);
  const sv = f32x4.splat(scale);
  const g0 = load<f32>(grad) * scale;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const xv = v128.load(x + at);
    const g = gradPerElement ? f32x4.mul(v128.load(grad + at), sv) : f32x4.splat(g0);
    const d = f32x4.max(f32x4.mul(f32x4.sub(one, xv), xv), floor);
    v128.store(out + at, f32x4.mul(g, f32x4.div(f32x4.sub(xv, v128.load(y + at)), d)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    const g = gradPerElement ? load<f32>(grad + at) * scale : g0;
    store<f32>(out + at, g * ((v - load<f32>(y + at)) / max<f32>((<f32>1 - v) * v, 1e-12)));
  }
}
