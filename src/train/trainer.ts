import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Module, StateDict } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/lr-scheduler/scheduler.js';
import { ReduceLROnPlateau } from '../optim/lr-scheduler/plateau.js';
import { clipGradNorm_, clipGradValue_ } from '../nn/utils/clip.js';
import { type Metric, freshMetric, toMetric } from './metrics.js';
import { type EpochInfo, type StepInfo, type StoppingCriterion, EarlyStopping, maxEpochs, maxSteps } from './stopping.js';
import type { BatchLogs, Callback } from './callbacks.js';
import { type ForwardFn, type LossFn, defaultForward, evaluateAsync, hostCopies } from './evaluate.js';
import { joinTensors, splitTensors } from './state.js';
import { denseEntries } from '../ops/sparse.js';
import { readsSync } from '../ops/util.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { type TrainerCheckpoint, captureCheckpoint, copyStateDict, isResumable, restoreCheckpoint } from './checkpoint.js';
import {
  type BetweenSteps, type SavedOptimizerState, copyInto, restoreBetweenSteps, restoreOptimizerState, saveBetweenSteps, saveOptimizerState,
} from './pipeline.js';

export type { TrainerCheckpoint } from './checkpoint.js';

export interface FitOptions<B = unknown> {
  /** Training batches, one pass per epoch: a DataLoader (resumable mid-epoch) or any iterable. */
  data: Iterable<B>;
  /** Batches evaluated after every epoch, giving `val_loss` and `val_<metric>`. */
  valData?: Iterable<B>;
  loss: LossFn;
  optimizer: Optimizer;
  scheduler?: Scheduler;
  /** When the scheduler steps: after every epoch (default, PyTorch's habit) or every optimizer step. */
  schedulerInterval?: 'epoch' | 'step';
  /** Total epochs (a resumed run trains up to this number). */
  epochs?: number;
  /** Stop after this many optimizer steps in total. */
  maxSteps?: number;
  metrics?: (Metric | string)[];
  callbacks?: Callback[];
  /** More stopping criteria; the first to fire ends training and gives `history.stopReason`. */
  stopWhen?: StoppingCriterion[];
  /** Scale gradients so their joint L2 norm is at most this (clipGradNorm_). */
  clipGradNorm?: number;
  /** Clamp every gradient element to [-v, v]. */
  clipGradValue?: number;
  /** Sum gradients over this many batches before one optimizer step (a k-times larger effective batch). */
  accumulateSteps?: number;
  /** `(model, batch) => ({ output, target, penalty? })` for batches that are not `[input, target]` (see ForwardFn). */
  forward?(model: Module, batch: B): ReturnType<ForwardFn<B>>;
  /**
   * Stop on a non-finite loss or gradient and put back the last weights that gave a finite loss (default true).
   * Costs one copy of the weights per step.
   */
  nanGuard?: boolean;
  /** Record each optimizer step (loss, lr, gradient norm) in history.steps (default true). */
  logSteps?: boolean;
}

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
}

/** What training produced: a row per epoch (loss, metrics, val_*, lr, time), a row per step, and why it stopped. */
export interface History {
  epochs: Array<Record<string, number>>;
  steps: StepRecord[];
  stopReason: string | null;
  /** The criterion that fired ('maxEpochs', 'earlyStopping', 'nanGuard', 'interrupt', ...). */
  stoppedBy: string | null;
  /** Whether the weights were put back (best epoch, or last finite) at the end. */
  restoredWeights: 'best' | 'lastFinite' | null;
}

const now = () => Date.now() / 1000;
const warn = (message: string) => (globalThis as unknown as { console?: { warn(m: string): void } }).console?.warn(message);
const setTimeoutFn = (globalThis as unknown as { setTimeout: (fn: () => void, ms: number) => unknown }).setTimeout;
// Lets signal handlers, timers and the UI run during a long synchronous loop.
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeoutFn(resolve, 0));

/**
 * The gradient descent loop as an object: `fit()` trains until a stopping criterion fires; `checkpoint()`
 * and `restore()` capture and restore everything, so a restored trainer continues bit for bit.
 * @example
 * const trainer = new Trainer(model, { data: loader, loss: nn.functional.crossEntropy, optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), epochs: 5 });
 * const history = await trainer.fit();
 */
