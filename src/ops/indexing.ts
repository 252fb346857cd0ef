import { needsGrad, record } from '../autograd/record.js';
import { type Shape, formatShape, normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Backend } from '../backend/backend.js';
import { type TensorLike, backendOf, checkValues, emptyTensor, readsSync, zerosTensor } from './util.js';
import { cast, eq, where } from './elementwise.js';
import { max, min } from './reduce.js';
import { reshape, unsqueeze } from './shape.js';
import { arange } from '../tensor/creation.js';

/** Refuses an index that is not int32, not on x's backend, or out of [0, size). */
function checkIndex(op: string, x: Tensor, index: Tensor, size: number, what: string): void {
  if (!(index instanceof Tensor)) throw new Error(`${op}: index must be a Tensor`);
  if (index.dtype !== 'int32') throw new Error(`${op}: index must have dtype int32, got ${index.dtype}`);
  checkIndexRange(backendOf(op, x, index), index, size, (bad) => `${op}: index ${bad} is out of bounds for ${what} with size ${size}`);
}

/**
 * Refuses int32 indices outside [0, size) with `message(bad index)`: at once where the device reads
 * synchronously, else (a GPU) at its next read, from their min and max (checkValues).
 */
export function checkIndexRange(b: Backend, index: Tensor, size: number, message: (bad: number) => string): void {
  if (readsSync(index)) {
    const bad = b.indexOutOfRange(index.storage, size);
    if (bad !== null) throw new Error(message(bad));
  } else if (index.numel > 0) {
    checkValues([min(index), max(index)], ([lo, hi]) => (lo[0] < 0 ? message(lo[0]) : hi[0] >= size ? message(hi[0]) : null));
  }
}

