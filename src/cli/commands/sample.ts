/// <reference types="node" />
// descent sample RUN [options]
import { join } from 'node:path';
import { loadCheckpoint, saveImage } from '../../node/index.js';
import { UsageError, defineFlags, parseArgs, withDefaults } from '../args.js';
import { DATA_FLAGS, RUN_RECIPE_FLAG, dataSource, runCheckpoint } from '../run-config.js';
import { RECIPES } from '../recipes.js';
import { out } from '../output.js';

export const SAMPLE_FLAGS = defineFlags({
  ...RUN_RECIPE_FLAG,
  count: { type: 'number', integer: true, range: [1, 10000], help: 'names or images to make', defaultHelp: '20 names, 64 images' },
  length: { type: 'number', integer: true, range: [1, 1e6], help: 'characters of text to generate', default: 500 },
  temperature: { type: 'number', range: 'positive', help: 'divides the logits: below 1 sharper, above 1 more varied', default: 0.8 },
  'top-k': { type: 'number', integer: true, range: 'non-negative', help: 'draw among the k most likely characters only (0: all)', default: 0 },
  prompt: { type: 'string', help: 'text the generated text continues', default: '\n', placeholder: 'TEXT' },
  user: { type: 'number', integer: true, range: 'positive', help: 'MovieLens userId to recommend movies for', default: 1 },
  seed: { type: 'number', integer: true, range: [0, Number.MAX_SAFE_INTEGER], help: 'random seed of the sampling', default: 0 },
  out: { type: 'string', help: 'PNG file for images', defaultHelp: 'RUN/samples.png', placeholder: 'FILE' },
  ...DATA_FLAGS,
});

export const SAMPLE_HELP = {
  usage: 'descent sample RUN [options]',
  description: 'Makes something with a trained model: text from the char-gpt recipe (temperature, top-k, a prompt), new names from names-mlp, a grid of images from vae and dcgan (a PNG file), top-10 movies for a user from movielens-mf and movielens-ncf.',
};

/** Runs `descent sample`; returns the exit code. */
export async function sampleCommand(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, SAMPLE_FLAGS, 'sample');
  if (positionals.length !== 1) throw new UsageError('descent sample: expected one RUN (a run folder or a checkpoint folder)');
  const flags = withDefaults(SAMPLE_FLAGS, given);
  const { folder, recipeName } = runCheckpoint('sample', positionals[0], flags.recipe);
  const recipe = RECIPES[recipeName];
  if (!recipe.sample) {
    const samplers = Object.values(RECIPES).filter((r) => r.sample).map((r) => r.name);
    throw new UsageError(`descent sample: the recipe '${recipeName}' does not generate anything (it classifies); sample from one of: ${samplers.join(', ')}`);
  }
  const data = await recipe.data(dataSource(flags));
  const model = recipe.model(data);
  model.loadStateDict(loadCheckpoint(folder).model);
  model.eval();
  const made = recipe.sample(model, data, flags);
  if ('text' in made) {
    out(made.text);
    return 0;
  }
  const file = flags.out ?? join(positionals[0], 'samples.png');
  saveImage(made.images, file, { ...made.grid });
  out(`${made.images.shape[0]} images: ${file}`);
  return 0;
}
