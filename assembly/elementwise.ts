// Float32 elementwise kernels, 4 lanes at a time. Results of +, -, *, /, sqrt equal the reference
// backend's bit for bit (a float64 result of float32 operands rounds to the float32 result); exp is a
// polynomial within 2 ulps.

import {
  BINARY_add as OP_ADD, BINARY_sub as OP_SUB, BINARY_mul as OP_MUL, BINARY_div as OP_DIV,
  LAYOUT_FULL as FULL, LAYOUT_ROW as ROW, LAYOUT_COLUMN as COLUMN, LAYOUT_SCALAR as SCALAR,
  UNARY_neg as OP_NEG, UNARY_abs as OP_ABS, UNARY_relu as OP_RELU, UNARY_square as OP_SQUARE, UNARY_sqrt as OP_SQRT,
  UNARY_exp as OP_EXP, UNARY_sigmoid as OP_SIGMOID,
  COMPARE_eq as CMP_EQ, COMPARE_ne as CMP_NE, COMPARE_lt as CMP_LT, COMPARE_le as CMP_LE, COMPARE_gt as CMP_GT, COMPARE_ge as CMP_GE,
} from './codes';

@inline
function vbinary(op: i32, x: v128, y: v128): v128 {
  if (op === OP_ADD) return f32x4.add(x, y);
  if (op === OP_SUB) return f32x4.sub(x, y);
  if (op === OP_MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

@inline
function sbinary(op: i32, x: f32, y: f32): f32 {
  if (op === OP_ADD) return x + y;
  if (op === OP_SUB) return x - y;
  if (op === OP_MUL) return x * y;
  return x / y;
}

// out[j] = x[j] op y[j] for j < cols, where a step of 0 repeats a splatted value.
@inline
function rowLoop(op: i32, x: usize, xStep: usize, xv: v128, y: usize, yStep: usize, yv: v128, out: usize, cols: i32): void {
  let j = 0;
  if (xStep !== 0 && yStep !== 0) {
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, vbinary(op, v128.load(x + o), v128.load(y + o)));
    }
  } else if (xStep !== 0) {
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, vbinary(op, v128.load(x + o), yv));
    }
  } else if (yStep !== 0) {
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, vbinary(op, xv, v128.load(y + o)));
    }
  } else {
    const v = vbinary(op, xv, yv);
    for (; j + 4 <= cols; j += 4) v128.store(out + (<usize>j << 2), v);
  }
  const xs = f32x4.extract_lane(xv, 0);
  const ys = f32x4.extract_lane(yv, 0);
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    store<f32>(out + o, sbinary(op, xStep !== 0 ? load<f32>(x + o) : xs, yStep !== 0 ? load<f32>(y + o) : ys));
  }
}

/**
 * out[r, j] = a op b over a [rows, cols] grid, each operand laid out as FULL, ROW, COLUMN (with its
 * period in rows) or SCALAR.
 */
export function binary(op: i32, a: usize, aMode: i32, aPeriod: i32, b: usize, bMode: i32, bPeriod: i32, out: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const ar = aMode === FULL ? a + <usize>r * rowBytes : aMode === ROW ? a : 0;
    const br = bMode === FULL ? b + <usize>r * rowBytes : bMode === ROW ? b : 0;
    const av = aMode === COLUMN ? v128.load32_splat(a + (<usize>(r % aPeriod) << 2)) : aMode === SCALAR ? v128.load32_splat(a) : f32x4.splat(0);
    const bv = bMode === COLUMN ? v128.load32_splat(b + (<usize>(r % bPeriod) << 2)) : bMode === SCALAR ? v128.load32_splat(b) : f32x4.splat(0);
    const o = out + <usize>r * rowBytes;
    const aStep: usize = aMode <= ROW ? 16 : 0;
    const bStep: usize = bMode <= ROW ? 16 : 0;
    if (op === OP_ADD) rowLoop(OP_ADD, ar, aStep, av, br, bStep, bv, o, cols);
    else if (op === OP_SUB) rowLoop(OP_SUB, ar, aStep, av, br, bStep, bv, o, cols);
    else if (op === OP_MUL) rowLoop(OP_MUL, ar, aStep, av, br, bStep, bv, o, cols);
    else rowLoop(OP_DIV, ar, aStep, av, br, bStep, bv, o, cols);
  }
}

// ---- unary ----


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

