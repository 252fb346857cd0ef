/// <reference types="node" />
// descent train [RECIPE|CONFIG.json] [options]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluate } from '../../train/index.js';
import { checkpointCallback, latestCheckpoint, lockRunFolder, metricsLogger, progressBar, resumeFrom, stopOnSignals, writeFileAtomic } from '../../node/index.js';
import { type GivenFlags, UsageError, checkChoice, configFlags, defineFlags, kebabCase, parseArgs, withDefaults } from '../args.js';
import { COMMON_FLAGS, RECIPE_NAMES, type RunConfig, buildJob, readJsonObject, runConfig } from '../run-config.js';
import { RECIPES } from '../recipes.js';
import { out, outputFolder, report } from '../output.js';

export const TRAIN_FLAGS = defineFlags({
  ...COMMON_FLAGS,
  out: { type: 'string', help: 'run folder for checkpoints, metrics and the report', defaultHelp: 'runs/<recipe>', placeholder: 'DIR' },
  resume: { type: 'boolean', help: 'continue from the newest checkpoint in --out (the run folder)' },
  'schedule-steps': { type: 'number', integer: true, range: 'positive', help: 'steps the onecycle or cosine schedule spans; plan it here for a run you will resume for longer', defaultHelp: "the run's budget" },
  'clip-grad-norm': { type: 'number', range: 'positive', help: 'clip the gradient norm to this' },
  'accumulate-steps': { type: 'number', integer: true, range: 'positive', help: 'batches per optimizer step' },
  patience: { type: 'number', integer: true, range: 'non-negative', help: 'early stopping on val_loss after this many epochs without improvement (restores the best weights)' },
  'time-limit': { type: 'number', range: 'positive', help: 'stop after this many seconds' },
  'target-accuracy': { type: 'number', range: [0, 1], help: 'stop once val_accuracy reaches this' },
  'checkpoint-every': { type: 'number', integer: true, range: 'positive', help: 'also checkpoint every this many steps' },
  'monitor-every': { type: 'number', integer: true, range: 'positive', help: 'gradient-health measurement every this many steps', default: 25 },
  png: { type: 'boolean', help: 'also write PNG charts into the run folder' },
  progress: { type: 'boolean', help: 'show progress (use --no-progress to silence)', default: true },
  json: { type: 'boolean', help: 'print a line EPOCH {json} of the logs after each epoch, and end with a line RESULT {json} of the final held-out metrics (for scripts, tune and tools/optuna_search.py)' },
});

type TrainFlags = GivenFlags<typeof TRAIN_FLAGS>;

/** Options that define a run: its checkpoints were made with them, so a resume keeps them. */
export const RUN_IDENTITY = ['recipe', 'optimizer', 'lr', 'batchSize', 'seed', 'weightDecay', 'scheduler', 'scheduleSteps', 'accumulateSteps', 'clipGradNorm'] as const;
/** Budgets and stopping rules: a resume may change them, and config.json records the new values. */
export const RUN_BUDGETS = ['epochs', 'maxSteps', 'patience', 'timeLimit', 'targetAccuracy'] as const;

export const TRAIN_HELP = {
  usage: 'descent train [RECIPE|CONFIG.json] [options]',
  description: 'Trains a recipe (default mnist-cnn) and writes checkpoints, metrics.jsonl, epochs.csv and report.html into --out. A CONFIG.json holds the same options in camelCase ({"recipe": "mnist-mlp", "lr": 0.01, "batchSize": 32, "out": "runs/x"}); flags override it. Ctrl-C saves a checkpoint; --resume continues, with the options that define the run unchanged (budgets and stopping rules may change).',
};

/** The options given in a CONFIG.json or as the RECIPE positional, under the command line's. */
function givenOptions(fromArgs: TrainFlags, positional: string | undefined): TrainFlags {
  if (positional === undefined) return fromArgs;
  if (!positional.endsWith('.json')) {
    checkChoice('train', 'recipe', RECIPE_NAMES, positional);
    return { recipe: positional, ...fromArgs };
  }
  return { ...configFlags(readJsonObject('train', positional), TRAIN_FLAGS, 'train', positional), ...fromArgs };
}

