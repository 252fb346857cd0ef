/// <reference types="node" />
// descent eval CHECKPOINT [options]
import { evaluate } from '../../train/index.js';
import { loadCheckpoint } from '../../node/index.js';
import { UsageError, defineFlags, parseArgs } from '../args.js';
import { DATA_FLAGS, RUN_RECIPE_FLAG, dataSource, runCheckpoint } from '../run-config.js';
import { fitRecipe, loadersFor } from '../recipes.js';
import { out } from '../output.js';

export const EVAL_FLAGS = defineFlags({
  ...RUN_RECIPE_FLAG,
  ...DATA_FLAGS,
});

export const EVAL_HELP = {
  usage: 'descent eval CHECKPOINT [options]',
  description: 'Evaluates a checkpoint (a run folder or a checkpoint-NNNNNNNN folder) on the held-out data of its recipe.',
};

/** Runs `descent eval`; returns the exit code. */
export async function evalCommand(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, EVAL_FLAGS, 'eval');
  if (positionals.length !== 1) throw new UsageError('descent eval: expected one CHECKPOINT (a run folder or a checkpoint folder)');
  const { folder, recipeName } = runCheckpoint('eval', positionals[0], given.recipe);
  const recipe = fitRecipe('eval', recipeName);
  const data = await recipe.data(dataSource(given));
  const model = recipe.model(data);
  model.loadStateDict(loadCheckpoint(folder).model);
  const { test } = loadersFor(data, 500, 0, recipe.evalBatchSize);
  const classifier = recipe.metrics.includes('accuracy');
  const metrics = [...new Set([...recipe.metrics, ...(classifier ? ['top3Accuracy', 'precision', 'recall', 'f1'] : [])])];
  const r = evaluate(model, test, { loss: recipe.loss, metrics, forward: recipe.forward });
  out(`${folder} (${recipe.name}) on ${test.dataset.length} held-out samples:`);
  for (const [k, v] of Object.entries(r)) out(`  ${k.padEnd(14)} ${v.toFixed(4)}`);
  return 0;
}
