import { backend } from '../backend/backend.js';
import { needsGrad, record } from '../autograd/record.js';
import { type Shape, formatShape, normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, emptyTensor } from './util.js';
import { where } from './elementwise.js';
import { reshape } from './shape.js';

function checkIndex(op: string, index: Tensor, size: number, what: string): Int32Array {
  if (!(index instanceof Tensor)) throw new Error(`${op}: index must be a Tensor`);
  if (index.dtype !== 'int32') throw new Error(`${op}: index must have dtype int32, got ${index.dtype}`);
  const data = index.data as Int32Array;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= size) {
      throw new Error(`${op}: index ${data[i]} is out of bounds for ${what} with size ${size}`);
    }
  }
  return data;
}

/** Rows (or slices along `dim`) of `x` picked by a 1-d int32 index, like torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'indexSelect');
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-d, got shape ${formatShape(index.shape)}`);
  const idx = checkIndex('indexSelect', index, x.ndim === 0 ? 1 : x.shape[d], `dimension ${dim}`);
  const shape = x.shape.slice();
  if (x.ndim > 0) shape[d] = idx.length;
  const out = emptyTensor(shape, x.dtype);
  backend().indexSelect(x.data, x.ndim === 0 ? [1] : x.shape, d, idx, out.data);
  if (!needsGrad(x)) return out;
  return record(out, 'IndexSelectBackward', [x], (g) => [indexAddInto(x.shape, d, idx, g)]);
}

// zeros(shape) with g's slices added at idx along d; differentiable in g (its backward is indexSelect).
function indexAddInto(shape: Shape, d: number, idx: Int32Array, g: Tensor): Tensor {
  const out = emptyTensor(shape, g.dtype);
  backend().indexAdd(g.data, g.shape, d, idx, out.data, shape);
  if (!needsGrad(g)) return out;
  const index = new Tensor(idx, [idx.length], 'int32');
  return record(out, 'IndexAddBackward', [g], (gg) => [indexSelect(gg, d, index)]);
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
  const idx = checkIndex('gather', index, x.shape[d], `dimension ${dim} of shape ${formatShape(x.shape)}`);
  const out = emptyTensor(index.shape, x.dtype);
  backend().gather(x.data, x.shape, d, idx, index.shape, out.data);
  if (!needsGrad(x)) return out;
  return record(out, 'GatherBackward', [x], (g) => [scatterAdd(emptyTensor(x.shape, g.dtype), d, index, g)]);
}

/** A copy of `x` with src[i][j] added at x[i][index[i][j]] along `dim`, like torch.scatter_add. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'scatterAdd');
  checkGatherShapes('scatterAdd', x, d, index);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i])) {
    throw new Error(`scatterAdd: index ${formatShape(index.shape)} must not be larger than src ${formatShape(src.shape)}`);
  }
  const idx = checkIndex('scatterAdd', index, x.shape[d], `dimension ${dim} of shape ${formatShape(x.shape)}`);
  const out = emptyTensor(x.shape, x.dtype);
  out.data.set(x.data);
  backend().scatterAdd(src.data, src.shape, idx, index.shape, d, out.data, x.shape);
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

function padTo(t: Tensor, shape: Shape): Tensor {
  const out = emptyTensor(shape, t.dtype);
  let cur = t.data;
  let curShape = t.shape.slice();
  for (let d = 0; d < shape.length; d++) {
    if (curShape[d] === shape[d]) continue;
    const nextShape = curShape.slice();
    nextShape[d] = shape[d];
    const next = backend().allocate(t.dtype, nextShape.reduce((a, b) => a * b, 1));
    backend().sliceAssign(cur, curShape, d, 0, 1, next, nextShape);
    cur = next;
    curShape = nextShape;
  }
  out.data.set(cur);
  return out;
}

/** Integer labels to one-hot rows (int32), like torch.nn.functional.one_hot. numClasses -1 infers max+1. */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  if (labels.dtype !== 'int32') throw new Error(`oneHot: labels must have dtype int32, got ${labels.dtype}`);
  if (numClasses !== -1 && !(Number.isInteger(numClasses) && numClasses >= 0)) {
    throw new Error(`oneHot: numClasses must be -1 (inferred) or a non-negative integer, got ${numClasses}`);
  }
  const data = labels.data;
  let n = numClasses;
  if (n === -1) {
    // a loop, not Math.max(...data): spreading a large array overflows the call stack
    n = 0;
    for (let i = 0; i < data.length; i++) if (data[i] + 1 > n) n = data[i] + 1;
  }
  checkIndex('oneHot', labels, n, 'numClasses');
  const out = emptyTensor([...labels.shape, n], 'int32');
  for (let i = 0; i < data.length; i++) out.data[i * n + data[i]] = 1;
  return out;
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
    const reversed = new Int32Array(n);
    for (let i = 0; i < n; i++) reversed[i] = n - 1 - i;
    out = indexSelect(out, d, new Tensor(reversed, [n], 'int32'));
  }
  return out;
}
