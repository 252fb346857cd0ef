/// <reference types="node" />
// What a training run is made of (RunConfig), the flags that set it, and the job built from it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { manualSeed, optim, type Tensor } from '../index.js';
import { latestCheckpoint } from '../node/index.js';
import { Trainer, GradientMonitor, earlyStopping, targetMetric, timeLimit, type StoppingCriterion } from '../train/index.js';
import { UsageError, checkChoice, defineFlags } from './args.js';
import { RECIPES, loadersFor, type Recipe } from './recipes.js';
import { OPTIMIZERS, OPTIMIZER_NAMES } from './optimizers.js';

export const RECIPE_NAMES = Object.keys(RECIPES);
export const SCHEDULERS = ['none', 'onecycle', 'cosine', 'step'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

const batchSizeProblem = (v: string) => (v === 'full' || (/^\d+$/.test(v) && Number(v) >= 1) ? null : "a positive integer or 'full'");

/** The flags every training command shares (train, compare, lr-find). */
export const COMMON_FLAGS = defineFlags({
  recipe: { type: 'string', help: 'what to train', choices: RECIPE_NAMES, placeholder: 'NAME' },
  optimizer: { type: 'string', help: 'update rule', choices: OPTIMIZER_NAMES, placeholder: 'NAME' },
  lr: { type: 'number', range: 'positive', help: 'learning rate (default: the recipe\'s, or the optimizer\'s in compare)' },
  'batch-size': { type: 'string', help: "samples per step: a number, or 'full' for batch gradient descent", placeholder: 'N|full', check: batchSizeProblem },
  epochs: { type: 'number', integer: true, range: 'positive', help: 'epochs to train' },
  'max-steps': { type: 'number', integer: true, range: 'positive', help: 'stop after this many optimizer steps' },
  seed: { type: 'number', integer: true, range: [0, Number.MAX_SAFE_INTEGER], help: 'random seed (weights, shuffling)', default: 0 },
  'weight-decay': { type: 'number', range: 'non-negative', help: 'L2 penalty / decoupled decay', default: 0 },
  scheduler: { type: 'string', help: 'learning-rate schedule, stepped every optimizer step', choices: SCHEDULERS, placeholder: 'NAME', defaultHelp: 'onecycle for mnist-cnn, else none' },
});

/** The options of `train` that make up a run (config.json), in camelCase. */
export interface RunConfig {
  recipe: string;
  optimizer: string;
  lr: number;
  batchSize: number | 'full';
  epochs: number;
  maxSteps?: number;
  seed: number;
  weightDecay: number;
  scheduler: SchedulerName;
  /** Steps the learning-rate schedule spans (onecycle, cosine); default the run's budget. */
  scheduleSteps?: number;
  clipGradNorm?: number;
  accumulateSteps?: number;
  patience?: number;
  timeLimit?: number;
  targetAccuracy?: number;
}

/** RunConfig's fields as flags give them (batch size as text), each optional. */
export type RunValues = Partial<Omit<RunConfig, 'batchSize' | 'scheduler'>> & { batchSize?: string; scheduler?: SchedulerName };

/** A full run configuration from given values; anything not given comes from the recipe. */
export function runConfig(v: RunValues): RunConfig {
  const recipe = RECIPES[v.recipe ?? 'mnist-cnn'];
  const optimizer = v.optimizer ?? recipe.defaults.optimizer;
  return {
    recipe: recipe.name,
    optimizer,
    lr: v.lr ?? (optimizer === recipe.defaults.optimizer ? recipe.defaults.lr : OPTIMIZERS[optimizer].lr),
    batchSize: v.batchSize === undefined ? recipe.defaults.batchSize : v.batchSize === 'full' ? 'full' : Number(v.batchSize),
    epochs: v.epochs ?? recipe.defaults.epochs,
    maxSteps: v.maxSteps,
    seed: v.seed ?? 0,
    weightDecay: v.weightDecay ?? 0,
    scheduler: v.scheduler ?? (recipe.name === 'mnist-cnn' ? 'onecycle' : 'none'),
    scheduleSteps: v.scheduleSteps,
    clipGradNorm: v.clipGradNorm,
    accumulateSteps: v.accumulateSteps,
    patience: v.patience,
    timeLimit: v.timeLimit,
    targetAccuracy: v.targetAccuracy,
  };
}

/** A RunConfig as flag values (the inverse of runConfig for the fields it has). */
export function runValues(config: RunConfig): RunValues {
  return { ...config, batchSize: String(config.batchSize) };
}

/**
 * Reads a JSON file that must hold an object; errors name the file (a corrupt config.json of a run, say).
 * @example const json = readJsonObject('train', 'runs/x/config.json');
 */
export function readJsonObject(command: string, path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`descent ${command}: ${path} not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`descent ${command}: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`descent ${command}: ${path} must hold a JSON object, got ${JSON.stringify(json)?.slice(0, 40)}`);
  return json as Record<string, unknown>;
}

