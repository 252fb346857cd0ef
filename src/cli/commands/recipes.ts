// descent recipes
import { RECIPES } from '../recipes.js';
import { out } from '../output.js';

export const RECIPES_HELP = { usage: 'descent recipes', description: 'Lists the recipes: what each trains on which data, and what a full run reaches.' };

/** Runs `descent recipes`. */
export async function recipesCommand(): Promise<number> {
  const width = Math.max(...Object.keys(RECIPES).map((k) => k.length));
  for (const r of Object.values(RECIPES)) {
    out(`${r.name.padEnd(width)}  ${r.description}`);
    if (r.bar) out(`${''.padEnd(width)}  bar: ${r.bar}`);
  }
  return 0;
}
