/// <reference types="node" />
// descent compare [options]
import { join } from 'node:path';
import { evaluate, type GradientMonitor, type History } from '../../train/index.js';
import { progressBar } from '../../node/index.js';
import { UsageError, defineFlags, parseArgs, withDefaults } from '../args.js';
import { COMMON_FLAGS, type RunConfig, buildJob, runConfig } from '../run-config.js';
import { OPTIMIZERS, OPTIMIZER_NAMES } from '../optimizers.js';
import { INITS, INIT_NAMES, applyInit } from '../inits.js';
import { out, outputFolder, printTable, report } from '../output.js';

export const COMPARE_FLAGS = defineFlags({
  ...COMMON_FLAGS,
  optimizers: { type: 'list', help: 'comma-separated optimizers to compare', choices: OPTIMIZER_NAMES, default: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'], placeholder: 'A,B,...' },
  'batch-sizes': { type: 'list', help: "the variants of gradient descent side by side: batch sizes to compare, 'full' = batch GD, 1 = stochastic, k = mini-batch", placeholder: 'full,1,64' },
  inits: { type: 'list', help: 'initialization study: compare these initializers', choices: INIT_NAMES, default: ['default'], placeholder: 'A,B,...' },
  seeds: { type: 'list', help: 'comma-separated seeds: every configuration is trained from each', defaultHelp: 'the --seed', placeholder: 'S1,S2,...' },
  'target-accuracy': { type: 'number', range: [0, 1], help: 'report the steps and time to reach this val_accuracy', default: 0.9 },
  out: { type: 'string', help: 'folder for the comparison report', default: 'runs/compare', placeholder: 'DIR' },
  png: { type: 'boolean', help: 'also write PNG charts' },
  progress: { type: 'boolean', help: 'show progress', default: false },
});

export const COMPARE_HELP = {
  usage: 'descent compare [options]',
  description: `Trains the same model (default mnist-mlp, 1 epoch) from the same seed with each optimizer and prints a table of final loss, accuracy, steps and time to a target accuracy; the report overlays the curves. With --inits and --seeds it is an initialization study (${INIT_NAMES.map((k) => `${k}: ${INITS[k].description}`).join('; ')}).`,
};

// Items of a list flag that must be seeds or batch sizes, converted; the first bad one is named.
function parseEach<T>(name: string, items: string[], parse: (s: string) => T | null, expected: string): T[] {
  return items.map((s) => {
    const v = parse(s);
    if (v === null) throw new UsageError(`descent compare: --${name} must be ${expected}, got '${s}'`);
    return v;
  });
}

/** Runs `descent compare`; returns the exit code. */
export async function compare(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, COMPARE_FLAGS, 'compare');
  if (positionals.length > 0) throw new UsageError(`descent compare: unexpected argument '${positionals[0]}' (use --recipe)`);
  const flags = withDefaults(COMPARE_FLAGS, given);
  const names = flags.optimizers;
  const base = runConfig({ ...given, recipe: given.recipe ?? 'mnist-mlp', epochs: given.epochs ?? 1, optimizer: names[0] });
  const target = flags.targetAccuracy;
  const seeds = flags.seeds === undefined ? [base.seed] : parseEach('seeds', flags.seeds, (s) => (/^\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : null), 'non-negative integers');
  const batchSizes = flags.batchSizes === undefined ? [base.batchSize] : parseEach('batch-sizes', flags.batchSizes, (s) => (s === 'full' ? 'full' : /^\d+$/.test(s) && Number(s) >= 1 ? Number(s) : null), "positive integers or 'full'");
  const dir = outputFolder('compare', flags.out);
  const runs: { name: string; history: History; monitor: GradientMonitor }[] = [];
  const rows: (string | number)[][] = [];
  for (const name of names) {
    for (const batchSize of batchSizes) {
      for (const init of flags.inits) {
        for (const seed of seeds) {
          const config: RunConfig = { ...base, seed, batchSize, optimizer: name, lr: given.lr ?? OPTIMIZERS[name].lr };
          const label = [name, batchSizes.length > 1 ? `batch ${batchSize}` : '', flags.inits.length > 1 ? init : '', seeds.length > 1 ? `seed ${seed}` : ''].filter(Boolean).join(' ');
          out(`${label} (lr ${config.lr})...`);
          const { trainer, monitor, model } = await buildJob('compare', config, { callbacks: flags.progress ? [progressBar({ showStopReason: false })] : [] });
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
