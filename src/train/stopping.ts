/**
 * Stopping criteria: small objects the trainer asks after every optimizer step and every epoch whether to
 * stop. Each returns null (go on) or the reason, which ends up in the history (`stopReason`). A list of
 * criteria stops at the first that fires; `allOf` fires when all of its parts have fired at the same check.
 */

/** What the trainer tells the criteria after an optimizer step. */
export interface StepInfo {
  step: number;
  epoch: number;
  loss: number;
  /** The global gradient norm (L2, before clipping). */
  gradNorm: number;
  lr: number;
  /** Seconds since training began (resumed runs count their earlier time too). */
  elapsed: number;
}

/** What the trainer tells the criteria after an epoch; `logs` has 'loss', 'val_loss', 'accuracy', 'val_accuracy', ... */
export interface EpochInfo {
  epoch: number;
  step: number;
  logs: Record<string, number>;
  elapsed: number;
}

export interface StoppingCriterion {
  readonly name: string;
  onStep?(info: StepInfo): string | null;
  onEpoch?(info: EpochInfo): string | null;
  /** A criterion with memory (patience counters) saves it for resume. */
  stateDict?(): Record<string, unknown>;
  loadStateDict?(state: Record<string, unknown>): void;
}

function positive(name: string, what: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name}: ${what} must be a positive number, got ${v}`);
}

/** Stops after `n` optimizer steps. @example maxSteps(1000) */
export function maxSteps(n: number): StoppingCriterion {
  if (!Number.isInteger(n) || n < 1) throw new Error(`maxSteps: expected a positive integer, got ${n}`);
  return { name: 'maxSteps', onStep: (s) => (s.step >= n ? `reached maxSteps (${n} steps)` : null) };
}

/** Stops after `n` epochs. @example maxEpochs(10) */
export function maxEpochs(n: number): StoppingCriterion {
  if (!Number.isInteger(n) || n < 1) throw new Error(`maxEpochs: expected a positive integer, got ${n}`);
  return { name: 'maxEpochs', onEpoch: (e) => (e.epoch >= n ? `reached maxEpochs (${n} epochs)` : null) };
}

/** Stops when the gradient norm falls below `tolerance` (a stationary point, the textbook criterion). @example gradNormBelow(1e-4) */
export function gradNormBelow(tolerance: number): StoppingCriterion {
  positive('gradNormBelow', 'tolerance', tolerance);
  return { name: 'gradNormBelow', onStep: (s) => (s.gradNorm < tolerance ? `gradient norm ${s.gradNorm.toExponential(3)} < ${tolerance} at step ${s.step}` : null) };
}

/** Stops when the training loss of a step falls below `target`. @example lossBelow(0.01) */
export function lossBelow(target: number): StoppingCriterion {
  if (!Number.isFinite(target)) throw new Error(`lossBelow: target must be a finite number, got ${target}`);
  return { name: 'lossBelow', onStep: (s) => (s.loss < target ? `loss ${s.loss.toPrecision(4)} < target ${target} at step ${s.step}` : null) };
}

/**
 * Stops when the relative improvement of the (smoothed) training loss over the best so far stays below
 * `tolerance` for `patience` consecutive steps: the loss has flattened out.
 * The loss is smoothed by an exponential moving average with factor `smoothing` (0 = raw loss).
 * @example plateau({ tolerance: 1e-4, patience: 200 })
 */
export function plateau({ tolerance = 1e-4, patience = 100, smoothing = 0.9 }: { tolerance?: number; patience?: number; smoothing?: number } = {}): StoppingCriterion {
  positive('plateau', 'tolerance', tolerance);
  if (!Number.isInteger(patience) || patience < 1) throw new Error(`plateau: patience must be a positive integer, got ${patience}`);
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`plateau: smoothing must be in [0, 1), got ${smoothing}`);
  let best = Infinity;
  let ema: number | null = null;
  let flat = 0;
  return {
    name: 'plateau',
    onStep(s) {
      ema = ema === null ? s.loss : smoothing * ema + (1 - smoothing) * s.loss;
      const improvement = best === Infinity ? Infinity : (best - ema) / Math.max(Math.abs(best), 1e-12);
      if (ema < best) best = ema;
      flat = improvement < tolerance ? flat + 1 : 0;
      return flat >= patience ? `loss plateaued: relative improvement < ${tolerance} for ${patience} steps (step ${s.step})` : null;
    },
    stateDict: () => ({ best: best === Infinity ? null : best, ema, flat }),
    loadStateDict(state) {
      best = (state.best as number | null) ?? Infinity;
      ema = state.ema as number | null;
      flat = state.flat as number;
    },
  };
}

/** Stops once `seconds` of training have passed (checked after every step). @example timeLimit(300) */
export function timeLimit(seconds: number): StoppingCriterion {
  positive('timeLimit', 'seconds', seconds);
  return { name: 'timeLimit', onStep: (s) => (s.elapsed >= seconds ? `wall-clock budget of ${seconds} s used (${s.elapsed.toFixed(1)} s)` : null) };
}

export interface EarlyStoppingOptions {
  /** The epoch log to watch, default 'val_loss'. */
  monitor?: string;
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** An improvement smaller than this does not count. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' picks 'max' for names with acc/f1/precision/recall. */
  mode?: 'min' | 'max' | 'auto';
  /** Put back the weights of the best epoch when stopping (or at the end of training). */
  restoreBestWeights?: boolean;
}

/**
 * Keras' EarlyStopping: watches an epoch metric, stops after `patience` epochs without an improvement of more
 * than `minDelta`, and can restore the best weights (the trainer keeps a copy when this criterion improves).
 * @example earlyStopping({ monitor: 'val_accuracy', patience: 3, restoreBestWeights: true })
 */
export class EarlyStopping implements StoppingCriterion {
  readonly name = 'earlyStopping';
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  best: number | null = null;
  bestEpoch = 0;
  wait = 0;
  /** Set by onEpoch when this epoch is the best so far; the trainer snapshots the weights then. */
  improved = false;

  constructor({ monitor = 'val_loss', patience = 5, minDelta = 0, mode = 'auto', restoreBestWeights = false }: EarlyStoppingOptions = {}) {
    if (!Number.isInteger(patience) || patience < 0) throw new Error(`earlyStopping: patience must be a non-negative integer, got ${patience}`);
    if (!(minDelta >= 0)) throw new Error(`earlyStopping: minDelta must be >= 0, got ${minDelta}`);
    if (!['min', 'max', 'auto'].includes(mode)) throw new Error(`earlyStopping: mode must be 'min', 'max' or 'auto', got '${mode}'`);
    this.monitor = monitor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.mode = mode === 'auto' ? (/acc|f1|precision|recall/i.test(monitor) ? 'max' : 'min') : mode;
    this.restoreBestWeights = restoreBestWeights;
  }

  onEpoch(e: EpochInfo): string | null {
    const value = e.logs[this.monitor];
    if (value === undefined) {
      throw new Error(`earlyStopping: the epoch logs have no '${this.monitor}' (they have ${Object.keys(e.logs).join(', ')}); pass valData for val_ metrics`);
    }
    const better = this.best === null || (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    this.improved = better;
    if (better) {
      this.best = value;
      this.bestEpoch = e.epoch;
      this.wait = 0;
      return null;
    }
    this.wait++;
    return this.wait >= this.patience
      ? `early stopping: ${this.monitor} did not improve for ${this.wait} epochs (best ${this.best} at epoch ${this.bestEpoch})`
      : null;
  }

  stateDict(): Record<string, unknown> {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait };
  }

  loadStateDict(state: Record<string, unknown>): void {
    this.best = state.best as number | null;
    this.bestEpoch = state.bestEpoch as number;
    this.wait = state.wait as number;
  }
}

/** @example earlyStopping({ patience: 3 }) */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}

/**
 * Fires only when every part fires at the same check (e.g. small gradient AND low loss).
 * @example allOf(gradNormBelow(1e-3), lossBelow(0.05))
 */
export function allOf(...criteria: StoppingCriterion[]): StoppingCriterion {
  if (criteria.length === 0) throw new Error('allOf: expected at least one criterion');
  const check = (reasons: (string | null)[]) => (reasons.every((r) => r !== null) ? reasons.join(' and ') : null);
  const hasStep = criteria.some((c) => c.onStep);
  const hasEpoch = criteria.some((c) => c.onEpoch);
  if (hasStep && hasEpoch) throw new Error(`allOf: combine criteria checked at the same time (all per step or all per epoch), got ${criteria.map((c) => c.name).join(', ')}`);
  return {
    name: `allOf(${criteria.map((c) => c.name).join(', ')})`,
    onStep: hasStep ? (s) => check(criteria.map((c) => c.onStep!(s))) : undefined,
    onEpoch: hasEpoch ? (e) => check(criteria.map((c) => c.onEpoch!(e))) : undefined,
    stateDict: () => ({ parts: criteria.map((c) => c.stateDict?.() ?? null) }),
    loadStateDict: (state) => (state.parts as (Record<string, unknown> | null)[]).forEach((s, i) => s && criteria[i].loadStateDict?.(s)),
  };
}

/**
 * Stops after the first epoch whose `metric` log reaches `target` (at least, or at most with mode 'min').
 * @example targetMetric('val_accuracy', 0.97)
 */
export function targetMetric(metric: string, target: number, mode: 'max' | 'min' = 'max'): StoppingCriterion {
  return {
    name: 'targetMetric',
    onEpoch(e) {
      const v = e.logs[metric];
      if (v === undefined) throw new Error(`targetMetric: the epoch logs have no '${metric}' (they have ${Object.keys(e.logs).join(', ')})`);
      return (mode === 'max' ? v >= target : v <= target) ? `${metric} ${v.toPrecision(4)} reached the target ${target} at epoch ${e.epoch}` : null;
    },
  };
}
