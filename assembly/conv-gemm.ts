// Fused convolutions: per sample, im2col into a scratch buffer and a GEMM with the weights, so the
// columns never leave wasm memory (the composed path materializes them as tensors and copies them
// in and out of wasm for every kernel). Threads split the batch: each runs its samples [b0, b1) on
// its own scratch, so a sample's result does not depend on the thread count, except the weight and
// bias gradients, which are summed per thread and then over threads in order.
import { MR, gemm } from './gemm';
import { im2colWalk } from './conv';

// out[i] += v over `count` floats
@inline
function addInto(out: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = out + (<usize>i << 2);
    v128.store(at, f32x4.add(v128.load(at), v128.load(src + (<usize>i << 2))));
  }
  for (; i < count; i++) {
    const at = out + (<usize>i << 2);
    store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>i << 2)));
  }
}

/**
 * y[b] = W @ im2col(x[b]) (+ bias per output channel) for b in [b0, b1): x [n, c, h, w],
 * W [cout, c*kh*kw], bias [cout] or 0 for none, y [n, cout, oh*ow]. cols holds c*kh*kw*oh*ow floats.
 */
export function conv2dForward(
  x: usize, weight: usize, bias: usize, y: usize, c: i32, h: i32, w: i32, cout: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  b0: i32, b1: i32, cols: usize, scratch: usize,
): void {
  const k = c * kh * kw;
  const l = oh * ow;
  const strips = (cout + MR - 1) / MR;
  for (let b = b0; b < b1; b++) {
    im2colWalk(x + ((<usize>b * c * h * w) << 2), cols, 1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, true);
    const out = y + ((<usize>b * cout * l) << 2);
    gemm(weight, cols, out, cout, k, l, false, false, 0, 0, 0, strips, scratch);
    if (bias === 0) continue;
    for (let co = 0; co < cout; co++) {
      const v = load<f32>(bias + (<usize>co << 2));
      const splat = f32x4.splat(v);
      const row = out + ((<usize>co * l) << 2);
      let i = 0;
      for (; i + 4 <= l; i += 4) {
        const at = row + (<usize>i << 2);
        v128.store(at, f32x4.add(v128.load(at), splat));
      }
      for (; i < l; i++) {
        const at = row + (<usize>i << 2);
        store<f32>(at, load<f32>(at) + v);
      }
    }
  }
}

/**
 * The backward of conv2dForward over samples [b0, b1), each output optional (0 skips it):
 * gradInput[b] = col2im(Wᵀ @ gradOut[b]) (written, not accumulated);
 * gradWeight (this thread's [cout, c*kh*kw]) = Σ_b gradOut[b] @ im2col(x[b])ᵀ;
 * gradBias (this thread's [cout] in float64) = Σ_b Σ_positions gradOut[b].
 * cols holds c*kh*kw*oh*ow floats, tmp cout*c*kh*kw.
 */
export function conv2dBackward(
  x: usize, weight: usize, gradOut: usize, gradInput: usize, gradWeight: usize, gradBias: usize,
  c: i32, h: i32, w: i32, cout: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  b0: i32, b1: i32, cols: usize, tmp: usize, scratch: usize,
): void {
  const k = c * kh * kw;
  const l = oh * ow;
  const plane = <usize>c * h * w;
  if (gradBias !== 0) memory.fill(gradBias, 0, <usize>cout << 3);
  if (gradWeight !== 0 && b0 === b1) memory.fill(gradWeight, 0, (<usize>cout * k) << 2);
  for (let b = b0; b < b1; b++) {
    const g = gradOut + ((<usize>b * cout * l) << 2);
    if (gradWeight !== 0) {
      im2colWalk(x + ((plane * b) << 2), cols, 1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, true);
      // [cout, l] @ [k, l]ᵀ: the first sample writes the sum, later ones add into it
      const into = b === b0 ? gradWeight : tmp;
      gemm(g, cols, into, cout, l, k, false, true, 0, 0, 0, (cout + MR - 1) / MR, scratch);
      if (b !== b0) addInto(gradWeight, tmp, cout * k);
    }
    if (gradBias !== 0) {
      for (let co = 0; co < cout; co++) {
        const row = g + ((<usize>co * l) << 2);
        let s: f64 = 0;
        for (let i = 0; i < l; i++) s += <f64>load<f32>(row + (<usize>i << 2));
        const at = gradBias + (<usize>co << 3);
        store<f64>(at, load<f64>(at) + s);
      }
    }
    if (gradInput !== 0) {
      // Wᵀ [k, cout] @ gradOut[b] [cout, l] -> cols [k, l], then summed onto the image
      gemm(weight, g, cols, k, cout, l, true, false, 0, 0, 0, (k + MR - 1) / MR, scratch);
      const image = gradInput + ((plane * b) << 2);
      memory.fill(image, 0, plane << 2);
      im2colWalk(image, cols, 1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, false);
    }
  }
}
