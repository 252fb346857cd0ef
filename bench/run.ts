// `npm run bench`: every workload, descent and its peers side by side in one run; prints a table, writes JSON.
import { relaxedSimdStatus } from './relaxed-simd.js'; // first: sets an engine flag before any wasm compiles
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runRosenbrock } from './rosenbrock.js';
import { runPython, torchAvailable } from './peers.js';
import { W1_SIZES, w1Descent, w1Jax, w1Tfjs, w1Torch, type W1Point } from './w1.js';
import { W2_EPOCHS } from './w2.js';
import { W3_EPOCHS } from './w3.js';
import { writeMnistBinary } from './mnist.js';
import type { TrainResult } from './training.js';
import { OPTIM_BENCH_RULES, memoryFloorMs, runOptimStep } from './optim-step.js';
import { w1Webgpu, w5StepsPerSecond, webgpuAdapter } from './webgpu.js';

interface Row {
  workload: string;
  library: string;
  metric: string;
  value: number;
  ratio?: number;
}

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.some((o) => name.toLowerCase().startsWith(o.toLowerCase()));
const rows: Row[] = [];
const notes: string[] = [];
/** Peers that could not run a workload (e.g. TF.js wasm has no Conv2DBackpropFilter kernel). */
const failures: { workload: string; library: string; error: string }[] = [];

/** Runs one library's workload; a failure is recorded and reported instead of ending the run. */
async function attempt<T>(workload: string, library: string, run: () => Promise<T> | T): Promise<T | null> {
  try {
    return await run();
  } catch (e) {
    failures.push({ workload, library, error: e instanceof Error ? e.message : String(e) });
    return null;
  }
}
const hasTorch = torchAvailable();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (want('W4')) {
  const steps = 10000;
  const name = 'W4 Rosenbrock SGD (10k steps)';
  runRosenbrock(2000); // warm-up: let the JIT settle
  const runs = [0, 1, 2].map(() => runRosenbrock(steps));
  const ours = median(runs.map((r) => r.stepsPerSecond));
  rows.push({ workload: name, library: 'descent', metric: 'steps/s', value: ours });
  if (hasTorch) {
    const torchRuns = [0, 1, 2].map(() => runPython<{ stepsPerSecond: number; x: number; y: number }>(`${benchDir}torch_rosenbrock.py`, [String(steps)]));
    rows.push({ workload: name, library: 'pytorch', metric: 'steps/s', value: median(torchRuns.map((r) => r.stepsPerSecond)) });
    rows[rows.length - 2].ratio = ours / rows[rows.length - 1].value;
    const same = runs[0].x === torchRuns[0].x && runs[0].y === torchRuns[0].y;
    notes.push(`W4: final point descent (${runs[0].x}, ${runs[0].y}) vs PyTorch (${torchRuns[0].x}, ${torchRuns[0].y}): ${same ? 'bit-identical' : 'DIFFERENT'}`);
  }
}

notes.push(relaxedSimdStatus);
// webgpu: a column wherever an adapter exists (in Node, the optional 'webgpu' package and a Vulkan/Metal/D3D12 driver)
const adapter = await webgpuAdapter();
const software = adapter !== null && /swiftshader/i.test(adapter);
notes.push(adapter === null ? 'webgpu: no adapter here (no webgpu column)' : `webgpu adapter: ${adapter}${software ? ' (software rendering: figures for correctness, not speed)' : ''}`);

if (want('W1')) {
  const results: [string, () => Promise<W1Point[]> | W1Point[]][] = [
    ['descent-wasm', () => w1Descent('wasm')],
    ['descent-js', () => w1Descent('js')],
    ['tfjs-cpu', () => w1Tfjs('cpu')],
    ['tfjs-wasm', () => w1Tfjs('wasm')],
    ['jax-js-wasm', () => w1Jax()],
  ];
  if (hasTorch) results.push(['pytorch', () => w1Torch(`${benchDir}torch_w1.py`)]);
  if (adapter) results.push(['descent-webgpu', () => w1Webgpu(software ? W1_SIZES : [...W1_SIZES, 4096, 8192])]);
  for (const [library, run] of results) {
    for (const p of (await attempt('W1', library, run)) ?? []) {
      if (p.gflops === null) continue; // too slow at this size (see bench/w1.ts)
      rows.push({ workload: `W1 matmul n=${p.n}`, library, metric: 'GFLOPS', value: p.gflops });
    }
  }
}

