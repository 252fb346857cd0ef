import { Tensor } from '../tensor/tensor.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { tensor } from '../tensor/creation.js';
import { stack } from '../ops/shape.js';

/** What default collation makes of a batch of samples of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? { [K in keyof T]: Collated<T[K]> }
      : T extends string
        ? string[]
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : T[];

/**
 * Turns a list of samples into a batch, like torch's default_collate: tensors are stacked along a new
 * first dimension, numbers become a tensor (int32 when all are integers, float64 otherwise, as PyTorch's
 * int64/float64), booleans a bool tensor, arrays and objects are collated field by field, strings stay a list.
 * @example defaultCollate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]) // [tensor([[1,2],[3,4]]), tensor([0,1])]
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  if (batch.length === 0) throw new Error('defaultCollate: cannot collate an empty batch');
  const first = batch[0] as unknown;
  if (first instanceof Tensor) {
    const items = batch as unknown as Tensor[];
    items.forEach((t, i) => {
      if (!(t instanceof Tensor) || !shapesEqual(t.shape, first.shape)) {
        throw new Error(`defaultCollate: each element in the batch must be a tensor of the same shape: element 0 has shape ${formatShape(first.shape)}, element ${i} has ${t instanceof Tensor ? formatShape(t.shape) : typeof t}`);
      }
    });
    return stack(items, 0) as Collated<T>;
  }
  if (typeof first === 'number') {
    const nums = batch as unknown as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int32' : 'float64' }) as Collated<T>;
  }
  if (typeof first === 'boolean') return tensor(batch as unknown as boolean[]) as Collated<T>;
  if (typeof first === 'string') return batch.slice() as Collated<T>;
  if (Array.isArray(first)) {
    const n = first.length;
    batch.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== n) throw new Error(`defaultCollate: each element in the batch must have the same number of fields: element 0 has ${n}, element ${i} has ${Array.isArray(s) ? s.length : typeof s}`);
    });
    return first.map((_, j) => defaultCollate((batch as unknown as unknown[][]).map((s) => s[j]))) as Collated<T>;
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = defaultCollate((batch as unknown as Record<string, unknown>[]).map((s) => s[key]));
    return out as Collated<T>;
  }
  throw new Error(`defaultCollate: batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${first === null ? 'null' : typeof first}`);
}
