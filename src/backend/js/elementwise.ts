import type { ActivationOp, BinaryOp, UnaryOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf, shapesEqual } from '../../tensor/shape.js';

// Abramowitz-Stegun is too coarse for float64 gradchecks; this is W. J. Cody's rational erf (~1e-16).
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  if (ax >= 6) return x < 0 ? -1 : 1; // erfc(6) < 1e-16; also keeps erf(+-Infinity) finite
  return x < 0 ? -1 + erfcPositive(ax) : 1 - erfcPositive(ax);
}

/** 1 - erf(x), without the cancellation of 1 - erf for large x (Cody's erfc above 0.5). */
export function erfc(x: number): number {
  return x < 0.5 ? 1 - erf(x) : erfcPositive(x);
}

function erfcPositive(x: number): number {
  if (x < 4) {
    // Cody's leading coefficient is the small 2.15e-8 and the constant term is 1230.339...
    const p = (((((((2.15311535474403846e-8 * x + 5.64188496988670089e-1) * x + 8.88314979438837594) * x + 66.1191906371416295) * x
      + 298.635138197400131) * x + 881.952221241769090) * x + 1712.04761263407058) * x + 2051.07837782607147) * x + 1230.33935479799725;
    const q = (((((((x + 15.7449261107098347) * x + 117.693950891312499) * x + 537.181101862009858) * x + 1621.38957456669019) * x
      + 3290.79923573345963) * x + 4362.61909014324716) * x + 3439.36767414372164) * x + 1230.33935480374942;
    return expTimes(x, p / q);
  }
  const z = 1 / (x * x);
  const p = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z
    + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
  const q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z
    + 2.33520497626869185e-3;
  return expTimes(x, (0.564189583547756287 - (z * p) / q) / x);
}

function expTimes(x: number, r: number): number {
  // exp(-x^2) split to keep the precision of the small tail
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del) * r;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
// torch's constants: sqrt(2 / pi) and 0.044715 for GELU's tanh form
const GELU_BETA = Math.sqrt(2 / Math.PI);
const GELU_KAPPA = 0.044715;
// 2u for GELU's tanh form, u = sqrt(2/pi) (x + 0.044715 x³): 0.5 (1 + tanh(u)) = sigmoid(2u), with no cancellation
const geluTanhArg = (x: number) => 2 * GELU_BETA * (x + GELU_KAPPA * x * x * x);
// Phi(x), the standard normal CDF, through erfc so that the lower tail keeps its digits
const normalCdf = (x: number) => 0.5 * erfc(-x * Math.SQRT1_2);

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === x ? x : 0), // keeps signed zero; sign(NaN) is 0 in torch
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  log2: Math.log2,
  log10: Math.log10,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => (x > 0 ? x : x === x ? 0 : x),
  erf,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  trunc: Math.trunc,
  logicalNot: (x) => (x === 0 ? 1 : 0),
  isnan: (x) => (x !== x ? 1 : 0),
  isinf: (x) => (x === Infinity || x === -Infinity ? 1 : 0),
  isfinite: (x) => (Number.isFinite(x) ? 1 : 0),
  copy: (x) => x,
  gelu: (x) => x * normalCdf(x),
  geluTanh: (x) => x * sigmoid(geluTanhArg(x)),
  silu: (x) => x * sigmoid(x),
};

// d/dx of the activations, PyTorch's formulas (GeluBackward, SiluBackward); for the tanh form, with
// s = sigmoid(2u): 0.5 (1 + tanh(u)) = s and 1 - tanh(u)² = 4 s (1 - s).
const ACTIVATION_GRAD: Record<ActivationOp, (x: number) => number> = {
  gelu: (x) => normalCdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI),
  geluTanh: (x) => {
    const s = sigmoid(geluTanhArg(x));
    return s + 2 * x * s * sigmoid(-geluTanhArg(x)) * GELU_BETA * (1 + 3 * GELU_KAPPA * x * x);
  },
  silu: (x) => {
    const s = sigmoid(x);
    return s * (1 + x * (1 - s));
  },
};

