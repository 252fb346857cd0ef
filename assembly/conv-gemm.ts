// Fused convolutions: per sample, im2col into a scratch buffer and a product with the weights, so the
// columns never leave wasm memory (the composed path materializes them as tensors and copies them
// in and out of wasm for every kernel). Threads share the batch dynamically: each takes the next chunk
// of samples from a shared counter (so a thread the OS descheduled holds nobody up) and runs it on its
// own scratch. A sample's output does not depend on which thread ran it, and the weight and bias
// gradients are summed per chunk (chunks are fixed, whatever the thread count) and then over chunks in
// order by the caller: every result is the same for every thread count and schedule.
//
// The products are small (one sample: at most a few hundred KiB of columns) and thin (a few dozen
// output channels, 9 taps for a one-channel 3x3 layer), so they run unpacked register-blocked loops
// rather than gemm.ts's packed GEMM: measured on W3's layers, the packing, edge tiles and zeroing of
// the general GEMM cost more than they save at these sizes.
import { im2colWalk } from './conv';

/** Floats between rows of one sample's columns: rounded up to 8 (32 bytes) so the products' vector loads do not straddle cache lines. */
export function colsPitch(l: i32): i32 {
  return (l + 7) & ~7;
}

@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * c[i][j] += Σ_p a[i][p] * b[j][p] for a [m, k] and b [n, k] row-major (rows aPitch and bPitch floats apart): the weight gradient's product,
 * whose operands both run along output positions, so neither needs packing or transposing. Blocks of
 * 4 rows of a by 2 rows of b keep 8 accumulators and 6 operands in registers; 4 positions per step.
 */
function gemmNTAccumulate(a: usize, aPitch: i32, b: usize, bPitch: i32, c: usize, m: i32, n: i32, k: i32): void {
  const k4 = k & ~3;
  const row = <usize>aPitch << 2;
  const browStride = <usize>bPitch << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * row;
    const a1 = a0 + row;
    const a2 = a1 + row;
    const a3 = a2 + row;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = b + <usize>j * browStride;
      const b1 = b0 + browStride;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const at = <usize>p << 2;
        const x0 = v128.load(b0 + at);
        const x1 = v128.load(b1 + at);
        const y0 = v128.load(a0 + at);
        s00 = f32x4.add(s00, f32x4.mul(y0, x0));
        s01 = f32x4.add(s01, f32x4.mul(y0, x1));
        const y1 = v128.load(a1 + at);
        s10 = f32x4.add(s10, f32x4.mul(y1, x0));
        s11 = f32x4.add(s11, f32x4.mul(y1, x1));
        const y2 = v128.load(a2 + at);
        s20 = f32x4.add(s20, f32x4.mul(y2, x0));
        s21 = f32x4.add(s21, f32x4.mul(y2, x1));
        const y3 = v128.load(a3 + at);
        s30 = f32x4.add(s30, f32x4.mul(y3, x0));
        s31 = f32x4.add(s31, f32x4.mul(y3, x1));
      }
      let t00 = hsum(s00), t01 = hsum(s01), t10 = hsum(s10), t11 = hsum(s11);
      let t20 = hsum(s20), t21 = hsum(s21), t30 = hsum(s30), t31 = hsum(s31);
      for (let p = k4; p < k; p++) {
        const at = <usize>p << 2;
        const x0 = load<f32>(b0 + at);
        const x1 = load<f32>(b1 + at);
        t00 += load<f32>(a0 + at) * x0; t01 += load<f32>(a0 + at) * x1;
        t10 += load<f32>(a1 + at) * x0; t11 += load<f32>(a1 + at) * x1;
        t20 += load<f32>(a2 + at) * x0; t21 += load<f32>(a2 + at) * x1;
        t30 += load<f32>(a3 + at) * x0; t31 += load<f32>(a3 + at) * x1;
      }
      const c0 = c + ((<usize>i * n + j) << 2);
      const cr = <usize>n << 2;
      store<f32>(c0, load<f32>(c0) + t00); store<f32>(c0, load<f32>(c0, 4) + t01, 4);
      store<f32>(c0 + cr, load<f32>(c0 + cr) + t10); store<f32>(c0 + cr, load<f32>(c0 + cr, 4) + t11, 4);
      store<f32>(c0 + 2 * cr, load<f32>(c0 + 2 * cr) + t20); store<f32>(c0 + 2 * cr, load<f32>(c0 + 2 * cr, 4) + t21, 4);
      store<f32>(c0 + 3 * cr, load<f32>(c0 + 3 * cr) + t30); store<f32>(c0 + 3 * cr, load<f32>(c0 + 3 * cr, 4) + t31, 4);
    }
    for (; j < n; j++) for (let r = 0; r < 4; r++) dotInto(a + <usize>(i + r) * row, b + <usize>j * browStride, c + ((<usize>(i + r) * n + j) << 2), k);
  }
  for (; i < m; i++) for (let j = 0; j < n; j++) dotInto(a + <usize>i * row, b + <usize>j * browStride, c + ((<usize>i * n + j) << 2), k);
}

