import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import type { Generator } from '../../tensor/random.js';
import { type Pair, conv1d, conv2d, convTranspose2d, pair } from '../../ops/conv.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { Module } from '../module.js';
import { checkPositiveInt } from './check.js';
import { Parameter } from '../parameter.js';
import { resetLinearLike } from './linear.js';
import { type PaddingMode, pad } from '../functional/padding.js';

export interface ConvLayerOptions {
  stride?: Pair;
  /** A number, a pair, 'valid' (no padding) or 'same' (output size = input size; stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  /** How the border is padded: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: PaddingModeName;
  /** Default true. */
  bias?: boolean;
  dtype?: DType;
  /** Stream for the initial weights (default: the global one, so manualSeed reproduces PyTorch's weights). */
  generator?: Generator;
}

const CONV_OPTIONS = optionKeys<ConvLayerOptions>({
  stride: true, padding: true, dilation: true, groups: true, paddingMode: true, bias: true, dtype: true, generator: true,
});

export type PaddingModeName = 'zeros' | 'reflect' | 'replicate' | 'circular';

// F.pad's list (last dim first) for a padding given per spatial dim, 'same' split as PyTorch splits it.
function explicitPadding(padding: readonly number[] | 'same' | 'valid', kernel: readonly number[], dilation: readonly number[]): number[] {
  const pads: number[] = [];
  for (let i = kernel.length - 1; i >= 0; i--) {
    if (padding === 'valid') pads.push(0, 0);
    else if (padding === 'same') {
      const total = dilation[i] * (kernel[i] - 1);
      pads.push(Math.floor(total / 2), total - Math.floor(total / 2));
    } else pads.push(padding[i], padding[i]);
  }
  return pads;
}

/**
 * What the convolutions share: weight and bias, PyTorch's default initialization (kaimingUniform_(a = sqrt(5))
 * and a bias in U(-1/sqrt(fanIn), 1/sqrt(fanIn)), also for the transposed weight layout), and their label.
 */
