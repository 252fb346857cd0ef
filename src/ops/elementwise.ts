import type { ActivationOp, BinaryOp, UnaryOp } from '../backend/backend.js';
import { needsGrad, record } from '../autograd/record.js';
import { scoped } from '../autograd/scope.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { type DType, isFloating, resultType } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, asTensor, backendOf, emptyTensor, readsSync } from './util.js';
import { min, sumTo } from './reduce.js';

type UnaryGrad = (g: Tensor, x: Tensor, out: Tensor) => Tensor;

const FLOAT_RESULT = new Set<UnaryOp>([
  'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'erf', 'gelu', 'geluTanh', 'silu',
]);
const BOOL_RESULT = new Set<UnaryOp>(['logicalNot', 'isnan', 'isinf', 'isfinite']);

function unaryDtype(op: UnaryOp, dtype: DType): DType {
  if (BOOL_RESULT.has(op)) return 'bool';
  if (FLOAT_RESULT.has(op) && !isFloating(dtype)) return 'float32';
  if (dtype === 'bool' && op !== 'copy') return op === 'abs' || op === 'relu' ? 'bool' : 'int32';
  return dtype;
}

const capitalized = (op: string) => op[0].toUpperCase() + op.slice(1) + 'Backward';
const UNARY_NAMES = new Map<string, string>();
const BINARY_NAMES = new Map<string, string>();

