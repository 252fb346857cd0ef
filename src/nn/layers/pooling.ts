import { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import type { Pair } from '../../ops/conv.js';
import type { ValuesIndices } from '../../ops/reduce.js';
import {
  type AvgPoolOptions, type MaxPoolOptions, adaptiveAvgPool2d, avgPool2d, maxPool1dWithIndices, maxPool2dWithIndices,
} from '../../ops/pool.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { Module } from '../module.js';

// PyTorch-style "kernelSize=2, stride=2, padding=0, ..." with the defaults filled in.
function describe(kernelSize: unknown, options: object, defaults: Record<string, unknown>): string {
  const all: Record<string, unknown> = { kernelSize, ...defaults, ...options };
  if (all.stride == null) all.stride = kernelSize;
  return Object.entries(all).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

type MaxPool1dOptions = { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean };
const MAX_POOL_OPTIONS = optionKeys<MaxPoolOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });
const AVG_POOL_OPTIONS = optionKeys<AvgPoolOptions>({ stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true });

function check(layer: string, input: Tensor, ndim: number, layout: string): void {
  if (input.ndim !== ndim) throw new Error(`${layer}: expected input ${layout}, got ${formatShape(input.shape)}`);
}

/**
 * Max pooling over [N, C, H, W], as torch.nn.MaxPool2d (stride defaults to the kernel size);
 * forwardWithIndices also returns the flat arg max positions (return_indices=True).
 * @example const pool = new MaxPool2d(2); pool(randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module<[Tensor], Tensor> {
  readonly options: MaxPoolOptions;

  constructor(readonly kernelSize: Pair, options: MaxPoolOptions = {}) {
    super();
    checkKnownOptions('MaxPool2d', options, MAX_POOL_OPTIONS);
    this.options = { ...options };
  }

  forward(input: Tensor): Tensor {
    return this.forwardWithIndices(input).values;
  }

  forwardWithIndices(input: Tensor): ValuesIndices {
    const label = `MaxPool2d(${JSON.stringify(this.kernelSize)})`;
    check(label, input, 4, '[N,C,H,W]');
    return maxPool2dWithIndices(input, this.kernelSize, this.options, label);
  }

  override extraRepr(): string {
    return describe(this.kernelSize, this.options, { stride: null, padding: 0, dilation: 1, ceilMode: false });
  }
}

/**
 * Max pooling over [N, C, L], as torch.nn.MaxPool1d.
 * @example const pool = new MaxPool1d(3); pool(randn([1, 2, 9])).shape // [1, 2, 3]
 */
export class MaxPool1d extends Module<[Tensor], Tensor> {
  readonly options: MaxPool1dOptions;

  constructor(readonly kernelSize: number, options: MaxPool1dOptions = {}) {
    super();
    checkKnownOptions('MaxPool1d', options, MAX_POOL_OPTIONS);
    this.options = { ...options };
  }

  forward(input: Tensor): Tensor {
    return this.forwardWithIndices(input).values;
  }

  forwardWithIndices(input: Tensor): ValuesIndices {
    const label = `MaxPool1d(${this.kernelSize})`;
    check(label, input, 3, '[N,C,L]');
    return maxPool1dWithIndices(input, this.kernelSize, this.options, label);
  }

  override extraRepr(): string {
    return describe(this.kernelSize, this.options, { stride: null, padding: 0, dilation: 1, ceilMode: false });
  }
}

/**
 * Average pooling over [N, C, H, W], as torch.nn.AvgPool2d.
 * @example const pool = new AvgPool2d(2, { countIncludePad: false }); pool(randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class AvgPool2d extends Module<[Tensor], Tensor> {
  readonly options: AvgPoolOptions;

  constructor(readonly kernelSize: Pair, options: AvgPoolOptions = {}) {
    super();
    checkKnownOptions('AvgPool2d', options, AVG_POOL_OPTIONS);
    this.options = { ...options };
  }

  forward(input: Tensor): Tensor {
    const label = `AvgPool2d(${JSON.stringify(this.kernelSize)})`;
    check(label, input, 4, '[N,C,H,W]');
    return avgPool2d(input, this.kernelSize, this.options, label);
  }

  override extraRepr(): string {
    return describe(this.kernelSize, this.options, { stride: null, padding: 0, ceilMode: false, countIncludePad: true, divisorOverride: null });
  }
}

/**
 * Average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d.
 * @example const gap = new AdaptiveAvgPool2d(1); gap(randn([2, 8, 7, 7])).shape // [2, 8, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module<[Tensor], Tensor> {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize, `AdaptiveAvgPool2d(${JSON.stringify(this.outputSize)})`);
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
