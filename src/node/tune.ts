/// <reference types="node" />
import { cpus } from 'node:os';
import { Generator } from '../tensor/random.js';

/** A search space: a list of values per key (grid and choices), or a range `{ min, max, log?, integer? }` (random, halving). */
export type SearchSpace = Record<string, readonly unknown[] | { min: number; max: number; log?: boolean; integer?: boolean }>;

export type TrialConfig = Record<string, unknown>;

export interface TrialResult {
  id: number;
  config: TrialConfig;
  /** The budget of the last run of this trial (steps, for halving), or null. */
  budget: number | null;
  metrics: Record<string, number>;
  /** The rung reached (halving); 0 otherwise. */
  rung: number;
  error?: string;
}

export interface TuneOptions {
  space: SearchSpace;
  strategy: 'grid' | 'random' | 'halving';
  /** Configurations to draw (random, halving). */
  trials?: number;
  seed?: number;
  /** The metric to rank by, and which way is better. */
  metric: string;
  mode?: 'max' | 'min';
  /** Trials run at once (default: the number of cores, at most `trials`). */
  workers?: number;
  /** Successive halving: the first rung's budget, the keep fraction 1/eta, and the largest budget. */
  minBudget?: number;
  eta?: number;
  maxBudget?: number;
  /**
   * Runs one trial (typically in a worker process) and returns its metrics. With halving it is called again for
   * the survivors with a larger budget, and should continue the same trial (from its checkpoint).
   */
  run: (config: TrialConfig, budget: number | null, id: number) => Promise<Record<string, number>>;
  onResult?: (r: TrialResult) => void;
}

/** Every combination of the listed values (ranges are not allowed in a grid). */
export function gridConfigs(space: SearchSpace): TrialConfig[] {
  let configs: TrialConfig[] = [{}];
  for (const [key, values] of Object.entries(space)) {
    if (!Array.isArray(values)) throw new Error(`tune: a grid needs a list of values for '${key}', got a range`);
    if (values.length === 0) throw new Error(`tune: '${key}' has no values`);
    configs = configs.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return configs;
}

/** `n` configurations drawn from the space with a seeded generator (log-uniform for `log` ranges). */
export function randomConfigs(space: SearchSpace, n: number, seed = 0): TrialConfig[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => {
    const c: TrialConfig = {};
    for (const [key, spec] of Object.entries(space)) {
      if (Array.isArray(spec)) {
        if (spec.length === 0) throw new Error(`tune: '${key}' has no values`);
        c[key] = spec[g.below(spec.length)];
        continue;
      }
      const { min, max, log = false, integer = false } = spec as { min: number; max: number; log?: boolean; integer?: boolean };
      if (!(min < max) || (log && min <= 0)) throw new Error(`tune: bad range for '${key}': expected min < max${log ? ' and min > 0 for log' : ''}, got ${min}..${max}`);
      const u = g.uniform53();
      let v = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
      c[key] = integer ? Math.round(v) : Number(v.toPrecision(4));
    }
    return c;
  });
}

async function pool<T>(items: T[], workers: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

/**
 * Hyperparameter search: grid, random, or successive halving (Jamieson & Talwalkar 2016: run every configuration
 * on a small budget, keep the best 1/eta, multiply the budget by eta, repeat). Trials run `workers` at a time.
 * Returns every trial's last result, best first by `metric`.
 * @example
 * const results = await tune({ space: { lr: { min: 1e-4, max: 1e-1, log: true } }, strategy: 'random', trials: 8, metric: 'val_accuracy', run });
 */
export async function tune(options: TuneOptions): Promise<TrialResult[]> {
  const { space, strategy, metric, run } = options;
  const mode = options.mode ?? 'max';
  if (!['grid', 'random', 'halving'].includes(strategy)) throw new Error(`tune: strategy must be grid, random or halving, got '${strategy}'`);
  const trials = options.trials ?? 8;
  const workers = options.workers ?? Math.max(1, cpus().length);
  for (const [name, v] of [['trials', trials], ['workers', workers], ['minBudget', options.minBudget ?? 20]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`tune: ${name} must be a positive integer, got ${v}`);
  }
  const configs = strategy === 'grid' ? gridConfigs(space) : randomConfigs(space, trials, options.seed ?? 0);
  const better = (a: TrialResult, b: TrialResult) => {
    const x = a.metrics[metric] ?? NaN;
    const y = b.metrics[metric] ?? NaN;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
    return mode === 'max' ? y - x : x - y;
  };
  const results = new Map<number, TrialResult>();
  const runTrial = async (id: number, budget: number | null, rung: number) => {
    let r: TrialResult;
    try {
      const metrics = await run(configs[id], budget, id);
      r = { id, config: configs[id], budget, metrics, rung };
    } catch (e) {
      r = { id, config: configs[id], budget, metrics: {}, rung, error: (e as Error).message };
    }
    results.set(id, r);
    options.onResult?.(r);
  };
  if (strategy !== 'halving') {
    await pool(configs.map((_, i) => i), workers, (id) => runTrial(id, null, 0));
  } else {
    const eta = options.eta ?? 3;
    let budget = options.minBudget ?? 20;
    const maxBudget = options.maxBudget ?? budget * eta ** 3;
    if (!(eta >= 2)) throw new Error(`tune: eta must be >= 2, got ${eta}`);
    if (!(maxBudget >= budget)) throw new Error(`tune: maxBudget (${maxBudget}) must be at least minBudget (${budget})`);
    let alive = configs.map((_, i) => i);
    for (let rung = 0; ; rung++) {
      await pool(alive, workers, (id) => runTrial(id, budget, rung));
      const finished = alive.map((id) => results.get(id)!).filter((r) => !r.error); // a failed trial does not go on
      if (finished.length <= 1 || budget >= maxBudget) break;
      alive = finished.sort(better).slice(0, Math.max(1, Math.floor(alive.length / eta))).map((r) => r.id);
      budget = Math.min(maxBudget, budget * eta);
    }
  }
  // failed trials last, whatever rung they reached; then the furthest rung, then the metric
  return [...results.values()].sort((a, b) => Number(!!a.error) - Number(!!b.error) || b.rung - a.rung || better(a, b));
}
