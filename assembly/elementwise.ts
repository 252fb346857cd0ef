// Float32 kernels, 4 lanes at a time: exp (shared by softmax and the losses) and relu's backward (binary and unary ops
// are in strided.ts and unary.ts, reductions in reduce.ts).

/** exp(r) for |r| <= ln(2) / 2 (Cephes expf's polynomial): the part of exp after its reduction to 2^n exp(r). */
@inline
export function expPolynomial(r: v128): v128 {
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  return f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
}

/** exp(x) on 4 lanes (Cephes expf): 2^n * P(r) with x = n ln2 + r, scaled in two halves so subnormal and overflowing results come out right. */
@inline
export function vexp(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const p = expPolynomial(r);
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  const y = f32x4.mul(f32x4.mul(p, s1), s2);
  // NaN in, NaN out (the clamp above turned it into a number)
  return v128.bitselect(x, y, f32x4.ne(x, x));
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
