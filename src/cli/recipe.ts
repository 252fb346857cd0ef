/// <reference types="node" />
// What a recipe is: a model, its data and the defaults of its training run, plus what it adds to a run (images,
// notes), what `descent sample` makes with it, and, for a recipe that fit cannot train (the GAN), its own loop.
import { Generator, type nn, type Tensor } from '../index.js';
import { DataLoader, type TensorDataset } from '../data/index.js';
import type { Callback, ForwardFn, History, LossFn } from '../train/index.js';
import type { ReportImage, ReportRun } from '../node/index.js';
import type { MakeGridOptions } from '../vision/index.js';

export const SCHEDULERS = ['none', 'onecycle', 'cosine', 'warmup-cosine', 'step'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/** Where a recipe finds its data set: `root` holds one folder per data set; `download` fetches what is missing. */
export interface DataSource {
  root?: string;
  download?: boolean;
}

/** A recipe's data: the training and held-out splits (and whatever the model must know of them). */
export interface RecipeData {
  train: TensorDataset;
  test: TensorDataset;
}

export interface RecipeDefaults {
  optimizer: string;
  lr: number;
  batchSize: number;
  epochs: number;
  weightDecay?: number;
  scheduler?: SchedulerName;
  /** Steps of linear warmup before the cosine decay of 'warmup-cosine'. */
  warmupSteps?: number;
  clipGradNorm?: number;
}

/** What a run of a recipe adds to training and to its report. */
export interface RunExtras {
  callbacks?: Callback[];
  /** Images for the report (grids of samples, reconstructions), asked for when training ends. */
  images?(): ReportImage[];
  /** Lines for the terminal and the report when training ends (generated text, recommendations, the figure). */
  notes?(history: History): string[];
}

/** The options of `descent sample`. */
export interface SampleOptions {
  /** Names or images to make (default: the recipe's). */
  count?: number;
  /** Characters of generated text. */
  length: number;
  /** Divides the logits before sampling: below 1 sharper, above 1 more varied. */
  temperature: number;
  /** Sample among the k most likely characters only (0: all). */
  topK: number;
  /** Text the generation continues. */
  prompt: string;
  seed: number;
  /** The user to recommend for (MovieLens userId). */
  user: number;
}

/** What a recipe samples: text to print, or images to save as one grid. */
export type Sample = { text: string } | { images: Tensor; grid?: MakeGridOptions };

/** The options of a run trained by a recipe's own loop. */
export interface LoopRun<D> {
  model: nn.Module;
  data: D;
  lr: number;
  batchSize: number;
  epochs: number;
  /** Seeds the shuffling of the training data. */
  seed: number;
  maxSteps?: number;
  timeLimit?: number;
  /** Called once per epoch (a progress line). */
  log(line: string): void;
  /** Called after every step with what the loop logs of it (metrics.jsonl). */
  onStep?(record: Record<string, number>): void;
}

/** What a recipe's own loop returns: curves and images for the report. */
export interface LoopResult {
  runs: ReportRun[];
  images: ReportImage[];
  notes: string[];
  step: number;
  epoch: number;
  /** Seconds of training. */
  seconds: number;
  stopReason: string;
}

interface RecipeBase<D> {
  name: string;
  description: string;
  /** What a full run reaches (docs/applications.md has the measured figures). */
  bar?: string;
  data(source: DataSource): Promise<D>;
  /** Builds the model with the global seed already set. */
  model(data: D): nn.Module;
  defaults: RecipeDefaults;
  sample?(model: nn.Module, data: D, options: SampleOptions): Sample;
}

/**
 * A recipe that `fit` trains: a model, its data, a loss and the defaults of its run, which the CLI can override.
 * @example const recipe = RECIPES['fashion-cnn']; const data = await recipe.data({ root: '../shared/data' }); const model = recipe.model(data);
 */
export interface FitRecipe<D extends RecipeData = RecipeData> extends RecipeBase<D> {
  loss: LossFn;
  metrics: string[];
  /** How a batch becomes output and target, when it is not [input, target]. */
  forward?: ForwardFn<Tensor[]>;
  /** Batch size of the held-out evaluation (default 500). */
  evalBatchSize?: number;
  extras?(model: nn.Module, data: D): RunExtras;
}

/** A recipe that trains with a loop of its own instead of fit (the GAN: two players, two optimizers). */
export interface LoopRecipe<D extends RecipeData = RecipeData> extends RecipeBase<D> {
  loop(run: LoopRun<D>): Promise<LoopResult>;
}

/** A ready-made training job, trained by fit or by a loop of its own. */
export type Recipe<D extends RecipeData = RecipeData> = FitRecipe<D> | LoopRecipe<D>;

/** Whether a recipe trains with its own loop. */
export function isLoopRecipe(recipe: Recipe): recipe is LoopRecipe {
  return 'loop' in recipe;
}

/** A recipe with its data type erased, for the registry (model() only ever gets what data() returned). */
export function defineRecipe<D extends RecipeData>(recipe: FitRecipe<D> | LoopRecipe<D>): Recipe {
  return recipe as unknown as Recipe;
}

/** An empty History to fill by hand (a recipe's own loop). */
export function emptyHistory(): History {
  return { epochs: [], steps: [], stopReason: null, stoppedBy: null, restoredWeights: null };
}

/** Builds loaders for a recipe with a seeded shuffle. */
export function loadersFor(ds: RecipeData, batchSize: number | 'full', seed: number, evalBatchSize = 500): { train: DataLoader<Tensor[], Tensor[]>; test: DataLoader<Tensor[], Tensor[]> } {
  return {
    train: new DataLoader<Tensor[], Tensor[]>(ds.train, { batchSize, shuffle: true, generator: new Generator(seed) }),
    test: new DataLoader<Tensor[], Tensor[]>(ds.test, { batchSize: evalBatchSize }),
  };
}