export class Trainer<B = unknown> {
  readonly model: Module;
  readonly options: FitOptions<B>;
  readonly optimizer: Optimizer;
  readonly criteria: StoppingCriterion[];
  readonly callbacks: Callback[];
  readonly metrics: Metric[];
  /** Optimizer steps taken. */
  step = 0;
  /** Epochs completed. */
  epoch = 0;
  /** Batches of the current epoch already consumed (non-zero only mid-epoch). */
  batchInEpoch = 0;
  history: History = { epochs: [], steps: [], stopReason: null, stoppedBy: null, restoredWeights: null };
  // @internal: the loop's own state that a checkpoint carries (src/train/checkpoint.ts reads and restores it)
  /** @internal Seconds trained before the current fit(). */
  elapsedBefore = 0;
  /** @internal The loss summed over the epoch in progress, weighted by batch size, and the samples seen. */
  epochLossSum = 0;
  /** @internal */
  epochLossCount = 0;
  /** @internal The weights of the last step whose loss was finite (NaN guard); not checkpointed. */
  lastGood: Tensor[] | null = null;
  /** @internal The best epoch's weights (early stopping with restoreBestWeights). */
  best: StateDict | null = null;
  /**
   * @internal While the pipelined loop settles a step with the next batch's forward already recorded: the
   * state saved before that forward, which `checkpoint()` takes instead of the live one (so a checkpoint
   * taken by a callback is the state after the step, as on a synchronous device).
   */
  betweenSteps: BetweenSteps | null = null;
  private betweenStepsSpare: BetweenSteps | null = null;
  // the pipelined loop's NaN guard: the weights saved before the step in flight (lastGood's twin) and the optimizer's state
  private spareGood: Tensor[] | null = null;
  private savedOptimizer: SavedOptimizerState | null = null;
  private stopRequest: { reason: string; by: string } | null = null;
  private startedAt = 0;
  private lastYield = 0;

  constructor(model: Module, options: FitOptions<B>) {
    if (typeof model !== 'function' || typeof (model as { parameters?: unknown }).parameters !== 'function') throw new Error('fit: expected a Module as the model');
    if (!options || typeof options !== 'object') throw new Error('fit: expected options { data, loss, optimizer, ... }');
    const { data, loss, optimizer } = options;
    if (!data || typeof (data as Iterable<B>)[Symbol.iterator] !== 'function') throw new Error('fit: `data` must be an iterable of batches (e.g. a DataLoader)');
    if (typeof loss !== 'function') throw new Error('fit: `loss` must be a function (output, target) => Tensor or a loss module');
    if (!(optimizer instanceof Optimizer)) throw new Error('fit: `optimizer` must be an optimizer (e.g. new optim.SGD(model.parameters(), { lr: 0.1 }))');
    const positiveInt = (name: string, v: number | undefined) => {
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new Error(`fit: ${name} must be a positive integer, got ${v}`);
    };
    positiveInt('epochs', options.epochs);
    positiveInt('maxSteps', options.maxSteps);
    positiveInt('accumulateSteps', options.accumulateSteps);
    for (const k of ['clipGradNorm', 'clipGradValue'] as const) {
      const v = options[k];
      if (v !== undefined && !(v > 0)) throw new Error(`fit: ${k} must be a positive number, got ${v}`);
    }
    if (options.schedulerInterval !== undefined && !['epoch', 'step'].includes(options.schedulerInterval)) {
      throw new Error(`fit: schedulerInterval must be 'epoch' or 'step', got '${options.schedulerInterval}'`);
    }
    if (options.epochs === undefined && options.maxSteps === undefined && !(options.stopWhen?.length)) {
      throw new Error('fit: give epochs, maxSteps or a stopping criterion in stopWhen, or training would never end');
    }
    this.model = model;
    this.options = options;
    this.optimizer = optimizer;
    this.criteria = [
      ...(options.epochs !== undefined ? [maxEpochs(options.epochs)] : []),
      ...(options.maxSteps !== undefined ? [maxSteps(options.maxSteps)] : []),
      ...(options.stopWhen ?? []),
    ];
    this.callbacks = options.callbacks ?? [];
    this.metrics = (options.metrics ?? []).map(toMetric);
  }

  /** Asks training to end after the current step (callbacks, signal handlers); `by` names who asked. */
  stop(reason: string, by = 'callback'): void {
    this.stopRequest ??= { reason, by };
  }

