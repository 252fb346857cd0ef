#!/usr/bin/env node
/// <reference types="node" />
// The `descent` command: train, compare, lr-find, tune, eval (Node only).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { manualSeed, optim, type Tensor } from '../index.js';
import { Trainer, GradientMonitor, earlyStopping, evaluate, lrFind, targetMetric, timeLimit, type History, type StoppingCriterion } from '../train/index.js';
import { tune, type SearchSpace } from '../node/tune.js';
import { checkpointCallback, latestCheckpoint, loadCheckpoint, metricsLogger, progressBar, resumeFrom, stopOnSignals, writeFileAtomic, writeHtmlReport, writePngCharts } from '../node/index.js';
import { type Flags, type FlagSpec, UsageError, checkChoice, helpText, parseArgs } from './args.js';
import { RECIPES, loadersFor, type Recipe } from './recipes.js';
import { OPTIMIZERS, OPTIMIZER_NAMES } from './optimizers.js';
import { INITS, INIT_NAMES, applyInit } from './inits.js';

const RECIPE_NAMES = Object.keys(RECIPES);
const SCHEDULERS = ['none', 'onecycle', 'cosine', 'step'] as const;

const COMMON: Record<string, FlagSpec> = {
  recipe: { type: 'string', help: 'what to train', choices: RECIPE_NAMES, placeholder: 'NAME' },
  optimizer: { type: 'string', help: 'update rule', choices: OPTIMIZER_NAMES, placeholder: 'NAME' },
  lr: { type: 'number', help: 'learning rate (default: the recipe\'s, or the optimizer\'s in compare)' },
  'batch-size': { type: 'string', help: "samples per step: a number, or 'full' for batch gradient descent", placeholder: 'N|full' },
  epochs: { type: 'number', help: 'epochs to train' },
  'max-steps': { type: 'number', help: 'stop after this many optimizer steps' },
  seed: { type: 'number', help: 'random seed (weights, shuffling)', default: 0 },
  'weight-decay': { type: 'number', help: 'L2 penalty / decoupled decay', default: 0 },
  scheduler: { type: 'string', help: 'learning-rate schedule, stepped every optimizer step', choices: SCHEDULERS, placeholder: 'NAME', default: 'onecycle for mnist-cnn, else none' },
};

const TRAIN_FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  out: { type: 'string', help: 'run folder for checkpoints, metrics and the report', default: 'runs/<recipe>', placeholder: 'DIR' },
  resume: { type: 'boolean', help: 'continue from the newest checkpoint in --out' },
  'clip-grad-norm': { type: 'number', help: 'clip the gradient norm to this' },
  'accumulate-steps': { type: 'number', help: 'batches per optimizer step' },
  patience: { type: 'number', help: 'early stopping on val_loss after this many epochs without improvement (restores the best weights)' },
  'time-limit': { type: 'number', help: 'stop after this many seconds' },
  'target-accuracy': { type: 'number', help: 'stop once val_accuracy reaches this' },
  'checkpoint-every': { type: 'number', help: 'also checkpoint every this many steps' },
  'monitor-every': { type: 'number', help: 'gradient-health measurement every this many steps', default: 25 },
  png: { type: 'boolean', help: 'also write PNG charts into the run folder' },
  progress: { type: 'boolean', help: 'show progress (use --no-progress to silence)', default: true },
  json: { type: 'boolean', help: 'end with a line RESULT {json} of the final held-out metrics (for scripts and tune)' },
};