abstract class ConvBase extends Module<[Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;
  readonly groups: number;
  readonly paddingMode: PaddingModeName;

  constructor(readonly inChannels: number, readonly outChannels: number, kernel: readonly number[], transposed: boolean, options: { groups?: number; bias?: boolean; paddingMode?: PaddingModeName; dtype?: DType; generator?: Generator }) {
    super();
    checkPositiveInt(this.label, 'inChannels', inChannels);
    checkPositiveInt(this.label, 'outChannels', outChannels);
    const { groups = 1, bias = true, dtype = 'float32' } = options;
    if (!Number.isInteger(groups) || groups < 1) throw new Error(`${this.label}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new Error(`${this.label}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new Error(`${this.label}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    this.groups = groups;
    this.paddingMode = options.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new Error(`${this.label}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${this.paddingMode}'`);
    }
    if (transposed && this.paddingMode !== 'zeros') throw new Error(`${this.label}: only paddingMode 'zeros' is supported for transposed convolutions`);
    const channels = transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups];
    this.weight = new Parameter(zeros([...channels, ...kernel], { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    resetLinearLike(this.weight, this.bias, generator);
  }

  protected get label(): string {
    return `${this.constructor.name}(${this.inChannels}->${this.outChannels})`;
  }

  /** For a paddingMode other than 'zeros': the input padded explicitly, so the convolution itself pads nothing. */
  protected padInput(input: Tensor, padding: readonly number[] | 'same' | 'valid', kernel: readonly number[], dilation: readonly number[]): Tensor {
    const spatial = kernel.length;
    if (input.ndim < spatial + 1) return input; // let the convolution report the bad shape
    return pad(input, explicitPadding(padding, kernel, dilation), this.paddingMode as PaddingMode);
  }
}

/**
 * 2-d convolution over [N, Cin, H, W], as torch.nn.Conv2d: weight [Cout, Cin/groups, kh, kw], bias [Cout],
 * PyTorch's default initialization.
 * @example const conv = new Conv2d(3, 16, 3, { padding: 'same' }); conv(randn([1, 3, 28, 28])).shape // [1, 16, 28, 28]
 */
export class Conv2d extends ConvBase {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvLayerOptions = {}) {
    const label = `Conv2d(${inChannels}->${outChannels})`;
    checkKnownOptions(label, options, CONV_OPTIONS);
    const kernel = pair(kernelSize, 'kernelSize', label, 1);
    super(inChannels, outChannels, kernel, false, options);
    this.kernelSize = kernel;
    this.stride = pair(options.stride ?? 1, 'stride', label, 1);
    const padding = options.padding ?? 0;
    this.padding = padding === 'same' || padding === 'valid' ? padding : pair(padding, 'padding', label);
    this.dilation = pair(options.dilation ?? 1, 'dilation', label, 1);
    if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) throw new Error(`${label}: padding='same' is not supported for strided convolutions`);
  }

  forward(input: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    if (this.paddingMode !== 'zeros') {
      const padded = this.padInput(input, padding, this.kernelSize, dilation);
      return conv2d(padded, this.weight, this.bias, { stride, padding: 0, dilation, groups }, this.label);
    }
    return conv2d(input, this.weight, this.bias, { stride, padding, dilation, groups }, this.label);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}, dilation=${JSON.stringify(this.dilation)}, groups=${this.groups}, bias=${this.bias !== null}${this.paddingMode !== 'zeros' ? `, paddingMode='${this.paddingMode}'` : ''}`;
  }
}

export interface Conv1dOptions extends Omit<ConvLayerOptions, 'stride' | 'padding' | 'dilation'> {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
}

/**
 * 1-d convolution over [N, Cin, L], as torch.nn.Conv1d: weight [Cout, Cin/groups, k].
 * @example const conv = new Conv1d(4, 8, 3); conv(randn([2, 4, 10])).shape // [2, 8, 8]
 */
export class Conv1d extends ConvBase {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv1dOptions = {}) {
    const label = `Conv1d(${inChannels}->${outChannels})`;
    checkKnownOptions(label, options, CONV_OPTIONS);
    pair(kernelSize, 'kernelSize', label, 1);
    super(inChannels, outChannels, [kernelSize], false, options);
    const { stride = 1, padding = 0, dilation = 1 } = options;
    if (padding === 'same' && stride !== 1) throw new Error(`${label}: padding='same' is not supported for strided convolutions`);
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
  }

  forward(input: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    if (this.paddingMode !== 'zeros') {
      const padded = this.padInput(input, typeof padding === 'number' ? [padding] : padding, [this.kernelSize], [dilation]);
      return conv1d(padded, this.weight, this.bias, { stride, padding: 0, dilation, groups }, this.label);
    }
    return conv1d(input, this.weight, this.bias, { stride, padding, dilation, groups }, this.label);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${JSON.stringify(this.padding)}, dilation=${this.dilation}, groups=${this.groups}, bias=${this.bias !== null}${this.paddingMode !== 'zeros' ? `, paddingMode='${this.paddingMode}'` : ''}`;
  }
}

export interface ConvTransposeLayerOptions extends Omit<ConvLayerOptions, 'padding' | 'paddingMode'> {
  padding?: Pair;
  outputPadding?: Pair;
}

const CONV_TRANSPOSE_OPTIONS = optionKeys<ConvTransposeLayerOptions>({
  stride: true, padding: true, outputPadding: true, dilation: true, groups: true, bias: true, dtype: true, generator: true,
});

/**
 * Transposed 2-d convolution (upsampling), as torch.nn.ConvTranspose2d: weight [Cin, Cout/groups, kh, kw].
 * @example const up = new ConvTranspose2d(8, 3, 2, { stride: 2 }); up(randn([1, 8, 4, 4])).shape // [1, 3, 8, 8]
 */
export class ConvTranspose2d extends ConvBase {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvTransposeLayerOptions = {}) {
    const label = `ConvTranspose2d(${inChannels}->${outChannels})`;
    checkKnownOptions(label, options, CONV_TRANSPOSE_OPTIONS);
    const kernel = pair(kernelSize, 'kernelSize', label, 1);
    super(inChannels, outChannels, kernel, true, options);
    this.kernelSize = kernel;
    this.stride = pair(options.stride ?? 1, 'stride', label, 1);
    this.padding = pair(options.padding ?? 0, 'padding', label);
    this.outputPadding = pair(options.outputPadding ?? 0, 'outputPadding', label);
    this.dilation = pair(options.dilation ?? 1, 'dilation', label, 1);
  }

  forward(input: Tensor): Tensor {
    const { stride, padding, outputPadding, dilation, groups } = this;
    return convTranspose2d(input, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups }, this.label);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}, outputPadding=${JSON.stringify(this.outputPadding)}, groups=${this.groups}, bias=${this.bias !== null}`;
  }
}