  private pending(): { reason: string; by: string } | null {
    return this.stopRequest;
  }

  get stopRequested(): boolean {
    return this.stopRequest !== null;
  }

  /** Seconds of training so far, across resumes. */
  get elapsed(): number {
    return this.elapsedBefore + (this.startedAt ? now() - this.startedAt : 0);
  }

  /** The first parameter group's learning rate. */
  get lr(): number {
    return this.optimizer.paramGroups[0].lr;
  }

  /** Trains until a stopping criterion fires (or `stop` is called); returns the history. */
  async fit(): Promise<History> {
    const o = this.options;
    const accumulate = o.accumulateSteps ?? 1;
    const forward: ForwardFn<B> = o.forward ? o.forward.bind(o) : defaultForward;
    const nanGuard = o.nanGuard ?? true;
    this.stopRequest = null;
    this.history.stopReason = null;
    this.history.stoppedBy = null;
    this.startedAt = now();
    this.lastYield = now();
    const pipelined = this.canPipeline();
    const own = new Set(this.model.parameters());
    if (!this.optimizer.paramGroups.some((g) => g.params.some((p) => own.has(p)))) {
      warn("fit: the optimizer holds none of the model's parameters, so training will not change the model (was the optimizer built from another model's parameters()?)");
    }
    await this.emit((c) => c.onTrainBegin?.(this));
    // a finished run that is fit again (e.g. resumed after its last epoch) stops at once
    if (this.batchInEpoch === 0 && o.epochs !== undefined && this.epoch >= o.epochs) this.stop(`reached maxEpochs (${o.epochs} epochs)`, 'maxEpochs');
    if (o.maxSteps !== undefined && this.step >= o.maxSteps) this.stop(`reached maxSteps (${o.maxSteps} steps)`, 'maxSteps');
    while (!this.pending()) {
      const epoch = this.epoch + 1;
      const resuming = this.batchInEpoch > 0;
      // a checkpoint taken on the epoch's last step (before its end: validation, the epoch row) resumes there
      const atEpochEnd = resuming && this.epochFinished();
      if (!resuming) {
        this.epochLossSum = 0;
        this.epochLossCount = 0;
      }
      if (!resuming) for (const m of this.metrics) m.reset(); // mid-epoch, the accumulators carry on (restored from a checkpoint or kept)
      await this.emit((c) => c.onEpochBegin?.(this, epoch));
      this.model.train();
      const skip = resuming && !isResumable(o.data) ? this.batchInEpoch : 0; // plain iterables replay the epoch
      if (resuming && isResumable(o.data)) o.data.loadStateDict(o.data.stateDict()); // continue the loader's unfinished epoch
      const batches = atEpochEnd ? [] : skip > 0 ? skipping(o.data, skip) : o.data;
      if (pipelined) await this.trainEpochPipelined(batches, epoch, forward, accumulate, nanGuard);
      else await this.trainEpoch(batches, epoch, forward, accumulate, nanGuard);
      if (this.batchInEpoch === 0 && !this.pending()) {
        throw new Error(`fit: the training data yielded no batches in epoch ${epoch}${epoch > 1 ? ' (a one-shot iterator or generator can only be read once: pass an array of batches or a DataLoader)' : ''}`);
      }
      if (this.pending() && this.pending()?.by === 'nanGuard') break;
      const completed = !this.pending() || this.epochFinished();
      if (!completed) break; // stopped mid-epoch: the partial epoch is not logged (a checkpoint can resume it)
      this.batchInEpoch = 0;
      this.epoch = epoch;
      await this.endEpoch(epoch);
    }
    if (this.best && this.criteria.some((c) => c instanceof EarlyStopping && c.restoreBestWeights)) {
      noGrad(() => this.model.loadStateDict(this.best!));
      this.history.restoredWeights = 'best';
    }
    this.elapsedBefore = this.elapsed;
    this.startedAt = 0;
    this.history.stopReason = this.pending()?.reason ?? null;
    this.history.stoppedBy = this.pending()?.by ?? null;
    await this.emit((c) => c.onTrainEnd?.(this, this.history));
    return this.history;
  }