const COMPARE_FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  optimizers: { type: 'list', help: 'comma-separated optimizers to compare', choices: OPTIMIZER_NAMES, default: 'sgd,momentum,nesterov,adagrad,rmsprop,adam,adamw', placeholder: 'A,B,...' },
  'batch-sizes': { type: 'list', help: "the variants of gradient descent side by side: batch sizes to compare, 'full' = batch GD, 1 = stochastic, k = mini-batch", placeholder: 'full,1,64' },
  inits: { type: 'list', help: 'initialization study: compare these initializers', choices: INIT_NAMES, default: 'default', placeholder: 'A,B,...' },
  seeds: { type: 'string', help: 'comma-separated seeds: every configuration is trained from each', default: 'the --seed', placeholder: 'S1,S2,...' },
  'target-accuracy': { type: 'number', help: 'report the steps and time to reach this val_accuracy', default: 0.9 },
  out: { type: 'string', help: 'folder for the comparison report', default: 'runs/compare', placeholder: 'DIR' },
  png: { type: 'boolean', help: 'also write PNG charts' },
  progress: { type: 'boolean', help: 'show progress', default: false },
};

const LR_FIND_FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  'start-lr': { type: 'number', help: 'first learning rate', default: 1e-7 },
  'end-lr': { type: 'number', help: 'last learning rate', default: 10 },
  steps: { type: 'number', help: 'steps of the sweep', default: 100 },
  out: { type: 'string', help: 'folder for the report', default: 'runs/lr-find', placeholder: 'DIR' },
  png: { type: 'boolean', help: 'also write PNG charts' },
};

const EVAL_FLAGS: Record<string, FlagSpec> = {
  recipe: { type: 'string', help: 'the recipe the checkpoint was trained with (default: from the run\'s config.json)', choices: RECIPE_NAMES, placeholder: 'NAME' },
};

const MAIN_HELP = `Usage: descent <command> [options]

Train neural networks by gradient descent.

Commands:
  train [RECIPE|CONFIG.json]   train a model (default: mnist-cnn, the CNN of npm start)
  compare                      the same model, data and seed with several optimizers, side by side
  lr-find [RECIPE]             learning-rate range test (Smith 2015): loss against learning rate, a suggested rate
  tune                         hyperparameter search (grid, random, successive halving) in worker processes
  eval CHECKPOINT              evaluate a checkpoint (a run folder or a checkpoint folder) on the held-out data
  recipes                      list the recipes

Run 'descent <command> --help' for the options of a command.
Recipes: ${RECIPE_NAMES.join(', ')}. Optimizers: ${OPTIMIZER_NAMES.join(', ')}.
`;

interface RunConfig {
  recipe: string;
  optimizer: string;
  lr: number;
  batchSize: number | 'full';
  epochs: number;
  maxSteps?: number;
  seed: number;
  weightDecay: number;
  scheduler: (typeof SCHEDULERS)[number];
  clipGradNorm?: number;
  accumulateSteps?: number;
  patience?: number;
  timeLimit?: number;
  targetAccuracy?: number;
}

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function recipeOf(command: string, name: string): Recipe {
  checkChoice(command, 'recipe', RECIPE_NAMES, name);
  return RECIPES[name];
}

function batchSizeOf(command: string, v: unknown): number | 'full' {
  if (v === 'full') return 'full';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`descent ${command}: --batch-size must be a positive integer or 'full', got '${String(v)}'`);
  return n;
}

