// What several recipes share: where their data comes from, seeded splits, and sampling from logits.
import { Generator, Tensor, multinomial, noGrad, randperm, tensor, topk } from '../../index.js';
import type { DatasetOptions } from '../../node/datasets.js';
import type { DataSource } from '../recipe.js';

/** The dataset loaders' options for a recipe's data source. */
export function datasetOptions(source: DataSource): DatasetOptions {
  return { ...(source.root !== undefined ? { root: source.root } : {}), download: source.download ?? false };
}

/**
 * The positions 0..n-1 in a seeded random order, as `torch.randperm(n, generator=torch.Generator().manual_seed(seed))`:
 * the first `round(fraction * n)` for training, the rest held out. Fixed by `seed`, not by the run's seed.
 * @example const { train, test } = seededSplit(100, 0.8); // 80 and 20 positions
 */
export function seededSplit(n: number, fraction: number, seed = 0): { train: number[]; test: number[] } {
  const order = Array.from(randperm(n, { generator: new Generator(seed) }).dataSync());
  const cut = Math.floor(fraction * n);
  return { train: order.slice(0, cut), test: order.slice(cut) };
}

/** Rows `positions` of `t` (a split of a tensor). */
export function rows(t: Tensor, positions: number[]): Tensor {
  return t.indexSelect(0, tensor(positions, { dtype: 'int32' }));
}

/**
 * Draws the next token from a row of logits [V]: divided by `temperature`, limited to the `topK` most likely
 * (0: all), then sampled by `generator`.
 * @example const next = sampleLogits(logits, { temperature: 0.8, topK: 10, generator: new Generator(0) });
 */
export function sampleLogits(logits: Tensor, { temperature, topK, generator }: { temperature: number; topK: number; generator: Generator }): number {
  return noGrad(() => {
    let scaled = logits.div(temperature);
    if (topK > 0 && topK < scaled.shape[0]) {
      const kth = topk(scaled, topK).values.select(0, topK - 1).item();
      scaled = scaled.maskedFill(scaled.lt(kth), -Infinity);
    }
    return multinomial(scaled.softmax(-1), 1, false, generator).item();
  });
}
