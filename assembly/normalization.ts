// Batch and group normalization of float32 (layer normalization is group normalization with one group and
// inner 1), forward and backward: statistics and the gradients' sums in float64, elementwise passes with
// SIMD. A pointer of 0 is an absent operand (weight, bias, running statistics, a gradient not wanted).

// ---- sums over contiguous runs, in float64 ----

@inline
function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline
function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

@inline
function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** The sum of x[0..n). */
@inline
function runSum(x: usize, n: i32): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    a = f64x2.add(a, low(v));
    b = f64x2.add(b, high(v));
  }
  let s = lanes(f64x2.add(a, b));
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

// The sums of x and x^2 over [0, n), added to sums[0] and sums[1].
@inline
function runMoments(x: usize, n: i32, sums: usize): void {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let qa = f64x2.splat(0);
  let qb = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const l = low(v);
    const h = high(v);
    a = f64x2.add(a, l);
    b = f64x2.add(b, h);
    qa = f64x2.add(qa, f64x2.mul(l, l));
    qb = f64x2.add(qb, f64x2.mul(h, h));
  }
  let s = lanes(f64x2.add(a, b));
  let q = lanes(f64x2.add(qa, qb));
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v;
    q += v * v;
  }
  store<f64>(sums, load<f64>(sums) + s);
  store<f64>(sums, load<f64>(sums, 8) + q, 8);
}

/** The sum of (x[i] - m)^2 over [0, n). */
@inline
function runSquares(x: usize, n: i32, m: f64): f64 {
  const mv = f64x2.splat(m);
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const dl = f64x2.sub(low(v), mv);
    const dh = f64x2.sub(high(v), mv);
    a = f64x2.add(a, f64x2.mul(dl, dl));
    b = f64x2.add(b, f64x2.mul(dh, dh));
  }
  let s = lanes(f64x2.add(a, b));
  for (; i < n; i++) {
    const d = <f64>load<f32>(x + (<usize>i << 2)) - m;
    s += d * d;
  }
  return s;
}

// The sums of g and of g * (x - m) over [0, n), into sums[0] and sums[1].
@inline
function runGradSums(x: usize, g: usize, n: i32, m: f64, sums: usize): void {
  const mv = f64x2.splat(m);
  let sa = f64x2.splat(0);
  let sb = f64x2.splat(0);
  let ca = f64x2.splat(0);
  let cb = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const gv = v128.load(g + (<usize>i << 2));
    const gl = low(gv);
    const gh = high(gv);
    sa = f64x2.add(sa, gl);
    sb = f64x2.add(sb, gh);
    ca = f64x2.add(ca, f64x2.mul(gl, f64x2.sub(low(v), mv)));
    cb = f64x2.add(cb, f64x2.mul(gh, f64x2.sub(high(v), mv)));
  }
  let s = lanes(f64x2.add(sa, sb));
  let c = lanes(f64x2.add(ca, cb));
  for (; i < n; i++) {
    const gs = <f64>load<f32>(g + (<usize>i << 2));
    s += gs;
    c += gs * (<f64>load<f32>(x + (<usize>i << 2)) - m);
  }
  store<f64>(sums, load<f64>(sums) + s);
  store<f64>(sums, load<f64>(sums, 8) + c, 8);
}

// ---- elementwise passes ----

/** out = (x - m) * scale + shift over [0, n). */
@inline
function runAffine(x: usize, out: usize, n: i32, m: f32, scale: f32, shift: f32): void {
  const mv = f32x4.splat(m);
  const sv = f32x4.splat(scale);
  const bv = f32x4.splat(shift);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + at), mv), sv), bv));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, (load<f32>(x + at) - m) * scale + shift);
  }
}

/** out = scale * (g * w - meanGrad - (x - m) * slope) over [0, n) (w one value). */
@inline
function runGradInput(x: usize, g: usize, out: usize, n: i32, m: f32, scale: f32, w: f32, meanGrad: f32, slope: f32): void {
  const mv = f32x4.splat(m);
  const sv = f32x4.splat(scale);
  const wv = f32x4.splat(w);
  const gv = f32x4.splat(meanGrad);
  const pv = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const d = f32x4.sub(v128.load(x + at), mv);
    v128.store(out + at, f32x4.mul(sv, f32x4.sub(f32x4.sub(f32x4.mul(v128.load(g + at), wv), gv), f32x4.mul(d, pv))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, scale * (load<f32>(g + at) * w - meanGrad - (load<f32>(x + at) - m) * slope));
  }
}

