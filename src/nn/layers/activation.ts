import { Tensor } from '../../tensor/tensor.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../../ops/elementwise.js';
import { logSoftmax, softmax } from '../../ops/softmax.js';
import { Module } from '../module.js';

/** max(x, 0), as torch.nn.ReLU. @example new ReLU()(tensor([-1, 2])) // [0, 2] */
export class ReLU extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

/** x if x > 0 else negativeSlope * x, as torch.nn.LeakyReLU. @example new LeakyReLU(0.2)(x) */
export class LeakyReLU extends Module<[Tensor], Tensor> {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x if x > 0 else alpha * (exp(x) - 1), as torch.nn.ELU. @example new ELU()(x) */
export class ELU extends Module<[Tensor], Tensor> {
  constructor(readonly alpha = 1) {
    super();
  }

  forward(input: Tensor): Tensor {
    return elu(input, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Gaussian error linear unit, exact or with the tanh approximation, as torch.nn.GELU. @example new GELU('tanh')(x) */
export class GELU extends Module<[Tensor], Tensor> {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(input: Tensor): Tensor {
    return gelu(input, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x * sigmoid(x), as torch.nn.SiLU. @example new SiLU()(x) */
export class SiLU extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return silu(input);
  }
}

/** @example new Tanh()(x) */
export class Tanh extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** @example new Sigmoid()(x) */
export class Sigmoid extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/** log(1 + exp(beta x)) / beta, linear above `threshold`, as torch.nn.Softplus. @example new Softplus(2)(x) */
export class Softplus extends Module<[Tensor], Tensor> {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
  }

  forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

function checkDim(layer: string, dim: number): number {
  if (!Number.isInteger(dim)) throw new Error(`${layer}: dim must be an integer (PyTorch's implicit dim is not supported), got ${String(dim)}`);
  return dim;
}

/** Softmax along `dim`, as torch.nn.Softmax(dim). @example new Softmax(-1)(logits) */
export class Softmax extends Module<[Tensor], Tensor> {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim('Softmax', dim);
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably, as torch.nn.LogSoftmax(dim). @example new LogSoftmax(1)(logits) */
export class LogSoftmax extends Module<[Tensor], Tensor> {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim('LogSoftmax', dim);
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
