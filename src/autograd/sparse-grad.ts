// How the engine sums gradients when one is sparse (Embedding({ sparse: true })), as PyTorch's
// AccumulateGrad: sparse + sparse appends the entries (coalescing is left to whoever needs it),
// sparse + dense is dense. Sparse gradients are never recorded in the graph.
import { backend } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { SparseTensor } from '../tensor/sparse.js';

function append(a: Tensor, b: Tensor, shape: readonly number[]): Tensor {
  const data = backend().allocate(a.dtype, a.numel + b.numel);
  data.set(a.data);
  data.set(b.data, a.numel);
  return new Tensor(data, shape, a.dtype);
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
  const out = backend().allocate(dense.dtype, dense.numel);
  out.set(dense.data);
  backend().indexAdd(sparse.rawValues.data, sparse.rawValues.shape, 0, sparse.rawIndices.data as Int32Array, out, dense.shape);
  return new Tensor(out, dense.shape, dense.dtype);
}

/** A copy of a sparse gradient (a leaf's .grad is updated in place later, so it must not share storage). */
export function copySparse(s: SparseTensor): SparseTensor {
  const copy = (t: Tensor) => new Tensor(t.data.slice(), t.shape, t.dtype);
  return new SparseTensor(copy(s.rawIndices), copy(s.rawValues), s.shape, s.coalesced);
}
