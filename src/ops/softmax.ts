import { needsGrad, record } from '../autograd/record.js';
import { normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, checkFloat, emptyTensor } from './util.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { transpose } from './shape.js';

function softmaxKernel(x: Tensor, dim: number, log: boolean, op: string): Tensor {
  checkFloat(op, x);
  const d = normalizeDim(dim, x.ndim, op);
  if (x.ndim > 0 && d !== x.ndim - 1) return transpose(softmaxKernel(transpose(x, d, -1), -1, log, op), d, -1);
  const b = backendOf(op, x);
  const out = emptyTensor(x.shape, x.dtype, b);
  b.softmax(x.storage, x.ndim === 0 ? 1 : x.shape[x.ndim - 1], out.storage, log);
  return out;
}

/**
 * exp(x) / sum(exp(x)) along `dim`, computed stably.
 * @example softmax(tensor([1, 2, 3]), -1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  const out = softmaxKernel(x, dim, false, 'softmax');
  if (!needsGrad(x)) return out;
  return record(out, 'SoftmaxBackward', [x], (g) => [mul(out, sub(g, sum(mul(g, out), dim, true)))], [out]);
}

/** log(softmax(x)) along `dim`, without forming softmax (no log(0)). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const out = softmaxKernel(x, dim, true, 'logSoftmax');
  if (!needsGrad(x)) return out;
  return record(out, 'LogSoftmaxBackward', [x], (g) => [sub(g, mul(exp(out), sum(g, dim, true)))], [out]);
}