@inline
function valueOr(p: usize, i: i32, otherwise: f32): f32 {
  return p !== 0 ? load<f32>(p + (<usize>i << 2)) : otherwise;
}

// ---- batch normalization ----

/**
 * Batch normalization of x [batch, channels, inner] per channel (see ArrayKernels.batchNorm): in training
 * with the batch statistics (updating the running ones when given), else with the running statistics.
 * sums: 2 doubles of scratch.
 */
export function batchNorm(
  x: usize, batch: i32, channels: i32, inner: i32, weight: usize, bias: usize, runningMean: usize, runningVar: usize,
  training: bool, momentum: f64, eps: f64, out: usize, mean: usize, invstd: usize, sums: usize,
): void {
  const plane = <usize>inner << 2;
  const sample = <usize>channels * plane;
  const count = <f64>batch * <f64>inner;
  for (let c = 0; c < channels; c++) {
    const first = x + <usize>c * plane;
    let m: f64;
    let v: f64;
    if (training) {
      // one pass: the sums of x and x^2 in float64 (the variance loses only the float64 digits that
      // mean^2 / var takes, far below float32's for any data float32 holds meaningfully)
      store<f64>(sums, 0);
      store<f64>(sums, 0, 8);
      for (let n = 0; n < batch; n++) runMoments(first + <usize>n * sample, inner, sums);
      m = load<f64>(sums) / count;
      const q = max(load<f64>(sums, 8) - load<f64>(sums) * m, 0); // the sum of (x - m)^2
      v = q / count;
      const at = <usize>c << 2;
      if (runningMean !== 0) store<f32>(runningMean + at, <f32>((1 - momentum) * <f64>load<f32>(runningMean + at) + momentum * m));
      if (runningVar !== 0) store<f32>(runningVar + at, <f32>((1 - momentum) * <f64>load<f32>(runningVar + at) + momentum * (q / (count - 1))));
    } else {
      m = <f64>load<f32>(runningMean + (<usize>c << 2));
      v = <f64>load<f32>(runningVar + (<usize>c << 2));
    }
    const is = 1 / Math.sqrt(v + eps);
    store<f32>(mean + (<usize>c << 2), <f32>m);
    store<f32>(invstd + (<usize>c << 2), <f32>is);
    const scale = <f32>(is * <f64>valueOr(weight, c, 1));
    const shift = valueOr(bias, c, 0);
    for (let n = 0; n < batch; n++) {
      const at = <usize>n * sample + <usize>c * plane;
      runAffine(x + at, out + at, inner, <f32>m, scale, shift);
    }
  }
}

/** The backward of batchNorm (see ArrayKernels.batchNormBackward). sums: 2 doubles of scratch. */
export function batchNormBackward(
  x: usize, grad: usize, batch: i32, channels: i32, inner: i32, weight: usize, mean: usize, invstd: usize, training: bool,
  gradInput: usize, gradWeight: usize, gradBias: usize, sums: usize,
): void {
  const plane = <usize>inner << 2;
  const sample = <usize>channels * plane;
  const count = <f64>batch * <f64>inner;
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(mean + (<usize>c << 2));
    const is = <f64>load<f32>(invstd + (<usize>c << 2));
    store<f64>(sums, 0);
    store<f64>(sums, 0, 8);
    for (let n = 0; n < batch; n++) {
      const at = <usize>n * sample + <usize>c * plane;
      runGradSums(x + at, grad + at, inner, <f64>m, sums);
    }
    const sumGrad = load<f64>(sums);
    const sumGradCentered = load<f64>(sums, 8);
    if (gradBias !== 0) store<f32>(gradBias + (<usize>c << 2), <f32>sumGrad);
    if (gradWeight !== 0) store<f32>(gradWeight + (<usize>c << 2), <f32>(sumGradCentered * is));
    if (gradInput === 0) continue;
    const scale = <f32>(is * <f64>valueOr(weight, c, 1));
    const meanGrad = training ? <f32>(sumGrad / count) : 0;
    const slope = training ? <f32>((sumGradCentered * is * is) / count) : 0;
    for (let n = 0; n < batch; n++) {
      const at = <usize>n * sample + <usize>c * plane;
      runGradInput(x + at, grad + at, gradInput + at, inner, m, scale, 1, meanGrad, slope);
    }
  }
}

