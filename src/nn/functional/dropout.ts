import { Tensor } from '../../tensor/tensor.js';
import { type Generator, defaultGenerator } from '../../tensor/random.js';
import { allocate } from '../../tensor/dtype.js';
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
  const keep = 1 - p;
  const scale = keep === 0 ? 0 : 1 / keep;
  const mask = allocate(input.dtype, input.numel);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.uniform53() < keep ? scale : 0;
  return mul(input, Tensor.fromArray(mask, input.shape, input.dtype, input.storage.device));
}
