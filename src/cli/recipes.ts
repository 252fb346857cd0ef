// The recipes the CLI knows, by name (one file per application in apps/).
import { UsageError } from './args.js';
import { type FitRecipe, type Recipe, isLoopRecipe } from './recipe.js';
import { mnistCnnRecipe, mnistMlpRecipe } from './apps/mnist.js';
import { fashionCnnRecipe } from './apps/fashion-mnist.js';
import { charGptRecipe } from './apps/char-gpt.js';
import { namesMlpRecipe } from './apps/names.js';
import { sentimentRecipe, smsSpamRecipe } from './apps/text.js';
import { speechDigitsRecipe } from './apps/speech.js';
import { movielensMfRecipe, movielensNcfRecipe } from './apps/movielens.js';
import { vaeRecipe } from './apps/vae.js';
import { dcganRecipe } from './apps/dcgan.js';

export { mnistCnn, mnistMlp } from './apps/mnist.js';
export { loadersFor } from './recipe.js';
export type { Recipe, FitRecipe, LoopRecipe } from './recipe.js';

export const RECIPES: Record<string, Recipe> = Object.fromEntries([
  mnistCnnRecipe, mnistMlpRecipe, fashionCnnRecipe, charGptRecipe, namesMlpRecipe, smsSpamRecipe, sentimentRecipe,
  speechDigitsRecipe, movielensMfRecipe, movielensNcfRecipe, vaeRecipe, dcganRecipe,
].map((r) => [r.name, r]));

/** The recipe `name` if fit trains it; a recipe with its own loop is a usage error of `command`. */
export function fitRecipe(command: string, name: string): FitRecipe {
  const recipe = RECIPES[name];
  if (isLoopRecipe(recipe)) {
    const fitted = Object.values(RECIPES).filter((r) => !isLoopRecipe(r)).map((r) => r.name);
    throw new UsageError(`descent ${command}: the recipe '${name}' trains with a loop of its own (two optimizers), which ${command} cannot run; use 'descent train ${name}', or one of: ${fitted.join(', ')}`);
  }
  return recipe;
}