@inline
function vunary(op: i32, x: v128): v128 {
  if (op === OP_NEG) return f32x4.neg(x);
  if (op === OP_ABS) return f32x4.abs(x);
  if (op === OP_RELU) return f32x4.max(x, f32x4.splat(0)); // max keeps NaN, and relu(-0) = +0 as in the reference
  if (op === OP_SQUARE) return f32x4.mul(x, x);
  if (op === OP_SQRT) return f32x4.sqrt(x);
  if (op === OP_EXP) return vexp(x);
  // sigmoid: 1 / (1 + exp(-x)); exp overflow gives 1 / inf = 0 as it should
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), vexp(f32x4.neg(x))));
}

@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, vunary(op, v128.load(x + o)));
  }
  if (i < n) {
    // the tail goes through the vector path too, via a padded copy
    const tmp = memory.data(16, 16);
    v128.store(tmp, f32x4.splat(0));
    for (let j = i; j < n; j++) store<f32>(tmp + (<usize>(j - i) << 2), load<f32>(x + (<usize>j << 2)));
    v128.store(tmp, vunary(op, v128.load(tmp)));
    for (let j = i; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(tmp + (<usize>(j - i) << 2)));
  }
}

/** out[i] = op(x[i]) for i < n. */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  if (op === OP_NEG) unaryLoop(OP_NEG, x, out, n);
  else if (op === OP_ABS) unaryLoop(OP_ABS, x, out, n);
  else if (op === OP_RELU) unaryLoop(OP_RELU, x, out, n);
  else if (op === OP_SQUARE) unaryLoop(OP_SQUARE, x, out, n);
  else if (op === OP_SQRT) unaryLoop(OP_SQRT, x, out, n);
  else if (op === OP_EXP) unaryLoop(OP_EXP, x, out, n);
  else unaryLoop(OP_SIGMOID, x, out, n);
}

// ---- comparisons and masks ----


@inline
function vcompare(op: i32, x: v128, y: v128): v128 {
  if (op === CMP_EQ) return f32x4.eq(x, y);
  if (op === CMP_NE) return f32x4.ne(x, y);
  if (op === CMP_LT) return f32x4.lt(x, y);
  if (op === CMP_LE) return f32x4.le(x, y);
  if (op === CMP_GT) return f32x4.gt(x, y);
  return f32x4.ge(x, y);
}

@inline
function compareLoop(op: i32, a: usize, b: usize, bScalar: bool, out: usize, n: i32): void {
  const one = i32x4.splat(1);
  const bv = v128.load32_splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const y = bScalar ? bv : v128.load(b + (<usize>i << 2));
    const bits = v128.and(vcompare(op, v128.load(a + (<usize>i << 2)), y), one);
    const narrow = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(bits, bits), i16x8.splat(0));
    v128.store32_lane(out + <usize>i, narrow, 0);
  }
  for (; i < n; i++) {
    const x = f32x4.splat(load<f32>(a + (<usize>i << 2)));
    const y = bScalar ? bv : f32x4.splat(load<f32>(b + (<usize>i << 2)));
    store<u8>(out + <usize>i, <u8>(i32x4.extract_lane(vcompare(op, x, y), 0) & 1));
  }
}

/** out[i] = a[i] op b[i] (or b[0] when bScalar) as bytes 0/1. */
export function compare(op: i32, a: usize, b: usize, bScalar: bool, out: usize, n: i32): void {
  if (op === CMP_EQ) compareLoop(CMP_EQ, a, b, bScalar, out, n);
  else if (op === CMP_NE) compareLoop(CMP_NE, a, b, bScalar, out, n);
  else if (op === CMP_LT) compareLoop(CMP_LT, a, b, bScalar, out, n);
  else if (op === CMP_LE) compareLoop(CMP_LE, a, b, bScalar, out, n);
  else if (op === CMP_GT) compareLoop(CMP_GT, a, b, bScalar, out, n);
  else compareLoop(CMP_GE, a, b, bScalar, out, n);
}

/** out[i] = a[i] * mask[i] for a byte mask of 0/1 (relu's and dropout's backward). */
export function mulMask(a: usize, mask: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const m = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>i))));
    v128.store(out + (<usize>i << 2), f32x4.mul(v128.load(a + (<usize>i << 2)), m));
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(a + (<usize>i << 2)) * <f32>load<u8>(mask + <usize>i));
}

/** out[r, index[r, j]] += src[r, j] for src and index [rows, cols], out [rows, outCols], in row-major order. */
export function scatterAddRows(src: usize, index: usize, rows: i32, cols: i32, out: usize, outCols: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * cols) << 2);
    const ix = index + ((<usize>r * cols) << 2);
    const o = out + ((<usize>r * outCols) << 2);
    for (let j = 0; j < cols; j++) {
      const at = o + (<usize>load<i32>(ix + (<usize>j << 2)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>j << 2)));
    }
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
