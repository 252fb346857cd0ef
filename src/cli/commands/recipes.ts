// descent recipes
import { RECIPES } from '../recipes.js';
import { out } from '../output.js';

export const RECIPES_HELP = { usage: 'descent recipes', description: 'Lists the recipes.' };

/** Runs `descent recipes`. */
export async function recipesCommand(): Promise<number> {
  for (const r of Object.values(RECIPES)) out(`${r.name.padEnd(10)} ${r.description}`);
  return 0;
}