/** Runs W2 or W3 for every library and adds a samples/s row and an accuracy row per library. */
async function trainingWorkload(name: string, torchKind: 'mlp' | 'cnn', epochs: number, runs: [string, () => Promise<TrainResult>][]): Promise<void> {
  if (hasTorch) {
    const data = writeMnistBinary(`${benchDir}results/mnist.bin`);
    runs.push(['pytorch', async () => runPython<TrainResult>(`${benchDir}torch_train.py`, [torchKind, String(epochs), data])]);
  }
  for (const [library, run] of runs) {
    const r = await attempt(name, library, run);
    if (!r) continue;
    const partial = r.timedSamples < 8000 ? ` (first ${r.timedSamples} samples: over the time budget)` : '';
    rows.push({ workload: `${name} train`, library: library + partial, metric: 'samples/s', value: r.samplesPerSecond });
    if (r.accuracy !== null) rows.push({ workload: `${name} test accuracy (${epochs} epochs)`, library, metric: 'accuracy', value: r.accuracy });
  }
}

/** One library's training run in a fresh Node process (bench/train-child.ts), as PyTorch's runs in its own. */
async function isolated(workload: 'W2' | 'W3', library: string): Promise<TrainResult> {
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./train-child.js', import.meta.url)), workload, library], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (child.status !== 0) {
    const error = child.stderr.split('\n').find((l) => /^\w*Error: /.test(l));
    throw new Error(error?.replace(/^\w*Error: /, '') ?? `${library} exited with ${child.status}`);
  }
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as TrainResult;
}

const JS_LIBRARIES = ['descent-wasm', 'descent-js', 'tfjs-cpu', 'tfjs-wasm'];

if (want('W2')) {
  await trainingWorkload('W2 MLP', 'mlp', W2_EPOCHS, JS_LIBRARIES.map((lib) => [lib, () => isolated('W2', lib)]));
}

if (want('W3')) {
  await trainingWorkload('W3 CNN', 'cnn', W3_EPOCHS, JS_LIBRARIES.map((lib) => [lib, () => isolated('W3', lib)]));
}

if (want('W5') && adapter) {
  // W5, the npm-start CNN (batch 64, Adam), on the GPU and on wasm: training steps/s with a loss read per step
  for (const device of ['webgpu', 'wasm']) {
    const value = await attempt('W5', `descent-${device}`, () => w5StepsPerSecond(device, software ? 1 : 10));
    if (value !== null) rows.push({ workload: 'W5 CNN train step (batch 64)', library: `descent-${device}`, metric: 'steps/s', value });
  }
}

if (want('optim')) {
  // Optimizer step on ~1M float32 parameters (memory-bound): descent's fused update vs torch.optim, 1 thread each.
  for (const rule of OPTIM_BENCH_RULES) {
    const workload = `optim step, 1M params: ${rule === 'SGD' ? 'SGD momentum' : rule}`;
    const ours = runOptimStep(rule);
    rows.push({ workload, library: 'descent', metric: 'cpu ms/step', value: ours.msPerStep });
    notes.push(`${workload}: descent ${ours.msPerStep.toFixed(3)} ms/step = ${ours.gbPerSecond.toFixed(1)} GB/s of parameter, gradient and state traffic`);
    if (hasTorch) {
      const torch = runPython<{ msPerStep: number }>(`${benchDir}torch_optim_step.py`, [rule, '1']).msPerStep;
      rows.push({ workload, library: 'pytorch', metric: 'cpu ms/step', value: torch });
      rows[rows.length - 2].ratio = torch / ours.msPerStep; // > 1: descent is faster
    }
    rows.push({ workload, library: 'memcpy of the same bytes (floor)', metric: 'cpu ms/step', value: memoryFloorMs(rule) });
  }
}

