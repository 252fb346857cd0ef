import { Tensor } from '../../tensor/tensor.js';
import { type Generator, defaultGenerator } from '../../tensor/random.js';
import { type DType, allocate } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { deviceNamed } from '../../tensor/storage.js';
import { mul } from '../../ops/elementwise.js';
import { checkFloat } from '../../ops/util.js';

/**
 * Zeroes each element with probability `p` and scales the rest by 1 / (1 - p) during training; the
 * identity when `training` is false, as torch.nn.functional.dropout. The mask is drawn as PyTorch's CPU
 * bernoulli_(1 - p) without MKL (one 53-bit uniform per element), so a seeded stream gives the same mask
 * as a torch build without MKL.
 * @example dropout(x, 0.5, true, new Generator(0))
 */
export function dropout(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  checkFloat('dropout', input);
  if (!training || p === 0) return input;
  return mul(input, dropoutMask(input.shape, p, input.dtype, input.device, generator));
}

/**
 * The scale factors dropout multiplies by: 0 with probability `p`, else 1 / (1 - p), drawn in dropout's
 * order (for ops that apply dropout inside a kernel, such as attention's weights).
 * @example const m = dropoutMask([2, 3], 0.1, 'float32', 'wasm', new Generator(0));
 */
export function dropoutMask(shape: readonly number[], p: number, dtype: DType, device: string, generator: Generator = defaultGenerator): Tensor {
  const keep = 1 - p;
  const scale = keep === 0 ? 0 : 1 / keep;
  const mask = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < mask.length; i++) mask[i] = generator.uniform53() < keep ? scale : 0;
  return Tensor.fromArray(mask, shape, dtype, deviceNamed(device, 'dropout'));
}
