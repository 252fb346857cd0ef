// W5-W8: what each library trains, on which batches, and how a run is timed. Library-neutral: batches are
// plain typed arrays built the same way by bench/torch_models.py, so every library sees the same data.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadMnist } from './mnist.js';

export type StepWorkload = 'W5' | 'W6' | 'W7' | 'W8';

export interface StepSpec {
  title: string;
  /** What the throughput counts: samples (images) or tokens (characters predicted). */
  unit: 'samples/s' | 'tokens/s';
  unitsPerStep: number;
  /** Timed steps of one run (after WARMUP_STEPS untimed ones). */
  steps: number;
}

export const STEP_WORKLOADS: Record<StepWorkload, StepSpec> = {
  W5: { title: 'W5 npm-start CNN, batch 64', unit: 'samples/s', unitsPerStep: 64, steps: 60 },
  W6: { title: 'W6 char GPT 2x(4 heads, d 64), ctx 64, batch 32', unit: 'tokens/s', unitsPerStep: 32 * 64, steps: 20 },
  W7: { title: 'W7 char LSTM 128, seq 64, batch 32', unit: 'tokens/s', unitsPerStep: 32 * 64, steps: 30 },
  W8: { title: 'W8 MLP VAE 784-400-16, batch 128', unit: 'samples/s', unitsPerStep: 128, steps: 150 },
};

/** Untimed steps first (JIT, kernel compilation, thread pools, allocator warm-up): timing starts at step 5. */
export const WARMUP_STEPS = 5;
/** A run stops timing after this long, however many steps it did (TF.js cpu would take many minutes). */
export const RUN_BUDGET_MS = 30_000;
export const SEED = 0;

// Hyperparameters shared with bench/torch_models.py.
export const CHAR_BATCH = 32;
export const CONTEXT = 64;
export const GPT = { layers: 2, heads: 4, dModel: 64, lr: 1e-3, weightDecay: 0.01 };
export const LSTM = { embedding: 64, hidden: 128, lr: 1e-3 };
export const VAE = { batch: 128, hidden: 400, latent: 16, lr: 1e-3 };
export const CNN = { batch: 64, lr: 0.01 }; // the mnist-cnn recipe's defaults (src/cli/recipes.ts)

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The project's shared datasets (`../shared/data` from the main checkout): DESCENT_DATA_DIR, else the first
 * `shared/data` found above the repository (a worktree sits one level deeper than the main checkout).
 */
export function sharedDataDir(): string {
  if (process.env.DESCENT_DATA_DIR) return process.env.DESCENT_DATA_DIR;
  for (let dir = dirname(repoRoot); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'data'))) return join(dir, 'shared', 'data');
  }
  throw new Error(`bench: no shared/data folder above ${repoRoot}; set DESCENT_DATA_DIR to the folder holding tinyshakespeare/ and fashion-mnist/`);
}

export const shakespearePath = () => join(sharedDataDir(), 'tinyshakespeare', 'input.txt');
export const fashionImagesPath = () => join(sharedDataDir(), 'fashion-mnist', 'train-images-idx3-ubyte.gz');

export interface CharCorpus {
  /** Character codes (indices into the sorted distinct characters of the text). */
  codes: Int32Array;
  vocab: number;
}

/** tinyshakespeare as indices into its sorted distinct characters (65 of them). */
export function loadCorpus(): CharCorpus {
  const text = readFileSync(shakespearePath(), 'latin1');
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  return { codes: Int32Array.from(text, (c) => index.get(c)!), vocab: chars.length };
}

/**
 * Batch `k` of a character model: CHAR_BATCH windows of CONTEXT characters and the next character of
 * each position. Window j of batch k starts at ((k * CHAR_BATCH + j) * 2654435761) mod (length - CONTEXT - 1),
 * a multiplicative hash (exact in doubles and in Python) that scatters windows over the text.
 */
