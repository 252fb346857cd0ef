import { type AnyOptimizer, LRScheduler, perGroup } from './scheduler.js';

type LrLambda = (epoch: number) => number;

/**
 * lr = initialLr · λ(epoch), as torch's LambdaLR (one λ, or one per group).
 * The λs are code, so stateDict leaves them out.
 * @example const s = new optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch);
 */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], lastEpoch = -1) {
    super(optimizer, lastEpoch, 'LambdaLR');
    this.lrLambdas = perGroup('lrLambda', optimizer, lrLambda, 'LambdaLR');
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}

/**
 * lr ← lr · λ(epoch) each step (from epoch 1), as torch's MultiplicativeLR.
 * @example const s = new optim.lrScheduler.MultiplicativeLR(opt, () => 0.95);
 */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], lastEpoch = -1) {
    super(optimizer, lastEpoch, 'MultiplicativeLR');
    this.lrLambdas = perGroup('lrLambda', optimizer, lrLambda, 'MultiplicativeLR');
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch > 0 ? lrs.map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch)) : lrs;
  }
}
