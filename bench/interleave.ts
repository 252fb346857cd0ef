// Repeated runs, interleaved: round r runs every contender once, in order, before round r + 1 starts, so
// a change in the machine's load touches every library alike. Medians and the min-max spread summarize.

/** One library (or thread setting) of a workload; `run` usually starts a fresh process (bench/peers.ts). */
export interface Contender<T> {
  library: string;
  run: () => T | Promise<T>;
  /** Run in the first round only (slow references such as TF.js cpu, which add minutes per round). */
  once?: boolean;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Rounds of interleaved runs (DESCENT_BENCH_ROUNDS, default 3). */
export const ROUNDS = Number(process.env.DESCENT_BENCH_ROUNDS ?? 3);

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], runs: s.length };
}

/**
 * Runs `rounds` rounds of every contender; returns each library's results in round order. A contender
 * that fails is reported through `onFailure` and left out of later rounds.
 */
export async function interleave<T>(
  workload: string,
  contenders: Contender<T>[],
  onFailure: (library: string, error: string) => void,
  rounds = ROUNDS,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(contenders.map((c) => [c.library, []]));
  const failed = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    for (const c of contenders) {
      if (failed.has(c.library) || (c.once && round > 0)) continue;
      try {
        results.get(c.library)!.push(await c.run());
        process.stderr.write(`${workload} round ${round + 1}/${rounds}: ${c.library} done\n`);
      } catch (e) {
        failed.add(c.library);
        onFailure(c.library, e instanceof Error ? e.message : String(e));
      }
    }
  }
  for (const library of failed) if (results.get(library)!.length === 0) results.delete(library);
  return results;
}