// *c += Σ_p x[p] * y[p], summed as gemmNTAccumulate's blocks do (4 lanes, then the tail).
@inline
function dotInto(x: usize, y: usize, c: usize, k: i32): void {
  const k4 = k & ~3;
  let s = f32x4.splat(0);
  for (let p = 0; p < k4; p += 4) s = f32x4.add(s, f32x4.mul(v128.load(x + (<usize>p << 2)), v128.load(y + (<usize>p << 2))));
  let t = hsum(s);
  for (let p = k4; p < k; p++) t += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  store<f32>(c, load<f32>(c) + t);
}

/**
 * c = a @ b (+ bias[i] on row i when bias is not 0) for a [m, k], b [k, n], c [m, n], all row-major (rows of
 * b and c bPitch and cPitch floats apart), written (not accumulated). Unpacked: a convolution's b (one sample's columns, or its output gradient) is at most
 * a few hundred KiB and a panel of 8 columns stays in L1 while every block of 4 rows of a passes over it.
 * Blocks of 4 rows by 8 columns keep 8 accumulators, as gemm's micro-kernel.
 */
function gemmNNDirect(a: usize, b: usize, bPitch: i32, c: usize, cPitch: i32, m: i32, k: i32, n: i32, bias: usize): void {
  const arow = <usize>k << 2;
  const brow = <usize>bPitch << 2;
  const crow = <usize>cPitch << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * arow;
    const a1 = a0 + arow;
    const a2 = a1 + arow;
    const a3 = a2 + arow;
    const z0 = bias === 0 ? f32x4.splat(0) : v128.load32_splat(bias + (<usize>i << 2));
    const z1 = bias === 0 ? f32x4.splat(0) : v128.load32_splat(bias + (<usize>i << 2), 4);
    const z2 = bias === 0 ? f32x4.splat(0) : v128.load32_splat(bias + (<usize>i << 2), 8);
    const z3 = bias === 0 ? f32x4.splat(0) : v128.load32_splat(bias + (<usize>i << 2), 12);
    const c0 = c + <usize>i * crow;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let s00 = z0, s01 = z0, s10 = z1, s11 = z1, s20 = z2, s21 = z2, s30 = z3, s31 = z3;
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const x0 = v128.load(bp);
        const x1 = v128.load(bp, 16);
        const at = <usize>p << 2;
        const y0 = v128.load32_splat(a0 + at);
        s00 = f32x4.add(s00, f32x4.mul(y0, x0));
        s01 = f32x4.add(s01, f32x4.mul(y0, x1));
        const y1 = v128.load32_splat(a1 + at);
        s10 = f32x4.add(s10, f32x4.mul(y1, x0));
        s11 = f32x4.add(s11, f32x4.mul(y1, x1));
        const y2 = v128.load32_splat(a2 + at);
        s20 = f32x4.add(s20, f32x4.mul(y2, x0));
        s21 = f32x4.add(s21, f32x4.mul(y2, x1));
        const y3 = v128.load32_splat(a3 + at);
        s30 = f32x4.add(s30, f32x4.mul(y3, x0));
        s31 = f32x4.add(s31, f32x4.mul(y3, x1));
        bp += brow;
      }
      const o = c0 + (<usize>j << 2);
      v128.store(o, s00); v128.store(o, s01, 16);
      v128.store(o + crow, s10); v128.store(o + crow, s11, 16);
      v128.store(o + 2 * crow, s20); v128.store(o + 2 * crow, s21, 16);
      v128.store(o + 3 * crow, s30); v128.store(o + 3 * crow, s31, 16);
    }
    for (; j + 4 <= n; j += 4) {
      let s0 = z0, s1 = z1, s2 = z2, s3 = z3;
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const x0 = v128.load(bp);
        const at = <usize>p << 2;
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(a0 + at), x0));
        s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(a1 + at), x0));
        s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(a2 + at), x0));
        s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(a3 + at), x0));
        bp += brow;
      }
      const o = c0 + (<usize>j << 2);
      v128.store(o, s0);
      v128.store(o + crow, s1);
      v128.store(o + 2 * crow, s2);
      v128.store(o + 3 * crow, s3);
    }
    for (; j < n; j++) for (let r = 0; r < 4; r++) dotColumn(a + <usize>(i + r) * arow, b + (<usize>j << 2), brow, k, c0 + <usize>r * crow + (<usize>j << 2), bias === 0 ? 0 : load<f32>(bias + (<usize>(i + r) << 2)));
  }
  for (; i < m; i++) {
    const z = bias === 0 ? <f32>0 : load<f32>(bias + (<usize>i << 2));
    for (let j = 0; j < n; j++) dotColumn(a + <usize>i * arow, b + (<usize>j << 2), brow, k, c + <usize>i * crow + (<usize>j << 2), z);
  }
}

