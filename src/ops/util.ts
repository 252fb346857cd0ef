import { backend } from '../backend/backend.js';
import { type DType, allocateFor, isFloating } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { scalar } from '../tensor/creation.js';

/** A tensor, or a JS number standing for a 0-d tensor. */
export type TensorLike = Tensor | number;

/** A new, uninitialized-for-our-purposes (zeroed) tensor from the current backend; `op` names it in errors. */
export function emptyTensor(shape: Shape, dtype: DType, op = 'allocate'): Tensor {
  return new Tensor(allocateFor(op, dtype, shape, (d, n) => backend().allocate(d, n)), shape, dtype);
}

/** Turns a number into a 0-d tensor whose dtype follows PyTorch's scalar promotion against `like`. */
export function asTensor(x: TensorLike, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number' && typeof x !== 'boolean') throw new Error(`expected a Tensor or a number, got ${typeof x}`);
  const dtype: DType = isFloating(like.dtype) ? like.dtype : Number.isInteger(x) ? (like.dtype === 'bool' ? 'int32' : like.dtype) : 'float32';
  return scalar(Number(x), dtype);
}

/** A plain, graph-free view of `t`'s storage (what detach() returns). */
export function detach(t: Tensor): Tensor {
  return t.viewAs(t.shape);
}

export function checkFloat(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new Error(`${op}: expected a floating point tensor, got dtype ${t.dtype}`);
}
