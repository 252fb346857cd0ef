import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { type ForwardFn, type LossFn, defaultForward } from './evaluate.js';
import { copyStateDict } from './checkpoint.js';

export interface LrFindOptions<B> {
  data: Iterable<B>;
  loss: LossFn;
  /** Its learning rates are overwritten during the sweep and put back afterwards. */
  optimizer: Optimizer;
  startLr?: number;
  endLr?: number;
  /** Steps of the sweep (the data is cycled if shorter). */
  numSteps?: number;
  /** Exponential smoothing of the loss curve (0 = none; default 0.98 as fastai). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this multiple of the best (default 4). */
  divergeFactor?: number;
  forward?: ForwardFn<B>;
}

export interface LrFindResult {
  lrs: number[];
  losses: number[];
  smoothedLosses: number[];
  /** The rate where the smoothed loss falls fastest (steepest negative slope against log lr). */
  suggestion: number;
  stopReason: string;
}

/**
 * The learning-rate range test (Smith 2015, "Cyclical Learning Rates"): trains for `numSteps` with the rate
 * growing exponentially from `startLr` to `endLr`, records the loss, and suggests the rate where the smoothed
 * loss falls fastest. The model and optimizer are restored afterwards, so the sweep leaves no trace.
 * Reads each loss synchronously; on a device that reads only asynchronously (webgpu) use `lrFindAsync`.
 * @example
 * const { suggestion } = lrFind(model, { data: loader, loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 1 }) });
 */
export function lrFind<B>(model: Module, options: LrFindOptions<B>): LrFindResult {
  const sweep = lrSweep(model, options);
  try {
    let next = sweep.next();
    while (!next.done) next = sweep.next(next.value.item());
    return next.value;
  } finally {
    sweep.return(undefined as never); // puts the model and optimizer back if a read threw
  }
}

/**
 * `lrFind` for every device, those that only read asynchronously (webgpu) included: the same sweep, each
 * step's loss read with `await loss.data()` before the step is taken (so the sweep can stop on a diverging or
 * non-finite loss exactly where lrFind stops).
 * @example
 * const { suggestion, lrs, losses } = await lrFindAsync(model, { data: loader, loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 1 }) });
 */
export async function lrFindAsync<B>(model: Module, options: LrFindOptions<B>): Promise<LrFindResult> {
  const sweep = lrSweep(model, options);
  try {
    let next = sweep.next();
    while (!next.done) next = sweep.next((await next.value.data())[0]);
    return next.value;
  } finally {
    sweep.return(undefined as never);
  }
}

// The sweep as a generator: it yields each step's loss and is sent its value (lrFind reads it synchronously,
// lrFindAsync with await); its finally puts the model and optimizer back however it ends.
function* lrSweep<B>(model: Module, options: LrFindOptions<B>): Generator<Tensor, LrFindResult, number> {
  const { data, loss, optimizer, startLr = 1e-7, endLr = 10, numSteps = 100, smoothing = 0.98, divergeFactor = 4 } = options;
  if (!(startLr > 0 && endLr > startLr)) throw new Error(`lrFind: expected 0 < startLr < endLr, got startLr=${startLr}, endLr=${endLr}`);
  if (!Number.isInteger(numSteps) || numSteps < 2) throw new Error(`lrFind: numSteps must be an integer >= 2, got ${numSteps}`);
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`lrFind: smoothing must be in [0, 1), got ${smoothing}`);
  const forward = options.forward ?? defaultForward;
  const savedModel = copyStateDict(model.stateDict());
  const savedOptimizer = optimizer.stateDict();
  const savedLrs = optimizer.paramGroups.map((g) => g.lr);
  const wasTraining = model.training;
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let stopReason = `swept ${numSteps} steps to ${endLr}`;
  try {
    model.train();
    let avg = 0;
    let best = Infinity;
    let iterator = data[Symbol.iterator]();
    for (let i = 0; i < numSteps; i++) {
      let next = iterator.next();
      if (next.done) {
        iterator = data[Symbol.iterator]();
        next = iterator.next();
        if (next.done) throw new Error('lrFind: the data yielded no batches');
      }
      const lr = startLr * (endLr / startLr) ** (i / (numSteps - 1));
      for (const g of optimizer.paramGroups) g.lr = lr;
      optimizer.zeroGrad();
      const { output, target } = forward(model, next.value);
      const l = loss(output, target);
      const value = yield l;
      if (!Number.isFinite(value)) {
        stopReason = `loss became ${value} at lr ${lr.toExponential(2)}`;
        break;
      }
      l.backward();
      optimizer.step();
      avg = smoothing * avg + (1 - smoothing) * value;
      const debiased = avg / (1 - smoothing ** (i + 1));
      lrs.push(lr);
      losses.push(value);
      smoothed.push(debiased);
      if (debiased < best) best = debiased;
      if (debiased > divergeFactor * best) {
        stopReason = `loss diverged (over ${divergeFactor}x the best) at lr ${lr.toExponential(2)}`;
        break;
      }
    }
  } finally {
    model.loadStateDict(savedModel);
    optimizer.loadStateDict(savedOptimizer);
    optimizer.paramGroups.forEach((g, i) => (g.lr = savedLrs[i]));
    optimizer.zeroGrad();
    model.train(wasTraining);
  }
  return { lrs, losses, smoothedLosses: smoothed, suggestion: steepest(lrs, smoothed), stopReason };
}

// The lr at the most negative slope d(loss)/d(log lr), ignoring the noisy first 10% and the diverging tail.
function steepest(lrs: number[], losses: number[]): number {
  if (lrs.length < 3) return lrs[0] ?? NaN;
  const start = Math.floor(lrs.length * 0.1);
  const end = Math.max(start + 2, lrs.length - Math.max(1, Math.floor(lrs.length * 0.05)));
  let best = start;
  let bestSlope = Infinity;
  for (let i = Math.max(start, 1); i < Math.min(end, lrs.length - 1); i++) {
    const slope = (losses[i + 1] - losses[i - 1]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i - 1]));
    if (slope < bestSlope) { bestSlope = slope; best = i; }
  }
  return lrs[best];
}

