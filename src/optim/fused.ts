import { backend } from '../backend/backend.js';
import { adamStep, sgdStep } from '../backend/js/optim.js';
import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';

/** The current backend's fused update kernels, or the reference ones when it has none. */
export function fusedKernels(): { sgdStep: typeof sgdStep; adamStep: typeof adamStep } {
  const b = backend();
  return { sgdStep: b.sgdStep ?? sgdStep, adamStep: b.adamStep ?? adamStep };
}

/**
 * A copy of a saved state tensor (loadStateDict) in `p`'s dtype, resident where the backend allows.
 * @example const expAvg = stateCopy(p, saved.exp_avg);
 */
export function stateCopy(p: Tensor, saved: Tensor): Tensor {
  const converted = saved.to(p.dtype);
  const data = backend().allocateResident?.(p.dtype, saved.numel) ?? null;
  if (!data) return converted.clone();
  data.set(converted.data);
  return new Tensor(data, saved.shape, p.dtype);
}

/**
 * Zeros shaped like `p` for optimizer state that a fused kernel updates every step: resident storage
 * (in the wasm kernels' memory, updated in place) where the backend has it, an ordinary tensor otherwise.
 * @example const expAvg = stateZerosLike(p);
 */
export function stateZerosLike(p: Tensor): Tensor {
  const data = backend().allocateResident?.(p.dtype, p.numel) ?? null;
  return data ? new Tensor(data, p.shape, p.dtype) : zerosLike(p);
}
