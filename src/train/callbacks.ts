import type { StepInfo } from './stopping.js';
import type { History, Trainer } from './trainer.js';

/** What a batch reports to callbacks. `step` counts optimizer steps (with gradient accumulation, several batches share one). */
export interface BatchLogs {
  batch: number;
  step: number;
  loss: number;
  lr: number;
}

/**
 * Hooks into the training loop, with Keras' names: train, epoch and batch begin/end, plus two that gradient
 * descent needs: `onAfterBackward` (gradients are ready, nothing has moved yet) and `onStepEnd` (after the
 * optimizer step). Any hook may be async. `trainer.stop(reason)` ends training after the current step.
 * A callback with memory can save it in checkpoints through `stateDict`/`loadStateDict`.
 * @example
 * const printer: Callback = { onEpochEnd: (t, epoch, logs) => console.log(epoch, logs.loss) };
 */
export interface Callback {
  /** Names the callback's entry in checkpoints (default: its position in the list). */
  readonly name?: string;
  /**
   * True when this callback's batch hooks (onStepEnd, onBatchEnd) only read: their arguments, the trainer's
   * counters, the weights, `trainer.checkpoint()`, and at most call `trainer.stop()`. On a device that reads
   * only asynchronously (webgpu) the trainer then records the next batch's forward and backward while a
   * step's values are read, and runs these hooks once they arrive (they still see every step, in order, with
   * the weights after that step). Without it (the default), such a callback makes the trainer wait for each
   * step's values before the next batch, so the hook may also change the model; an `onBatchBegin` hook always does.
   */
  readonly readsOnly?: boolean;
  onTrainBegin?(trainer: Trainer): void | Promise<void>;
  onTrainEnd?(trainer: Trainer, history: History): void | Promise<void>;
  onEpochBegin?(trainer: Trainer, epoch: number): void | Promise<void>;
  onEpochEnd?(trainer: Trainer, epoch: number, logs: Record<string, number>): void | Promise<void>;
  onBatchBegin?(trainer: Trainer, batch: number): void | Promise<void>;
  onBatchEnd?(trainer: Trainer, batch: number, logs: BatchLogs): void | Promise<void>;
  onAfterBackward?(trainer: Trainer): void | Promise<void>;
  onStepEnd?(trainer: Trainer, info: StepInfo): void | Promise<void>;
  stateDict?(): Record<string, unknown>;
  loadStateDict?(state: Record<string, unknown>): void;
}

/**
 * A callback from plain functions, e.g. to log every epoch.
 * @example lambdaCallback({ onEpochEnd: (t, epoch, logs) => console.log(`epoch ${epoch}: ${logs.loss}`) })
 */
export function lambdaCallback(hooks: Callback): Callback {
  return { ...hooks };
}
