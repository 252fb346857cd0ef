import { Tensor } from '../../tensor/tensor.js';
import type { Device } from '../../tensor/storage.js';
import { formatShape } from '../../tensor/shape.js';
import { ones, zeros } from '../../tensor/creation.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { add_ } from '../../ops/inplace.js';
import { readsSync } from '../../ops/util.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { Module } from '../module.js';
import { checkPositiveInt } from './check.js';
import { Parameter } from '../parameter.js';
import { batchNorm, groupNorm, layerNorm } from '../functional/normalization.js';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running averages; null means a cumulative (equal-weight) average. Default 0.1. */
  momentum?: number | null;
  /** Learnable per-channel scale and shift. Default true. */
  affine?: boolean;
  /** Keep running statistics for eval mode. Default true. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

const BATCH_NORM_OPTIONS = optionKeys<BatchNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true, dtype: true });

/** Shared body of BatchNorm1d and BatchNorm2d (torch's _BatchNorm). */
abstract class BatchNorm extends Module<[Tensor], Tensor> {
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    checkKnownOptions(new.target.name, options, BATCH_NORM_OPTIONS);
    checkPositiveInt(new.target.name, 'numFeatures', numFeatures);
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = 'float32' } = options;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.runningMean = this.registerBuffer('runningMean', trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.runningVar = this.registerBuffer('runningVar', trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.numBatchesTracked = this.registerBuffer('numBatchesTracked', trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
    this.rememberCount(0);
  }

  // numBatchesTracked as a number (momentum null averages with weight 1/count), read only when it changed
  // outside forward (loadStateDict, fill_): a device that reads only asynchronously then cannot go on.
  private knownCount: { tensor: Tensor; version: number; value: number } | null = null;

  private countIfKnown(): number | null {
    const t = this.numBatchesTracked;
    return t && this.knownCount?.tensor === t && this.knownCount.version === t.version ? this.knownCount.value : null;
  }

  private batchesTracked(): number {
    const t = this.numBatchesTracked!;
    const known = this.countIfKnown();
    if (known !== null) return known;
    if (!readsSync(t)) {
      throw new Error(`${this.label}: momentum null weighs each batch by 1/numBatchesTracked, which was changed outside forward (loadStateDict, copy_) and ${t.device} cannot read synchronously; give momentum a number on ${t.device}`);
    }
    return t.item();
  }

  private rememberCount(value: number): void {
    const t = this.numBatchesTracked;
    this.knownCount = t && { tensor: t, version: t.version, value };
  }

  // a move changes the count's version, not its value
  protected override moveOwnTensors(device: Device, read?: (t: Tensor) => TypedArray): void {
    const known = this.countIfKnown();
    super.moveOwnTensors(device, read);
    if (known !== null) this.rememberCount(known);
  }

  /** Resets the running statistics (means 0, variances 1, count 0). */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.fill_(0);
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.fill_(0);
    });
    this.rememberCount(0);
  }

  /** Expected input layout, for error messages. */
  protected abstract checkInput(input: Tensor): void;

  protected get label(): string {
    return `${this.constructor.name}(${this.numFeatures})`;
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      const count = this.momentum === null ? this.batchesTracked() + 1 : 0;
      noGrad(() => add_(this.numBatchesTracked!, 1));
      if (this.momentum === null) {
        this.rememberCount(count);
        factor = 1 / count;
      }
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const keepStats = !this.training || this.trackRunningStats;
    return batchNorm(
      input, keepStats ? this.runningMean : null, keepStats ? this.runningVar : null, this.weight, this.bias,
      useBatchStats, factor, this.eps, this.label,
    );
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalization over [N, C] or [N, C, L] per channel C, as torch.nn.BatchNorm1d.
 * @example const bn = new BatchNorm1d(16); bn(randn([8, 16])).shape // [8, 16]
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInput(input: Tensor): void {
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[1] !== this.numFeatures) {
      throw new Error(`${this.label}: expected input [N,${this.numFeatures}] or [N,${this.numFeatures},L], got ${formatShape(input.shape)}`);
    }
  }
}

/**
 * Batch normalization over [N, C, H, W] per channel C, as torch.nn.BatchNorm2d.
 * @example const bn = new BatchNorm2d(3); bn(randn([2, 3, 8, 8])).shape // [2, 3, 8, 8]
 */
export class BatchNorm2d extends BatchNorm {
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 4 || input.shape[1] !== this.numFeatures) {
      throw new Error(`${this.label}: expected input [N,${this.numFeatures},H,W], got ${formatShape(input.shape)}`);
    }
  }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learnable elementwise scale (and shift). Default true. */
  elementwiseAffine?: boolean;
  /** Learn the shift too (only with elementwiseAffine). Default true. */
  bias?: boolean;
  dtype?: DType;
}

/**
 * Normalizes over the trailing `normalizedShape` dims, as torch.nn.LayerNorm.
 * @example const ln = new LayerNorm(64); ln(randn([2, 10, 64])).shape // [2, 10, 64]
 */
export class LayerNorm extends Module<[Tensor], Tensor> {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkKnownOptions('LayerNorm', options, optionKeys<LayerNormOptions>({ eps: true, elementwiseAffine: true, bias: true, dtype: true }));
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = 'float32' } = options;
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0) throw new Error('LayerNorm: normalizedShape must not be empty');
    this.normalizedShape.forEach((d) => checkPositiveInt('LayerNorm', 'normalizedShape', d));
    this.eps = eps;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps, `LayerNorm(${formatShape(this.normalizedShape)})`);
  }

  override extraRepr(): string {
    return `${formatShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/**
 * Group normalization, as torch.nn.GroupNorm: channels in `numGroups` groups, each normalized per sample.
 * @example const gn = new GroupNorm(2, 6); gn(randn([4, 6, 5, 5])).shape // [4, 6, 5, 5]
 */
export class GroupNorm extends Module<[Tensor], Tensor> {
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly numGroups: number, readonly numChannels: number, options: { eps?: number; affine?: boolean; dtype?: DType } = {}) {
    super();
    checkKnownOptions('GroupNorm', options, ['eps', 'affine', 'dtype']);
    checkPositiveInt('GroupNorm', 'numGroups', numGroups);
    checkPositiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    const { eps = 1e-5, affine = true, dtype = 'float32' } = options;
    this.eps = eps;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    const label = `GroupNorm(${this.numGroups},${this.numChannels})`;
    if (input.ndim < 2 || input.shape[1] !== this.numChannels) {
      throw new Error(`${label}: expected input [N,${this.numChannels},*], got ${formatShape(input.shape)}`);
    }
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps, label);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}