  // Whether the loader has handed out its whole epoch (a stop on the last step still completes the epoch).
  private epochFinished(): boolean {
    const data = this.options.data as { length?: unknown };
    return typeof data.length === 'number' && this.batchInEpoch >= data.length;
  }

  /** One epoch, each step's values read before the next batch: synchronous devices (wasm), and callbacks that need it. */
  private async trainEpoch(batches: Iterable<B>, epoch: number, forward: ForwardFn<B>, accumulate: number, nanGuard: boolean): Promise<void> {
    const o = this.options;
    let micro = 0;
    let stepLossSum = 0;
    for (const batch of batches) {
      const batchIndex = this.batchInEpoch;
      await this.emit((c) => c.onBatchBegin?.(this, batchIndex));
      const { output, target, penalty } = forward(this.model, batch);
      const loss = o.loss(output, target);
      // a device without synchronous reads (a GPU): the loss read asynchronously, metrics on host copies
      const lossValue = readsSync(loss) ? loss.item() : (await loss.data())[0];
      if (!Number.isFinite(lossValue)) {
        this.guardTripped(nanGuard, `loss is ${lossValue} at epoch ${epoch}, batch ${batchIndex + 1}`);
        break;
      }
      const objective = penalty ? loss.add(penalty) : loss; // the penalty's own non-finite values trip the gradient check
      (accumulate > 1 ? objective.div(accumulate) : objective).backward();
      const metricInputs = this.metrics.length === 0 ? null : readsSync(output) ? [output.detach(), target] as const : await hostCopies(output, target);
      this.countBatch(lossValue, metricInputs, target);
      stepLossSum += lossValue;
      micro++;
      if (micro === accumulate) {
        const ok = await this.optimizerStep(stepLossSum / micro, epoch, nanGuard);
        micro = 0;
        stepLossSum = 0;
        if (!ok) break;
      }
      await this.endBatch(batchIndex, lossValue);
      // a stop waits for the accumulation in progress to step (its gradients are not checkpointed); the NaN guard does not
      if (this.pending() && micro === 0) break;
    }
    // a last, partial accumulation still counts as a step
    if (micro > 0 && this.pending()?.by !== 'nanGuard') await this.optimizerStep(stepLossSum / micro, epoch, nanGuard);
  }

  /**
   * One epoch on a device that reads only asynchronously (webgpu), pipelined: batch b+1's forward and backward
   * are recorded while batch b's reads (loss, gradient norm, metric copies) are in flight, so the GPU works
   * while the CPU records. What comes after those reads waits for them, in order, as in trainEpoch:
   * metrics, step counters, scheduler, history, onStepEnd, criteria, onBatchEnd. Step b's update is recorded
   * before its values arrive (the next forward needs it); batch b+1's optimizer step only after they did, so a
   * stop at step b (a criterion, a callback, the time limit) never applies update b+1: the trainer takes back
   * batch b+1's forward (its gradients, the buffers it changed, the random generator's and the loader's
   * state, saved before it) and ends where trainEpoch ends. A non-finite loss or gradient norm at step b also
   * takes back update b (the weights and optimizer state saved before it, with the NaN guard on).
   */
  private async trainEpochPipelined(batches: Iterable<B>, epoch: number, forward: ForwardFn<B>, accumulate: number, nanGuard: boolean): Promise<void> {
    const iterator = batches[Symbol.iterator]();
    let micro = 0;
    let stepLosses: number[] = [];
    let inFlight: InFlight | null = null;
    let exhausted = false;
    try {
      for (;;) {
        const saved = inFlight ? (this.betweenSteps = saveBetweenSteps(this.model, this.options.data, this.betweenStepsSpare)) : null;
        const next = iterator.next();
        exhausted = next.done === true;
        let current: InFlight | null = null;
        if (!next.done) {
          const batchIndex = this.batchInEpoch + (inFlight ? 1 : 0);
          await this.emit((c) => c.onBatchBegin?.(this, batchIndex)); // (a no-op: no callback of a pipelined fit has onBatchBegin)
          current = this.recordBatch(next.value, batchIndex, forward, accumulate);
        }
        if (inFlight) {
          const go = await this.settleBatch(inFlight, epoch, nanGuard, stepLosses);
          if (inFlight.step) stepLosses = [];
          this.betweenStepsSpare = saved;
          if (!go) {
            if (this.betweenSteps) this.dropNextBatch(this.betweenSteps); // (the NaN guard took it back already)
            if (current) ignoreReads(current);
            return;
          }
          this.betweenSteps = null;
        }
        if (!current) break;
        micro++;
        if (micro === accumulate) {
          current.step = await this.recordStep(nanGuard);
          micro = 0;
        }
        inFlight = current;
      }
    } finally {
      this.betweenSteps = null; // (an error while settling: no stale state for checkpoint())
      if (!exhausted) iterator.return?.(); // as a for...of left early does
    }
    // a last, partial accumulation still counts as a step
    if (micro > 0) await this.settleStep(await this.recordStep(nanGuard), stepLosses, epoch, nanGuard);
  }

