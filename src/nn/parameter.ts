import { backend } from '../backend/backend.js';
import type { TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A tensor that is a model's learnable weight: it requires grad by default and a Module field holding
 * one is registered automatically, as torch.nn.Parameter. It shares storage with `data`, as in PyTorch.
 * @example this.weight = new Parameter(zeros([out, in]));
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(residentStorage(data), data.shape, data.dtype);
    this.requiresGrad = requiresGrad;
  }
}

/**
 * The storage a parameter keeps. Where the backend has resident storage (wasm on shared memory, float32)
 * the values move there and `t` is repointed to it, so `t` and the parameter still share storage while
 * the optimizer's kernels update it in place. Views of `t` made before (reshape shares the array) keep
 * the old array: that is the one difference from PyTorch.
 */
function residentStorage(t: Tensor): TypedArray {
  const b = backend();
  if (!b.allocateResident || t.numel === 0 || b.isResident?.(t.data)) return t.data;
  const data = b.allocateResident(t.dtype, t.numel);
  if (!data) return t.data;
  data.set(t.data);
  t.data = data;
  return data;
}
