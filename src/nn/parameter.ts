import { Tensor } from '../tensor/tensor.js';

/**
 * A tensor that is a model's learnable weight: it requires grad by default and a Module field holding
 * one is registered automatically, as torch.nn.Parameter.
 * @example this.weight = new Parameter(zeros([out, in]));
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.data, data.shape, data.dtype);
    this.requiresGrad = requiresGrad;
  }
}