  // Records a batch's forward and backward and starts its reads (the loss, the metrics' host copies).
  private recordBatch(batch: B, index: number, forward: ForwardFn<B>, accumulate: number): InFlight {
    const { output, target, penalty } = forward(this.model, batch);
    const loss = this.options.loss(output, target);
    const lossValue = loss.data().then((d) => d[0]);
    const objective = penalty ? loss.add(penalty) : loss;
    (accumulate > 1 ? objective.div(accumulate) : objective).backward();
    return { index, loss: lossValue, target, metricInputs: this.metrics.length > 0 ? hostCopies(output, target) : null, step: null };
  }

  // Records an optimizer step and starts reading its gradient norm; saves what taking it back needs (NaN guard).
  private async recordStep(nanGuard: boolean): Promise<StepInFlight> {
    const params = this.optimizer.paramGroups.flatMap((g) => g.params);
    const gradNorm = gradNormOf(params);
    await this.emit((c) => c.onAfterBackward?.(this));
    const before = nanGuard ? { weights: snapshot(this.model, this.spareGood), optimizer: saveOptimizerState(this.optimizer, this.savedOptimizer) } : null;
    if (before) this.savedOptimizer = before.optimizer;
    this.update(params);
    return { gradNorm, before };
  }

  // Once a batch's reads are in: what trainEpoch does after its forward, in the same order; false ends the epoch.
  private async settleBatch(b: InFlight, epoch: number, nanGuard: boolean, stepLosses: number[]): Promise<boolean> {
    const lossValue = await b.loss;
    if (!Number.isFinite(lossValue)) {
      this.tripPipelined(b.step, nanGuard, `loss is ${lossValue} at epoch ${epoch}, batch ${b.index + 1}`);
      return false;
    }
    this.countBatch(lossValue, b.metricInputs && (await b.metricInputs), b.target);
    stepLosses.push(lossValue);
    if (b.step && !(await this.settleStep(b.step, stepLosses, epoch, nanGuard))) return false;
    await this.endBatch(b.index, lossValue);
    return !(this.pending() && b.step);
  }

  private async settleStep(s: StepInFlight, losses: number[], epoch: number, nanGuard: boolean): Promise<boolean> {
    const gradNorm = await s.gradNorm;
    if (!Number.isFinite(gradNorm)) {
      this.tripPipelined(s, nanGuard, `gradient norm is ${gradNorm} at step ${this.step + 1}`);
      return false;
    }
    if (s.before) [this.lastGood, this.spareGood] = [s.before.weights, this.lastGood];
    await this.endStep(losses.reduce((a, b) => a + b, 0) / losses.length, gradNorm, epoch);
    return true;
  }

  // The NaN guard in the pipeline: the next batch's forward and this step's update are taken back first.
  private tripPipelined(step: StepInFlight | null, nanGuard: boolean, what: string): void {
    if (this.betweenSteps) this.dropNextBatch(this.betweenSteps);
    if (step?.before) {
      restore(this.model, step.before.weights);
      restoreOptimizerState(this.optimizer, step.before.optimizer);
    }
    this.guardTripped(nanGuard, what);
  }

  // Takes back a batch recorded ahead: its gradients, and the buffers, generator and loader state it changed.
  private dropNextBatch(saved: BetweenSteps): void {
    this.betweenSteps = null;
    this.optimizer.zeroGrad();
    restoreBetweenSteps(this.model, this.options.data, saved);
  }