// *c = z + Σ_p x[p] * y[p * stride bytes], in p order (as gemmNNDirect's lanes).
@inline
function dotColumn(x: usize, y: usize, stride: usize, k: i32, c: usize, z: f32): void {
  let t = z;
  for (let p = 0; p < k; p++) t += load<f32>(x + (<usize>p << 2)) * load<f32>(y + <usize>p * stride);
  store<f32>(c, t);
}

/**
 * y[b] = W @ im2col(x[b]) (+ bias per output channel) for every sample, in chunks of chunkSize samples
 * taken from counter: x [n, c, h, w],
 * W [cout, c*kh*kw], bias [cout] or 0 for none, y [n, cout, oh*ow]. cols holds c*kh*kw*colsPitch(oh*ow) floats.
 */
export function conv2dForward(
  x: usize, weight: usize, bias: usize, y: usize, c: i32, h: i32, w: i32, cout: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  n: i32, chunkSize: i32, counter: usize, cols: usize,
): void {
  const k = c * kh * kw;
  const l = oh * ow;
  const pitch = colsPitch(l);
  for (let chunk = nextChunk(counter); chunk * chunkSize < n; chunk = nextChunk(counter)) {
    const end = min(n, (chunk + 1) * chunkSize);
    for (let b = chunk * chunkSize; b < end; b++) {
      im2colWalk(x + ((<usize>b * c * h * w) << 2), cols, 1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, true, pitch);
      gemmNNDirect(weight, cols, pitch, y + ((<usize>b * cout * l) << 2), l, cout, k, l, bias);
    }
  }
}

// The next chunk to run: the counter (an i32 the caller zeroed) incremented atomically where threads exist.
@inline
function nextChunk(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const chunk = load<i32>(counter);
  store<i32>(counter, chunk + 1);
  return chunk;
}

