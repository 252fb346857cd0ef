/// <reference types="node" />
// descent eval CHECKPOINT [options]
import { evaluate } from '../../train/index.js';
import { loadCheckpoint } from '../../node/index.js';
import { UsageError, defineFlags, parseArgs } from '../args.js';
import { RECIPE_NAMES, checkpointAndRecipe } from '../run-config.js';
import { loadersFor } from '../recipes.js';
import { out } from '../output.js';

export const EVAL_FLAGS = defineFlags({
  recipe: { type: 'string', help: 'the recipe the checkpoint was trained with (default: from the run\'s config.json)', choices: RECIPE_NAMES, placeholder: 'NAME' },
});

export const EVAL_HELP = {
  usage: 'descent eval CHECKPOINT [options]',
  description: 'Evaluates a checkpoint (a run folder or a checkpoint-NNNNNNNN folder) on the held-out data of its recipe.',
};

/** Runs `descent eval`; returns the exit code. */
export async function evalCommand(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, EVAL_FLAGS, 'eval');
  if (positionals.length !== 1) throw new UsageError('descent eval: expected one CHECKPOINT (a run folder or a checkpoint folder)');
  const { folder, recipe } = checkpointAndRecipe('eval', positionals[0], given.recipe);
  const model = recipe.model();
  model.loadStateDict(loadCheckpoint(folder).model);
  const { test } = loadersFor(await recipe.data(), 500, 0);
  const r = evaluate(model, test, { loss: recipe.loss, metrics: [...recipe.metrics, 'top3Accuracy', 'precision', 'recall', 'f1'] });
  out(`${folder} (${recipe.name}) on ${test.dataset.length} held-out samples:`);
  for (const [k, v] of Object.entries(r)) out(`  ${k.padEnd(14)} ${v.toFixed(4)}`);
  return 0;
}
