// exp on 4 lanes for attention's softmax (sigmoid and tanh for the recurrent cells are vmath.ts's).
//
// expNormal is Cephes' expf polynomial (as elementwise.ts's vexp, so the same bits) on inputs clamped
// to [-87, 88], where 2^n stays a normal float: n is rounded with the 1.5 * 2^23 trick and its bits read
// straight off the sum, which avoids f32x4.nearest and i32x4.trunc_sat_f32x4_s (a long instruction
// sequence in V8 on x64) and the two-step scaling that vexp needs for subnormal results. Computing
// subnormals also costs a microcode assist per lane: measured on attention's softmax, where masked
// keys give exp(-inf), this exp took a quarter of vexp's time.

import { expPolynomial } from './elementwise';

/** exp(x) for x in [-87, 88] (clamped there; NaN propagates): within 2 ulps, the bits of vexp there. */
@inline
export function expNormal(x: v128): v128 {
  const magic = f32x4.splat(12582912.0); // 1.5 * 2^23: adding it rounds to an integer, kept in the low bits
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const p = expPolynomial(r);
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4B400000)), 23); // 2^n
  return f32x4.mul(p, scale);
}
