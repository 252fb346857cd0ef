import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import type { Generator } from '../../tensor/random.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { Module } from '../module.js';
import { checkPositiveInt } from './check.js';
import { Parameter } from '../parameter.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { bilinear, linear } from '../functional/linear.js';

export interface LayerOptions {
  /** Add a learnable bias. Default true. */
  bias?: boolean;
  dtype?: DType;
  /** Stream for the initial weights (default: the global one, so manualSeed reproduces PyTorch's weights). */
  generator?: Generator;
}

export const LAYER_OPTIONS = optionKeys<LayerOptions>({ bias: true, dtype: true, generator: true });

/**
 * Fills `weight` with kaimingUniform_(a = sqrt(5)) and `bias` with U(-1/sqrt(fanIn), 1/sqrt(fanIn)):
 * PyTorch's default for Linear and the convolutions, drawn in the same order.
 */
export function resetLinearLike(weight: Tensor, bias: Tensor | null, generator?: Generator): void {
  kaimingUniform_(weight, { a: Math.sqrt(5), generator });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, generator);
  }
}

/**
 * y = x Wᵀ + b, as torch.nn.Linear; weight [out, in], bias [out]; input [*, in].
 * @example const fc = new Linear(784, 10); fc(randn([32, 784])).shape // [32, 10]
 */
export class Linear extends Module<[Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LayerOptions = {}) {
    super();
    checkKnownOptions('Linear', options, LAYER_OPTIONS);
    checkPositiveInt('Linear', 'inFeatures', inFeatures);
    checkPositiveInt('Linear', 'outFeatures', outFeatures);
    const { bias = true, dtype = 'float32' } = options;
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    resetLinearLike(this.weight, this.bias, generator);
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias, `Linear(${this.inFeatures}->${this.outFeatures})`);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * y = x1ᵀ W x2 + b, as torch.nn.Bilinear; weight [out, in1, in2] and bias [out] start U(-1/sqrt(in1), 1/sqrt(in1)).
 * @example const b = new Bilinear(3, 4, 2); b(randn([5, 3]), randn([5, 4])).shape // [5, 2]
 */
export class Bilinear extends Module<[Tensor, Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, options: LayerOptions = {}) {
    super();
    checkKnownOptions('Bilinear', options, LAYER_OPTIONS);
    for (const [what, v] of [['in1Features', in1Features], ['in2Features', in2Features], ['outFeatures', outFeatures]] as const) checkPositiveInt('Bilinear', what, v);
    const { bias = true, dtype = 'float32' } = options;
    this.weight = new Parameter(zeros([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    uniform_(this.weight, -bound, bound, generator);
    if (this.bias) uniform_(this.bias, -bound, bound, generator);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias, `Bilinear(${this.in1Features},${this.in2Features}->${this.outFeatures})`);
  }

  override extraRepr(): string {
    return `in1Features=${this.in1Features}, in2Features=${this.in2Features}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Returns its input unchanged (a placeholder, as torch.nn.Identity).
 * @example new Identity()(x) === x
 */
export class Identity extends Module<[Tensor], Tensor> {
  forward(input: Tensor): Tensor {
    return input;
  }
}