/** out = grad * op'(x). */
export function unaryBackward(op: ActivationOp, grad: TypedArray, x: TypedArray, out: TypedArray): void {
  const f = ACTIVATION_GRAD[op];
  for (let i = 0; i < out.length; i++) out[i] = grad[i] * f(x[i]);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  switch (op) {
    case 'copy': out.set(x); return;
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; return;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); return;
    case 'relu': for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v === v ? 0 : v; } return;
    default: {
      const f = UNARY[op];
      for (let i = 0; i < n; i++) out[i] = f(x[i]);
    }
  }
}

function pyRemainder(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // C's pow, which torch uses: 1 ** anything and (-1) ** +-Infinity are 1, where JS gives NaN
  pow: (a, b) => (a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : Math.pow(a, b)),
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  atan2: Math.atan2,
  remainder: pyRemainder,
  fmod: (a, b) => a % b,
  floorDivide: (a, b) => Math.floor(a / b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  logicalXor: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0),
};

/** Strides of `shape` seen from `outShape` under broadcasting: 0 where the dimension is broadcast. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[offset + i] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

export function binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  const sameA = a.length === n && shapesEqual(aShape, outShape);
  const sameB = b.length === n && shapesEqual(bShape, outShape);
  if (sameA && sameB) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return;
    }
    const f = BINARY[op];
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (sameA && b.length === 1) {
    const s = b[0];
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + s; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - s; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * s; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / s; return;
    }
    const f = BINARY[op];
    for (let i = 0; i < n; i++) out[i] = f(a[i], s);
    return;
  }
  if (sameB && a.length === 1) {
    const s = a[0];
    const f = BINARY[op];
    for (let i = 0; i < n; i++) out[i] = f(s, b[i]);
    return;
  }
  const f = BINARY[op];
  broadcastLoop(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)], (o, [ia, ib]) => {
    out[o] = f(a[ia], b[ib]);
  });
}

export function where(
  cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape,
): void {
  if (out.length === 0) return;
  const strides = [condShape, aShape, bShape].map((s) => broadcastStrides(s, outShape));
  broadcastLoop(outShape, strides, (o, [ic, ia, ib]) => {
    out[o] = cond[ic] !== 0 ? a[ia] : b[ib];
  });
}

/**
 * Walks every index of `shape` in row-major order, tracking one flat offset per strides list.
 * The innermost dimension runs as a plain loop, so the odometer costs one step per row.
 */
export function broadcastLoop(shape: Shape, stridesList: number[][], body: (flat: number, offsets: number[]) => void): void {
  const ndim = shape.length;
  const total = sizeOf(shape);
  if (total === 0) return;
  const k = stridesList.length;
  const offsets = new Array<number>(k).fill(0);
  if (ndim === 0) {
    body(0, offsets);
    return;
  }
  const inner = shape[ndim - 1];
  const innerStrides = stridesList.map((s) => s[ndim - 1]);
  const counter = new Array<number>(ndim).fill(0);
  const rowStart = new Array<number>(k).fill(0);
  for (let flat = 0; flat < total; flat += inner) {
    for (let j = 0; j < k; j++) offsets[j] = rowStart[j];
    for (let i = 0; i < inner; i++) {
      body(flat + i, offsets);
      for (let j = 0; j < k; j++) offsets[j] += innerStrides[j];
    }
    // advance the odometer over the outer dimensions
    for (let d = ndim - 2; d >= 0; d--) {
      counter[d]++;
      for (let j = 0; j < k; j++) rowStart[j] += stridesList[j][d];
      if (counter[d] < shape[d]) break;
      for (let j = 0; j < k; j++) rowStart[j] -= stridesList[j][d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** relu's backward from its output: out = y > 0 ? grad : 0 (torch's threshold_backward: NaN y gives 0). */
export function reluBackward(grad: TypedArray, y: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = y[i] > 0 ? grad[i] : 0;
}