export interface Job {
  trainer: Trainer<Tensor[]>;
  monitor: GradientMonitor;
  model: ReturnType<Recipe['model']>;
  /** The steps the learning-rate schedule spans (what scheduleSteps resolved to), or undefined without one. */
  scheduleSteps?: number;
}

/**
 * The model, data, optimizer, schedule and trainer of a run. Values that only the data can check (a budget
 * past the end of a one-cycle schedule) are UsageErrors, raised before any training.
 */
export async function buildJob(command: string, config: RunConfig, extra: { callbacks?: Trainer<Tensor[]>['callbacks']; monitorEvery?: number } = {}): Promise<Job> {
  const recipe = RECIPES[config.recipe];
  manualSeed(config.seed);
  const model = recipe.model();
  const ds = await recipe.data();
  const loaders = loadersFor(ds, config.batchSize, config.seed);
  const optimizer = OPTIMIZERS[config.optimizer].make([...model.parameters()], config.lr, config.weightDecay);
  const stepsPerEpoch = Math.ceil(loaders.train.length / (config.accumulateSteps ?? 1));
  const budget = Math.min(config.maxSteps ?? Infinity, config.epochs * stepsPerEpoch);
  const spans = config.scheduler === 'onecycle' || config.scheduler === 'cosine';
  const scheduleSteps = spans ? config.scheduleSteps ?? budget : undefined;
  if (config.scheduler === 'onecycle' && budget > scheduleSteps!) {
    throw new UsageError(`descent ${command}: the onecycle schedule spans ${scheduleSteps} steps but the run may take ${budget} (--epochs ${config.epochs}${config.maxSteps ? `, --max-steps ${config.maxSteps}` : ''}); a one-cycle schedule cannot step past its end: give --max-steps <= ${scheduleSteps}, or --schedule-steps when a run starts`);
  }
  const scheduler = config.scheduler === 'onecycle' ? new optim.lrScheduler.OneCycleLR(optimizer, config.lr, { totalSteps: scheduleSteps! + 1 })
    : config.scheduler === 'cosine' ? new optim.lrScheduler.CosineAnnealingLR(optimizer, scheduleSteps!)
      : config.scheduler === 'step' ? new optim.lrScheduler.StepLR(optimizer, stepsPerEpoch, 0.5)
        : undefined;
  const stopWhen: StoppingCriterion[] = [];
  if (config.patience !== undefined) stopWhen.push(earlyStopping({ monitor: 'val_loss', patience: config.patience, restoreBestWeights: true }));
  if (config.timeLimit !== undefined) stopWhen.push(timeLimit(config.timeLimit));
  if (config.targetAccuracy !== undefined) stopWhen.push(targetMetric('val_accuracy', config.targetAccuracy));
  const monitor = new GradientMonitor({ every: extra.monitorEvery ?? 25 });
  const trainer = new Trainer<Tensor[]>(model, {
    data: loaders.train,
    valData: loaders.test,
    loss: recipe.loss,
    optimizer,
    scheduler,
    schedulerInterval: 'step',
    epochs: config.epochs,
    maxSteps: config.maxSteps,
    metrics: recipe.metrics,
    stopWhen,
    clipGradNorm: config.clipGradNorm,
    accumulateSteps: config.accumulateSteps,
    callbacks: [monitor, ...(extra.callbacks ?? [])],
  });
  return { trainer, monitor, model, scheduleSteps };
}

/**
 * The checkpoint folder a command reads (a run folder's newest checkpoint, or a checkpoint folder) and the
 * recipe it was trained with: `recipe` if given, else the run's config.json. Problems are UsageErrors.
 * @example const { folder, recipe } = checkpointAndRecipe('eval', 'runs/mnist-cnn');
 */
export function checkpointAndRecipe(command: string, given: string, recipeName?: string): { folder: string; recipe: Recipe } {
  const path = resolve(given);
  if (!existsSync(path)) throw new UsageError(`descent ${command}: ${path} does not exist`);
  const folder = latestCheckpoint(path);
  if (!folder) throw new UsageError(`descent ${command}: no checkpoint in ${path}`);
  for (const candidate of [join(path, 'config.json'), join(dirname(folder), 'config.json')]) {
    if (recipeName === undefined && existsSync(candidate)) {
      const saved = readJsonObject(command, candidate).recipe;
      if (typeof saved !== 'string') throw new UsageError(`descent ${command}: ${candidate} has no recipe; pass --recipe (valid choices: ${RECIPE_NAMES.join(', ')})`);
      recipeName = saved;
    }
  }
  if (!recipeName) throw new UsageError(`descent ${command}: cannot tell the recipe of ${path} (no config.json); pass --recipe (valid choices: ${RECIPE_NAMES.join(', ')})`);
  checkChoice(command, 'recipe', RECIPE_NAMES, recipeName);
  return { folder, recipe: RECIPES[recipeName] };
}
