// Positions of non-zero elements, and selection by a mask.
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, checkSyncShape, emptyTensor } from './util.js';
import { indexSelect } from './indexing.js';
import { broadcastTo, reshape, slice } from './shape.js';

/** The kernel's coordinates [numel, ndim] (the first `count[0]` rows hold the answer). */
function nonzeroRows(x: Tensor, op: string): { rows: Tensor; count: Tensor } {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${typeof x}`);
  const b = backendOf(op, x);
  const rows = emptyTensor([x.numel, x.ndim], 'int32', b);
  const count = emptyTensor([1], 'int32', b);
  b.nonzero(x.storage, x.shape, rows.storage, count.storage);
  return { rows, count };
}

/**
 * The coordinates of the non-zero (true) elements, int32 [count, ndim] in row-major order, as torch.nonzero.
 * On a device that reads only asynchronously (webgpu) its shape is unknown until a read: use nonzeroAsync.
 * @example nonzero(tensor([[0, 1], [2, 0]])) // [[0, 1], [1, 0]]
 */
export function nonzero(x: Tensor): Tensor {
  if (x instanceof Tensor) checkSyncShape('nonzero', x, 'dt.nonzeroAsync(x)');
  const { rows, count } = nonzeroRows(x, 'nonzero');
  return slice(rows, 0, 0, count.item());
}

/**
 * nonzero on every device, a GPU included: the count of non-zero elements is read with `await`, as
 * `await t.data()` (TF.js's whereAsync).
 * @example const coordinates = await nonzeroAsync(mask); // int32 [count, mask.ndim]
 */
export async function nonzeroAsync(x: Tensor): Promise<Tensor> {
  const { rows, count } = nonzeroRows(x, 'nonzeroAsync');
  return slice(rows, 0, 0, (await count.data())[0]);
}

/** The same as nonzero (torch.argwhere). @example argwhere(mask) */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}

/** x and mask broadcast together and flattened, for maskedSelect. */
function flatPair(x: Tensor, mask: Tensor, op: string): [Tensor, Tensor] {
  if (!(mask instanceof Tensor) || mask.dtype !== 'bool') throw new Error(`${op}: mask must be a bool tensor, got ${mask instanceof Tensor ? mask.dtype : typeof mask}`);
  const shape = broadcastShapes(x.shape, mask.shape, op);
  return [reshape(broadcastTo(x, shape), [-1]), reshape(broadcastTo(mask, shape), [-1])];
}

/**
 * The elements of `x` where the bool `mask` is true (both broadcast), as a 1-d tensor, as torch.masked_select;
 * differentiable in x. On webgpu use maskedSelectAsync.
 * @example maskedSelect(tensor([1, -2, 3]), tensor([true, false, true])) // [1, 3]
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const [flatX, flatMask] = flatPair(x, mask, 'maskedSelect');
  checkSyncShape('maskedSelect', flatMask, 'dt.maskedSelectAsync(x, mask)');
  return indexSelect(flatX, 0, reshape(nonzero(flatMask), [-1]));
}

/**
 * maskedSelect on every device, a GPU included (the number of selected elements is read with `await`, as
 * TF.js's booleanMaskAsync); differentiable in x.
 * @example const picked = await maskedSelectAsync(x, x.gt(0));
 */
export async function maskedSelectAsync(x: Tensor, mask: Tensor): Promise<Tensor> {
  const [flatX, flatMask] = flatPair(x, mask, 'maskedSelectAsync');
  return indexSelect(flatX, 0, reshape(await nonzeroAsync(flatMask), [-1]));
}
