// Ops on sparse (COO, dim 0) tensors: coalesce, toDense, and the row lookup whose gradient is sparse
// (Embedding({ sparse: true })); and indexAdd_, with which optimizers apply a sparse update in place.
import { isGradEnabled } from '../autograd/grad-mode.js';
import { needsGrad, record } from '../autograd/record.js';
import { formatShape, normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { SparseTensor } from '../tensor/sparse.js';
import { backendOf, zerosTensor } from './util.js';
import { checkIndexRange, indexSelect } from './indexing.js';
import { ne } from './elementwise.js';
import { nonzero } from './nonzero.js';
import { reshape } from './shape.js';
import { unique } from './sort.js';

/**
 * `x` with src's slices added at `index` along `dim`, in place, as torch's index_add_ (repeated indices
 * add up). Like every in-place op, refused on tensors autograd tracks unless under noGrad.
 * @example noGrad(() => weight.indexAdd_(0, rows, updates.mul(-lr)));
 */
export function indexAdd_(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const op = 'indexAdd_';
  if (isGradEnabled() && (x.requiresGrad || src.requiresGrad)) {
    throw new Error(`${op}: a tensor that requires grad is being used in an in-place operation; wrap it in noGrad(() => ...)`);
  }
  const d = normalizeDim(dim, x.ndim, op);
  if (index.dtype !== 'int32' || index.ndim !== 1) throw new Error(`${op}: index must be a 1-d int32 tensor, got ${index.dtype} ${formatShape(index.shape)}`);
  const expected = x.shape.map((s, i) => (i === d ? index.shape[0] : s));
  if (src.ndim !== x.ndim || src.shape.some((s, i) => s !== expected[i])) {
    throw new Error(`${op}: src ${formatShape(src.shape)} must be ${formatShape(expected)} for x ${formatShape(x.shape)} and ${index.shape[0]} indices along dim ${d}`);
  }
  if (src.dtype !== x.dtype) throw new Error(`${op}: src has dtype ${src.dtype}, x has ${x.dtype}`);
  const size = x.shape[d];
  checkIndexRange(backendOf(op, x, index), index, size, (bad) => `${op}: index ${bad} is out of bounds for dimension ${d} with size ${size}`);
  backendOf(op, x, src).indexAdd(src.storage, src.shape, d, index.storage, x.storage, x.shape);
  x.version++;
  return x;
}

/**
 * The same tensor with repeated indices summed and indices sorted, as torch's coalesce().
 * @example const g = (weight.grad as SparseTensor).coalesce(); g.indices(); g.values();
 */
export function coalesce(s: SparseTensor): SparseTensor {
  if (s.coalesced) return s;
  const flat = reshape(s.rawIndices, [s.nnz]);
  const { values: rows, inverse } = unique(flat, { returnInverse: true });
  const b = backendOf('coalesce', s.rawValues, inverse);
  const summed = zerosTensor([rows.shape[0], ...s.shape.slice(1)], s.dtype, b);
  b.indexAdd(s.rawValues.storage, s.rawValues.shape, 0, inverse.storage, summed.storage, summed.shape);
  return new SparseTensor(reshape(rows, [1, rows.shape[0]]), summed, s.shape, true);
}

/**
 * The dense tensor (zeros where no entry is stored), as torch's to_dense().
 * @example (emb.weight.grad as SparseTensor).toDense()
 */
export function toDense(s: SparseTensor): Tensor {
  const b = backendOf('toDense', s.rawValues, s.rawIndices);
  const out = zerosTensor(s.shape, s.dtype, b);
  b.indexAdd(s.rawValues.storage, s.rawValues.shape, 0, s.rawIndices.storage, out.storage, out.shape);
  return out;
}

/** Rows `index` (1-d int32) of `weight`, whose gradient is a SparseTensor of the rows used (PyTorch's sparse embedding backward). */
export function indexSelectSparseGrad(weight: Tensor, index: Tensor, paddingIdx: number | null): Tensor {
  const rows = indexSelect(weight.detach(), 0, index);
  if (!needsGrad(weight)) return rows;
  return record(rows, 'EmbeddingBackward', [weight], (g) => {
    // a gradient of the gradient needs a differentiable (dense) result
    if (isGradEnabled()) {
      return [indexSelectGrad(weight, index, g, paddingIdx)];
    }
    let idx = index;
    let values = g;
    if (paddingIdx !== null) {
      const keep = reshape(nonzero(ne(index, paddingIdx)), [-1]);
      idx = indexSelect(index, 0, keep);
      values = indexSelect(g, 0, keep);
    }
    return [new SparseTensor(reshape(idx, [1, idx.shape[0]]), values, weight.shape)];
  });
}

// The dense, differentiable gradient of an embedding lookup (used under createGraph).
function indexSelectGrad(weight: Tensor, index: Tensor, g: Tensor, paddingIdx: number | null): Tensor {
  let gg = g;
  if (paddingIdx !== null) gg = g.mul(reshape(ne(index, paddingIdx), [-1, 1]).to(g.dtype));
  // zeros with the rows added, differentiable in g (scatterAdd's gradient gathers the rows back)
  return zerosTensor(weight.shape, g.dtype, backendOf('embedding', g)).scatterAdd(0, reshape(index, [-1, 1]).expand(g.shape), gg);
}

/**
 * The numbers a tensor stores: itself when dense, the summed rows of a sparse one (for gradient norms).
 * @example l2(denseEntries(p.grad).dataSync())
 */
export function denseEntries(t: Tensor): Tensor {
  return t instanceof SparseTensor ? coalesce(t).rawValues : t;
}
