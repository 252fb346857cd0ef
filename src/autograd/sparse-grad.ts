// How the engine sums gradients when one is sparse (Embedding({ sparse: true })), as PyTorch's
// AccumulateGrad: sparse + sparse appends the entries (coalescing is left to whoever needs it),
// sparse + dense is dense. Sparse gradients are never recorded in the graph.
import type { Backend } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { SparseTensor } from '../tensor/sparse.js';

const backendOf = (t: Tensor) => t.storage.device as Backend;

// a's elements then b's, as one tensor of `shape` (their first dims added).
function append(a: Tensor, b: Tensor, shape: readonly number[]): Tensor {
  const device = backendOf(a);
  const out = device.empty(a.dtype, a.numel + b.numel);
  device.sliceAssign(a.storage, [a.numel], 0, 0, 1, out, [a.numel + b.numel]);
  device.sliceAssign(b.storage, [b.numel], 0, a.numel, 1, out, [a.numel + b.numel]);
  return new Tensor(out, shape);
}

/** a + b when either is sparse (else null, for the dense path). */
export function addWithSparse(a: Tensor, b: Tensor): Tensor | null {
  const sa = a instanceof SparseTensor;
  const sb = b instanceof SparseTensor;
  if (!sa && !sb) return null;
  if (sa && sb) {
    const nnz = a.nnz + b.nnz;
    return new SparseTensor(append(a.rawIndices, b.rawIndices, [1, nnz]), append(a.rawValues, b.rawValues, [nnz, ...a.shape.slice(1)]), a.shape);
  }
  const [sparse, dense] = (sa ? [a, b] : [b, a]) as [SparseTensor, Tensor];
  const device = backendOf(dense);
  const out = device.empty(dense.dtype, dense.numel);
  device.cast(dense.storage, out);
  device.indexAdd(sparse.rawValues.storage, sparse.rawValues.shape, 0, sparse.rawIndices.storage, out, dense.shape);
  return new Tensor(out, dense.shape);
}

/** A copy of a sparse gradient (a leaf's .grad is updated in place later, so it must not share storage). */
export function copySparse(s: SparseTensor): SparseTensor {
  const copy = (t: Tensor) => {
    const device = backendOf(t);
    const out = device.empty(t.dtype, t.numel);
    device.cast(t.storage, out);
    return new Tensor(out, t.shape);
  };
  return new SparseTensor(copy(s.rawIndices), copy(s.rawValues), s.shape, s.coalesced);
}