/** Flags (and a config file) to a full run configuration; anything not given comes from the recipe. */
function runConfig(command: string, flags: Flags, positional?: string): RunConfig {
  let file: Flags = {};
  let recipeName = (flags.recipe as string | undefined) ?? 'mnist-cnn';
  if (positional) {
    if (positional.endsWith('.json')) {
      if (!existsSync(positional)) throw new UsageError(`descent ${command}: config file ${positional} not found`);
      try {
        file = JSON.parse(readFileSync(positional, 'utf8')) as Flags;
      } catch (e) {
        throw new UsageError(`descent ${command}: ${positional} is not valid JSON: ${(e as Error).message}`);
      }
      const known = new Set(['recipe', ...Object.keys(TRAIN_FLAGS).map((k) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()))]);
      for (const k of Object.keys(file)) if (!known.has(k)) throw new UsageError(`descent ${command}: unknown key '${k}' in ${positional} (valid keys: ${[...known].join(', ')})`);
      recipeName = (flags.recipe as string | undefined) ?? (file.recipe as string | undefined) ?? recipeName;
    } else {
      recipeName = positional;
    }
  }
  const recipe = recipeOf(command, recipeName);
  const merged: Flags = { ...file, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const optimizer = (merged.optimizer as string | undefined) ?? recipe.defaults.optimizer;
  checkChoice(command, 'optimizer', OPTIMIZER_NAMES, optimizer);
  const scheduler = (merged.scheduler as RunConfig['scheduler'] | undefined) ?? (recipe.name === 'mnist-cnn' ? 'onecycle' : 'none');
  checkChoice(command, 'scheduler', SCHEDULERS, scheduler);
  const num = (k: string) => {
    const v = merged[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`descent ${command}: ${k} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const positiveInt = (k: string) => {
    const v = num(k);
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new UsageError(`descent ${command}: ${k} must be a positive integer, got ${v}`);
    return v;
  };
  const lr = num('lr') ?? (optimizer === recipe.defaults.optimizer ? recipe.defaults.lr : OPTIMIZERS[optimizer].lr);
  if (!(lr > 0)) throw new UsageError(`descent ${command}: --lr must be positive, got ${lr}`);
  return {
    recipe: recipe.name,
    optimizer,
    lr,
    batchSize: merged.batchSize !== undefined ? batchSizeOf(command, merged.batchSize) : recipe.defaults.batchSize,
    epochs: positiveInt('epochs') ?? recipe.defaults.epochs,
    maxSteps: positiveInt('maxSteps'),
    seed: num('seed') ?? 0,
    weightDecay: num('weightDecay') ?? 0,
    scheduler,
    clipGradNorm: num('clipGradNorm'),
    accumulateSteps: positiveInt('accumulateSteps'),
    patience: num('patience'),
    timeLimit: num('timeLimit'),
    targetAccuracy: num('targetAccuracy'),
  };
}

interface Job {
  trainer: Trainer<Tensor[]>;
  monitor: GradientMonitor;
  model: ReturnType<Recipe['model']>;
}

async function buildJob(config: RunConfig, extra: { callbacks?: Trainer<Tensor[]>['callbacks']; monitorEvery?: number } = {}): Promise<Job> {
  const recipe = RECIPES[config.recipe];
  manualSeed(config.seed);
  const model = recipe.model();
  const ds = await recipe.data();
  const loaders = loadersFor(ds, config.batchSize, config.seed);
  const optimizer = OPTIMIZERS[config.optimizer].make([...model.parameters()], config.lr, config.weightDecay);
  const stepsPerEpoch = Math.ceil(loaders.train.length / (config.accumulateSteps ?? 1));
  const totalSteps = config.maxSteps ?? config.epochs * stepsPerEpoch;
  const scheduler = config.scheduler === 'onecycle' ? new optim.lrScheduler.OneCycleLR(optimizer, config.lr, { totalSteps: totalSteps + 1 })
    : config.scheduler === 'cosine' ? new optim.lrScheduler.CosineAnnealingLR(optimizer, totalSteps)
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
  return { trainer, monitor, model };
}

async function train(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, TRAIN_FLAGS, 'train');
  if (positionals.length > 1) throw new UsageError(`descent train: expected at most one recipe or config file, got ${positionals.join(' ')}`);
  const config = runConfig('train', flags, positionals[0]);
  let dir = resolve((flags.out as string | undefined) ?? join('runs', config.recipe));
  if (!flags.resume && latestCheckpoint(dir)) {
    if (flags.out !== undefined) throw new UsageError(`descent train: ${dir} already holds a checkpoint; pass --resume to continue it or another --out`);
    // a fresh run without --out gets the next free folder: runs/mnist-cnn-2, -3, ...
    let k = 2;
    while (latestCheckpoint(`${dir}-${k}`)) k++;
    dir = `${dir}-${k}`;
  }
  mkdirSync(dir, { recursive: true });
  const callbacks: Trainer<Tensor[]>['callbacks'] = [
    checkpointCallback({ dir, everySteps: flags.checkpointEvery as number | undefined }),
    metricsLogger({ dir }),
  ];
  if (flags.progress !== false) callbacks.push(progressBar({ showStopReason: false }));
  const { trainer, monitor } = await buildJob(config, { callbacks, monitorEvery: flags.monitorEvery as number | undefined });
  if (flags.resume) {
    if (existsSync(join(dir, 'config.json'))) {
      const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as RunConfig;
      if (saved.recipe !== config.recipe || saved.optimizer !== config.optimizer) {
        throw new UsageError(`descent train: ${dir} was trained with recipe ${saved.recipe} and optimizer ${saved.optimizer}; resume it with the same`);
      }
    }
    if (resumeFrom(trainer, dir)) out(`resuming ${dir} at epoch ${trainer.epoch}, step ${trainer.step}`);
    else out(`nothing to resume in ${dir}; starting fresh`);
  }
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const recipe = RECIPES[config.recipe];
  out(`training ${recipe.name}: ${recipe.description}`);
  out(`optimizer ${config.optimizer} lr ${config.lr} batch ${config.batchSize} epochs ${config.epochs} scheduler ${config.scheduler} seed ${config.seed}; ${trainer.model.numParameters()} parameters`);
  const release = stopOnSignals(trainer);
  const history = await trainer.fit();
  release();
  report(dir, config, [{ name: config.optimizer, history, monitor }], flags.png === true);
  const last = history.epochs.at(-1);
  if (last?.val_accuracy !== undefined) out(`held-out accuracy ${(100 * last.val_accuracy).toFixed(2)}% (${recipe.name}, epoch ${last.epoch})`);
  for (const w of monitor.warnings) out(`gradient warning: ${w.message}`);
  out(`stopped: ${history.stopReason}`);
  out(`checkpoint: ${latestCheckpoint(dir)}`);
  out(`report: ${join(dir, 'report.html')}`);
  out(`metrics: ${join(dir, 'metrics.jsonl')}`);
  if (flags.json) {
    const final = evaluate(trainer.model, trainer.options.valData!, { loss: recipe.loss, metrics: recipe.metrics });
    const result: Record<string, number> = { steps: trainer.step, epochs: trainer.epoch, seconds: trainer.elapsed, train_loss: history.steps.at(-1)?.loss ?? NaN };
    for (const [k, v] of Object.entries(final)) result[`val_${k}`] = v;
    out(`RESULT ${JSON.stringify(result)}`);
  }
  return history.stoppedBy === 'interrupt' ? 130 : history.stoppedBy === 'nanGuard' ? 1 : 0;
}

function report(dir: string, config: RunConfig, runs: { name: string; history: History; monitor?: GradientMonitor }[], png: boolean, extra: Partial<Parameters<typeof writeHtmlReport>[1]> = {}): void {
  const options = { title: `descent: ${config.recipe}`, runs, notes: [`config: ${JSON.stringify(config)}`], ...extra };
  writeHtmlReport(join(dir, 'report.html'), options);
  if (png) {
    try {
      const files = writePngCharts(dir, options);
      out(`charts: ${files.join(', ')}`);
    } catch (e) {
      out(`PNG charts skipped: ${(e as Error).message}`);
    }
  }
}

async function compare(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, COMPARE_FLAGS, 'compare');
  if (positionals.length > 0) throw new UsageError(`descent compare: unexpected argument '${positionals[0]}' (use --recipe)`);
  const names = (flags.optimizers as string[] | undefined) ?? String(COMPARE_FLAGS.optimizers.default).split(',');
  const base = runConfig('compare', { ...flags, recipe: flags.recipe ?? 'mnist-mlp', epochs: flags.epochs ?? 1, optimizer: names[0] });
  const target = (flags.targetAccuracy as number | undefined) ?? 0.9;
  const dir = resolve((flags.out as string | undefined) ?? join('runs', 'compare'));
  mkdirSync(dir, { recursive: true });
  const inits = (flags.inits as string[] | undefined) ?? ['default'];
  const seedText = flags.seeds as string | undefined;
  const seeds = seedText === undefined ? [base.seed] : seedText.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`descent compare: --seeds must be non-negative integers, got '${v}'`);
    return n;
  });
  const runs: { name: string; history: History; monitor: GradientMonitor }[] = [];
  const rows: (string | number)[][] = [];
  const batchSizes = ((flags.batchSizes as string[] | undefined) ?? [String(base.batchSize)]).map((b) => batchSizeOf('compare', b));
  for (const name of names) {
    for (const batchSize of batchSizes) {
      for (const init of inits) {
        for (const seed of seeds) {
          const config: RunConfig = { ...base, seed, batchSize, optimizer: name, lr: (flags.lr as number | undefined) ?? OPTIMIZERS[name].lr };
          const label = [name, batchSizes.length > 1 ? `batch ${batchSize}` : '', inits.length > 1 ? init : '', seeds.length > 1 ? `seed ${seed}` : ''].filter(Boolean).join(' ');
          out(`${label} (lr ${config.lr})...`);
          const { trainer, monitor, model } = await buildJob(config, { callbacks: flags.progress ? [progressBar({ showStopReason: false })] : [] });
          applyInit(model, init); // draws after the model's own init, from the same seeded stream
          let reached: { step: number; time: number } | null = null;
          trainer.callbacks.push({ onEpochEnd: (t, _e, logs) => { if (!reached && logs.val_accuracy >= target) reached = { step: t.step, time: logs.time }; } });
          const history = await trainer.fit();
          runs.push({ name: label, history, monitor });
          // the final weights on the held-out data (also when the run ended mid-epoch)
          const final = evaluate(model, trainer.options.valData!, { loss: trainer.options.loss, metrics: ['accuracy'] });
          const tail = history.steps.slice(-10);
          const trainLoss = tail.reduce((a, st) => a + st.loss, 0) / Math.max(1, tail.length);
          const r = reached as { step: number; time: number } | null;
          rows.push([name, String(batchSize), init, seed, config.lr, trainLoss, final.loss, final.accuracy, trainer.step, r ? r.step : '-', r ? r.time.toFixed(1) : '-', trainer.elapsed.toFixed(1), monitor.warnings.length]);
        }
      }
    }
  }
  rows.sort((a, b) => (b[7] as number) - (a[7] as number));
  const columns = ['optimizer', 'batch', 'init', 'seed', 'lr', 'train loss (last 10 steps)', 'val loss', 'val accuracy', 'steps', `steps to ${target}`, `seconds to ${target}`, 'seconds', 'gradient warnings'];
  if (seeds.length > 1) {
    out('');
    out('mean over seeds:');
    const groups = new Map<string, number[]>();
    for (const r of rows) groups.set(`${r[0]} ${r[1]} ${r[2]}`, [...(groups.get(`${r[0]} ${r[1]} ${r[2]}`) ?? []), r[7] as number]);
    printTable(['optimizer batch init', 'mean val accuracy', 'min', 'max'], [...groups].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length, Math.min(...v), Math.max(...v)]).sort((a, b) => (b[1] as number) - (a[1] as number)));
    out('');
  }
  printTable(columns, rows);
  report(dir, base, runs, flags.png === true, { title: `descent compare: ${base.recipe}`, table: { columns, rows } });
  out(`report: ${join(dir, 'report.html')}`);
  return 0;
}

function printTable(columns: string[], rows: (string | number)[][]): void {
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4)) : v);
  const text = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i].length)));
  out(columns.map((c, i) => c.padEnd(widths[i])).join('  '));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of text) out(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '));
}

async function lrFindCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, LR_FIND_FLAGS, 'lr-find');
  const config = runConfig('lr-find', { ...flags, optimizer: flags.optimizer ?? 'momentum' }, positionals[0]);
  const recipe = RECIPES[config.recipe];
  manualSeed(config.seed);
  const model = recipe.model();
  const loaders = loadersFor(await recipe.data(), config.batchSize, config.seed);
  const optimizer = OPTIMIZERS[config.optimizer].make([...model.parameters()], 1, config.weightDecay);
  const result = lrFind(model, {
    data: loaders.train, loss: recipe.loss, optimizer,
    startLr: flags.startLr as number | undefined, endLr: flags.endLr as number | undefined, numSteps: flags.steps as number | undefined,
  });
  const dir = resolve((flags.out as string | undefined) ?? join('runs', 'lr-find'));
  mkdirSync(dir, { recursive: true });
  out(`${result.lrs.length} steps; ${result.stopReason}`);
  const every = Math.max(1, Math.floor(result.lrs.length / 12));
  printTable(['lr', 'loss', 'smoothed'], result.lrs.filter((_, i) => i % every === 0).map((lr, k) => [lr.toExponential(2), result.losses[k * every], result.smoothedLosses[k * every]]));
  out(`suggested learning rate for ${config.optimizer}: ${result.suggestion.toExponential(2)}`);
  report(dir, config, [], flags.png === true, { title: `descent lr-find: ${config.recipe} with ${config.optimizer}`, lrFind: result });
  out(`report: ${join(dir, 'report.html')}`);
  return 0;
}

async function evalCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, EVAL_FLAGS, 'eval');
  if (positionals.length !== 1) throw new UsageError('descent eval: expected one CHECKPOINT (a run folder or a checkpoint folder)');
  const path = resolve(positionals[0]);
  if (!existsSync(path)) throw new UsageError(`descent eval: ${path} does not exist`);
  const folder = latestCheckpoint(path);
  if (!folder) throw new UsageError(`descent eval: no checkpoint in ${path}`);
  let recipeName = flags.recipe as string | undefined;
  for (const candidate of [join(path, 'config.json'), join(dirname(folder), 'config.json')]) {
    if (!recipeName && existsSync(candidate)) recipeName = (JSON.parse(readFileSync(candidate, 'utf8')) as RunConfig).recipe;
  }
  if (!recipeName) throw new UsageError(`descent eval: cannot tell the recipe of ${path} (no config.json); pass --recipe (valid choices: ${RECIPE_NAMES.join(', ')})`);
  const recipe = recipeOf('eval', recipeName);
  const model = recipe.model();
  model.loadStateDict(loadCheckpoint(folder).model);
  const { test } = loadersFor(await recipe.data(), 500, 0);
  const r = evaluate(model, test, { loss: recipe.loss, metrics: [...recipe.metrics, 'top3Accuracy', 'precision', 'recall', 'f1'] });
  out(`${folder} (${recipe.name}) on ${test.dataset.length} held-out samples:`);
  for (const [k, v] of Object.entries(r)) out(`  ${k.padEnd(14)} ${v.toFixed(4)}`);
  return 0;
}

const TUNE_FLAGS: Record<string, FlagSpec> = {
  recipe: COMMON.recipe,
  space: { type: 'string', help: 'the search space: JSON (or a .json file) of lists {"optimizer": ["adam", "sgd"]} and ranges {"lr": {"min": 1e-4, "max": 0.1, "log": true}}; keys are train options in camelCase', placeholder: 'JSON|FILE' },
  strategy: { type: 'string', help: 'grid, random, or successive halving', choices: ['grid', 'random', 'halving'], default: 'random' },
  trials: { type: 'number', help: 'configurations to draw (random, halving)', default: 8 },
  workers: { type: 'number', help: 'trials run in parallel worker processes', default: 'the number of cores' },
  metric: { type: 'string', help: 'what to rank by (from the final held-out evaluation)', default: 'val_accuracy' },
  mode: { type: 'string', help: 'whether a higher or lower metric is better', choices: ['max', 'min'], default: 'max for accuracy, min otherwise' },
  'max-steps': { type: 'number', help: 'steps per trial (grid, random)', default: 100 },
  'min-budget': { type: 'number', help: 'halving: steps in the first rung', default: 30 },
  eta: { type: 'number', help: 'halving: keep the best 1/eta each rung, and multiply the budget by eta', default: 3 },
  'max-budget': { type: 'number', help: 'halving: the largest number of steps', default: 270 },
  seed: COMMON.seed,
  out: { type: 'string', help: 'folder for the trials and the results', default: 'runs/tune', placeholder: 'DIR' },
};

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Runs `descent train` for one trial in a worker process and returns its RESULT line. */
function trialProcess(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const line = /^RESULT (.*)$/m.exec(stdout);
      if (code !== 0 || !line) reject(new Error(`trial failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
      else resolvePromise(JSON.parse(line[1]) as Record<string, number>);
    });
  });
}

