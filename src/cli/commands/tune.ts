/// <reference types="node" />
// descent tune [options]
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tune, type SearchSpace } from '../../node/tune.js';
import { writeFileAtomic, writeHtmlReport } from '../../node/index.js';
import { UsageError, camelCase, checkChoice, convert, defineFlags, kebabCase, parseArgs, withDefaults } from '../args.js';
import { COMMON_FLAGS } from '../run-config.js';
import { RECIPES } from '../recipes.js';
import { TRAIN_FLAGS } from './train.js';
import { out, outputFolder, printTable } from '../output.js';

export const TUNE_FLAGS = defineFlags({
  recipe: COMMON_FLAGS.recipe,
  space: { type: 'string', help: 'the search space: JSON (or a .json file) of lists {"optimizer": ["adam", "sgd"]} and ranges {"lr": {"min": 1e-4, "max": 0.1, "log": true}}; keys are train options in camelCase', placeholder: 'JSON|FILE' },
  strategy: { type: 'string', help: 'grid, random, or successive halving', choices: ['grid', 'random', 'halving'], default: 'random' },
  trials: { type: 'number', integer: true, range: 'positive', help: 'configurations to draw (random, halving)', default: 8 },
  workers: { type: 'number', integer: true, range: 'positive', help: 'trials run in parallel worker processes', defaultHelp: 'the number of cores' },
  metric: { type: 'string', help: 'what to rank by (from the final held-out evaluation)', default: 'val_accuracy' },
  mode: { type: 'string', help: 'whether a higher or lower metric is better', choices: ['max', 'min'], defaultHelp: 'max for accuracy, min otherwise' },
  'max-steps': { type: 'number', integer: true, range: 'positive', help: 'steps per trial (grid, random)', default: 100 },
  'min-budget': { type: 'number', integer: true, range: 'positive', help: 'halving: steps in the first rung', default: 30 },
  eta: { type: 'number', range: [2, 1000], help: 'halving: keep the best 1/eta each rung, and multiply the budget by eta', default: 3 },
  'max-budget': { type: 'number', integer: true, range: 'positive', help: 'halving: the largest number of steps (the learning-rate schedule of every trial spans it)', default: 270 },
  seed: COMMON_FLAGS.seed,
  out: { type: 'string', help: 'folder for the trials and the results', default: 'runs/tune', placeholder: 'DIR' },
});

export const TUNE_HELP = {
  usage: 'descent tune [options]',
  description: 'Hyperparameter search over train options: grid, random or successive halving, each trial a `descent train` in a worker process; prints a table sorted by --metric and writes results.csv and report.html. Exits with 1 when every trial fails.',
};

// Train options a search may not vary: where trials write and report, and the budgets tune itself sets.
const NOT_SEARCHABLE = ['out', 'resume', 'json', 'progress', 'png', 'recipe', 'maxSteps', 'scheduleSteps'];

/** The search space from --space, every key a searchable train option and every value one it accepts. */
function searchSpace(text: string): SearchSpace {
  let space: unknown;
  try {
    space = JSON.parse(text.trim().startsWith('{') ? text : readFileSync(text, 'utf8'));
  } catch (e) {
    throw new UsageError(`descent tune: --space is not valid JSON or a readable JSON file: ${(e as Error).message}`);
  }
  if (space === null || typeof space !== 'object' || Array.isArray(space) || Object.keys(space).length === 0) {
    throw new UsageError('descent tune: --space must be a JSON object with at least one option to search');
  }
  const searchable = Object.keys(TRAIN_FLAGS).map(camelCase).filter((k) => !NOT_SEARCHABLE.includes(k));
  for (const [key, values] of Object.entries(space)) {
    if (!searchable.includes(key)) throw new UsageError(`descent tune: cannot search over '${key}' (valid keys: ${searchable.join(', ')})`);
    const name = kebabCase(key);
    const spec = TRAIN_FLAGS[name as keyof typeof TRAIN_FLAGS];
    const source = '--space';
    if (Array.isArray(values)) {
      if (values.length === 0) throw new UsageError(`descent tune: '${key}' in --space has no values`);
      for (const v of values) convert('tune', name, spec, String(v), source);
      continue;
    }
    const range = values as { min?: unknown; max?: unknown; log?: unknown };
    if (spec.type !== 'number' || typeof range !== 'object' || range === null || typeof range.min !== 'number' || typeof range.max !== 'number' || !(range.min < range.max)) {
      throw new UsageError(`descent tune: '${key}' in --space must be a list of values${spec.type === 'number' ? ' or a range {"min": a, "max": b} with a < b' : ''}, got ${JSON.stringify(values)}`);
    }
    if (range.log === true && !(range.min > 0)) throw new UsageError(`descent tune: the log range of '${key}' in --space needs min > 0, got ${range.min}`);
    for (const bound of [range.min, range.max]) convert('tune', name, spec, String(bound), source);
  }
  return space as SearchSpace;
}