export function charBatch(corpus: CharCorpus, k: number): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(CHAR_BATCH * CONTEXT);
  const y = new Int32Array(CHAR_BATCH * CONTEXT);
  const span = corpus.codes.length - CONTEXT - 1;
  for (let j = 0; j < CHAR_BATCH; j++) {
    const start = ((k * CHAR_BATCH + j) * 2654435761) % span;
    x.set(corpus.codes.subarray(start, start + CONTEXT), j * CONTEXT);
    y.set(corpus.codes.subarray(start + 1, start + CONTEXT + 1), j * CONTEXT);
  }
  return { x, y };
}

/** Batch `k` of W5: the bench's MNIST training split (bench/mnist.ts) in order, 64 images at a time, cycling. */
export function mnistBatch(k: number): { images: Float32Array; labels: Int32Array } {
  const { train } = loadMnist();
  const per = train.count / CNN.batch; // 8,000 / 64 = 125 batches
  const start = (k % per) * CNN.batch;
  return { images: train.images.subarray(start * 784, (start + CNN.batch) * 784), labels: train.labels.subarray(start, start + CNN.batch) };
}

let fashion: Uint8Array | null = null;

/** Batch `k` of W8: Fashion-MNIST training images in file order, 128 at a time, cycling, pixels / 255. */
export function fashionBatch(k: number): Float32Array {
  if (!fashion) {
    const bytes = gunzipSync(readFileSync(fashionImagesPath()));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0) !== 2051 || view.getUint32(8) !== 28 || view.getUint32(12) !== 28) {
      throw new Error(`bench W8: ${fashionImagesPath()} is not an IDX file of 28x28 images`);
    }
    fashion = bytes.subarray(16, 16 + view.getUint32(4) * 784);
  }
  const per = Math.floor(fashion.length / 784 / VAE.batch);
  const start = (k % per) * VAE.batch * 784;
  return Float32Array.from(fashion.subarray(start, start + VAE.batch * 784), (v) => v / 255);
}

/** One run's result, as every library's child process prints it (bench/torch_models.py too). */
export interface StepResult {
  /** Units (samples or tokens) per second over the timed steps. */
  rate: number;
  timedSteps: number;
  /** Losses of the first steps (warm-up included), for `npm run bench check`. */
  losses: number[];
  finalLoss: number;
}

/** How long a run trains: timed steps after `warmup` untimed ones; `synchronize` waits for a device's queued work (a GPU's). */
export interface StepSchedule {
  steps?: number;
  warmup?: number;
  synchronize?: () => Promise<void>;
}

/**
 * Runs WARMUP_STEPS untimed steps then `steps` timed ones (fewer when RUN_BUDGET_MS runs out);
 * `step(k)` trains on batch k and returns the loss.
 */
export async function timeSteps(spec: StepSpec, step: (k: number) => number | Promise<number>, schedule: StepSchedule = {}): Promise<StepResult> {
  const { steps = spec.steps, warmup = WARMUP_STEPS, synchronize } = schedule;
  const losses: number[] = [];
  let k = 0;
  for (; k < warmup; k++) losses.push(await step(k));
  await synchronize?.();
  const start = performance.now();
  let loss = losses[losses.length - 1] ?? NaN;
  for (; k < warmup + steps && performance.now() - start < RUN_BUDGET_MS; k++) {
    loss = await step(k);
    if (losses.length < 10) losses.push(loss);
  }
  await synchronize?.();
  const timedSteps = k - warmup;
  return { rate: (timedSteps * spec.unitsPerStep) / ((performance.now() - start) / 1000), timedSteps, losses, finalLoss: loss };
}

/** The argument of bench/torch_models.py: the workload, its hyperparameters and data files (`mnistFile`: bench/mnist.ts's binary). */
export function torchSpec(name: StepWorkload, mnistFile: string, steps = STEP_WORKLOADS[name].steps, warmup = WARMUP_STEPS): string {
  return JSON.stringify({
    workload: name, steps, warmup, budgetMs: RUN_BUDGET_MS, unitsPerStep: STEP_WORKLOADS[name].unitsPerStep, seed: SEED,
    charBatch: CHAR_BATCH, context: CONTEXT, gpt: GPT, lstm: LSTM, vae: VAE, cnn: CNN,
    shakespeare: name === 'W6' || name === 'W7' ? shakespearePath() : null,
    fashion: name === 'W8' ? fashionImagesPath() : null,
    mnist: mnistFile,
  });
}
