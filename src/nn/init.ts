/**
 * Weight initializers, as torch.nn.init: each fills a tensor in place (under noGrad) and returns it.
 * Random ones draw from `generator` (default: the global stream) in PyTorch's order, so with the same
 * seed they give PyTorch's numbers.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { eye, fillNormal } from '../tensor/creation.js';
import type { TypedArray } from '../tensor/dtype.js';
import { noGrad } from '../autograd/grad-mode.js';
import { copy_, fill_, normal_ as fillNormal_, uniform_ as fillUniform_ } from '../ops/inplace.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

export type FanMode = 'fanIn' | 'fanOut';

// Initializers run as under torch.no_grad(): they may fill parameters in place.
function touch(t: Tensor, op: string): void {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${typeof t}`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new Error(`${op}: expected a floating point tensor, got dtype ${t.dtype}`);
  t.version++;
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain); `param` is leakyRelu's slope (default 0.01).
 * @example calculateGain('relu') // Math.SQRT2
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * fanIn = size(1) * receptive field, fanOut = size(0) * receptive field, as PyTorch computes them
 * (a Linear weight [out, in] has fanIn = in; a Conv2d weight [out, in/groups, kh, kw] has fanIn = in/groups*kh*kw).
 * @example calculateFanInAndFanOut(zeros([16, 3, 5, 5])) // { fanIn: 75, fanOut: 400 }
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new Error(`calculateFanInAndFanOut: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${formatShape(t.shape)})`);
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i];
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function fanFor(t: Tensor, mode: FanMode, op: string): number {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`${op}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return mode === 'fanIn' ? fanIn : fanOut;
}

/** Fills with U(a, b). @example uniform_(w, -0.1, 0.1) */
export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  touch(t, 'uniform_');
  return noGrad(() => fillUniform_(t, a, b, generator));
}

/** Fills with N(mean, std²). @example normal_(w, 0, 0.02) */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  touch(t, 'normal_');
  return noGrad(() => fillNormal_(t, mean, std, generator));
}

/** Fills with `value`. @example constant_(bias, 0.1) */
export function constant_(t: Tensor, value: number): Tensor {
  touch(t, 'constant_');
  return noGrad(() => fill_(t, value));
}

/** @example zeros_(bias) */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** @example ones_(gamma) */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fills a 2-d tensor with the identity (ones on the diagonal). @example eye_(zeros([3, 5])) */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new Error(`eye_: only tensors with 2 dimensions are supported, got shape ${formatShape(t.shape)}`);
  touch(t, 'eye_');
  const [n, m] = t.shape;
  return noGrad(() => copy_(t, eye(n, m, { dtype: t.dtype, device: t.device })));
}

/** Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). @example xavierUniform_(w) */
export function xavierUniform_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -a, a, generator);
}

/** Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fanIn + fanOut)). @example xavierNormal_(w) */
export function xavierNormal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leakyRelu only). Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/**
 * He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan). PyTorch's defaults: a = 0, mode 'fanIn',
 * nonlinearity 'leakyRelu'.
 * @example kaimingUniform_(w, { mode: 'fanIn', nonlinearity: 'relu' })
 */
export function kaimingUniform_(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu', generator = defaultGenerator }: KaimingOptions = {}): Tensor {
  const fan = fanFor(t, mode, 'kaimingUniform_');
  const bound = fan === 0 ? 0 : Math.sqrt(3) * (calculateGain(nonlinearity, a) / Math.sqrt(fan));
  return uniform_(t, -bound, bound, generator);
}

/** He normal: N(0, std²) with std = gain / sqrt(fan). @example kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' }) */
export function kaimingNormal_(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu', generator = defaultGenerator }: KaimingOptions = {}): Tensor {
  const fan = fanFor(t, mode, 'kaimingNormal_');
  const std = fan === 0 ? 0 : calculateGain(nonlinearity, a) / Math.sqrt(fan);
  return normal_(t, 0, std, generator);
}

