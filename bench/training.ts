// W2/W3 harness: the same schedule for every library. Batches of 128 in the dataset's (fixed, permuted)
// order; one warm-up batch; epoch 1 timed for samples/s; further epochs untimed; then test accuracy.
import { type Mnist, loadMnist } from './mnist.js';

export const BATCH = 128;
export const LR = 1e-3;

export interface TrainResult {
  samplesPerSecond: number;
  /** null when the library was too slow to finish the epochs within the budget. */
  accuracy: number | null;
  epochs: number;
  finalLoss: number;
  /** Samples the samples/s figure was measured over (the whole epoch unless the budget ran out). */
  timedSamples: number;
}

/**
 * A library whose first epoch would take longer than this is timed over the batches that fit, and
 * not trained further (its accuracy is reported as not measured): TF.js's cpu backend needs about
 * 25 minutes for W3's two epochs here.
 */
export const EPOCH_BUDGET_MS = 120_000;

/** What a library provides to the harness: a step on a batch and predictions on a batch. */
export interface Trainer {
  /** One optimizer step on images [count, 784] and labels; returns the loss (may be 0 when reading it would sync). */
  step(images: Float32Array, labels: Int32Array, count: number): Promise<number> | number;
  /** Predicted classes for images [count, 784]. */
  predict(images: Float32Array, count: number): Promise<Int32Array> | Int32Array;
  /** Waits for queued work (a GPU's), so the epoch's timing covers it; absent where steps end with their work. */
  synchronize?(): Promise<void>;
}

/** Runs the schedule: warm-up batch, a timed epoch, `epochs - 1` more, then accuracy on the test split. */
export async function runSchedule(trainer: Trainer, epochs: number, data: Mnist = loadMnist()): Promise<TrainResult> {
  const { train, test } = data;
  const pixels = train.images.length / train.count;
  const batch = (i: number): [Float32Array, Int32Array, number] => {
    const end = Math.min(train.count, i + BATCH);
    return [train.images.subarray(i * pixels, end * pixels), train.labels.subarray(i, end), end - i];
  };
  await trainer.step(...batch(0)); // warm-up: JIT, kernel compilation, thread pools
  let samplesPerSecond = 0;
  let finalLoss = 0;
  let timedSamples = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    await trainer.synchronize?.();
    const start = performance.now();
    let done = 0;
    for (let i = 0; i < train.count; i += BATCH) {
      finalLoss = await trainer.step(...batch(i));
      done = Math.min(train.count, i + BATCH);
      if (epoch === 0 && performance.now() - start > EPOCH_BUDGET_MS) break;
    }
    if (epoch === 0) {
      await trainer.synchronize?.();
      samplesPerSecond = done / ((performance.now() - start) / 1000);
      timedSamples = done;
      if (done < train.count) return { samplesPerSecond, accuracy: null, epochs: 0, finalLoss, timedSamples };
    }
  }
  let correct = 0;
  for (let i = 0; i < test.count; i += 500) {
    const count = Math.min(500, test.count - i);
    const predicted = await trainer.predict(test.images.subarray(i * pixels, (i + count) * pixels), count);
    for (let j = 0; j < count; j++) if (predicted[j] === test.labels[i + j]) correct++;
  }
  return { samplesPerSecond, accuracy: correct / test.count, epochs, finalLoss, timedSamples };
}
