import { type AnyOptimizer, SchedulerBase, groupsOf, perGroup } from './scheduler.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/**
 * Divides the learning rate when a metric stops improving, as torch's ReduceLROnPlateau: after more than
 * `patience` steps without an improvement beyond `threshold`, lr ← max(lr · factor, minLr), then
 * `cooldown` steps pass before bad steps count again. `step(metric)` takes the metric.
 * @example
 * const s = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 5 });
 * s.step(validationLoss);
 */
export class ReduceLROnPlateau extends SchedulerBase {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    if (!(factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${factor}`);
    if (mode !== 'min' && mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(mode)}'`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${String(thresholdMode)}'`);
    super(optimizer, 'ReduceLROnPlateau');
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = perGroup('minLr', optimizer, minLr, 'ReduceLROnPlateau');
    this.eps = eps;
    this.best = mode === 'min' ? Infinity : -Infinity;
    this.recordLrs();
  }

  private isBetter(a: number, best: number): boolean {
    const rel = this.thresholdMode === 'rel';
    if (this.mode === 'min') return rel ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return rel ? a > best * (1 + this.threshold) : a > best + this.threshold;
  }

  /** Records `metric` (e.g. the validation loss) and reduces the rate when it has plateaued. */
  step(metric: number, epoch?: number): void {
    const current = Number(metric);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      groupsOf(this.optimizer).forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.recordLrs();
  }
}
