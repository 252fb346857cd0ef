import { needsGrad, record } from '../autograd/record.js';
import { deviceNamed } from '../tensor/storage.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A copy of `x` on backend `name` ('js', 'wasm', ...), or `x` itself when it is there already, as
 * torch's x.to(device); the gradient moves back. Ops refuse operands on different backends.
 * @example const y = toBackend(x, 'js');
 */
export function toBackend(x: Tensor, name: string): Tensor {
  const target = deviceNamed(name, 'to');
  if (x.storage.device === target) return x;
  const out = new Tensor(target.fromArray(x.dataSync(), x.dtype), x.shape);
  if (!needsGrad(x)) return out;
  const source = x.device;
  return record(out, 'ToCopyBackward', [x], (g) => [toBackend(g, source)]);
}
