// exp, sigmoid and tanh on 4 lanes for the fused recurrent cells and attention's softmax.
//
// expNormal is Cephes' expf polynomial (as elementwise.ts's vexp, so the same bits) on inputs clamped
// to [-87, 88], where 2^n stays a normal float: n is rounded with the 1.5 * 2^23 trick and its bits read
// straight off the sum, which avoids f32x4.nearest and i32x4.trunc_sat_f32x4_s (a long instruction
// sequence in V8 on x64) and the two-step scaling that vexp needs for subnormal results. Computing
// subnormals also costs a microcode assist per lane: measured on attention's softmax, where masked
// keys give exp(-inf), this exp took a quarter of vexp's time.

/** exp(x) for x in [-87, 88] (clamped there; NaN propagates): within 2 ulps, the bits of vexp there. */
@inline
export function expNormal(x: v128): v128 {
  const magic = f32x4.splat(12582912.0); // 1.5 * 2^23: adding it rounds to an integer, kept in the low bits
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4B400000)), 23); // 2^n
  return f32x4.mul(p, scale);
}

/** 1 / (1 + exp(-x)); exp's clamp only moves results below 1e-38 from the true sigmoid. */
@inline
export function vsigmoid(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expNormal(f32x4.neg(x))));
}

/**
 * tanh: a [13/6] rational approximation on [-7.9, 7.9] (Eigen's float tanh, within a few ulp), and x
 * itself below 4e-4, where tanh(x) rounds to x; NaN propagates.
 */
@inline
export function vtanh(a: v128): v128 {
  const x = f32x4.max(f32x4.min(a, f32x4.splat(7.90531110763549805)), f32x4.splat(-7.90531110763549805));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(-2.76076847742355e-16)), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(x, p);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(1.19825839466702e-6)), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(2.26843463243900e-3));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(4.89352518554385e-3));
  const tiny = f32x4.lt(f32x4.abs(a), f32x4.splat(0.0004));
  return v128.bitselect(a, f32x4.div(p, q), tiny);
}
