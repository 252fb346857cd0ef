import type { Backend } from '../backend/backend.js';
import { type DType, type TypedArray, allocateFor, isFloating } from '../tensor/dtype.js';
import { type Shape, sizeOf } from '../tensor/shape.js';
import type { Device } from '../tensor/storage.js';
import { Tensor } from '../tensor/tensor.js';
import { scalar } from '../tensor/creation.js';
import { sparseDevice, sparseOperand } from '../tensor/sparse.js';

/** A tensor, or a JS number standing for a 0-d tensor. */
export type TensorLike = Tensor | number;

/** A new tensor on `device` whose elements the caller overwrites entirely (a kernel's output); `op` names it in errors. */
export function emptyTensor(shape: Shape, dtype: DType, device: Device, op = 'allocate'): Tensor {
  return new Tensor(allocateFor(op, dtype, shape, (d, n) => device.empty(d, n)), shape);
}

/** A new zero-filled tensor on `device` (for kernels that accumulate into their output). */
export function zerosTensor(shape: Shape, dtype: DType, device: Device): Tensor {
  return new Tensor(device.zeros(dtype, sizeOf(shape)), shape);
}

/**
 * The backend that runs `op` on these tensors: theirs, which must be one and the same.
 * @example const b = backendOf('add', x, y);
 */
export function backendOf(op: string, a: Tensor, b?: Tensor | null, c?: Tensor | null): Backend {
  const device = a.storage.device;
  if (device === sparseDevice) throw sparseOperand(op, a);
  for (const other of [b, c]) {
    if (other && other.storage.device !== device) {
      if (other.storage.device === sparseDevice) throw sparseOperand(op, other);
      throw new Error(`${op}: expected all tensors on the same backend, got '${device.name}' and '${other.storage.device.name}'; move one with .to('${device.name}')`);
    }
  }
  return device as Backend;
}

/** The backend of a list of tensors (cat, stack), which must all be on it. */
export function backendOfAll(op: string, tensors: readonly Tensor[]): Backend {
  for (const t of tensors) backendOf(op, tensors[0], t);
  return tensors[0].storage.device as Backend;
}

/** Turns a number into a 0-d tensor on `like`'s backend whose dtype follows PyTorch's scalar promotion against `like`. */
export function asTensor(x: TensorLike, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number' && typeof x !== 'boolean') throw new Error(`expected a Tensor or a number, got ${typeof x}`);
  const dtype: DType = isFloating(like.dtype) ? like.dtype : Number.isInteger(x) ? (like.dtype === 'bool' ? 'int32' : like.dtype) : 'float32';
  // (a SparseTensor's scalar goes to the default backend: the op then refuses the sparse operand, by name)
  return scalar(Number(x), dtype, like.storage.device === sparseDevice ? undefined : like.storage.device);
}

/**
 * Whether `t`'s values can be read synchronously: ops that branch on data (a faster formula when no
 * element is zero) take the general path where they cannot (a GPU backend).
 */
export function readsSync(t: Tensor): boolean {
  return t.storage.device.readsSync !== false;
}

/**
 * Checks values an op computed on `tensors`' device: `describe` gets their elements and returns what is
 * wrong (the error's message) or null. Where the device reads synchronously the check runs now; on a GPU
 * the values are taken now and checked at its next read, which throws, as CUDA's device-side assertions do.
 * @example checkValues([any(lt(p, 0))], ([bad]) => (bad[0] ? 'bernoulli: the probabilities must be in [0, 1]' : null));
 */
export function checkValues(tensors: readonly Tensor[], describe: (values: TypedArray[]) => string | null): void {
  const device = tensors[0].storage.device;
  if (device.readsSync !== false) {
    const message = describe(tensors.map((t) => t.dataSync()));
    if (message !== null) throw new Error(message);
  } else if (device.assertLater) device.assertLater(tensors.map((t) => t.storage), describe);
  else throw new Error(`${device.name}: reads only asynchronously and cannot check values (Device.assertLater)`);
}

/**
 * For an op whose output's shape depends on its values (nonzero, unique): throws where `t`'s device reads
 * only asynchronously, naming the op's async form, which works on every device.
 */
export function checkSyncShape(op: string, t: Tensor, asyncForm: string): void {
  if (!readsSync(t)) {
    throw new Error(`${op}: the shape of its result depends on the values of a tensor on ${t.device}, which reads only asynchronously: use \`await ${asyncForm}\``);
  }
}

/** A plain, graph-free view of `t`'s storage (what detach() returns). */
export function detach(t: Tensor): Tensor {
  return t.viewAs(t.shape);
}

export function checkFloat(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new Error(`${op}: expected a floating point tensor, got dtype ${t.dtype}`);
}
