import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { type DType, allocate, castArray, isFloating } from '../tensor/dtype.js';
import { broadcastShapes, formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { fillNormal, fillUniform } from '../tensor/creation.js';
import { type TensorLike, asTensor, backendOf, emptyTensor } from './util.js';

/**
 * In-place ops change a tensor's elements and bump the version counter. They are not recorded in the graph, so they
 * are refused on tensors that autograd tracks unless grad mode is off (optimizers run under noGrad).
 */
function beginInplace(t: Tensor, op: string, ...others: TensorLike[]): void {
  if (isGradEnabled() && (t.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad))) {
    throw new Error(
      t.isLeaf
        ? `${op}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad(() => ...)`
        : `${op}: in-place operations on tensors recorded by autograd are not supported; use the out-of-place op`,
    );
  }
  t.version++;
}

function binaryInplace(op: BinaryOp, t: Tensor, otherIn: TensorLike, name: string): Tensor {
  beginInplace(t, name, otherIn);
  const other = asTensor(otherIn, t);
  const shape = broadcastShapes(t.shape, other.shape, name);
  if (!shapesEqual(shape, t.shape)) {
    throw new Error(`${name}: output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(shape)}`);
  }
  if (!isFloating(t.dtype) && isFloating(other.dtype)) {
    throw new Error(`${name}: result type ${other.dtype} can't be cast to the desired output type ${t.dtype}`);
  }
  backendOf(name, t, other).binary(op, t.storage, t.shape, other.storage, other.shape, t.storage, t.shape);
  return t;
}

export function add_(t: Tensor, other: TensorLike, alpha = 1): Tensor {
  if (alpha !== 1) {
    if (!isFloating(t.dtype) && !Number.isInteger(alpha)) {
      throw new Error(`add_: for integral tensors (dtype ${t.dtype}), alpha must be an integer, got ${alpha}`);
    }
    // scaled in t's dtype: an int32 `other` times 0.5 must not be truncated
    const scaled = other instanceof Tensor ? scaledCopy(other, alpha, isFloating(t.dtype) ? t.dtype : other.dtype) : other * alpha;
    return binaryInplace('add', t, scaled, 'add_');
  }
  return binaryInplace('add', t, other, 'add_');
}

export function sub_(t: Tensor, other: TensorLike, alpha = 1): Tensor {
  return alpha === 1 ? binaryInplace('sub', t, other, 'sub_') : add_(t, other, -alpha);
}

export const mul_ = (t: Tensor, other: TensorLike): Tensor => binaryInplace('mul', t, other, 'mul_');
export const div_ = (t: Tensor, other: TensorLike): Tensor => binaryInplace('div', t, other, 'div_');
export const pow_ = (t: Tensor, other: TensorLike): Tensor => binaryInplace('pow', t, other, 'pow_');
export const maximum_ = (t: Tensor, other: TensorLike): Tensor => binaryInplace('maximum', t, other, 'maximum_');
export const minimum_ = (t: Tensor, other: TensorLike): Tensor => binaryInplace('minimum', t, other, 'minimum_');

// x * alpha computed in `dtype`, alpha rounded to it as torch's scalar is for the kernel (a float64 factor
// would not exist on a backend without float64).
function scaledCopy(x: Tensor, alpha: number, dtype: DType): Tensor {
  const b = backendOf('add_', x);
  const out = emptyTensor(x.shape, dtype, b);
  const factor = b.fromArray(castArray([alpha], dtype), dtype);
  b.binary('mul', x.storage, x.shape, factor, [], out.storage, out.shape);
  b.release(factor);
  return out;
}

/** t += value * a * b */
export function addcmul_(t: Tensor, a: Tensor, b: Tensor, value = 1): Tensor {
  return productInto(t, 'mul', a, b, value, 'addcmul_');
}