/**
 * LeCun normal: N(0, 1 / fanIn), the initialization SELU networks expect (the same as
 * kaimingNormal_ with nonlinearity 'linear'; PyTorch has no separate function).
 * @example lecunNormal_(w)
 */
export function lecunNormal_(t: Tensor, generator: Generator = defaultGenerator): Tensor {
  return kaimingNormal_(t, { nonlinearity: 'linear', generator });
}

// Inverse error function: Giles' single-precision approximation refined by Newton steps on erf.
function erfinv(y: number): number {
  if (y <= -1) return y === -1 ? -Infinity : NaN;
  if (y >= 1) return y === 1 ? Infinity : NaN;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) x -= (erfScalar(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  return x;
}

// erf to ~1e-15 (series for small |x|, continued fraction for the tail) for erfinv's Newton steps.
function erfScalar(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  // erfc(x) = exp(-x²)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  /** Lower cutoff. Default -2. */
  a?: number;
  /** Upper cutoff. Default 2. */
  b?: number;
  generator?: Generator;
}

/**
 * N(mean, std²) truncated to [a, b], by inverse-CDF sampling as torch.nn.init.trunc_normal_ (same draws).
 * @example truncNormal_(w, { std: 0.02 })
 */
export function truncNormal_(t: Tensor, { mean = 0, std = 1, a = -2, b = 2, generator = defaultGenerator }: TruncNormalOptions = {}): Tensor {
  if (!(a < b)) throw new Error(`truncNormal_: expects a < b, got a=${a}, b=${b}`);
  const normCdf = (x: number) => (1 + erfScalar(x / Math.SQRT2)) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  uniform_(t, 2 * l - 1, 2 * u - 1, generator);
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) d[i] = Math.min(Math.max(erfinv(d[i]) * std * Math.SQRT2 + mean, a), b);
  return setValues(t, d);
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a normal sample, scaled by `gain`, as
 * torch.nn.init.orthogonal_ (dims after the first are flattened). Same draws as PyTorch, so the same result.
 * @example orthogonal_(zeros([4, 6]))
 */
export function orthogonal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.ndim < 2) throw new Error(`orthogonal_: only tensors with 2 or more dimensions are supported, got shape ${formatShape(t.shape)}`);
  touch(t, 'orthogonal_');
  const rows = t.shape[0];
  const cols = t.numel / rows;
  if (t.numel === 0) return t;
  // drawn in the tensor's own dtype, as PyTorch's tensor.new(rows, cols).normal_()
  const sample = t.dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  fillNormal(sample, 0, 1, generator);
  // QR of the tall orientation (m >= n): transpose when rows < cols, as PyTorch does
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[tall ? i * n + j : j * n + i] = sample[i * cols + j];
  const q = householderQ(a, m, n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sample[i * cols + j] = gain * (tall ? q[i * n + j] : q[j * n + i]);
  return setValues(t, sample);
}

// Writes values computed in the JS heap (in t's dtype) into t.
function setValues(t: Tensor, values: TypedArray): Tensor {
  return noGrad(() => copy_(t, Tensor.fromArray(values, t.shape, t.dtype, t.storage.device)));
}

// Thin Q (m x n, m >= n) of A = QR with R's diagonal made positive (PyTorch multiplies Q by sign(diag R)).
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Float64Array(m);
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * n + k] >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[i] * v[i];
    if (vv > 0) {
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i] * r[i * n + j];
        const s = (2 * dot) / vv;
        for (let i = k; i < m; i++) r[i * n + j] -= s * v[i];
      }
    }
    vs.push(vv > 0 ? v.map((x) => x / Math.sqrt(vv)) : v);
  }
  // Q = H0 H1 ... H(n-1) applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i] * q[i * n + j];
      for (let i = k; i < m; i++) q[i * n + j] -= 2 * dot * v[i];
    }
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}
