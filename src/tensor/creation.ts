import { type DType, type TypedArray, allocate, allocateFor, castArray, dtypeOfArray, isDType, isFloating } from './dtype.js';
import { type Shape, checkShape, formatShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { type Generator, defaultGenerator } from './random.js';
import { type Device, defaultDevice, deviceNamed } from './storage.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** The backend to create the tensor on ('js', 'wasm', ...); default: the current one (setBackend). */
  device?: string;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

export type NestedNumbers = number | boolean | readonly NestedNumbers[];
export type ShapeLike = number | readonly number[];
/** Typed arrays `tensor()` converts to int32 (when every value fits). */
export type IntegerTypedArray = Int8Array | Int16Array | Uint16Array | Uint8ClampedArray | Uint32Array | BigInt64Array | BigUint64Array;

function checkOptions(op: string, options: TensorOptions): void {
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new Error(`${op}: unknown dtype '${String(options.dtype)}' (expected float32, float64, int32 or bool)`);
  }
  if (options.device !== undefined) deviceNamed(options.device, op);
}

function deviceOf(options: TensorOptions): Device {
  return options.device === undefined ? defaultDevice() : deviceNamed(options.device, 'tensor');
}

/** Puts a freshly computed array (of dtype's array type) on the options' device, applying requiresGrad. */
function make(data: TypedArray, shape: Shape, dtype: DType, options: TensorOptions): Tensor {
  const t = Tensor.fromArray(data, shape.slice(), dtype, deviceOf(options));
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function toShape(shape: ShapeLike, op: string): number[] {
  const s = typeof shape === 'number' ? [shape] : [...shape];
  checkShape(s, op);
  return s;
}

function inferShape(data: NestedNumbers, op: string): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flatten(data: NestedNumbers, shape: number[], out: number[], dim: number, op: string): void {
  if (dim === shape.length) {
    if (typeof data === 'boolean') out.push(data ? 1 : 0);
    else if (typeof data === 'number') out.push(data);
    else throw new Error(`${op}: expected a number at depth ${dim}, got ${Array.isArray(data) ? 'an array' : typeof data} (ragged nested arrays?)`);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`${op}: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  for (const d of data) flatten(d, shape, out, dim + 1, op);
}

/**
 * Creates a tensor from a number, nested arrays, or a typed array with `{ shape }`.
 * JS numbers carry no int/float distinction, so numbers default to float32 (pass `dtype: 'int32'` for
 * indices and labels), booleans to bool, and typed arrays keep their own type.
 * @example const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 */
export function tensor(data: NestedNumbers | TypedArray | IntegerTypedArray, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  checkOptions('tensor', options);
  if (options.shape !== undefined) checkShape(options.shape, 'tensor');
  if (ArrayBuffer.isView(data)) {
    const typed = fromTypedArray(data);
    const shape = options.shape ? [...options.shape] : [typed.values.length];
    if (sizeOf(shape) !== typed.values.length) {
      throw new Error(`tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements but the array has ${typed.values.length}`);
    }
    const dtype = options.dtype ?? typed.dtype;
    return make(castArray(typed.values, dtype), shape, dtype, options);
  }
  const shape = inferShape(data as NestedNumbers, 'tensor');
  const flat: number[] = [];
  flatten(data as NestedNumbers, shape, flat, 0, 'tensor');
  let dtype = options.dtype;
  if (!dtype) dtype = isBoolean(data as NestedNumbers) ? 'bool' : 'float32';
  if (options.shape) {
    if (sizeOf(options.shape) !== flat.length) {
      throw new Error(`tensor: shape ${formatShape(options.shape)} needs ${sizeOf(options.shape)} elements but the data has ${flat.length}`);
    }
    return make(castArray(flat, dtype), [...options.shape], dtype, options);
  }
  return make(castArray(flat, dtype), shape, dtype, options);
}

const SMALL_INTEGER_ARRAYS = [Int8Array, Int16Array, Uint16Array, Uint8ClampedArray];
const WIDE_INTEGER_ARRAYS = [Uint32Array, BigInt64Array, BigUint64Array];

// The four storage types keep their dtype (a Uint8Array is bool's storage); other integer arrays become int32
// when every value fits, since int32 is the one integer dtype; anything else is refused rather than guessed.
function fromTypedArray(data: ArrayBufferView): { values: ArrayLike<number>; dtype: DType } {
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array) {
    return { values: data, dtype: dtypeOfArray(data) };
  }
  if (SMALL_INTEGER_ARRAYS.some((T) => data instanceof T)) return { values: data as unknown as ArrayLike<number>, dtype: 'int32' };
  if (WIDE_INTEGER_ARRAYS.some((T) => data instanceof T)) {
    const source = data as unknown as ArrayLike<number | bigint>;
    const values = new Array<number>(source.length);
    for (let i = 0; i < source.length; i++) {
      const v = Number(source[i]);
      if (v < -2147483648 || v > 2147483647) {
        throw new Error(`tensor: ${data.constructor.name} value ${String(source[i])} does not fit int32, descent's integer dtype; convert it first (e.g. Float64Array.from(data, Number))`);
      }
      values[i] = v;
    }
    return { values, dtype: 'int32' };
  }
  throw new Error(`tensor: unsupported data ${data.constructor.name} (expected nested arrays, Float32Array, Float64Array, Int32Array, Uint8Array (bool), or an integer typed array whose values fit int32)`);
}

