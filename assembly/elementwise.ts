// Float32 kernels, 4 lanes at a time: exp, sums, softmax, relu's backward (binary and unary ops are in
// strided.ts and unary.ts). Sums equal the reference's bit for bit; exp is a polynomial within 2 ulps.

/** exp(x) on 4 lanes (Cephes expf): 2^n * P(r) with x = n ln2 + r, scaled in two halves so subnormal and overflowing results come out right. */
@inline
export function vexp(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  const y = f32x4.mul(f32x4.mul(p, s1), s2);
  // NaN in, NaN out (the clamp above turned it into a number)
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

// ---- reductions ----

/**
 * out[o, i] = sum over r of x[o, r, i] for x viewed as [outer, size, inner], inner >= 2. Sums in
 * float64 in the reference's order (r ascending), so results equal it bit for bit. acc: inner doubles.
 */
export function sumAxis(x: usize, outer: i32, size: i32, inner: i32, out: usize, acc: usize): void {
  const pairs = inner & ~1;
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, <usize>inner << 3);
    let row = x + ((<usize>o * size * inner) << 2);
    for (let r = 0; r < size; r++) {
      let i = 0;
      for (; i < pairs; i += 2) {
        const at = acc + (<usize>i << 3);
        v128.store(at, f64x2.add(v128.load(at), f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>i << 2)))));
      }
      if (i < inner) {
        const at = acc + (<usize>i << 3);
        store<f64>(at, load<f64>(at) + <f64>load<f32>(row + (<usize>i << 2)));
      }
      row += <usize>inner << 2;
    }
    const dst = out + ((<usize>o * inner) << 2);
    for (let i = 0; i < inner; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
  }
}

/** Softmax (or log-softmax) over rows of length n; the row max is subtracted first for stability. */
export function softmax(x: usize, rows: i32, n: i32, out: usize, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * n) << 2);
    const orow = out + ((<usize>r * n) << 2);
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= n; j += 4) mv = f32x4.pmax(mv, v128.load(xr + (<usize>j << 2)));
    let rowMax = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < n; j++) {
      const v = load<f32>(xr + (<usize>j << 2));
      if (v > rowMax) rowMax = v;
    }
    if (rowMax === -Infinity) rowMax = 0;
    // exp(x - max) into out, summed in float64 as the reference does
    const shift = f32x4.splat(rowMax);
    let sum: f64 = 0;
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const e = vexp(f32x4.sub(v128.load(xr + (<usize>j << 2)), shift));
      v128.store(orow + (<usize>j << 2), e);
      sum += <f64>f32x4.extract_lane(e, 0) + <f64>f32x4.extract_lane(e, 1) + <f64>f32x4.extract_lane(e, 2) + <f64>f32x4.extract_lane(e, 3);
    }
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
      const total = f32x4.splat(<f32>sum);
      j = 0;
      for (; j + 4 <= n; j += 4) {
        const at = orow + (<usize>j << 2);
        v128.store(at, f32x4.div(v128.load(at), total));
      }
      const ts = f32x4.extract_lane(total, 0);
      for (; j < n; j++) {
        const at = orow + (<usize>j << 2);
        store<f32>(at, load<f32>(at) / ts);
      }
    }
  }
}

/**
 * out[r] = sum of row r of x [rows, n], each in float64 from left to right as the reference does (so
 * bit-identical); four rows run side by side to overlap the additions' latency.
 */
export function sumRows(x: usize, rows: i32, n: i32, out: usize): void {
  const stride = <usize>n << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = x + <usize>r * stride;
    let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
    for (let j = 0; j < n; j++) {
      const at = x0 + (<usize>j << 2);
      a0 += <f64>load<f32>(at);
      a1 += <f64>load<f32>(at + stride);
      a2 += <f64>load<f32>(at + 2 * stride);
      a3 += <f64>load<f32>(at + 3 * stride);
    }
    store<f32>(out + (<usize>r << 2), <f32>a0);
    store<f32>(out + (<usize>r << 2), <f32>a1, 4);
    store<f32>(out + (<usize>r << 2), <f32>a2, 8);
    store<f32>(out + (<usize>r << 2), <f32>a3, 12);
  }
  for (; r < rows; r++) {
    const xr = x + <usize>r * stride;
    let a: f64 = 0;
    for (let j = 0; j < n; j++) a += <f64>load<f32>(xr + (<usize>j << 2));
    store<f32>(out + (<usize>r << 2), <f32>a);
  }
}

/** out[i] = y[i] > 0 ? grad[i] : 0 (relu's backward from its output, as torch's threshold_backward). */
export function reluBackward(grad: usize, y: usize, out: usize, n: i32): void {
  let i = 0;
  const zero = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, v128.and(v128.load(grad + at), f32x4.gt(v128.load(y + at), zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(y + at) > 0 ? load<f32>(grad + at) : 0);
  }
}
