// Losses as modules, as torch.nn.MSELoss and friends: the options are fixed at construction, and
// class weights are buffers (so they appear in stateDict under 'weight' and 'pos_weight', as in PyTorch).
import { Tensor } from '../../tensor/tensor.js';
import { checkedOptions } from '../../tensor/options.js';
import { Module } from '../module.js';
import * as F from '../functional/loss.js';
import type { Reduction } from '../functional/loss.js';
import { type CtcLossOptions, ctcLoss } from '../functional/ctc.js';

type ReductionOptions = { reduction?: Reduction };
type MarginOptions = ReductionOptions & { margin?: number };

/** What every loss module holds: its reduction (torch.nn.modules.loss._Loss). */
export abstract class Loss<Args extends unknown[]> extends Module<Args, Tensor> {
  reduction: Reduction;
  constructor(reduction: Reduction = 'mean') {
    super();
    this.reduction = reduction;
  }
  override extraRepr(): string {
    return `reduction=${this.reduction}`;
  }
}

/** A loss with class or element weights, kept as a buffer named 'weight' (torch.nn.modules.loss._WeightedLoss). */
export abstract class WeightedLoss<Args extends unknown[]> extends Loss<Args> {
  weight: Tensor | null;
  constructor(weight: Tensor | null, reduction: Reduction = 'mean') {
    super(reduction);
    this.weight = this.registerBuffer('weight', weight);
  }
}

/**
 * Mean squared error. @example
 * const loss = new MSELoss()(prediction, target);
 */
