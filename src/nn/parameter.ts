import { Tensor } from '../tensor/tensor.js';

/**
 * A tensor that is a model's learnable weight: it requires grad by default and a Module field holding
 * one is registered automatically, as torch.nn.Parameter. It shares storage with `data`, as in PyTorch.
 * @example this.weight = new Parameter(zeros([out, in]));
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new Error(`Parameter: expected a Tensor, got ${typeof data}`);
    super(data.storage, data.shape);
    this.requiresGrad = requiresGrad;
  }
}
