import { needsGrad, record } from '../autograd/record.js';
import { type Device, deviceNamed } from '../tensor/storage.js';
import { Tensor } from '../tensor/tensor.js';
import type { TypedArray } from '../tensor/dtype.js';

/**
 * A copy of `x` on backend `name` ('js', 'wasm', ...), or `x` itself when it is there already, as
 * torch's x.to(device); the gradient moves back. Ops refuse operands on different backends.
 * @example const y = toBackend(x, 'js');
 */
export function toBackend(x: Tensor, name: string): Tensor {
  const target = deviceNamed(name, 'to');
  return x.storage.device === target ? x : copyTo(x, target, x.dataSync());
}

/**
 * toBackend from any device, reading with `await x.data()`: how a tensor leaves a GPU, as
 * `await t.toAsync('wasm')`.
 * @example const onCpu = await toBackendAsync(gpuTensor, 'wasm');
 */
export async function toBackendAsync(x: Tensor, name: string): Promise<Tensor> {
  const target = deviceNamed(name, 'toAsync');
  return x.storage.device === target ? x : copyTo(x, target, await x.data());
}

function copyTo(x: Tensor, target: Device, values: TypedArray): Tensor {
  const out = new Tensor(target.fromArray(values, x.dtype), x.shape);
  if (!needsGrad(x)) return out;
  const source = x.device;
  return record(out, 'ToCopyBackward', [x], (g) => [toBackend(g, source)]);
}