  // Whether batches may be pipelined: a device that reads only asynchronously, and callbacks whose batch hooks only read.
  private canPipeline(): boolean {
    const first = this.optimizer.paramGroups[0]?.params[0];
    if (!first || readsSync(first)) return false;
    return this.callbacks.every((c) => !c.onBatchBegin && (c.readsOnly === true || (!c.onStepEnd && !c.onBatchEnd)));
  }

  // A batch's loss and predictions into the epoch's sums and the metrics.
  private countBatch(lossValue: number, metricInputs: readonly [Tensor, Tensor] | null, target: Tensor): void {
    if (metricInputs) {
      const [seen, truth] = metricInputs;
      noGrad(() => {
        for (const m of this.metrics) m.update(seen, truth);
      });
    }
    const n = target.ndim > 0 ? target.shape[0] : 1;
    this.epochLossSum += lossValue * n;
    this.epochLossCount += n;
    this.batchInEpoch++;
  }

  private async endBatch(batchIndex: number, lossValue: number): Promise<void> {
    const logs: BatchLogs = { batch: batchIndex, step: this.step, loss: lossValue, lr: this.lr };
    await this.emit((c) => c.onBatchEnd?.(this, batchIndex, logs));
    if (now() - this.lastYield > 0.05) {
      await yieldToEventLoop();
      this.lastYield = now();
    }
  }

  private async optimizerStep(loss: number, epoch: number, nanGuard: boolean): Promise<boolean> {
    const params = this.optimizer.paramGroups.flatMap((g) => g.params);
    const gradNorm = await gradNormOf(params);
    if (!Number.isFinite(gradNorm)) {
      this.guardTripped(nanGuard, `gradient norm is ${gradNorm} at step ${this.step + 1}`);
      return false;
    }
    await this.emit((c) => c.onAfterBackward?.(this));
    if (nanGuard) this.lastGood = snapshot(this.model, this.lastGood);
    this.update(params);
    await this.endStep(loss, gradNorm, epoch);
    return true;
  }

  // Clipping, the optimizer's step and zeroGrad.
  private update(params: Tensor[]): void {
    const o = this.options;
    if (o.clipGradValue !== undefined) clipGradValue_(params, o.clipGradValue);
    if (o.clipGradNorm !== undefined) clipGradNorm_(params, o.clipGradNorm);
    this.optimizer.step();
    this.optimizer.zeroGrad();
  }

  // After an optimizer step: the counters, the scheduler, the history, onStepEnd and the criteria.
  private async endStep(loss: number, gradNorm: number, epoch: number): Promise<void> {
    const o = this.options;
    this.step++;
    if (o.scheduler && o.schedulerInterval === 'step') this.stepScheduler(loss);
    const info: StepInfo = { step: this.step, epoch, loss, gradNorm, lr: this.lr, elapsed: this.elapsed };
    if (o.logSteps ?? true) this.history.steps.push({ step: this.step, epoch, loss, lr: info.lr, gradNorm });
    await this.emit((c) => c.onStepEnd?.(this, info));
    for (const c of this.criteria) {
      const reason = c.onStep?.(info) ?? null;
      if (reason) this.stop(reason, c.name);
    }
  }

  private guardTripped(nanGuard: boolean, what: string): void {
    if (!nanGuard) throw new Error(`fit: ${what} (the NaN guard is off)`);
    this.optimizer.zeroGrad();
    if (this.lastGood) {
      restore(this.model, this.lastGood);
      this.history.restoredWeights = 'lastFinite';
    }
    this.stop(`non-finite values: ${what}; ${this.lastGood ? 'the weights of the last step with a finite loss were kept' : 'no step had been taken'}. Try a lower learning rate or clipGradNorm.`, 'nanGuard');
  }

  private stepScheduler(metricValue: number): void {
    const s = this.options.scheduler!;
    if (s instanceof ReduceLROnPlateau) s.step(metricValue);
    else s.step();
  }