// ---- group (and layer) normalization ----

/**
 * Group normalization of x [batch, groups * channelsPerGroup, inner] (see ArrayKernels.groupNorm); each
 * group's values are contiguous.
 */
export function groupNorm(
  x: usize, batch: i32, groups: i32, channelsPerGroup: i32, inner: i32, weight: usize, bias: usize, eps: f64,
  out: usize, mean: usize, rstd: usize,
): void {
  const size = channelsPerGroup * inner;
  const rowBytes = <usize>size << 2;
  for (let row = 0; row < batch * groups; row++) {
    const xr = x + <usize>row * rowBytes;
    const or = out + <usize>row * rowBytes;
    const m = runSum(xr, size) / <f64>size;
    const r = 1 / Math.sqrt(runSquares(xr, size, m) / <f64>size + eps);
    store<f32>(mean + (<usize>row << 2), <f32>m);
    store<f32>(rstd + (<usize>row << 2), <f32>r);
    const firstChannel = (row % groups) * channelsPerGroup;
    if (inner === 1) {
      // one channel per element (layer normalization): vectors across the row
      const mv = f32x4.splat(<f32>m);
      const rv = f32x4.splat(<f32>r);
      const w = weight + (<usize>firstChannel << 2);
      const b = bias + (<usize>firstChannel << 2);
      let j = 0;
      for (; j + 4 <= size; j += 4) {
        const at = <usize>j << 2;
        let y = f32x4.mul(f32x4.sub(v128.load(xr + at), mv), rv);
        if (weight !== 0) y = f32x4.mul(y, v128.load(w + at));
        v128.store(or + at, bias !== 0 ? f32x4.add(y, v128.load(b + at)) : y);
      }
      for (; j < size; j++) {
        const at = <usize>j << 2;
        const y = (load<f32>(xr + at) - <f32>m) * <f32>r * (weight !== 0 ? load<f32>(w + at) : 1);
        store<f32>(or + at, bias !== 0 ? y + load<f32>(b + at) : y);
      }
      continue;
    }
    for (let k = 0; k < channelsPerGroup; k++) {
      const c = firstChannel + k;
      const at = (<usize>k * inner) << 2;
      runAffine(xr + at, or + at, inner, <f32>m, <f32>(r * <f64>valueOr(weight, c, 1)), valueOr(bias, c, 0));
    }
  }
}

/**
 * The backward of groupNorm (see ArrayKernels.groupNormBackward). scratch: 2 * channels + 2 doubles (the
 * weight and bias gradients' sums, then a group's).
 */
