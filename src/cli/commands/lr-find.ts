/// <reference types="node" />
// descent lr-find [RECIPE] [options]
import { join } from 'node:path';
import { manualSeed } from '../../index.js';
import { lrFindAsync } from '../../train/index.js';
import { UsageError, checkChoice, defineFlags, parseArgs, withDefaults } from '../args.js';
import { COMMON_FLAGS, DATA_FLAGS, RECIPE_NAMES, dataSource, runConfig } from '../run-config.js';
import { fitRecipe, loadersFor } from '../recipes.js';
import { OPTIMIZERS } from '../optimizers.js';
import { out, outputFolder, printTable, report } from '../output.js';

export const LR_FIND_FLAGS = defineFlags({
  ...COMMON_FLAGS,
  ...DATA_FLAGS,
  'start-lr': { type: 'number', range: 'positive', help: 'first learning rate', default: 1e-7 },
  'end-lr': { type: 'number', range: 'positive', help: 'last learning rate', default: 10 },
  steps: { type: 'number', integer: true, range: [2, 1e9], help: 'steps of the sweep', default: 100 },
  out: { type: 'string', help: 'folder for the report', default: 'runs/lr-find', placeholder: 'DIR' },
  png: { type: 'boolean', help: 'also write PNG charts' },
});

export const LR_FIND_HELP = {
  usage: 'descent lr-find [RECIPE] [options]',
  description: 'Learning-rate range test: trains with an exponentially growing rate, prints the loss curve and a suggested rate, writes a report.',
};

/** Runs `descent lr-find`; returns the exit code. */
export async function lrFindCommand(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, LR_FIND_FLAGS, 'lr-find');
  if (positionals.length > 1) throw new UsageError(`descent lr-find: expected at most one recipe, got ${positionals.join(' ')}`);
  if (positionals[0] !== undefined) checkChoice('lr-find', 'recipe', RECIPE_NAMES, positionals[0]);
  const flags = withDefaults(LR_FIND_FLAGS, given);
  if (!(flags.startLr < flags.endLr)) throw new UsageError(`descent lr-find: --start-lr (${flags.startLr}) must be below --end-lr (${flags.endLr})`);
  const config = runConfig({ ...given, recipe: given.recipe ?? positionals[0], optimizer: given.optimizer ?? 'momentum' });
  const dir = outputFolder('lr-find', flags.out);
  const recipe = fitRecipe('lr-find', config.recipe);
  const data = await recipe.data(dataSource(flags));
  manualSeed(config.seed);
  const model = recipe.model(data);
  const loaders = loadersFor(data, config.batchSize, config.seed);
  const optimizer = OPTIMIZERS[config.optimizer].make([...model.parameters()], 1, config.weightDecay);
  const result = await lrFindAsync(model, { data: loaders.train, loss: recipe.loss, forward: recipe.forward, optimizer, startLr: flags.startLr, endLr: flags.endLr, numSteps: flags.steps });
  out(`${result.lrs.length} steps; ${result.stopReason}`);
  const every = Math.max(1, Math.floor(result.lrs.length / 12));
  printTable(['lr', 'loss', 'smoothed'], result.lrs.filter((_, i) => i % every === 0).map((lr, k) => [lr.toExponential(2), result.losses[k * every], result.smoothedLosses[k * every]]));
  out(`suggested learning rate for ${config.optimizer}: ${result.suggestion.toExponential(2)}`);
  report(dir, config, [], flags.png === true, { title: `descent lr-find: ${config.recipe} with ${config.optimizer}`, lrFind: result });
  out(`report: ${join(dir, 'report.html')}`);
  return 0;
}