// ratios against PyTorch for the W workloads' rows that did not set their own (higher is better there)
for (const r of rows.filter((row) => row.workload.startsWith('W'))) {
  const torch = rows.find((t) => t.workload === r.workload && t.library === 'pytorch');
  if (r.ratio === undefined && torch && r !== torch) r.ratio = r.value / torch.value;
}
rows.sort((a, b) => a.workload.localeCompare(b.workload, 'en', { numeric: true }));

// The goals, as ratios within this run (figures, not assertions).
const goals: { goal: string; ratio: number | null; met: boolean | null }[] = [];
function valueOf(workload: string, library: string): number | null {
  return rows.find((r) => r.workload === workload && r.library === library)?.value ?? null;
}
function goal(text: string, ours: number | null, theirs: (number | null)[], target: number): void {
  const known = theirs.filter((t): t is number => t !== null);
  const ratio = ours !== null && known.length ? ours / Math.max(...known) : null;
  goals.push({ goal: text, ratio, met: ratio === null ? null : ratio >= target });
}
if (want('W1')) {
  const w = 'W1 matmul n=1024';
  goal('W1 n=1024 >= 0.5x PyTorch', valueOf(w, 'descent-wasm'), [valueOf(w, 'pytorch')], 0.5);
  goal('W1 n=1024 >= 2x jax-js wasm', valueOf(w, 'descent-wasm'), [valueOf(w, 'jax-js-wasm')], 2);
  goal('W1 n=1024 >= 2x TF.js wasm', valueOf(w, 'descent-wasm'), [valueOf(w, 'tfjs-wasm')], 2);
}
for (const [name, key, torchTarget] of [['W2', 'W2 MLP train', 1], ['W3', 'W3 CNN train', 0.8]] as const) {
  if (!want(name)) continue;
  const tfjsBest = rows.filter((r) => r.workload === key && r.library.startsWith('tfjs')).map((r) => r.value);
  goal(`${name} >= ${torchTarget}x PyTorch samples/s`, valueOf(key, 'descent-wasm'), [valueOf(key, 'pytorch')], torchTarget);
  goal(`${name} >= 3x the best TF.js backend`, valueOf(key, 'descent-wasm'), tfjsBest.length ? [Math.max(...tfjsBest)] : [], 3);
}

if (want('W5') && adapter) {
  // W5, the npm-start CNN (batch 64, Adam), on the GPU and on wasm: training steps/s with a loss read per step
  for (const device of ['webgpu', 'wasm']) {
    const value = await attempt('W5', `descent-${device}`, () => w5StepsPerSecond(device, software ? 1 : 10));
    if (value !== null) rows.push({ workload: 'W5 CNN train step (batch 64)', library: `descent-${device}`, metric: 'steps/s', value });
  }
}

if (want('optim')) {
  for (const rule of OPTIM_BENCH_RULES) {
    const workload = `optim step, 1M params: ${rule === 'SGD' ? 'SGD momentum' : rule}`;
    const [ours, torch] = [valueOf(workload, 'descent'), valueOf(workload, 'pytorch')];
    // time, not throughput: descent's ratio is PyTorch's ms over descent's (>= 1: not slower)
    goal(`${workload} not slower than PyTorch`, torch, ours === null ? [] : [ours], 1);
  }
}

const table = rows.map((r) => ({
  workload: r.workload,
  library: r.library,
  [r.metric]: Number(r.value.toPrecision(4)),
  'vs pytorch': r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
}));
console.table(table);
for (const note of notes) console.log(note);
for (const f of failures) console.log(`${f.workload}: ${f.library} could not run: ${f.error}`);
if (goals.length) {
  console.table(goals.map((g) => ({ goal: g.goal, ratio: g.ratio === null ? 'n/a' : `${g.ratio.toFixed(2)}x`, met: g.met === null ? 'n/a' : g.met ? 'yes' : 'no' })));
}
if (!hasTorch) console.log('PyTorch not found (/usr/bin/python3 -c "import torch" failed): peers skipped.');
mkdirSync(`${benchDir}results`, { recursive: true });
const file = `${benchDir}results/latest.json`;
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows, notes, goals, failures }, null, 2));
console.log(`wrote ${file}`);
