// Sparse gradients in PyTorch's COO layout along the first dim: `indices` [1, nnz] name rows of a dense
// [rows, ...] tensor and `values` [nnz, ...] hold them. Embedding({ sparse: true }) produces one per step,
// so an update touches only the rows looked up. Entries may repeat until coalesce() sums them.
import type { DType } from './dtype.js';
import type { Device, Storage } from './storage.js';
import { type Shape, formatShape } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * A sparse tensor (COO over dim 0), as PyTorch's sparse gradients of torch.nn.Embedding(sparse=True).
 * It is a Tensor (so it can be a `.grad`) without dense storage: dense ops refuse it; use `toDense()`,
 * `coalesce()`, `indices()` and `values()`.
 * @example
 * const emb = new nn.Embedding(1000, 8, { sparse: true });
 * emb(tensor([3, 7, 3], { dtype: 'int32' })).sum().backward();
 * const g = emb.weight.grad as SparseTensor;
 * g.coalesce().indices(); // [[3, 7]]: only the rows looked up
 */
export class SparseTensor extends Tensor {
  /** The row indices, int32 [1, nnz], possibly repeated and unsorted unless coalesced. */
  rawIndices: Tensor;
  /** The rows, [nnz, ...shape.slice(1)]. */
  rawValues: Tensor;
  /** Whether indices are sorted and distinct (coalesce() makes them so). */
  coalesced: boolean;
  readonly isSparse = true;

  constructor(indices: Tensor, values: Tensor, shape: Shape, coalesced = false) {
    super(new SparsePlaceholder(values.dtype), [0]);
    if (indices.dtype !== 'int32' || indices.ndim !== 2 || indices.shape[0] !== 1) {
      throw new Error(`SparseTensor: indices must be int32 [1, nnz], got ${indices.dtype} ${formatShape(indices.shape)}`);
    }
    const nnz = indices.shape[1];
    if (values.ndim !== shape.length || values.shape[0] !== nnz || values.shape.some((s, i) => i > 0 && s !== shape[i])) {
      throw new Error(`SparseTensor: values ${formatShape(values.shape)} must be [${nnz}, ${shape.slice(1).join(', ')}] for ${nnz} indices and shape ${formatShape(shape)}`);
    }
    (this as { shape: readonly number[] }).shape = [...shape];
    this.rawIndices = indices;
    this.rawValues = values;
    this.coalesced = coalesced;
  }

  override get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The number of stored entries (PyTorch's _nnz()). */
  get nnz(): number {
    return this.rawIndices.shape[1];
  }

  /** The indices of a coalesced tensor (int32 [1, nnz]), as torch's indices(). */
  indices(): Tensor {
    if (!this.coalesced) throw new Error('SparseTensor.indices: the tensor is not coalesced; call coalesce() first');
    return this.rawIndices;
  }

  /** The rows of a coalesced tensor ([nnz, ...]), as torch's values(). */
  values(): Tensor {
    if (!this.coalesced) throw new Error('SparseTensor.values: the tensor is not coalesced; call coalesce() first');
    return this.rawValues;
  }

  override toString(): string {
    return `SparseTensor(shape=${formatShape(this.shape)}, nnz=${this.nnz}, dtype=${this.dtype}${this.coalesced ? ', coalesced' : ''})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const NO_DENSE_STORAGE = 'a SparseTensor has no dense storage; this op needs toDense() (or use coalesce(), indices(), values())';

/** The backend of a SparseTensor's (empty) dense storage: every kernel and read refuses it, naming toDense(). */
export const sparseDevice: Device = {
  name: 'sparse',
  zeros: () => { throw new Error(NO_DENSE_STORAGE); },
  empty: () => { throw new Error(NO_DENSE_STORAGE); },
  fromArray: () => { throw new Error(NO_DENSE_STORAGE); },
  read: () => { throw new Error(NO_DENSE_STORAGE); },
  readAsync: () => Promise.reject(new Error(NO_DENSE_STORAGE)),
  write: () => { throw new Error(NO_DENSE_STORAGE); },
  fill: () => { throw new Error(NO_DENSE_STORAGE); },
  release: () => {},
};

class SparsePlaceholder implements Storage {
  readonly device = sparseDevice;
  readonly length = 0;
  constructor(readonly dtype: DType) {}
}

/** The error an op gives a SparseTensor operand. */
export function sparseOperand(op: string, t: Tensor): Error {
  return new Error(`${op}: SparseTensor ${formatShape(t.shape)}: it has no dense storage; this op needs toDense() (or use coalesce(), indices(), values())`);
}