/** t += value * a / b */
export function addcdiv_(t: Tensor, a: Tensor, b: Tensor, value = 1): Tensor {
  return productInto(t, 'div', a, b, value, 'addcdiv_');
}

// t += value * (a op b), the product formed in t's dtype and shape, then released: no tensor holds it.
function productInto(t: Tensor, op: 'mul' | 'div', a: Tensor, b: Tensor, value: number, name: string): Tensor {
  const device = backendOf(name, t, a, b);
  const product = emptyTensor(t.shape, t.dtype, device);
  device.binary(op, a.storage, a.shape, b.storage, b.shape, product.storage, t.shape);
  add_(t, product, value);
  device.release(product.storage);
  return t;
}

function unaryInplace(op: UnaryOp, t: Tensor, name: string): Tensor {
  beginInplace(t, name);
  backendOf(name, t).unary(op, t.storage, t.storage);
  return t;
}

export const sqrt_ = (t: Tensor): Tensor => unaryInplace('sqrt', t, 'sqrt_');
export const neg_ = (t: Tensor): Tensor => unaryInplace('neg', t, 'neg_');
export const abs_ = (t: Tensor): Tensor => unaryInplace('abs', t, 'abs_');
export const exp_ = (t: Tensor): Tensor => unaryInplace('exp', t, 'exp_');
export const sign_ = (t: Tensor): Tensor => unaryInplace('sign', t, 'sign_');

export function clamp_(t: Tensor, min?: number | null, max?: number | null): Tensor {
  if (min != null) maximum_(t, min);
  if (max != null) minimum_(t, max);
  return t;
}

/** Copies `src` (broadcast to this shape, cast to this dtype) into `t`. */
export function copy_(t: Tensor, src: TensorLike): Tensor {
  beginInplace(t, 'copy_', src);
  const s = asTensor(src, t);
  const shape = broadcastShapes(t.shape, s.shape, 'copy_');
  if (!shapesEqual(shape, t.shape)) {
    throw new Error(`copy_: source of shape ${formatShape(s.shape)} cannot be broadcast to ${formatShape(t.shape)}`);
  }
  const b = backendOf('copy_', t, s);
  if (s.numel === t.numel) b.cast(s.storage, t.storage);
  else if (s.dtype === t.dtype) b.expand(s.storage, s.shape, t.storage, t.shape);
  else {
    const converted = emptyTensor(s.shape, t.dtype, b);
    b.cast(s.storage, converted.storage);
    b.expand(converted.storage, s.shape, t.storage, t.shape);
  }
  return t;
}

export function fill_(t: Tensor, value: number): Tensor {
  beginInplace(t, 'fill_');
  backendOf('fill_', t).fill(t.storage, value);
  return t;
}

export function zero_(t: Tensor): Tensor {
  return fill_(t, 0);
}

/** Fills with U[low, high), PyTorch's draws for the same seed. */
export function uniform_(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  beginInplace(t, 'uniform_');
  if (!(low <= high)) throw new Error(`uniform_: expects low <= high, got low=${low}, high=${high}`);
  t.storage.device.write(t.storage, drawn(t.dtype, t.numel, (data) => fillUniform(data, low, high, generator)));
  return t;
}

/** Fills with N(mean, std^2), PyTorch's draws for the same seed. */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  beginInplace(t, 'normal_');
  if (!(std >= 0)) throw new Error(`normal_: expects std >= 0.0, got std=${std}`);
  t.storage.device.write(t.storage, drawn(t.dtype, t.numel, (data) => fillNormal(data, mean, std, generator)));
  return t;
}

// Draws in the JS heap (the generator reproduces PyTorch's CPU stream there), in t's dtype.
function drawn(dtype: DType, length: number, draw: (data: Float32Array | Float64Array) => void): Float32Array | Float64Array {
  const data = allocate(dtype === 'float64' ? 'float64' : 'float32', length) as Float32Array | Float64Array;
  draw(data);
  return data;
}