async function tuneCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, TUNE_FLAGS, 'tune');
  if (positionals.length > 0) throw new UsageError(`descent tune: unexpected argument '${positionals[0]}' (use --recipe and --space)`);
  const recipe = recipeOf('tune', (flags.recipe as string | undefined) ?? 'mnist-mlp');
  const spaceText = flags.space as string | undefined;
  if (!spaceText) throw new UsageError('descent tune: --space is required, e.g. --space \'{"lr": {"min": 1e-4, "max": 0.1, "log": true}, "optimizer": ["adam", "sgd"]}\'');
  let space: SearchSpace;
  try {
    space = JSON.parse(spaceText.trim().startsWith('{') ? spaceText : readFileSync(spaceText, 'utf8')) as SearchSpace;
  } catch (e) {
    throw new UsageError(`descent tune: --space is not valid JSON or a readable JSON file: ${(e as Error).message}`);
  }
  const known = Object.keys(TRAIN_FLAGS).map((k) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
  for (const key of Object.keys(space)) {
    if (!known.includes(key) || ['out', 'resume', 'json', 'progress', 'png', 'recipe'].includes(key)) {
      throw new UsageError(`descent tune: cannot search over '${key}' (valid keys: ${known.filter((k) => !['out', 'resume', 'json', 'progress', 'png', 'recipe'].includes(k)).join(', ')})`);
    }
  }
  const strategy = (flags.strategy as 'grid' | 'random' | 'halving' | undefined) ?? 'random';
  const metric = (flags.metric as string | undefined) ?? 'val_accuracy';
  const mode = (flags.mode as 'max' | 'min' | undefined) ?? (/acc|f1|precision|recall/.test(metric) ? 'max' : 'min');
  const dir = resolve((flags.out as string | undefined) ?? join('runs', 'tune'));
  mkdirSync(dir, { recursive: true });
  const steps = (flags.maxSteps as number | undefined) ?? 100;
  const started = Date.now();
  const results = await tune({
    space, strategy, metric, mode,
    trials: flags.trials as number | undefined,
    seed: flags.seed as number | undefined,
    workers: flags.workers as number | undefined,
    minBudget: (flags.minBudget as number | undefined) ?? 30,
    eta: (flags.eta as number | undefined) ?? 3,
    maxBudget: (flags.maxBudget as number | undefined) ?? 270,
    run: (config, budget, id) => {
      const args = [recipe.name, '--out', join(dir, `trial-${id}`), '--no-progress', '--json', '--max-steps', String(budget ?? steps), '--epochs', '1000'];
      if (!('scheduler' in config)) args.push('--scheduler', 'none');
      if (budget !== null) args.push('--resume'); // halving continues each survivor from its checkpoint
      for (const [k, v] of Object.entries(config)) args.push(`--${kebab(k)}`, String(v));
      return trialProcess(args);
    },
    onResult: (r) => out(`trial ${r.id}${r.budget !== null ? ` (${r.budget} steps)` : ''} ${JSON.stringify(r.config)}: ${r.error ?? `${metric} ${(r.metrics[metric] ?? NaN).toFixed(4)}`}`),
  });
  const keys = Object.keys(space);
  const columns = ['trial', ...keys, metric, 'val_loss', 'steps', 'seconds'];
  const rows = results.map((r) => [r.id, ...keys.map((k) => String(r.config[k])), r.metrics[metric] ?? NaN, r.metrics.val_loss ?? NaN, r.metrics.steps ?? NaN, r.metrics.seconds ?? NaN]);
  out('');
  printTable(columns, rows);
  writeFileAtomic(join(dir, 'results.csv'), [columns.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  writeHtmlReport(join(dir, 'report.html'), { title: `descent tune: ${recipe.name} (${strategy})`, runs: [], table: { columns, rows }, notes: [`space: ${JSON.stringify(space)}`, `${results.length} trials in ${((Date.now() - started) / 1000).toFixed(1)} s`] });
  out(`best: trial ${results[0].id} ${JSON.stringify(results[0].config)}`);
  out(`results: ${join(dir, 'results.csv')}`);
  out(`report: ${join(dir, 'report.html')}`);
  return 0;
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  const commands: Record<string, { run: (a: string[]) => Promise<number>; help: () => string }> = {
    train: { run: train, help: () => helpText('descent train [RECIPE|CONFIG.json] [options]', 'Trains a recipe (default mnist-cnn) and writes checkpoints, metrics.jsonl, epochs.csv and report.html into --out. A CONFIG.json holds the same options in camelCase ({"recipe": "mnist-mlp", "lr": 0.01, "batchSize": 32}); flags override it. Ctrl-C saves a checkpoint; --resume continues.', TRAIN_FLAGS) },
    compare: { run: compare, help: () => helpText('descent compare [options]', `Trains the same model (default mnist-mlp, 1 epoch) from the same seed with each optimizer and prints a table of final loss, accuracy, steps and time to a target accuracy; the report overlays the curves. With --inits and --seeds it is an initialization study (${INIT_NAMES.map((k) => `${k}: ${INITS[k].description}`).join('; ')}).`, COMPARE_FLAGS) },
    'lr-find': { run: lrFindCommand, help: () => helpText('descent lr-find [RECIPE] [options]', 'Learning-rate range test: trains with an exponentially growing rate, prints the loss curve and a suggested rate, writes a report.', LR_FIND_FLAGS) },
    tune: { run: tuneCommand, help: () => helpText('descent tune [options]', 'Hyperparameter search over train options: grid, random or successive halving, each trial a `descent train` in a worker process; prints a table sorted by --metric and writes results.csv and report.html.', TUNE_FLAGS) },
    eval: { run: evalCommand, help: () => helpText('descent eval CHECKPOINT [options]', 'Evaluates a checkpoint (a run folder or a checkpoint-NNNNNNNN folder) on the held-out data of its recipe.', EVAL_FLAGS) },
    recipes: { run: async () => { for (const r of Object.values(RECIPES)) out(`${r.name.padEnd(10)} ${r.description}`); return 0; }, help: () => 'Usage: descent recipes\n\nLists the recipes.\n' },
  };
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(MAIN_HELP);
      return command ? 0 : 1;
    }
    const cmd = commands[command];
    if (!cmd) throw new UsageError(`descent: unknown command '${command}' (valid commands: ${Object.keys(commands).join(', ')})`);
    if (wantsHelp) {
      process.stdout.write(cmd.help());
      return 0;
    }
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`descent ${command}: ${(e as Error).message}\n`);
    return 1;
  }
}

// Run when executed directly (bin or node dist/cli/main.js), not when imported by tests.
const invoked = process.argv[1] ? resolve(process.argv[1]) : '';
if (invoked && (invoked === resolve(new URL(import.meta.url).pathname) || /[\\/]descent$/.test(invoked))) {
  process.exitCode = await main(process.argv.slice(2));
}
