import { backend } from '../backend/backend.js';
import { adamStep, sgdStep } from '../backend/js/optim.js';

/** The current backend's fused update kernels, or the reference ones when it has none. */
export function fusedKernels(): { sgdStep: typeof sgdStep; adamStep: typeof adamStep } {
  const b = backend();
  return { sgdStep: b.sgdStep ?? sgdStep, adamStep: b.adamStep ?? adamStep };
}
