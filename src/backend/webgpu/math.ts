// WGSL math for float32 kernels.
// Transcendental functions of our own where drivers' builtins are too coarse (Vulkan allows log an absolute
// error of 2^-21 near 1, sin and cos 2^-11, atan 4096 ulps): Cephes' float32 algorithms, a few ulps each.
export const MATH = `
fn logPositive(v: f32) -> f32 {
  var x = v;
  var e = 0;
  if (x < 1.17549435e-38) { x = x * 8388608.0; e = -23; } // subnormal: scale into the normal range
  let bits = bitcast<u32>(x);
  e = e + i32((bits >> 23u) & 0xffu) - 126;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f000000u); // in [0.5, 1)
  if (m < 0.707106781186547524) { e = e - 1; m = m + m - 1.0; } else { m = m - 1.0; }
  return logOnePlus(m, f32(e));
}
// log(1 + m) + e log(2) for m in [sqrt(1/2) - 1, sqrt(2) - 1]
fn logOnePlus(m: f32, fe: f32) -> f32 {
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m + 1.4249322787e-1) * m
    - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m + 3.3333331174e-1) * m * z;
  y = y - 2.12194440e-4 * fe - 0.5 * z;
  return m + y + 0.693359375 * fe;
}
// exp that propagates NaN (not every driver's does)
fn expF(x: f32) -> f32 { if (isNan(x)) { return x; } return exp(x); }
fn logF(x: f32) -> f32 {
  if (x < 0.0 || isNan(x)) { return nanF(); }
  if (x == 0.0) { return -infF(); }
  if (isInf(x)) { return x; }
  return logPositive(x);
}
// Kahan's form: the error of exp cancels in the quotient
fn expm1F(x: f32) -> f32 {
  if (x > 88.7) { return infF(); }
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  return um1 * x / logPositive(u);
}
fn log1pF(x: f32) -> f32 {
  if (x < -1.0 || isNan(x)) { return nanF(); }
  if (x == -1.0) { return -infF(); }
  if (isInf(x)) { return x; }
  if (x > -0.2928932188 && x < 0.4142135623) { return logOnePlus(x, 0.0); } // no rounding of 1 + x
  return logPositive(1.0 + x);
}
fn sqrtF(x: f32) -> f32 { if (x < 0.0) { return nanF(); } return sqrt(x); }
// sin (or cos, with cosine = true): reduction by pi/4 in three parts, then a polynomial on [-pi/4, pi/4]
fn sinCos(v: f32, cosine: bool) -> f32 {
  if (isInf(v)) { return nanF(); }
  var sgn = 1.0;
  if (!cosine && v < 0.0) { sgn = -1.0; }
  let x = abs(v);
  var j = u32(x * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j = j + 1u; y = y + 1.0; }
  j = j & 7u;
  if (j > 3u) { sgn = -sgn; j = j - 4u; }
  if (cosine && j > 1u) { sgn = -sgn; }
  let r = ((x - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  let z = r * r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  if ((j == 1u || j == 2u) != cosine) { return sgn * c; }
  return sgn * s;
}
fn asinPositive(a: f32) -> f32 {
  var x = a;
  var z: f32;
  let wide = a > 0.5;
  if (wide) { z = 0.5 * (1.0 - a); x = sqrt(z); } else { z = x * x; }
  var y = x;
  if (x >= 1e-4) { y = ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1) * z * x + x; }
  if (wide) { y = 1.5707963267948966 - (y + y); }
  return y;
}
fn asinF(x: f32) -> f32 { if (abs(x) > 1.0 || isNan(x)) { return nanF(); } return sign(x) * asinPositive(abs(x)); }
fn acosF(x: f32) -> f32 {
  if (abs(x) > 1.0 || isNan(x)) { return nanF(); }
  if (x < -0.5) { return 3.14159265358979323846 - 2.0 * asinPositive(sqrt(0.5 * (1.0 + x))); }
  if (x > 0.5) { return 2.0 * asinPositive(sqrt(0.5 * (1.0 - x))); }
  return 1.5707963267948966 - asinF(x);
}
fn atanF(v: f32) -> f32 {
  let a = abs(v);
  var x = a;
  var y = 0.0;
  if (a > 2.414213562373095) { y = 1.5707963267948966; x = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; x = (a - 1.0) / (a + 1.0); }
  let z = x * x;
  y = y + (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * x + x;
  if (v < 0.0) { return -y; }
  return y;
}
fn signBit(x: f32) -> bool { return (bitcast<u32>(x) >> 31u) == 1u; }
fn withSignOf(m: f32, s: f32) -> f32 { if (signBit(s)) { return -abs(m); } return abs(m); }
// Math.atan2's cases: signed zeros, infinities, then the quadrant of atan(y / x)
fn atan2F(y: f32, x: f32) -> f32 {
  let pi = 3.14159265358979323846;
  if (y == 0.0) { if (signBit(x)) { return withSignOf(pi, y); } return y; }
  if (isInf(x)) {
    if (isInf(y)) { return withSignOf(select(0.75 * pi, 0.25 * pi, x > 0.0), y); }
    if (x > 0.0) { return withSignOf(0.0, y); }
    return withSignOf(pi, y);
  }
  if (isInf(y) || x == 0.0) { return withSignOf(0.5 * pi, y); }
  let a = atanF(y / x);
  if (x > 0.0) { return a; }
  return a + withSignOf(pi, y);
}
fn sinhF(x: f32) -> f32 { if (abs(x) < 1.0) { let e = expm1F(x); return 0.5 * (e + e / (e + 1.0)); } return 0.5 * (exp(x) - exp(-x)); }
fn coshF(x: f32) -> f32 { let e = exp(abs(x)); return 0.5 * e + 0.5 / e; }
fn tanhF(x: f32) -> f32 {
  if (abs(x) > 10.0) { return sign(x); }
  let e = expm1F(2.0 * x);
  return e / (e + 2.0);
}
fn sigmoidF(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn signF(x: f32) -> f32 { if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } if (x == 0.0) { return x; } return 0.0; }
// W. J. Cody's rational erf, as the reference's, evaluated in f32
fn erfF(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    let p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    let q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return x * p / q;
  }
  if (ax >= 6.0) { return sign(x); }
  let c = erfcPositive(ax);
  if (x < 0.0) { return c - 1.0; }
  return 1.0 - c;
}
// 1 - erf(ax) for ax >= 0.5 (Cody's erfc), without the cancellation of 1 - erf
fn erfcPositive(ax: f32) -> f32 {
  if (ax < 4.0) {
    let p = (((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax
      + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
    let q = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax
      + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    return exp(-ax * ax) * p / q;
  }
  if (ax > 10.0) { return 0.0; }
  let z = 1.0 / (ax * ax);
  let p = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z
    + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
  let q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z
    + 2.33520497626869185e-3;
  return exp(-ax * ax) * (0.564189583547756287 - z * p / q) / ax;
}
fn erfcF(x: f32) -> f32 { if (x < 0.5) { return 1.0 - erfF(x); } return erfcPositive(x); }
// the standard normal CDF through erfc (the lower tail keeps its digits), and the activations' pieces
fn normalCdf(x: f32) -> f32 { return 0.5 * erfcF(-x * 0.7071067811865476); }
fn geluTanhArg(x: f32) -> f32 { return 1.5957691216057308 * (x + 0.044715 * x * x * x); }
// C's pow, as torch: 1 ** y and (-1) ** +-inf are 1; a negative base needs an integral exponent
fn powF(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (isNan(a) || isNan(b)) { return nanF(); }
  if (isInf(b)) {
    let m = abs(a);
    if (m == 1.0) { return 1.0; }
    if ((m > 1.0) == (b > 0.0)) { return infF(); }
    return 0.0;
  }
  if (a == 0.0) {
    let odd = fract(b * 0.5) != 0.0 && fract(b) == 0.0;
    if (b > 0.0) { if (odd) { return a; } return 0.0; }
    if (odd) { return select(infF(), -infF(), bitcast<u32>(a) != 0u); }
    return infF();
  }
  if (fract(b) == 0.0 && abs(b) <= 64.0) {
    // small integral exponents by squaring: exact to a few ulps, where exp2(b log2 a) loses digits
    var r = 1.0; var base = a; var e = u32(abs(b));
    loop { if (e == 0u) { break; } if ((e & 1u) == 1u) { r = r * base; } base = base * base; e = e >> 1u; }
    if (b < 0.0) { return 1.0 / r; }
    return r;
  }
  if (a < 0.0) {
    if (fract(b) != 0.0) { return nanF(); }
    let r = exp2(b * logPositive(-a) * 1.4426950408889634);
    if (fract(b * 0.5) != 0.0) { return -r; }
    return r;
  }
  return exp2(b * logPositive(a) * 1.4426950408889634);
}
// a - b trunc(a / b) with the quotient corrected by one where a / b rounded across an integer: exact while |a / b| < 2^24
fn fmodF(a: f32, b: f32) -> f32 {
  if (isInf(b) && !isInf(a)) { return a; }
  var r = fma(-b, trunc(a / b), a);
  if (r != 0.0 && signBit(r) != signBit(a)) { r = r + withSignOf(b, a); }
  if (abs(r) >= abs(b)) { r = r - withSignOf(b, a); }
  return r;
}
fn remainderF(a: f32, b: f32) -> f32 { let r = fmodF(a, b); if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; } return r; }
fn floorDivI(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if (q * b != a && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}
fn remainderI(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } let r = a % b; if (r != 0 && ((r < 0) != (b < 0))) { return r + b; } return r; }
fn powI(a: i32, b: i32) -> i32 {
  var r = 1; var base = a; var e = u32(max(b, 0));
  loop { if (e == 0u) { break; } if ((e & 1u) == 1u) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}
`;
