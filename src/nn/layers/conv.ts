import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import type { Generator } from '../../tensor/random.js';
import { type Pair, conv1d, conv2d, convTranspose2d, pair } from '../../ops/conv.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { resetLinearLike } from './linear.js';

export interface ConvLayerOptions {
  stride?: Pair;
  /** A number, a pair, 'valid' (no padding) or 'same' (output size = input size; stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  /** Default true. */
  bias?: boolean;
  dtype?: DType;
  /** Stream for the initial weights (default: the global one, so manualSeed reproduces PyTorch's weights). */
  generator?: Generator;
}

function checkChannels(layer: string, inChannels: number, outChannels: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${layer}: groups must be a positive integer, got ${groups}`);
  if (inChannels % groups !== 0) throw new Error(`${layer}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
  if (outChannels % groups !== 0) throw new Error(`${layer}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
}

/**
 * 2-d convolution over [N, Cin, H, W], as torch.nn.Conv2d: weight [Cout, Cin/groups, kh, kw], bias [Cout],
 * PyTorch's default initialization.
 * @example const conv = new Conv2d(3, 16, 3, { padding: 'same' }); conv(randn([1, 3, 28, 28])).shape // [1, 16, 28, 28]
 */
export class Conv2d extends Module<[Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: ConvLayerOptions = {}) {
    super();
    const { groups = 1, bias = true, dtype = 'float32' } = options;
    const label = `Conv2d(${inChannels}->${outChannels})`;
    checkChannels(label, inChannels, outChannels, groups);
    this.kernelSize = pair(kernelSize, 'kernelSize', label, 1);
    this.stride = pair(options.stride ?? 1, 'stride', label, 1);
    const padding = options.padding ?? 0;
    this.padding = padding === 'same' || padding === 'valid' ? padding : pair(padding, 'padding', label);
    this.dilation = pair(options.dilation ?? 1, 'dilation', label, 1);
    if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) throw new Error(`${label}: padding='same' is not supported for strided convolutions`);
    this.groups = groups;
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    resetLinearLike(this.weight, this.bias, generator);
  }

  forward(input: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    return conv2d(input, this.weight, this.bias, { stride, padding, dilation, groups }, `Conv2d(${this.inChannels}->${this.outChannels})`);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}, dilation=${JSON.stringify(this.dilation)}, groups=${this.groups}, bias=${this.bias !== null}`;
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
export class Conv1d extends Module<[Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, options: Conv1dOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, dtype = 'float32' } = options;
    const label = `Conv1d(${inChannels}->${outChannels})`;
    checkChannels(label, inChannels, outChannels, groups);
    pair(kernelSize, 'kernelSize', label, 1);
    if (padding === 'same' && stride !== 1) throw new Error(`${label}: padding='same' is not supported for strided convolutions`);
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
    this.groups = groups;
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, kernelSize], { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    resetLinearLike(this.weight, this.bias, generator);
  }

  forward(input: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    return conv1d(input, this.weight, this.bias, { stride, padding, dilation, groups }, `Conv1d(${this.inChannels}->${this.outChannels})`);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${JSON.stringify(this.padding)}, dilation=${this.dilation}, groups=${this.groups}, bias=${this.bias !== null}`;
  }
}

export interface ConvTransposeLayerOptions extends Omit<ConvLayerOptions, 'padding'> {
  padding?: Pair;
  outputPadding?: Pair;
}

/**
 * Transposed 2-d convolution (upsampling), as torch.nn.ConvTranspose2d: weight [Cin, Cout/groups, kh, kw].
 * @example const up = new ConvTranspose2d(8, 3, 2, { stride: 2 }); up(randn([1, 8, 4, 4])).shape // [1, 3, 8, 8]
 */
export class ConvTranspose2d extends Module<[Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: ConvTransposeLayerOptions = {}) {
    super();
    const { groups = 1, bias = true, dtype = 'float32' } = options;
    const label = `ConvTranspose2d(${inChannels}->${outChannels})`;
    checkChannels(label, inChannels, outChannels, groups);
    this.kernelSize = pair(kernelSize, 'kernelSize', label, 1);
    this.stride = pair(options.stride ?? 1, 'stride', label, 1);
    this.padding = pair(options.padding ?? 0, 'padding', label);
    this.outputPadding = pair(options.outputPadding ?? 0, 'outputPadding', label);
    this.dilation = pair(options.dilation ?? 1, 'dilation', label, 1);
    this.groups = groups;
    this.weight = new Parameter(zeros([inChannels, outChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    resetLinearLike(this.weight, this.bias, generator);
  }

  forward(input: Tensor): Tensor {
    const { stride, padding, outputPadding, dilation, groups } = this;
    return convTranspose2d(input, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups }, `ConvTranspose2d(${this.inChannels}->${this.outChannels})`);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}, outputPadding=${JSON.stringify(this.outputPadding)}, groups=${this.groups}, bias=${this.bias !== null}`;
  }
}
