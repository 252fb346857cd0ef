import { Tensor } from '../../tensor/tensor.js';
import { flatten, unflatten } from '../../ops/shape.js';
import { Module } from '../module.js';

/**
 * Flattens dims startDim..endDim (default: all but the batch dim), as torch.nn.Flatten.
 * @example new Flatten()(randn([2, 3, 4, 4])).shape // [2, 48]
 */
export class Flatten extends Module<[Tensor], Tensor> {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `sizes`, as torch.nn.Unflatten.
 * @example new Unflatten(1, [3, 4, 4])(randn([2, 48])).shape // [2, 3, 4, 4]
 */
export class Unflatten extends Module<[Tensor], Tensor> {
  constructor(readonly dim: number, readonly unflattenedSize: readonly number[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return unflatten(input, this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${JSON.stringify(this.unflattenedSize)}`;
  }
}