export class MSELoss extends Loss<[Tensor, Tensor]> {
  constructor(options: ReductionOptions = {}) {
    const { reduction = 'mean' } = checkedOptions('MSELoss', options, ['reduction']);
    super(reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error. @example new L1Loss({ reduction: 'sum' })(prediction, target) */
export class L1Loss extends Loss<[Tensor, Tensor]> {
  constructor(options: ReductionOptions = {}) {
    const { reduction = 'mean' } = checkedOptions('L1Loss', options, ['reduction']);
    super(reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1 loss (quadratic below beta). @example new SmoothL1Loss({ beta: 0.5 })(prediction, target) */
export class SmoothL1Loss extends Loss<[Tensor, Tensor]> {
  beta: number;
  constructor(options: ReductionOptions & { beta?: number } = {}) {
    const { reduction = 'mean', beta = 1 } = checkedOptions('SmoothL1Loss', options, ['reduction', 'beta']);
    super(reduction);
    this.beta = beta;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber loss (quadratic below delta). @example new HuberLoss({ delta: 2 })(prediction, target) */
export class HuberLoss extends Loss<[Tensor, Tensor]> {
  delta: number;
  constructor(options: ReductionOptions & { delta?: number } = {}) {
    const { reduction = 'mean', delta = 1 } = checkedOptions('HuberLoss', options, ['reduction', 'delta']);
    super(reduction);
    this.delta = delta;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * Cross-entropy on logits with class indices or class probabilities.
 * @example
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion(logits, labels); // labels: int32 [N]
 */
export class CrossEntropyLoss extends WeightedLoss<[Tensor, Tensor]> {
  ignoreIndex: number;
  labelSmoothing: number;
  constructor(options: F.CrossEntropyOptions = {}) {
    const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = checkedOptions('CrossEntropyLoss', options, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing']);
    super(weight, reduction);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood on log-probabilities. @example new NLLLoss()(logSoftmax(logits, 1), labels) */
export class NLLLoss extends WeightedLoss<[Tensor, Tensor]> {
  ignoreIndex: number;
  constructor(options: F.ClassLossOptions = {}) {
    const { weight = null, ignoreIndex = -100, reduction = 'mean' } = checkedOptions('NLLLoss', options, ['weight', 'ignoreIndex', 'reduction']);
    super(weight, reduction);
    this.ignoreIndex = ignoreIndex;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross-entropy on probabilities. @example new BCELoss()(sigmoid(logits), targets) */
export class BCELoss extends WeightedLoss<[Tensor, Tensor]> {
  constructor(options: F.WeightedOptions = {}) {
    const { weight = null, reduction = 'mean' } = checkedOptions('BCELoss', options, ['weight', 'reduction']);
    super(weight, reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross-entropy on logits (stable). @example new BCEWithLogitsLoss({ posWeight: tensor([3]) })(logits, targets) */
export class BCEWithLogitsLoss extends WeightedLoss<[Tensor, Tensor]> {
  posWeight: Tensor | null;
  constructor(options: F.WeightedOptions & { posWeight?: Tensor | null } = {}) {
    const { weight = null, posWeight = null, reduction = 'mean' } = checkedOptions('BCEWithLogitsLoss', options, ['weight', 'posWeight', 'reduction']);
    super(weight, reduction);
    this.posWeight = this.registerBuffer('posWeight', posWeight);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** KL divergence; input holds log-probabilities. @example new KLDivLoss({ reduction: 'batchmean' })(logp, probs) */
export class KLDivLoss extends Module<[Tensor, Tensor], Tensor> {
  reduction: Reduction | 'batchmean';
  logTarget: boolean;
  constructor(options: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    const { reduction = 'mean', logTarget = false } = checkedOptions('KLDivLoss', options, ['reduction', 'logTarget']);
    super();
    this.reduction = reduction;
    this.logTarget = logTarget;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** A loss on two inputs and a +1/-1 target with a margin. */
abstract class MarginLoss extends Loss<[Tensor, Tensor, Tensor]> {
  margin: number;
  constructor(options: MarginOptions) {
    const { margin = 0, reduction = 'mean' } = checkedOptions(new.target.name, options, ['margin', 'reduction']);
    super(reduction);
    this.margin = margin;
  }
}

/** Cosine embedding loss. @example new CosineEmbeddingLoss({ margin: 0.5 })(a, b, y) */
export class CosineEmbeddingLoss extends MarginLoss {
  constructor(options: MarginOptions = {}) {
    super(options);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Margin ranking loss. @example new MarginRankingLoss({ margin: 0.1 })(x1, x2, y) */
export class MarginRankingLoss extends MarginLoss {
  constructor(options: MarginOptions = {}) {
    super(options);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Triplet margin loss. @example new TripletMarginLoss({ margin: 1, p: 2 })(anchor, positive, negative) */
export class TripletMarginLoss extends Loss<[Tensor, Tensor, Tensor]> {
  margin: number;
  p: number;
  eps: number;
  swap: boolean;
  constructor(options: MarginOptions & { p?: number; eps?: number; swap?: boolean } = {}) {
    const { margin = 1, p = 2, eps = 1e-6, swap = false, reduction = 'mean' } = checkedOptions('TripletMarginLoss', options, ['margin', 'p', 'eps', 'swap', 'reduction']);
    super(reduction);
    this.margin = margin;
    this.p = p;
    this.eps = eps;
    this.swap = swap;
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

type Lengths = Tensor | readonly number[] | number;

/**
 * Connectionist Temporal Classification loss.
 * @example
 * const ctc = new CTCLoss({ blank: 0 });
 * const loss = ctc(logSoftmax(logits, 2), targets, inputLengths, targetLengths); // logits [T, N, C]
 */
export class CTCLoss extends Loss<[Tensor, Tensor, Lengths, Lengths]> {
  blank: number;
  zeroInfinity: boolean;
  constructor(options: CtcLossOptions = {}) {
    const { blank = 0, reduction = 'mean', zeroInfinity = false } = checkedOptions('CTCLoss', options, ['blank', 'reduction', 'zeroInfinity']);
    super(reduction);
    this.blank = blank;
    this.zeroInfinity = zeroInfinity;
  }
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Lengths, targetLengths: Lengths): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity });
  }
}