export function groupNormBackward(
  x: usize, grad: usize, batch: i32, groups: i32, channelsPerGroup: i32, inner: i32, weight: usize, mean: usize, rstd: usize,
  gradInput: usize, gradWeight: usize, gradBias: usize, scratch: usize,
): void {
  const channels = groups * channelsPerGroup;
  const size = channelsPerGroup * inner;
  const rowBytes = <usize>size << 2;
  const sumWeight = scratch; // per channel: sum of g * xhat
  const sumBias = scratch + (<usize>channels << 3); // per channel: sum of g
  const sums = sumBias + (<usize>channels << 3);
  memory.fill(scratch, 0, <usize>channels << 4);
  for (let row = 0; row < batch * groups; row++) {
    const xr = x + <usize>row * rowBytes;
    const gr = grad + <usize>row * rowBytes;
    const m = load<f32>(mean + (<usize>row << 2));
    const r = <f64>load<f32>(rstd + (<usize>row << 2));
    const firstChannel = (row % groups) * channelsPerGroup;
    let sumGw: f64 = 0;
    let sumGwCentered: f64 = 0;
    if (inner === 1) {
      // one channel per element: vectors across the row
      const mv = f64x2.splat(<f64>m);
      const rv = f64x2.splat(r);
      let a = f64x2.splat(0);
      let b = f64x2.splat(0);
      let j = 0;
      for (; j + 2 <= size; j += 2) {
        const c = firstChannel + j;
        const gv = f64x2.promote_low_f32x4(v128.load64_zero(gr + (<usize>j << 2)));
        const d = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(xr + (<usize>j << 2))), mv);
        const sw = sumWeight + (<usize>c << 3);
        const sb = sumBias + (<usize>c << 3);
        v128.store(sw, f64x2.add(v128.load(sw), f64x2.mul(f64x2.mul(gv, d), rv)));
        v128.store(sb, f64x2.add(v128.load(sb), gv));
        const wv = weight !== 0 ? f64x2.promote_low_f32x4(v128.load64_zero(weight + (<usize>c << 2))) : f64x2.splat(1);
        const gw = f64x2.mul(gv, wv);
        a = f64x2.add(a, gw);
        b = f64x2.add(b, f64x2.mul(gw, d));
      }
      sumGw = lanes(a);
      sumGwCentered = lanes(b);
      for (; j < size; j++) {
        const c = firstChannel + j;
        const gs = <f64>load<f32>(gr + (<usize>j << 2));
        const d = <f64>load<f32>(xr + (<usize>j << 2)) - <f64>m;
        store<f64>(sumWeight + (<usize>c << 3), load<f64>(sumWeight + (<usize>c << 3)) + gs * d * r);
        store<f64>(sumBias + (<usize>c << 3), load<f64>(sumBias + (<usize>c << 3)) + gs);
        const gw = gs * <f64>valueOr(weight, c, 1);
        sumGw += gw;
        sumGwCentered += gw * d;
      }
    } else {
      for (let k = 0; k < channelsPerGroup; k++) {
        const c = firstChannel + k;
        const at = (<usize>k * inner) << 2;
        store<f64>(sums, 0);
        store<f64>(sums, 0, 8);
        runGradSums(xr + at, gr + at, inner, <f64>m, sums);
        const sg = load<f64>(sums);
        const sgc = load<f64>(sums, 8);
        store<f64>(sumWeight + (<usize>c << 3), load<f64>(sumWeight + (<usize>c << 3)) + sgc * r);
        store<f64>(sumBias + (<usize>c << 3), load<f64>(sumBias + (<usize>c << 3)) + sg);
        const w = <f64>valueOr(weight, c, 1);
        sumGw += sg * w;
        sumGwCentered += sgc * w;
      }
    }
    if (gradInput === 0) continue;
    // dx = rstd * (g * w - mean(g * w) - xhat * mean(g * w * xhat))
    const meanGw = <f32>(sumGw / <f64>size);
    const slope = <f32>((sumGwCentered * r * r) / <f64>size);
    const ir = gradInput + <usize>row * rowBytes;
    if (inner === 1) {
      const mv = f32x4.splat(m);
      const rv = f32x4.splat(<f32>r);
      const gv = f32x4.splat(meanGw);
      const pv = f32x4.splat(slope);
      const w = weight + (<usize>firstChannel << 2);
      let j = 0;
      for (; j + 4 <= size; j += 4) {
        const at = <usize>j << 2;
        const gw = weight !== 0 ? f32x4.mul(v128.load(gr + at), v128.load(w + at)) : v128.load(gr + at);
        const d = f32x4.sub(v128.load(xr + at), mv);
        v128.store(ir + at, f32x4.mul(rv, f32x4.sub(f32x4.sub(gw, gv), f32x4.mul(d, pv))));
      }
      for (; j < size; j++) {
        const at = <usize>j << 2;
        const gw = load<f32>(gr + at) * (weight !== 0 ? load<f32>(w + at) : 1);
        store<f32>(ir + at, <f32>r * (gw - meanGw - (load<f32>(xr + at) - m) * slope));
      }
      continue;
    }
    for (let k = 0; k < channelsPerGroup; k++) {
      const at = (<usize>k * inner) << 2;
      runGradInput(xr + at, gr + at, ir + at, inner, m, <f32>r, valueOr(weight, firstChannel + k, 1), meanGw, slope);
    }
  }
  for (let c = 0; c < channels; c++) {
    if (gradWeight !== 0) store<f32>(gradWeight + (<usize>c << 2), <f32>load<f64>(sumWeight + (<usize>c << 3)));
    if (gradBias !== 0) store<f32>(gradBias + (<usize>c << 2), <f32>load<f64>(sumBias + (<usize>c << 3)));
  }
}