function isBoolean(data: NestedNumbers): boolean {
  let level = data;
  while (Array.isArray(level)) {
    if (level.length === 0) return false;
    level = level[0];
  }
  return typeof level === 'boolean';
}

/** A scalar (0-d) tensor. */
export function scalar(value: number, dtype: DType = 'float32', device: Device = defaultDevice()): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return Tensor.fromArray(data, [], dtype, device);
}

/** A tensor of `shape` filled with `value`. @example full([2, 2], 7) */
export function full(shape: ShapeLike, value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

// full under the name of the public function that called it, so errors name that function.
function filled(op: string, shape: ShapeLike, value: number, options: TensorOptions): Tensor {
  checkOptions(op, options);
  const s = toShape(shape, op);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const device = deviceOf(options);
  const storage = allocateFor(op, dtype, s, (d, n) => device.zeros(d, n));
  if (value !== 0) device.fill(storage, Number(value));
  const t = new Tensor(storage, s);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** @example zeros([2, 3]) */
export function zeros(shape: ShapeLike, options: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

export function ones(shape: ShapeLike, options: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

export function empty(shape: ShapeLike, options: TensorOptions = {}): Tensor {
  return filled('empty', shape, 0, options);
}

/** Zeros of `t`'s shape, dtype and backend. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, device: t.device, ...options });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, device: t.device, ...options });
}

export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, device: t.device, ...options });
}

/**
 * Values from `start` to `end` (exclusive) by `step`, like torch.arange; `arange(5)` is 0..4.
 * The dtype is int32 when every argument is an integer, as in PyTorch, else float32.
 */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  checkOptions('arange', options);
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be finite and nonzero, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`arange: start and end must be finite, got start=${start}, end=${end}`);
  if ((end - start) / step < 0) throw new Error(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return make(data, [n], dtype, options);
}

/** `steps` evenly spaced values from start to end inclusive, computed as PyTorch does (symmetric from both ends). */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  checkOptions('linspace', options);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: number of steps must be a non-negative integer, got ${steps}`);
  const dtype = options.dtype ?? 'float32';
  const data = allocate(dtype, steps);
  // torch computes in the output's precision, with a fused multiply-add: for float32 the step rounds to
  // float32 and each value is rounded once from the exact start + step * i (exact in a double)
  const r = dtype === 'float32' ? Math.fround : (v: number) => v;
  const [a, b] = [r(start), r(end)];
  const step = steps > 1 ? r(r(b - a) / (steps - 1)) : 0;
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? r(a + step * i) : r(b - step * (steps - 1 - i));
  if (steps === 1) data[0] = a; // torch.linspace(start, end, 1) is [start]
  return make(data, [steps], dtype, options);
}

/** The identity matrix (n x m). */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  checkOptions('eye', options);
  checkShape([n, m], 'eye');
  const dtype = options.dtype ?? 'float32';
  const data = allocateFor('eye', dtype, [n, m]);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return make(data, [n, m], dtype, options);
}

function floatDtype(op: string, options: TensorOptions): DType {
  checkOptions(op, options);
  const dtype = options.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new Error(`${op}: expected a floating point dtype, got ${dtype}`);
  return dtype;
}

/** Fills `data` with U[low, high) draws exactly as PyTorch's CPU uniform_ does. */
export function fillUniform(data: TypedArray, low: number, high: number, generator: Generator): void {
  if (!(data instanceof Float64Array)) {
    // PyTorch casts the bounds to float and subtracts them in float before the double-precision affine map
    const from = Math.fround(low);
    const span = Math.fround(Math.fround(high) - from);
    for (let i = 0; i < data.length; i++) data[i] = generator.uniform24() * span + from;
    return;
  }
  for (let i = 0; i < data.length; i++) data[i] = generator.uniform53() * (high - low) + low;
}

/** Fills `data` with N(mean, std) draws in PyTorch's CPU order (Box-Muller over blocks of 16 when there are 16 or more). */
export function fillNormal(data: TypedArray, mean: number, std: number, generator: Generator): void {
  const size = data.length;
  if (size < 16) {
    for (let i = 0; i < size; i++) data[i] = generator.normal() * std + mean;
    return;
  }
  const draw = data instanceof Float64Array ? () => generator.uniform53() : () => generator.uniform24();
  const fill16 = (offset: number) => {
    for (let j = 0; j < 8; j++) {
      const u1 = 1 - data[offset + j];
      const u2 = data[offset + j + 8];
      const radius = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      data[offset + j] = radius * Math.cos(theta) * std + mean;
      data[offset + j + 8] = radius * Math.sin(theta) * std + mean;
    }
  };
  for (let i = 0; i < size; i++) data[i] = draw();
  for (let i = 0; i + 16 <= size; i += 16) fill16(i);
  if (size % 16 !== 0) {
    // PyTorch redraws and recomputes the last 16 values
    for (let i = size - 16; i < size; i++) data[i] = draw();
    fill16(size - 16);
  }
}

/** Uniform samples on [0, 1). Same numbers as torch.rand after the same manualSeed. */
export function rand(shape: ShapeLike, options: RandomOptions = {}): Tensor {
  const dtype = floatDtype('rand', options);
  const s = toShape(shape, 'rand');
  const data = allocateFor('rand', dtype, s);
  fillUniform(data, 0, 1, options.generator ?? defaultGenerator);
  return make(data, s, dtype, options);
}

/** Standard normal samples. Same numbers as torch.randn after the same manualSeed (to float rounding). */
export function randn(shape: ShapeLike, options: RandomOptions = {}): Tensor {
  const dtype = floatDtype('randn', options);
  const s = toShape(shape, 'randn');
  const data = allocateFor('randn', dtype, s);
  fillNormal(data, 0, 1, options.generator ?? defaultGenerator);
  return make(data, s, dtype, options);
}

/** Integers in [low, high), int32 by default; ranges of 2^32 or more draw 64 bits, as PyTorch does. */
export function randint(low: number, high: number, shape: ShapeLike, options: RandomOptions = {}): Tensor {
  checkOptions('randint', options);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const s = toShape(shape, 'randint');
  const dtype = options.dtype ?? 'int32';
  checkExactRange(dtype, low, high);
  const data = allocateFor('randint', dtype, s);
  const g = options.generator ?? defaultGenerator;
  const range = high - low;
  if (range >= 2 ** 32) for (let i = 0; i < data.length; i++) data[i] = g.below64(range) + low;
  else for (let i = 0; i < data.length; i++) data[i] = g.below(range) + low;
  return make(data, s, dtype, options);
}

// The integers a dtype holds exactly (PyTorch's check_from_to_in_range): a value outside would be clipped or rounded.
const EXACT_INTEGERS: Record<DType, [number, number, string]> = {
  int32: [-2147483648, 2147483647, '[-2147483648, 2147483647]'],
  float32: [-(2 ** 24), 2 ** 24, '[-2^24, 2^24]: float32 holds integers exactly only up to 2^24'],
  float64: [-(2 ** 53), 2 ** 53, '[-2^53, 2^53]: float64 holds integers exactly only up to 2^53'],
  bool: [0, 1, '[0, 1]'],
};

function checkExactRange(dtype: DType, low: number, high: number): void {
  const [min, max, text] = EXACT_INTEGERS[dtype];
  if (low < min || low > max) throw new Error(`randint: low = ${low} is out of bounds for ${dtype} (${text})`);
  if (high - 1 < min || high - 1 > max) throw new Error(`randint: high - 1 = ${high - 1} is out of bounds for ${dtype} (${text})`);
}

/** A random permutation of 0..n-1 (int32), drawn as PyTorch's CPU randperm does. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  checkOptions('randperm', options);
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const dtype = options.dtype ?? 'int32';
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = i;
  const g = options.generator ?? defaultGenerator;
  for (let i = 0; i < n - 1; i++) {
    const z = g.below(n - i);
    const tmp = data[i];
    data[i] = data[i + z];
    data[i + z] = tmp;
  }
  return make(data, [n], dtype, options);
}