/**
 * The backward of conv2dForward, each output optional (0 skips it), chunks of samples taken from counter:
 * gradInput[b] = col2im(Wᵀ @ gradOut[b]) (written, not accumulated);
 * gradWeight[chunk] ([cout, c*kh*kw] per chunk) = Σ_{b in chunk} gradOut[b] @ im2col(x[b])ᵀ;
 * gradBias[chunk] ([cout] float64 per chunk) = Σ_{b in chunk} Σ_positions gradOut[b].
 * cols holds c*kh*kw*colsPitch(oh*ow) floats, weightT cout*c*kh*kw (used when gradInput is wanted).
 */
export function conv2dBackward(
  x: usize, weight: usize, gradOut: usize, gradInput: usize, gradWeight: usize, gradBias: usize,
  c: i32, h: i32, w: i32, cout: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  n: i32, chunkSize: i32, counter: usize, cols: usize, weightT: usize,
): void {
  const k = c * kh * kw;
  const l = oh * ow;
  const pitch = colsPitch(l);
  const plane = <usize>c * h * w;
  if (gradInput !== 0) {
    // Wᵀ [k, cout] once, for the input gradient's products
    for (let co = 0; co < cout; co++) {
      for (let kk = 0; kk < k; kk++) store<f32>(weightT + ((<usize>kk * cout + co) << 2), load<f32>(weight + ((<usize>co * k + kk) << 2)));
    }
  }
  for (let chunk = nextChunk(counter); chunk * chunkSize < n; chunk = nextChunk(counter)) {
    const end = min(n, (chunk + 1) * chunkSize);
    const partialWeight = gradWeight + ((<usize>chunk * cout * k) << 2);
    const partialBias = gradBias + ((<usize>chunk * cout) << 3);
    if (gradWeight !== 0) memory.fill(partialWeight, 0, (<usize>cout * k) << 2);
    if (gradBias !== 0) memory.fill(partialBias, 0, <usize>cout << 3);
    for (let b = chunk * chunkSize; b < end; b++) {
      const g = gradOut + ((<usize>b * cout * l) << 2);
      if (gradWeight !== 0) {
        im2colWalk(x + ((plane * b) << 2), cols, 1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, true, pitch);
        gemmNTAccumulate(g, l, cols, pitch, partialWeight, cout, k, l); // [cout, l] @ [k, l]ᵀ
      }
      if (gradBias !== 0) addRowSums(g, cout, l, partialBias);
      if (gradInput !== 0) {
        // Wᵀ [k, cout] @ gradOut[b] [cout, l] -> cols [k, l], then summed onto the image
        gemmNNDirect(weightT, g, l, cols, pitch, k, cout, l, 0);
        const image = gradInput + ((plane * b) << 2);
        memory.fill(image, 0, plane << 2);
        im2colWalk(image, cols, 1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, false, pitch);
      }
    }
  }
}

// out[r] (float64) += the sum of row r of g [rows, l], in float64 lanes (two pairs), then the tail.
function addRowSums(g: usize, rows: i32, l: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = g + ((<usize>r * l) << 2);
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= l; i += 4) {
      const v = v128.load(row + (<usize>i << 2));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    }
    let s = (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(hi, 0)) + (f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 1));
    for (; i < l; i++) s += <f64>load<f32>(row + (<usize>i << 2));
    const at = out + (<usize>r << 3);
    store<f64>(at, load<f64>(at) + s);
  }
}

/** out[i] = Σ_chunk partials[chunk][i] over `size` floats, chunks added in order (the weight gradient's final sum). */
export function sumChunks(partials: usize, chunks: i32, size: i32, out: usize): void {
  const stride = <usize>size << 2;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const at = <usize>i << 2;
    let s = v128.load(partials + at);
    for (let chunk = 1; chunk < chunks; chunk++) s = f32x4.add(s, v128.load(partials + <usize>chunk * stride + at));
    v128.store(out + at, s);
  }
  for (; i < size; i++) {
    const at = <usize>i << 2;
    let s = load<f32>(partials + at);
    for (let chunk = 1; chunk < chunks; chunk++) s += load<f32>(partials + <usize>chunk * stride + at);
    store<f32>(out + at, s);
  }
}
