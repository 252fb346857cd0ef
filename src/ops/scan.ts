// Cumulative sums and products along a dim, as torch.cumsum and torch.cumprod.
import { needsGrad, record } from '../autograd/record.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, emptyTensor, readsSync } from './util.js';
import { div, eq, mul } from './elementwise.js';
import { any } from './reduce.js';
import { flip } from './indexing.js';

function cumulativeRaw(op: 'sum' | 'prod', x: Tensor, dim: number, name: string): { out: Tensor; d: number; outer: number; n: number; inner: number } {
  if (!(x instanceof Tensor)) throw new TypeError(`${name}: expected a Tensor, got ${typeof x}`);
  const d = normalizeDim(dim, Math.max(x.ndim, 1), name);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= x.shape[i];
  for (let i = d + 1; i < x.ndim; i++) inner *= x.shape[i];
  // integers and bools accumulate as integers (torch's int64; descent's int32)
  const dtype: DType = isFloating(x.dtype) ? x.dtype : 'int32';
  const b = backendOf(name, x);
  const out = emptyTensor(x.shape, dtype, b);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  b.cumulative(op, x.storage, outer, n, inner, out.storage);
  return { out, d, outer, n, inner };
}

// The sum from each position to the end along d: cumsum's backward, itself differentiable.
function reverseCumsum(g: Tensor, d: number): Tensor {
  return g.ndim === 0 ? g : flip(cumsum(flip(g, d), d), d);
}

/**
 * Running sums along `dim`: out[i] = x[0] + ... + x[i], as torch.cumsum (ints and bools sum to int32).
 * @example cumsum(tensor([1, 2, 3]), 0) // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  const { out, d } = cumulativeRaw('sum', x, dim, 'cumsum');
  if (!needsGrad(x)) return out;
  return record(out, 'CumsumBackward', [x], (g) => [reverseCumsum(g, d)]);
}

/**
 * Running products along `dim`, as torch.cumprod. Its gradient is exact when x holds zeros too (then
 * first-order only: a gradient of that gradient is refused).
 * @example cumprod(tensor([1, 2, 3]), 0) // [1, 2, 6]
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  const { out, d, outer, n, inner } = cumulativeRaw('prod', x, dim, 'cumprod');
  if (!needsGrad(x)) return out;
  return record(out, 'CumprodBackward', [x], (g) => {
    // without zeros, PyTorch's formula: reverse cumsum of g * out, divided by x (differentiable)
    // (a device without synchronous reads cannot rule zeros out: it takes the kernel, exact either way)
    if (readsSync(x) && !any(eq(x, 0)).item()) return [div(reverseCumsum(mul(g, out), d), x)];
    if (isGradEnabled() && (g.requiresGrad || x.requiresGrad)) {
      throw new Error(readsSync(x)
        ? 'cumprod: the gradient of the gradient is not supported where the input has zeros'
        : `cumprod: the gradient of the gradient is not supported on ${x.device} (only a synchronous read could rule out zeros in the input)`);
    }
    const b = backendOf('cumprod', x, g);
    const grad = emptyTensor(x.shape, x.dtype, b);
    b.cumprodBackward(x.storage, g.storage, outer, n, inner, grad.storage);
    return [grad];
  }, [x, out]);
}