/** The run folder: --out, or runs/<recipe> (the next free runs/<recipe>-N for a fresh run). */
function runFolder(given: TrainFlags, resume: boolean): string {
  let dir = resolve(given.out ?? join('runs', given.recipe ?? 'mnist-cnn'));
  if (existsSync(join(dir, 'trainer.json'))) {
    throw new UsageError(`descent train: ${dir} is a checkpoint folder; --out takes its run folder (${resolve(dir, '..')}), whose newest checkpoint --resume continues`);
  }
  if (!resume && latestCheckpoint(dir)) {
    if (given.out !== undefined) throw new UsageError(`descent train: ${dir} already holds a checkpoint; pass --resume to continue it or another --out`);
    let k = 2;
    while (latestCheckpoint(`${dir}-${k}`)) k++;
    dir = `${dir}-${k}`;
  }
  return outputFolder('train', dir);
}

/** The configuration of a resumed run: the saved one, with budgets changed if asked; other changes refused. */
function resumedConfig(dir: string, given: TrainFlags): RunConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return runConfig(given);
  const saved = configFlags(readJsonObject('train', path), TRAIN_FLAGS, 'train', path);
  const changed = RUN_IDENTITY.filter((k) => given[k] !== undefined && given[k] !== saved[k]);
  if (changed.length > 0) {
    const was = changed.map((k) => `--${kebabCase(k)} ${saved[k] ?? '(not set)'}`).join(', ');
    const now = changed.map((k) => `--${kebabCase(k)} ${given[k]}`).join(', ');
    throw new UsageError(
      `descent train: ${dir} was trained with ${was}, not ${now}; a resumed run keeps the options that define it (${RUN_IDENTITY.map((k) => kebabCase(k)).join(', ')}). ` +
        `Leave them out to continue, or start a new run (another --out). Budgets and stopping rules (${RUN_BUDGETS.map((k) => `--${kebabCase(k)}`).join(', ')}) may change.`,
    );
  }
  const budgets = Object.fromEntries(RUN_BUDGETS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
  return runConfig({ ...saved, ...budgets });
}

/** Runs `descent train`; returns the exit code. */
export async function train(argv: string[]): Promise<number> {
  const { given: fromArgs, positionals } = parseArgs(argv, TRAIN_FLAGS, 'train');
  if (positionals.length > 1) throw new UsageError(`descent train: expected at most one recipe or config file, got ${positionals.join(' ')}`);
  const given = givenOptions(fromArgs, positionals[0]);
  const flags = withDefaults(TRAIN_FLAGS, given);
  const resume = flags.resume === true;
  const dir = runFolder(given, resume);
  const release = lockRunFolder(dir); // before anything is written; a second process is refused here
  try {
    let config = resume ? resumedConfig(dir, given) : runConfig(given);
    const callbacks = [checkpointCallback({ dir, everySteps: flags.checkpointEvery }), metricsLogger({ dir })];
    if (flags.progress) callbacks.push(progressBar({ showStopReason: false }));
    // a line per epoch for drivers that watch a run (tools/optuna_search.py reports them to Optuna's pruners)
    if (flags.json) callbacks.push({ name: 'jsonEpochs', onEpochEnd: (_t, _epoch, logs) => out(`EPOCH ${JSON.stringify(logs)}`) });
    const { trainer, monitor, scheduleSteps } = await buildJob('train', config, { callbacks, monitorEvery: flags.monitorEvery });
    config = { ...config, scheduleSteps: scheduleSteps ?? config.scheduleSteps }; // what the schedule spans, recorded
    if (resume) {
      if (resumeFrom(trainer, dir)) out(`resuming ${dir} at epoch ${trainer.epoch}, step ${trainer.step}`);
      else out(`nothing to resume in ${dir}; starting fresh`);
    }
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    const recipe = RECIPES[config.recipe];
    out(`training ${recipe.name}: ${recipe.description}`);
    out(`optimizer ${config.optimizer} lr ${config.lr} batch ${config.batchSize} epochs ${config.epochs} scheduler ${config.scheduler} seed ${config.seed}; ${trainer.model.numParameters()} parameters`);
    const releaseSignals = stopOnSignals(trainer);
    const history = await trainer.fit();
    releaseSignals();
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
  } finally {
    release();
  }
}
