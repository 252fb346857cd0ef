// `npm run bench memory`: W5 (the npm-start CNN) for many steps in one loop, sampling the process's RSS and
// JS heap and the wasm backend's memory (memoryStats()), to show whether memory reaches a plateau (issue 10's memory goal).
// DESCENT_BENCH_MEMORY_STEPS (default 20,000) steps, a sample every DESCENT_BENCH_MEMORY_EVERY (default 100);
// DESCENT_BENCH_MEMORY_LOOP=sync (default: a plain synchronous for loop, one job, so finalizers never run)
// or await (the loop awaits a macrotask between steps). Writes CSV, JSON and an SVG chart.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { memoryStats, setBackend, setNumThreads } from '../src/index.js';
import { writeFileAtomic } from '../src/node/index.js';
import { descentRun } from './descent-models.js';

export interface MemorySample {
  step: number;
  seconds: number;
  loss: number;
  rssMiB: number;
  heapUsedMiB: number;
  arrayBuffersMiB: number;
  wasmMemoryMiB: number;
  /** Wasm memory holding tensors now, and freed blocks kept for reuse (memoryStats()). */
  wasmResidentMiB: number;
  wasmCachedMiB: number;
  /** Tensors moved to the JS heap so far because the wasm budget was full. */
  evictions: number;
}

const MiB = 2 ** 20;

function sample(step: number, start: number, loss: number): MemorySample {
  const usage = process.memoryUsage();
  const wasm = memoryStats();
  return {
    step,
    seconds: (performance.now() - start) / 1000,
    loss,
    rssMiB: usage.rss / MiB,
    heapUsedMiB: usage.heapUsed / MiB,
    arrayBuffersMiB: usage.arrayBuffers / MiB,
    wasmMemoryMiB: wasm.memoryBytes / MiB,
    wasmResidentMiB: wasm.residentBytes / MiB,
    wasmCachedMiB: wasm.cachedBytes / MiB,
    evictions: wasm.evictions,
  };
}

/** Runs the loop and returns its samples (step 0 is before the first step). */
export async function memoryCurve(steps: number, every: number, loop: 'sync' | 'await'): Promise<MemorySample[]> {
  setBackend('wasm');
  setNumThreads(Number(process.env.DESCENT_BENCH_THREADS ?? 1));
  const run = descentRun('W5');
  const start = performance.now();
  const samples = [sample(0, start, NaN)];
  let loss = NaN;
  for (let k = 0; k < steps; k++) {
    loss = run.step(k);
    if ((k + 1) % every === 0) samples.push(sample(k + 1, start, loss));
    // An async function runs synchronously up to its first await: with 'sync' the loop stays one job.
    if (loop === 'await') await new Promise((resolve) => setImmediate(resolve));
  }
  return samples;
}

const SERIES: [keyof MemorySample, string][] = [
  ['rssMiB', 'RSS'], ['wasmMemoryMiB', 'wasm memory'], ['wasmResidentMiB', 'wasm: tensors'], ['wasmCachedMiB', 'wasm: cached free blocks'],
  ['heapUsedMiB', 'JS heap used'], ['arrayBuffersMiB', 'ArrayBuffers'],
];

/** Writes `${base}.csv`, `${base}.json` and `${base}.svg` (ECharts' server-side renderer, as the training reports). */
export function writeMemoryCurve(base: string, title: string, samples: MemorySample[]): string[] {
  mkdirSync(base.slice(0, base.lastIndexOf('/')), { recursive: true });
  const keys = Object.keys(samples[0]) as (keyof MemorySample)[];
  writeFileAtomic(`${base}.csv`, [keys.join(','), ...samples.map((s) => keys.map((k) => Number(s[k].toFixed(3))).join(','))].join('\n') + '\n');
  writeFileAtomic(`${base}.json`, JSON.stringify({ title, samples }, null, 1));
  const echarts = createRequire(import.meta.url)('echarts') as {
    init(dom: null, theme: null, opts: object): { setOption(o: object): void; renderToSVGString(): string; dispose(): void };
  };
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 420 });
  chart.setOption({
    animation: false,
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 70 },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 25 },
    yAxis: { type: 'value', name: 'MiB' },
    series: SERIES.map(([key, name]) => ({ type: 'line', name, showSymbol: false, data: samples.map((s) => [s.step, s[key]]) })),
  });
  writeFileAtomic(`${base}.svg`, chart.renderToSVGString());
  chart.dispose();
  return ['csv', 'json', 'svg'].map((ext) => `${base}.${ext}`);
}