  private async endEpoch(epoch: number): Promise<void> {
    const o = this.options;
    const logs: Record<string, number> = { epoch, step: this.step, loss: this.epochLossCount ? this.epochLossSum / this.epochLossCount : NaN };
    for (const m of this.metrics) logs[m.name] = m.compute();
    if (o.valData) {
      const val = await evaluateAsync(this.model, o.valData, { loss: o.loss, metrics: this.metrics.map(freshMetric), forward: o.forward?.bind(o) });
      for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
    }
    logs.lr = this.lr;
    logs.time = this.elapsed;
    if (o.scheduler && (o.schedulerInterval ?? 'epoch') === 'epoch') this.stepScheduler(logs.val_loss ?? logs.loss);
    this.history.epochs.push(logs);
    const info: EpochInfo = { epoch, step: this.step, logs, elapsed: this.elapsed };
    for (const c of this.criteria) {
      const reason = c.onEpoch?.(info) ?? null;
      if (c instanceof EarlyStopping && c.improved && c.restoreBestWeights) this.best = copyStateDict(this.model.stateDict());
      if (reason) this.stop(reason, c.name);
    }
    await this.emit((c) => c.onEpochEnd?.(this, epoch, logs));
  }

  private async emit(call: (c: Callback) => void | Promise<void>): Promise<void> {
    for (const c of this.callbacks) await call(c);
  }

  /** Everything needed to continue this run exactly; take it between steps (callbacks do). See checkpoint.ts. */
  checkpoint(): TrainerCheckpoint {
    return captureCheckpoint(this);
  }

  /**
   * Puts back a `checkpoint()`; the next `fit()` continues from there (mid-epoch included, with a DataLoader).
   * A checkpoint that does not fit (a field of the wrong type, a position past the epoch, other weights) is
   * refused with the trainer and the model unchanged.
   */
  restore(ckpt: TrainerCheckpoint): void {
    restoreCheckpoint(this, ckpt);
  }
}

/**
 * Trains `model` by gradient descent and returns the history: `new Trainer(model, options).fit()`.
 * @example
 * const history = await fit(model, {
 *   data: new data.DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(0) }),
 *   valData: new data.DataLoader(test, { batchSize: 500 }),
 *   loss: nn.functional.crossEntropy,
 *   optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }),
 *   epochs: 3, metrics: ['accuracy'],
 * });
 * console.log(history.stopReason, history.epochs.at(-1));
 */
export function fit<B>(model: Module, options: FitOptions<B>): Promise<History> {
  return new Trainer(model, options).fit();
}

/** The L2 norm of all gradients as one vector, accumulated in float64. */
export function globalGradNorm(params: Iterable<Tensor>): number {
  let sum = 0;
  for (const p of params) {
    const grad = p.peekGrad();
    if (!grad) continue;
    const g = denseEntries(grad).dataSync();
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  return Math.sqrt(sum);
}

// globalGradNorm; on a device without synchronous reads, summed there and read once, asynchronously.
async function gradNormOf(params: Tensor[]): Promise<number> {
  const grads = params.flatMap((p) => p.peekGrad() ?? []);
  if (grads.length === 0 || readsSync(grads[0])) return globalGradNorm(params);
  const total = noGrad(() => grads.map((g) => denseEntries(g)).map((g) => sum(mul(g, g))).reduce((a, b) => add(a, b)));
  return Math.sqrt((await total.data())[0]);
}


// The weights (parameters and buffers) copied into reusable tensors, in stateDict order.
function snapshot(model: Module, into: Tensor[] | null): Tensor[] {
  return copyInto(Object.values(model.stateDict()), into);
}

function restore(model: Module, saved: Tensor[]): void {
  noGrad(() => Object.values(model.stateDict()).forEach((t, i) => t.copy_(saved[i])));
}

// A batch recorded but not yet settled: its reads in flight, and the optimizer step it ended (if any).
interface InFlight {
  index: number;
  loss: Promise<number>;
  target: Tensor;
  metricInputs: Promise<[Tensor, Tensor]> | null;
  step: StepInFlight | null;
}

interface StepInFlight {
  gradNorm: Promise<number>;
  /** The weights and optimizer state before the update (NaN guard on), to take it back. */
  before: { weights: Tensor[]; optimizer: SavedOptimizerState } | null;
}

// A batch taken back: its reads are no longer awaited (and a failed one is not an unhandled rejection).
function ignoreReads(b: InFlight): void {
  for (const read of [b.loss, b.metricInputs, b.step?.gradNorm]) read?.catch(() => undefined);
}

// `data` without its first `n` batches (a plain iterable resumed mid-epoch replays the epoch).
function* skipping<B>(data: Iterable<B>, n: number): Generator<B> {
  for (const batch of data) {
    if (n > 0) n--;
    else yield batch;
  }
}
