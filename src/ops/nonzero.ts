// Positions of non-zero elements, and selection by a mask.
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, emptyTensor } from './util.js';
import { indexSelect } from './indexing.js';
import { broadcastTo, reshape, slice } from './shape.js';

/**
 * The coordinates of the non-zero (true) elements, int32 [count, ndim] in row-major order, as torch.nonzero.
 * @example nonzero(tensor([[0, 1], [2, 0]])) // [[0, 1], [1, 0]]
 */
export function nonzero(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`nonzero: expected a Tensor, got ${typeof x}`);
  const b = backendOf('nonzero', x);
  const out = emptyTensor([x.numel, x.ndim], 'int32', b);
  const count = b.nonzero(x.storage, x.shape, out.storage);
  return slice(out, 0, 0, count);
}

/** The same as nonzero (torch.argwhere). @example argwhere(mask) */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}

/**
 * The elements of `x` where the bool `mask` is true (both broadcast), as a 1-d tensor, as torch.masked_select;
 * differentiable in x.
 * @example maskedSelect(tensor([1, -2, 3]), tensor([true, false, true])) // [1, 3]
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (!(mask instanceof Tensor) || mask.dtype !== 'bool') throw new Error(`maskedSelect: mask must be a bool tensor, got ${mask instanceof Tensor ? mask.dtype : typeof mask}`);
  const shape = broadcastShapes(x.shape, mask.shape, 'maskedSelect');
  const positions = nonzero(reshape(broadcastTo(mask, shape), [-1]));
  return indexSelect(reshape(broadcastTo(x, shape), [-1]), 0, reshape(positions, [-1]));
}