/** Rows (or slices along `dim`) of `x` picked by a 1-d int32 index, like torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'indexSelect');
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-d, got shape ${formatShape(index.shape)}`);
  checkIndex('indexSelect', x, index, x.ndim === 0 ? 1 : x.shape[d], `dimension ${dim}`);
  return indexSelectUnchecked(x, d, index);
}

// indexSelect of an index known to be in range (the backward of indexAddInto).
function indexSelectUnchecked(x: Tensor, d: number, index: Tensor): Tensor {
  const shape = x.shape.slice();
  if (x.ndim > 0) shape[d] = index.numel;
  const b = backendOf('indexSelect', x, index);
  const out = emptyTensor(shape, x.dtype, b);
  b.indexSelect(x.storage, x.ndim === 0 ? [1] : x.shape, d, index.storage, out.storage);
  if (!needsGrad(x)) return out;
  return record(out, 'IndexSelectBackward', [x], (g) => [indexAddInto(x.shape, d, index, g)]);
}

// zeros(shape) with g's slices added at index along d; differentiable in g (its backward is indexSelect).
function indexAddInto(shape: Shape, d: number, index: Tensor, g: Tensor): Tensor {
  const b = backendOf('indexAdd', g, index);
  const out = zerosTensor(shape, g.dtype, b);
  b.indexAdd(g.storage, g.shape, d, index.storage, out.storage, shape);
  if (!needsGrad(g)) return out;
  return record(out, 'IndexAddBackward', [g], (gg) => [indexSelectUnchecked(gg, d, index)]);
}

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.ndim !== x.ndim) {
    throw new Error(`${op}: index ${formatShape(index.shape)} must have the same number of dimensions as input ${formatShape(x.shape)}`);
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) {
      throw new Error(`${op}: size of index ${formatShape(index.shape)} does not fit input ${formatShape(x.shape)} at dimension ${i}`);
    }
  }
}

/** out[i][j] = x[i][index[i][j]] along `dim`, like torch.gather. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  if (x.ndim === 0 && index instanceof Tensor && index.ndim === 0) {
    // torch treats 0-d operands as 1-element vectors here
    normalizeDim(dim, 0, 'gather');
    return reshape(gather(reshape(x, [1]), 0, reshape(index, [1])), []);
  }
  const d = normalizeDim(dim, x.ndim, 'gather');
  checkGatherShapes('gather', x, d, index);
  checkIndex('gather', x, index, x.shape[d], `dimension ${dim} of shape ${formatShape(x.shape)}`);
  const b = backendOf('gather', x, index);
  const out = emptyTensor(index.shape, x.dtype, b);
  b.gather(x.storage, x.shape, d, index.storage, index.shape, out.storage);
  if (!needsGrad(x)) return out;
  return record(out, 'GatherBackward', [x], (g) => [scatterAdd(zerosTensor(x.shape, g.dtype, b), d, index, g)]);
}

/** A copy of `x` with src[i][j] added at x[i][index[i][j]] along `dim`, like torch.scatter_add. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'scatterAdd');
  checkGatherShapes('scatterAdd', x, d, index);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i])) {
    throw new Error(`scatterAdd: index ${formatShape(index.shape)} must not be larger than src ${formatShape(src.shape)}`);
  }
  checkIndex('scatterAdd', x, index, x.shape[d], `dimension ${dim} of shape ${formatShape(x.shape)}`);
  const b = backendOf('scatterAdd', x, src);
  const out = emptyTensor(x.shape, x.dtype, b);
  b.cast(x.storage, out.storage);
  b.scatterAdd(cast(src, x.dtype).storage, src.shape, index.storage, index.shape, d, out.storage, x.shape);
  if (!needsGrad(x, src)) return out;
  return record(out, 'ScatterAddBackward', [x, src], (g) => {
    let gs: Tensor | null = null;
    if (src.requiresGrad) {
      const picked = gather(g, d, index);
      // src may be larger than index: its extra elements get no gradient
      gs = picked.shape.every((s, i) => s === src.shape[i]) ? picked : padTo(picked, src.shape);
    }
    return [g, gs];
  });
}

// t placed at the start of zeros of `shape` (each dim at least t's).
function padTo(t: Tensor, shape: Shape): Tensor {
  const b = backendOf('scatterAdd', t);
  let cur = t;
  for (let d = 0; d < shape.length; d++) {
    if (cur.shape[d] === shape[d]) continue;
    const nextShape = cur.shape.slice();
    nextShape[d] = shape[d];
    const next = zerosTensor(nextShape, t.dtype, b);
    b.sliceAssign(cur.storage, cur.shape, d, 0, 1, next.storage, nextShape);
    cur = next;
  }
  return cur;
}

/** Integer labels to one-hot rows (int32), like torch.nn.functional.one_hot. numClasses -1 infers max+1. */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  if (labels.dtype !== 'int32') throw new Error(`oneHot: labels must have dtype int32, got ${labels.dtype}`);
  if (numClasses !== -1 && !(Number.isInteger(numClasses) && numClasses >= 0)) {
    throw new Error(`oneHot: numClasses must be -1 (inferred) or a non-negative integer, got ${numClasses}`);
  }
  const n = numClasses === -1 ? (labels.numel === 0 ? 0 : Math.max(0, max(labels).item() + 1)) : numClasses;
  checkIndex('oneHot', labels, labels, n, 'numClasses');
  return cast(eq(unsqueeze(labels, -1), arange(n, undefined, 1, { device: labels.device })), 'int32');
}

/** `value` where `mask` is true, else x (torch's masked_fill). */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  if (mask.dtype !== 'bool') throw new Error(`maskedFill: mask must have dtype bool, got ${mask.dtype}`);
  return where(mask, value, x);
}

/** Reverses the order of elements along `dims`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  let out = x;
  for (const dim of typeof dims === 'number' ? [dims] : dims) {
    const d = normalizeDim(dim, x.ndim, 'flip');
    if (x.ndim === 0) continue; // nothing to reverse
    const n = x.shape[d];
    out = indexSelectUnchecked(out, d, arange(n - 1, -1, -1, { device: x.device }));
  }
  return out;
}