/** Runs `descent train` for one trial in a worker process and returns its RESULT line. */
function trialProcess(args: string[]): Promise<Record<string, number>> {
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [main, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Runs `descent tune`; returns the exit code (1 when every trial failed). */
export async function tuneCommand(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, TUNE_FLAGS, 'tune');
  if (positionals.length > 0) throw new UsageError(`descent tune: unexpected argument '${positionals[0]}' (use --recipe and --space)`);
  const flags = withDefaults(TUNE_FLAGS, given);
  const recipe = RECIPES[flags.recipe ?? 'mnist-mlp'];
  if (!flags.space) throw new UsageError('descent tune: --space is required, e.g. --space \'{"lr": {"min": 1e-4, "max": 0.1, "log": true}, "optimizer": ["adam", "sgd"]}\'');
  const space = searchSpace(flags.space);
  const metrics = ['val_loss', ...recipe.metrics.map((m) => `val_${m}`), 'train_loss', 'steps', 'epochs', 'seconds'];
  checkChoice('tune', 'metric', metrics, flags.metric);
  if (flags.strategy === 'halving' && flags.maxBudget < flags.minBudget) {
    throw new UsageError(`descent tune: --max-budget (${flags.maxBudget}) must be at least --min-budget (${flags.minBudget})`);
  }
  const metric = flags.metric;
  const mode = flags.mode ?? (/acc|f1|precision|recall/.test(metric) ? 'max' : 'min');
  const dir = outputFolder('tune', flags.out);
  const started = Date.now();
  const results = await tune({
    space, strategy: flags.strategy, metric, mode, trials: flags.trials, seed: flags.seed, workers: flags.workers,
    minBudget: flags.minBudget, eta: flags.eta, maxBudget: flags.maxBudget,
    run: (config, budget, id) => {
      const args = [recipe.name, '--out', join(dir, `trial-${id}`), '--no-progress', '--json', '--max-steps', String(budget ?? flags.maxSteps), '--epochs', '1000'];
      if (!('scheduler' in config)) args.push('--scheduler', 'none');
      if (budget !== null) {
        // halving continues each survivor from its checkpoint, on a schedule that spans the largest budget
        args.push('--resume', '--schedule-steps', String(flags.maxBudget));
      }
      for (const [k, v] of Object.entries(config)) args.push(`--${kebabCase(k)}`, String(v));
      return trialProcess(args);
    },
    onResult: (r) => out(`trial ${r.id}${r.budget !== null ? ` (${r.budget} steps)` : ''} ${JSON.stringify(r.config)}: ${r.error ?? `${metric} ${(r.metrics[metric] ?? NaN).toFixed(4)}`}`),
  });
  const keys = Object.keys(space);
  const columns = ['trial', ...keys, metric, 'val_loss', 'steps', 'seconds', 'error'];
  const rows = results.map((r) => [r.id, ...keys.map((k) => String(r.config[k])), r.metrics[metric] ?? NaN, r.metrics.val_loss ?? NaN, r.metrics.steps ?? NaN, r.metrics.seconds ?? NaN, r.error ? 'failed' : '']);
  out('');
  printTable(columns, rows);
  writeFileAtomic(join(dir, 'results.csv'), [columns.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  writeHtmlReport(join(dir, 'report.html'), { title: `descent tune: ${recipe.name} (${flags.strategy})`, runs: [], table: { columns, rows }, notes: [`space: ${JSON.stringify(space)}`, `${results.length} trials in ${((Date.now() - started) / 1000).toFixed(1)} s`] });
  out(`results: ${join(dir, 'results.csv')}`);
  out(`report: ${join(dir, 'report.html')}`);
  const best = results.find((r) => !r.error);
  if (!best) {
    process.stderr.write(`descent tune: every trial failed (the first: ${results[0]?.error})\n`);
    return 1;
  }
  out(`best: trial ${best.id} ${JSON.stringify(best.config)}`);
  return 0;
}
