import { needsGrad, record } from '../autograd/record.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, checkFloat, emptyTensor } from './util.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';

function softmaxKernel(x: Tensor, dim: number, log: boolean, op: string): Tensor {
  checkFloat(op, x);
  const axis = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim, op);
  const b = backendOf(op, x);
  const out = emptyTensor(x.shape, x.dtype, b);
  b.softmax(x.storage, x.ndim === 0 ? [1] : x.shape, axis, out.storage, log);
  return out;
}

// The backward from the output y: one kernel when the gradient need not be differentiable (no createGraph), else ops.
function softmaxGrad(g: Tensor, y: Tensor, dim: number, log: boolean): Tensor {
  if (isGradEnabled() || g.dtype !== y.dtype) {
    return log ? sub(g, mul(exp(y), sum(g, dim, true))) : mul(y, sub(g, sum(mul(g, y), dim, true)));
  }
  const b = backendOf(log ? 'logSoftmax' : 'softmax', g, y);
  const out = emptyTensor(y.shape, y.dtype, b);
  b.softmaxBackward(g.storage, y.storage, y.ndim === 0 ? [1] : y.shape, y.ndim === 0 ? 0 : normalizeDim(dim, y.ndim), out.storage, log);
  return out;
}

/**
 * exp(x) / sum(exp(x)) along `dim`, computed stably.
 * @example softmax(tensor([1, 2, 3]), -1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  const out = softmaxKernel(x, dim, false, 'softmax');
  if (!needsGrad(x)) return out;
  return record(out, 'SoftmaxBackward', [x], (g) => [softmaxGrad(g, out, dim, false)], [out]);
}

/** log(softmax(x)) along `dim`, without forming softmax (no log(0)). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const out = softmaxKernel(x, dim, true, 'logSoftmax');
  if (!needsGrad(x)) return out;
  return record(out, 'LogSoftmaxBackward', [x], (g) => [softmaxGrad(g, out, dim, true)], [out]);
}