export function unaryOp(op: UnaryOp, x: Tensor, grad?: UnaryGrad, saveInput = true): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${typeof x}`);
  const b = backendOf(op, x);
  const out = emptyTensor(x.shape, unaryDtype(op, x.dtype), b, op);
  b.unary(op, x.storage, out.storage);
  if (!grad || !needsGrad(x)) return out;
  let name = UNARY_NAMES.get(op);
  if (name === undefined) UNARY_NAMES.set(op, (name = capitalized(op)));
  return record(out, name, [x], (g) => [grad(g, x, out)], saveInput ? [x, out] : [out]);
}

const COMPARISON = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);

type BinaryGrad = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];

export function binaryOp(op: BinaryOp, aIn: TensorLike, bIn: TensorLike, grad?: BinaryGrad): Tensor {
  let a: Tensor;
  let b: Tensor;
  if (aIn instanceof Tensor) {
    a = aIn;
    b = bIn instanceof Tensor ? bIn : asTensor(bIn, a);
  } else if (bIn instanceof Tensor) {
    b = bIn;
    a = asTensor(aIn, b);
  } else {
    throw new Error(`${op}: expected at least one Tensor argument`);
  }
  const device = backendOf(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  // numbers became 0-d tensors above, so torch's rule for 0-d operands also covers Python-style scalars
  let dtype = a.dtype === b.dtype ? a.dtype : resultType(a.dtype, a.ndim === 0, b.dtype, b.ndim === 0);
  if (COMPARISON.has(op)) dtype = 'bool';
  else if (op === 'div' && !isFloating(dtype)) dtype = 'float32';
  else if (dtype === 'bool' && op !== 'maximum' && op !== 'minimum') {
    // torch: bool + bool is logical or, bool * bool logical and, bool - bool an error
    if (op === 'add' || op === 'mul') op = op === 'add' ? 'logicalOr' : 'logicalAnd';
    else if (op === 'sub') throw new Error('sub: subtraction of two bool tensors is not supported; use logicalXor or logicalNot');
    else dtype = 'int32';
  }
  const out = emptyTensor(shape, dtype, device, op);
  device.binary(op, a.storage, a.shape, b.storage, b.shape, out.storage, shape);
  if (!grad || !needsGrad(a, b)) return out;
  let name = BINARY_NAMES.get(op);
  if (name === undefined) BINARY_NAMES.set(op, (name = capitalized(op)));
  return record(out, name, [a, b], (g) => {
    const [ga, gb] = grad(g, a, b, out);
    return [ga && a.requiresGrad ? sumTo(ga, a.shape) : null, gb && b.requiresGrad ? sumTo(gb, b.shape) : null];
  }, [a, b]);
}

// ---- arithmetic ----

/** a + alpha * b, with broadcasting. @example add(x, 1) */
export function add(a: TensorLike, b: TensorLike, alpha = 1): Tensor {
  if (alpha !== 1) return add(a, mul(b, alpha));
  return binaryOp('add', a, b, addGrad);
}

export function sub(a: TensorLike, b: TensorLike, alpha = 1): Tensor {
  if (alpha !== 1) return sub(a, mul(b, alpha));
  return binaryOp('sub', a, b, subGrad);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('mul', a, b, mulGrad);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('div', a, b, divGrad);
}

const isIntegral = (t: TensorLike) => (t instanceof Tensor ? !isFloating(t.dtype) : Number.isInteger(t));

/** a ** b, with PyTorch's gradients (see powGrad). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (isIntegral(a) && isIntegral(b)) {
    const negative = b instanceof Tensor ? (b.numel > 0 && readsSync(b) ? min(b).item() : 0) : b; // (a GPU cannot check)
    if (negative < 0) throw new Error(`pow: integers to negative integer powers are not allowed (exponent ${negative})`);
  }
  return binaryOp('pow', a, b, powGrad);
}

const addGrad: BinaryGrad = (g) => [g, g];
const subGrad: BinaryGrad = (g) => [g, neg(g)];
const mulGrad: BinaryGrad = (g, x, y) => [x.requiresGrad ? mul(g, y) : null, y.requiresGrad ? mul(g, x) : null];
const divGrad: BinaryGrad = (g, x, y) => [
  x.requiresGrad ? div(g, y) : null,
  y.requiresGrad ? neg(div(mul(g, x), mul(y, y))) : null,
];
// d/dx is masked to 0 where the exponent is 0 (so 0 ** 0 has no NaN gradient); d/dy uses log(x) and is
// 0 where x == 0 and y >= 0, both as in PyTorch.
const powGrad: BinaryGrad = (g, x, y, out) => {
  let ga: Tensor | null = null;
  if (x.requiresGrad && !y.requiresGrad && y.numel === 1 && readsSync(y)) {
    const e = y.item(); // a constant exponent, the common case: skip the masking
    ga = e === 0 ? mul(g, 0) : e === 2 ? mul(g, mul(x, 2)) : mul(g, mul(pow(x, e - 1), e));
  } else if (x.requiresGrad) {
    ga = mul(g, where(eq(y, 0), 0, mul(y, pow(x, sub(y, 1)))));
  }
  let gb: Tensor | null = null;
  if (y.requiresGrad) {
    const zeroBase = logicalAnd(eq(x, 0), ge(y, 0));
    gb = where(zeroBase, 0, mul(g, mul(out, log(where(zeroBase, 1, x)))));
  }
  return [ga, gb];
};

export function neg(x: Tensor): Tensor {
  return unaryOp('neg', x, (g) => neg(g), false);
}

/** Gradient splits evenly where a == b, as PyTorch does. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('maximum', a, b, (g, x, y) => {
    const half = mul(eq(x, y), 0.5);
    const wa = add(gt(x, y), half);
    return [mul(g, wa), mul(g, sub(1, wa))];
  });
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('minimum', a, b, (g, x, y) => {
    const half = mul(eq(x, y), 0.5);
    const wa = add(lt(x, y), half);
    return [mul(g, wa), mul(g, sub(1, wa))];
  });
}

export function atan2(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('atan2', a, b, (g, y, x) => {
    const r2 = add(mul(x, x), mul(y, y));
    return [mul(g, div(x, r2)), mul(g, div(neg(y), r2))];
  });
}

/** Python-style remainder (the sign of the divisor). */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('remainder', a, b, (g, x, y) => [g, y.requiresGrad ? mul(g, neg(floor(div(x, y)))) : null]);
}

export function fmod(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('fmod', a, b, (g, x, y) => [g, y.requiresGrad ? mul(g, neg(trunc(div(x, y)))) : null]);
}

export function floorDivide(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('floorDivide', a, b);
}

// ---- comparisons (bool results, no gradient) ----
export const eq = (a: TensorLike, b: TensorLike): Tensor => binaryOp('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lt', a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => binaryOp('le', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ge', a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binaryOp('logicalAnd', a, b);
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binaryOp('logicalOr', a, b);
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => binaryOp('logicalXor', a, b);
export const logicalNot = (x: Tensor): Tensor => unaryOp('logicalNot', x);
export const isnan = (x: Tensor): Tensor => unaryOp('isnan', x);
export const isinf = (x: Tensor): Tensor => unaryOp('isinf', x);
export const isfinite = (x: Tensor): Tensor => unaryOp('isfinite', x);

/** Elementwise choice: `a` where `condition` is true, else `b`, with broadcasting of all three. */
export function where(condition: Tensor, aIn: TensorLike, bIn: TensorLike): Tensor {
  if (!(condition instanceof Tensor)) throw new Error('where: condition must be a Tensor');
  if (condition.dtype !== 'bool') throw new Error(`where: condition must be a bool tensor (use a comparison such as x.gt(0)), got dtype ${condition.dtype}`);
  if (!(aIn instanceof Tensor) && !(bIn instanceof Tensor)) {
    aIn = asTensor(aIn, condition.dtype === 'bool' ? asTensor(0.5, condition) : condition);
  }
  const a = aIn instanceof Tensor ? aIn : asTensor(aIn, bIn as Tensor);
  const b = bIn instanceof Tensor ? bIn : asTensor(bIn, a);
  const shape = broadcastShapes(broadcastShapes(condition.shape, a.shape, 'where'), b.shape, 'where');
  const device = backendOf('where', condition, a, b);
  const out = emptyTensor(shape, resultType(a.dtype, a.ndim === 0, b.dtype, b.ndim === 0), device);
  device.where(condition.storage, condition.shape, a.storage, a.shape, b.storage, b.shape, out.storage, shape);
  if (!needsGrad(a, b)) return out;
  return record(out, 'WhereBackward', [a, b], (g) => [
    a.requiresGrad ? sumTo(where(condition, g, 0), a.shape) : null,
    b.requiresGrad ? sumTo(where(condition, 0, g), b.shape) : null,
  ]);
}

/** Limits values to [min, max]; either bound may be omitted (null). Gradient passes where not clipped. */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  if (min == null && max == null) throw new Error("clamp: at least one of 'min' or 'max' must not be null");
  let out = x;
  if (min != null) out = maximumNoSplit(out, min, 'ge');
  if (max != null) out = maximumNoSplit(out, max, 'le');
  return out;
}

// clamp's gradient flows to x at the boundary (PyTorch), unlike maximum's even split.
function maximumNoSplit(x: Tensor, bound: TensorLike, keep: 'ge' | 'le'): Tensor {
  return binaryOp(keep === 'ge' ? 'maximum' : 'minimum', x, bound, (g, a, b) => {
    const mask = keep === 'ge' ? ge(a, b) : le(a, b);
    return [where(mask, g, 0), where(mask, 0, g)];
  });
}

// ---- unary math ----
export const abs = (x: Tensor): Tensor => unaryOp('abs', x, (g, a) => mul(g, sign(a)));
export const sign = (x: Tensor): Tensor => unaryOp('sign', x, (g) => mul(g, 0));
export const exp = (x: Tensor): Tensor => unaryOp('exp', x, (g, _a, out) => mul(g, out));
export const expm1 = (x: Tensor): Tensor => unaryOp('expm1', x, (g, _a, out) => mul(g, add(out, 1)));
export const log = (x: Tensor): Tensor => unaryOp('log', x, (g, a) => div(g, a));
export const log1p = (x: Tensor): Tensor => unaryOp('log1p', x, (g, a) => div(g, add(a, 1)));
export const log2 = (x: Tensor): Tensor => unaryOp('log2', x, (g, a) => div(g, mul(a, Math.LN2)));
export const log10 = (x: Tensor): Tensor => unaryOp('log10', x, (g, a) => div(g, mul(a, Math.LN10)));
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x, (g, _a, out) => div(g, mul(out, 2)));
export const rsqrt = (x: Tensor): Tensor => unaryOp('rsqrt', x, (g, _a, out) => mul(g, mul(pow(out, 3), -0.5)));
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x, (g, _a, out) => neg(mul(g, mul(out, out))));
export const square = (x: Tensor): Tensor => unaryOp('square', x, (g, a) => mul(g, mul(a, 2)));
export const sin = (x: Tensor): Tensor => unaryOp('sin', x, (g, a) => mul(g, cos(a)));
export const cos = (x: Tensor): Tensor => unaryOp('cos', x, (g, a) => neg(mul(g, sin(a))));
export const tan = (x: Tensor): Tensor => unaryOp('tan', x, (g, _a, out) => mul(g, add(mul(out, out), 1)));
export const asin = (x: Tensor): Tensor => unaryOp('asin', x, (g, a) => div(g, sqrt(sub(1, mul(a, a)))));
export const acos = (x: Tensor): Tensor => unaryOp('acos', x, (g, a) => neg(div(g, sqrt(sub(1, mul(a, a))))));
export const atan = (x: Tensor): Tensor => unaryOp('atan', x, (g, a) => div(g, add(mul(a, a), 1)));
export const sinh = (x: Tensor): Tensor => unaryOp('sinh', x, (g, a) => mul(g, cosh(a)));
export const cosh = (x: Tensor): Tensor => unaryOp('cosh', x, (g, a) => mul(g, sinh(a)));
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x, (g, _a, out) => mul(g, sub(1, mul(out, out))));
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x, (g, _a, out) => mul(g, mul(out, sub(1, out))));
export const erf = (x: Tensor): Tensor => unaryOp('erf', x, (g, a) => mul(g, mul(exp(neg(mul(a, a))), 2 / Math.sqrt(Math.PI))));
export const floor = (x: Tensor): Tensor => unaryOp('floor', x, (g) => mul(g, 0));
export const ceil = (x: Tensor): Tensor => unaryOp('ceil', x, (g) => mul(g, 0));
/** Rounds half to even, as torch.round. */
export const round = (x: Tensor): Tensor => unaryOp('round', x, (g) => mul(g, 0));
export const trunc = (x: Tensor): Tensor => unaryOp('trunc', x, (g) => mul(g, 0));

/** A copy with its own storage; the gradient passes through. @example const y = clone(x); */
export const clone = (x: Tensor): Tensor => unaryOp('copy', x, (g) => g, false);

// ---- activations ----
/** max(x, 0); the gradient at 0 is 0, as in PyTorch. */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x, (g, _a, out) => reluGrad(g, out), false);

// relu's backward: one backend kernel when the gradient need not be differentiable (no createGraph),
// else grad * (out > 0) with ops.
function reluGrad(g: Tensor, out: Tensor): Tensor {
  if (isGradEnabled() || g.dtype !== out.dtype) return mul(g, gt(out, 0));
  const b = backendOf('relu', g, out);
  const result = emptyTensor(out.shape, out.dtype, b);
  b.reluBackward(g.storage, out.storage, result.storage);
  return result;
}

/** x where x > 0, else negativeSlope * x. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return scoped(() => where(gt(x, 0), x, mul(x, negativeSlope)));
}

/** x where x > 0, else alpha * (exp(x) - 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  // expm1 of min(x, 0) keeps the unused branch finite, so its zero gradient stays zero; clamp (not minimum,
  // which splits ties) so that the gradient at exactly 0 is alpha, as in torch
  return scoped(() => where(gt(x, 0), x, mul(expm1(clamp(x, null, 0)), alpha)));
}

/**
 * Gaussian error linear unit. approximate 'none' is x * Phi(x) with the exact erf; 'tanh' is the
 * tanh approximation of Hendrycks & Gimpel, as torch.nn.functional.gelu(approximate='tanh').
 * @example gelu(tensor([-1, 0, 1])) // [-0.1587, 0, 0.8413]
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  const op = approximate === 'tanh' ? 'geluTanh' : 'gelu';
  return unaryOp(op, x, (g, a) => activationGrad(op, g, a));
}

/** x * sigmoid(x), also called swish. @example silu(tensor([-1, 0, 1])) // [-0.2689, 0, 0.7311] */
export function silu(x: Tensor): Tensor {
  return unaryOp('silu', x, (g, a) => activationGrad('silu', g, a));
}

// An activation's backward: one backend kernel when the gradient need not be differentiable (no
// createGraph), else grad * op'(x) written with ops (PyTorch's formulas), as reluGrad.
function activationGrad(op: ActivationOp, g: Tensor, x: Tensor): Tensor {
  if (isGradEnabled() || g.dtype !== x.dtype) return mul(g, activationDerivative(op, x));
  const b = backendOf(op, g, x);
  const result = emptyTensor(x.shape, x.dtype, b);
  b.unaryBackward(op, g.storage, x.storage, result.storage);
  return result;
}

const GELU_BETA = Math.sqrt(2 / Math.PI);
const GELU_KAPPA = 0.044715;

function activationDerivative(op: ActivationOp, x: Tensor): Tensor {
  if (op === 'gelu') {
    // Phi(x) + x phi(x)
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    return add(cdf, mul(x, mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI))));
  }
  if (op === 'geluTanh') {
    const t = tanh(mul(add(x, mul(pow(x, 3), GELU_KAPPA)), GELU_BETA));
    const inner = mul(add(mul(mul(x, x), 3 * GELU_KAPPA), 1), GELU_BETA);
    return add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), inner));
  }
  const s = sigmoid(x);
  return mul(s, add(mul(x, sub(1, s)), 1));
}

/** log(1 + exp(beta x)) / beta, linear above `threshold` as in PyTorch. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return scoped(() => {
    const bx = mul(x, beta);
    const smooth = div(log1p(exp(clamp(bx, null, threshold))), beta); // clamp: no tie split at the threshold
    return where(gt(bx, threshold), x, smooth);
  });
}

/** Casts to another dtype; the gradient is cast back. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const b = backendOf('cast', x);
  const out = emptyTensor(x.shape, dtype, b);
  b.cast(x.storage, out.storage);
  if (!isFloating(dtype) || !needsGrad(x)) return out;
  return record(out, 'ToCopyBackward', [x], (g) => [cast(g, x.dtype)]);
}
