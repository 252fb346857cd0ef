// `npm run bench [W1 ... W8 optim | check | memory | gpu]`: every workload, descent and its peers in
// interleaved rounds (bench/interleave.ts), training in fresh processes (bench/peers.ts); prints medians with
// their spread and the ratios to PyTorch's best thread setting, writes bench/results/latest.json
// (bench/results/gpu.json when `gpu` is named).
// `check` (twins agree), `memory` (W5's memory curve) and `gpu` (the WebGPU issue's set on the GPU:
// bench/webgpu.ts) run only when named.
import { relaxedSimdStatus } from './relaxed-simd.js'; // first: sets an engine flag before any wasm compiles
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/index.js';
import { runRosenbrock } from './rosenbrock.js';
import { runNodeChild, runPython, torchAvailable, torchCuda } from './peers.js';
import { W1_SIZES, w1Descent, w1Jax, w1Tfjs, w1Torch, type W1Point } from './w1.js';
import { W2_EPOCHS } from './w2.js';
import { W3_EPOCHS } from './w3.js';
import { type Mnist, writeMnistBinary } from './mnist.js';
import type { TrainResult } from './training.js';
import { OPTIM_BENCH_RULES, memoryFloorMs, runOptimStep } from './optim-step.js';
import { type Contender, ROUNDS, interleave, spread } from './interleave.js';
import { STEP_WORKLOADS, type StepResult, type StepWorkload, torchSpec } from './workloads.js';
import { checkTwin, printTwinCheck } from './check.js';
import { memoryCurve, writeMemoryCurve } from './memory.js';
import { float32Peak, gpuStepSchedule, gpuW1GoalSize, gpuW1Sizes, gpuW3Schedule, webgpuAdapter } from './webgpu.js';

interface Row {
  workload: string;
  library: string;
  metric: string;
  /** The median over the runs. */
  value: number;
  min?: number;
  max?: number;
  runs?: number;
  /** value / the best PyTorch setting's value (ms rows: PyTorch's over descent's). */
  ratio?: number;
}

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const resultsDir = `${benchDir}results`;
const args = process.argv.slice(2);
const ON_REQUEST = ['check', 'memory', 'gpu'];
const want = (name: string) =>
  args.length === 0 ? !ON_REQUEST.includes(name) : args.some((o) => name.toLowerCase().startsWith(o.toLowerCase()));
const rows: Row[] = [];
const notes: string[] = [];
/** Peers that could not run a workload (e.g. TF.js wasm has no Conv2DBackpropFilter kernel). */
const failures: { workload: string; library: string; error: string }[] = [];
const hasTorch = torchAvailable();
const loadAtStart = loadavg();
let mnistBinary: string | null = null;
/** bench/mnist.ts's split as a file for the PyTorch peers, written once per run (`data`: a part of it, to its own file). */
const mnistFile = (data?: Mnist) => (data ? writeMnistBinary(`${resultsDir}/mnist-gpu.bin`, data) : (mnistBinary ??= writeMnistBinary(`${resultsDir}/mnist.bin`)));

/** Interleaved rounds of `contenders`; each run's values become rows (median and spread per workload and library). */
async function measure<T>(workload: string, contenders: Contender<T>[], values: (result: T, library: string) => [string, string, number | null][]): Promise<Map<string, T[]>> {
  const results = await interleave(workload, contenders, (library, error) => failures.push({ workload, library, error }));
  for (const [library, runs] of results) {
    const series = new Map<string, { metric: string; values: number[] }>();
    for (const run of runs) {
      for (const [name, metric, value] of values(run, library)) {
        if (value === null) continue;
        if (!series.has(name)) series.set(name, { metric, values: [] });
        series.get(name)!.values.push(value);
      }
    }
    for (const [name, { metric, values: vs }] of series) {
      const s = spread(vs);
      rows.push({ workload: name, library, metric, value: s.median, min: s.min, max: s.max, runs: s.runs });
    }
  }
  return results;
}

/** PyTorch on 1 thread and on 2 (OpenBLAS on 1, see bench/torch_env.py), each run a fresh process. */
function torchContenders<T>(script: string, scriptArgs: () => string[]): Contender<T>[] {
  return hasTorch ? [1, 2].map((threads) => ({ library: `pytorch ${threads}t`, run: () => runPython<T>(`${benchDir}${script}`, scriptArgs(), threads) })) : [];
}

/** descent's wasm backend on 1 and 2 threads, and the JavaScript peers that can run `workload`, each in a fresh Node process. */
function nodeContenders<T>(workload: string, { descentJs = false, tfjs = true } = {}): Contender<T>[] {
  const child = (library: string, threads = 1) => () => runNodeChild<T>(workload, library, threads);
  return [
    { library: 'descent-wasm 1t', run: child('descent-wasm', 1) },
    { library: 'descent-wasm 2t', run: child('descent-wasm', 2) },
    ...(descentJs ? [{ library: 'descent-js', run: child('descent-js'), once: true }] : []),
    ...(tfjs ? [{ library: 'tfjs-cpu', run: child('tfjs-cpu'), once: true }, { library: 'tfjs-wasm', run: child('tfjs-wasm') }] : []),
  ];
}

if (args.includes('check')) {
  let agree = true;
  for (const name of Object.keys(STEP_WORKLOADS) as StepWorkload[]) {
    const check = checkTwin(name, `${benchDir}torch_models.py`, mnistFile());
    printTwinCheck(check);
    agree &&= check.agree;
  }
  if (!agree) process.exitCode = 1;
}

if (args.includes('memory')) {
  const steps = Number(process.env.DESCENT_BENCH_MEMORY_STEPS ?? 20000);
  const every = Number(process.env.DESCENT_BENCH_MEMORY_EVERY ?? 100);
  const loop = process.env.DESCENT_BENCH_MEMORY_LOOP === 'await' ? 'await' : 'sync';
  const samples = await memoryCurve(steps, every, loop);
  const title = `W5 memory over ${steps} steps (${loop} loop, descent-wasm ${process.env.DESCENT_BENCH_THREADS ?? 1}t)`;
  const files = writeMemoryCurve(`${resultsDir}/memory-w5-${loop}`, title, samples);
  const at = (i: number) => samples[Math.min(i, samples.length - 1)];
  console.table([at(1), at(Math.floor(samples.length / 2)), at(samples.length - 1)]);
  console.log(`wrote ${files.join(', ')}`);
}

if (want('W4')) {
  const steps = 10000;
  const name = 'W4 Rosenbrock SGD (10k steps)';
  runRosenbrock(2000); // warm-up: let the JIT settle
  type Point = { stepsPerSecond: number; x: number; y: number };
  const results = await measure<Point>(name, [
    { library: 'descent', run: () => runRosenbrock(steps) },
    ...torchContenders<Point>('torch_rosenbrock.py', () => [String(steps)]),
  ], (r) => [[name, 'steps/s', r.stepsPerSecond]]);
  const [ours, torch] = [results.get('descent')?.[0], results.get('pytorch 1t')?.[0]];
  if (ours && torch) {
    const same = ours.x === torch.x && ours.y === torch.y;
    notes.push(`W4: final point descent (${ours.x}, ${ours.y}) vs PyTorch (${torch.x}, ${torch.y}): ${same ? 'bit-identical' : 'DIFFERENT'}`);
  }
}

notes.push(relaxedSimdStatus);
// webgpu: a column wherever an adapter exists (in Node, the optional 'webgpu' package and a Vulkan/Metal/D3D12 driver)
const gpuAdapter = await webgpuAdapter();
const { name: adapter, software } = gpuAdapter;
notes.push(adapter === null ? `webgpu: no adapter here, no webgpu column (${gpuAdapter.reason})` : `webgpu adapter: ${adapter}${software ? ' (software rendering: its figures are for correctness only, not speed)' : ''}`);

if (want('W1')) {
  const points = (library: string, run: () => Promise<W1Point[]> | W1Point[], once = false): Contender<W1Point[]> => ({ library, run, once });
  await measure('W1', [
    points('descent-wasm', () => w1Descent('wasm')),
    points('descent-js', () => w1Descent('js'), true),
    points('tfjs-cpu', () => w1Tfjs('cpu'), true),
    points('tfjs-wasm', () => w1Tfjs('wasm')),
    points('jax-js-wasm', () => w1Jax()),
    ...(hasTorch ? [1, 2].map((threads) => points(`pytorch ${threads}t`, () => w1Torch(`${benchDir}torch_w1.py`, threads))) : []),
    ...(adapter ? [points('descent-webgpu', () => runNodeChild('W1', 'descent-webgpu', 1, { DESCENT_BENCH_GPU_SIZES: String(software ? W1_SIZES : [...W1_SIZES, 4096, 8192]) }), software)] : []),
  ], (r) => r.map((p) => [`W1 matmul n=${p.n}`, 'GFLOPS', p.gflops])); // null: too slow at this size (see bench/w1.ts)
  notes.push('W1: descent-wasm and jax-js run in this process on every core; PyTorch 2t gives OpenBLAS 2 threads (a bare GEMM)');
}

/** W2 or W3: samples/s over the first epoch and the test accuracy, per library. */
async function epochWorkload(workload: 'W2' | 'W3', name: string, torchKind: 'mlp' | 'cnn', epochs: number): Promise<void> {
  await measure<TrainResult>(workload, [
    ...nodeContenders<TrainResult>(workload, { descentJs: true }),
    ...torchContenders<TrainResult>('torch_train.py', () => [torchKind, String(epochs), mnistFile()]),
  ], (r, library) => {
    if (r.timedSamples < 8000) notes.push(`${workload}: ${library} timed over its first ${r.timedSamples} samples (over the time budget)`);
    return [[`${name} train`, 'samples/s', r.samplesPerSecond], [`${name} test accuracy (${epochs} epochs)`, 'accuracy', r.accuracy]];
  });
}

if (want('W2')) await epochWorkload('W2', 'W2 MLP', 'mlp', W2_EPOCHS);
if (want('W3')) await epochWorkload('W3', 'W3 CNN', 'cnn', W3_EPOCHS);

for (const name of Object.keys(STEP_WORKLOADS) as StepWorkload[]) {
  if (!want(name)) continue;
  const spec = STEP_WORKLOADS[name];
  await measure<StepResult>(name, [
    ...nodeContenders<StepResult>(name, { tfjs: name !== 'W6' }),
    ...(adapter && name === 'W5' ? [{ library: 'descent-webgpu', run: () => runNodeChild<StepResult>(name, 'descent-webgpu'), once: software }] : []),
    ...torchContenders<StepResult>('torch_models.py', () => [torchSpec(name, mnistFile())]),
  ], (r, library) => {
    if (r.timedSteps < spec.steps) notes.push(`${name}: ${library} timed over ${r.timedSteps} of ${spec.steps} steps (over the time budget)`);
    return [[spec.title, spec.unit, r.rate]];
  });
  if (name === 'W6') notes.push('W6: no TF.js twin (TF.js layers has no causal self-attention; see bench/tfjs-models.ts)');
}
/** What `npm run bench gpu` ran on (written to the JSON): the adapter, the float32 peak W1 is judged against, PyTorch's CUDA. */
let gpuSetup: object | null = null;
if (args.includes('gpu')) await gpuSet();

/**
 * The WebGPU issue's set (docs/webgpu.md "Speed"): W1, W3, W5 and W6 on descent's webgpu backend, TF.js's
 * webgpu backend and jax-js's webgpu device on the same adapter where each can express the workload, and
 * PyTorch on CUDA when it has a GPU; every run a fresh process, in interleaved rounds.
 */
async function gpuSet(): Promise<void> {
  const cuda = torchCuda();
  const peak = float32Peak(adapter);
  gpuSetup = { adapter, software, peak, pytorchCuda: cuda };
  notes.push(cuda.available ? `gpu: pytorch-cuda on ${cuda.device} (1 CPU thread; TF32 off in W1)` : `gpu: no pytorch-cuda column: ${cuda.reason}`);
  if (!adapter) notes.push(`gpu: no webgpu figures: ${gpuAdapter.reason}`);
  const tag = software ? ' (correctness only)' : '';
  const onWebgpu = <T>(workload: string, libraries: string[]): Contender<T>[] =>
    adapter ? libraries.map((library) => ({ library: `${library}${tag}`, run: () => runNodeChild<T>(workload, library), once: software })) : [];
  const onCuda = <T>(script: string, scriptArgs: () => string[]): Contender<T>[] =>
    cuda.available ? [{ library: 'pytorch-cuda', run: () => runPython<T>(`${benchDir}${script}`, scriptArgs(), 1, 'cuda') }] : [];

  const sizes = gpuW1Sizes();
  await measure<W1Point[]>('W1 gpu', [
    ...onWebgpu<W1Point[]>('W1', ['descent-webgpu', 'tfjs-webgpu', 'jax-js-webgpu']),
    ...onCuda<W1Point[]>('torch_w1.py', () => sizes.map(String)),
  ], (r) => r.map((p) => [`W1 matmul n=${p.n}`, 'GFLOPS', p.gflops]));
  for (const r of rows.filter((row) => row.workload.startsWith('W1 matmul') && /webgpu|cuda/.test(row.library))) {
    if (peak) notes.push(`${r.workload}: ${r.library} ${r.value.toPrecision(4)} GFLOPS = ${(r.value / peak.tflops / 10).toFixed(1)}% of the float32 peak ${peak.tflops} TFLOPS (${peak.source})`);
  }
  if (!peak) notes.push(`gpu: the float32 peak of '${adapter}' is unknown (not in bench/webgpu.ts's table): set DESCENT_GPU_PEAK_TFLOPS for W1's % of peak`);

  const w3 = gpuW3Schedule();
  await measure<TrainResult>('W3 gpu', [
    ...onWebgpu<TrainResult>('W3', ['descent-webgpu', 'tfjs-webgpu']),
    ...onCuda<TrainResult>('torch_train.py', () => ['cnn', String(w3.epochs), mnistFile(w3.data)]),
  ], (r) => [['W3 CNN train', 'samples/s', r.samplesPerSecond], [`W3 CNN test accuracy (${w3.epochs} epochs)`, 'accuracy', r.accuracy]]);

  for (const name of ['W5', 'W6'] as const) {
    const spec = STEP_WORKLOADS[name];
    const { steps, warmup } = gpuStepSchedule(spec.steps);
    await measure<StepResult>(`${name} gpu`, [
      ...onWebgpu<StepResult>(name, name === 'W5' ? ['descent-webgpu', 'tfjs-webgpu'] : ['descent-webgpu']),
      ...onCuda<StepResult>('torch_models.py', () => [torchSpec(name, mnistFile(), steps, warmup)]),
    ], (r) => [[spec.title, spec.unit, r.rate]]);
    notes.push(`${name} gpu: ${warmup} warm-up and up to ${steps} timed steps; steps/s = ${spec.unit} / ${spec.unitsPerStep}; a loss read (await) per step`);
  }
  notes.push('gpu: jax-js runs W1 only (no layers or optimizers for W3-W6); W6 has no TF.js twin (bench/tfjs-models.ts)');
}

if ((['W5', 'W6', 'W7', 'W8'] as const).some(want)) {
  notes.push('W5-W8: jax-js has no layers or optimizers to write these models with (only W1 runs on it); descent-js is left out (minutes per run)');
}

if (want('optim')) {
  // Optimizer step on ~1M float32 parameters (memory-bound): descent's fused update vs torch.optim, 1 thread each.
  for (const rule of OPTIM_BENCH_RULES) {
    const workload = `optim step, 1M params: ${rule === 'SGD' ? 'SGD momentum' : rule}`;
    const ours = runOptimStep(rule);
    rows.push({ workload, library: 'descent', metric: 'cpu ms/step', value: ours.msPerStep });
    notes.push(`${workload}: descent ${ours.msPerStep.toFixed(3)} ms/step = ${ours.gbPerSecond.toFixed(1)} GB/s of parameter, gradient and state traffic`);
    if (hasTorch) {
      const torch = runPython<{ msPerStep: number }>(`${benchDir}torch_optim_step.py`, [rule], 1).msPerStep;
      rows.push({ workload, library: 'pytorch 1t', metric: 'cpu ms/step', value: torch });
      rows[rows.length - 2].ratio = torch / ours.msPerStep; // > 1: descent is faster
    }
    rows.push({ workload, library: 'memcpy of the same bytes (floor)', metric: 'cpu ms/step', value: memoryFloorMs(rule) });
  }
}

/** The best median among a workload's rows whose library starts with `prefix`. */
function best(workload: string, prefix: string): number | null {
  const values = rows.filter((r) => r.workload === workload && r.library.startsWith(prefix)).map((r) => r.value);
  return values.length ? Math.max(...values) : null;
}

// ratios against PyTorch's best thread setting for the W workloads' throughput rows (higher is better there)
for (const r of rows.filter((row) => row.workload.startsWith('W') && row.metric !== 'accuracy')) {
  const torch = best(r.workload, 'pytorch');
  if (r.ratio === undefined && torch !== null) r.ratio = r.value / torch;
}
rows.sort((a, b) => a.workload.localeCompare(b.workload, 'en', { numeric: true }));

// The issues' goals, descent's best setting over PyTorch's best, as ratios within this run (figures, not assertions).
const goals: { goal: string; ratio: number | null; met: boolean | null }[] = [];
function goal(text: string, ours: number | null, theirs: number | null, target: number): void {
  const ratio = ours !== null && theirs !== null ? ours / theirs : null;
  goals.push({ goal: text, ratio, met: ratio === null ? null : ratio >= target });
}
if (want('W1')) {
  const w = 'W1 matmul n=1024';
  goal('W1 n=1024 >= 0.5x PyTorch', best(w, 'descent-wasm'), best(w, 'pytorch'), 0.5);
  goal('W1 n=1024 >= 2x jax-js wasm', best(w, 'descent-wasm'), best(w, 'jax-js-wasm'), 2);
  goal('W1 n=1024 >= 2x TF.js wasm', best(w, 'descent-wasm'), best(w, 'tfjs-wasm'), 2);
}
if (args.includes('gpu')) {
  // the WebGPU issue's goals; on a software adapter they are printed but mean nothing
  const w1 = `W1 matmul n=${gpuW1GoalSize()}`;
  const suffix = software ? ' (software adapter: correctness only)' : '';
  const peak = float32Peak(adapter);
  goal(`${w1} webgpu >= 50% of the float32 peak${suffix}`, best(w1, 'descent-webgpu'), peak ? peak.tflops * 1000 : null, 0.5);
  goal(`${w1} webgpu >= 2x jax-js webgpu${suffix}`, best(w1, 'descent-webgpu'), best(w1, 'jax-js-webgpu'), 2);
  for (const [name, key] of [[w1, w1], ['W3', 'W3 CNN train'], ['W5', STEP_WORKLOADS.W5.title]]) {
    goal(`${name} webgpu >= 2x TF.js webgpu${suffix}`, best(key, 'descent-webgpu'), best(key, 'tfjs-webgpu'), 2);
  }
}
const throughputGoals: [string, string, number][] = [
  ['W2', 'W2 MLP train', 1], ['W3', 'W3 CNN train', 1], ['W4', 'W4 Rosenbrock SGD (10k steps)', 1],
  ['W5', STEP_WORKLOADS.W5.title, 1], ['W6', STEP_WORKLOADS.W6.title, 0.8], ['W7', STEP_WORKLOADS.W7.title, 0.8], ['W8', STEP_WORKLOADS.W8.title, 1],
];
for (const [name, key, target] of throughputGoals) {
  if (!want(name)) continue;
  goal(`${name} >= ${target}x PyTorch (best settings)`, best(key, 'descent'), best(key, 'pytorch'), target);
  if (name === 'W2' || name === 'W3') goal(`${name} >= 3x the best TF.js backend`, best(key, 'descent'), best(key, 'tfjs'), 3);
}
if (want('optim')) {
  for (const rule of OPTIM_BENCH_RULES) {
    const workload = `optim step, 1M params: ${rule === 'SGD' ? 'SGD momentum' : rule}`;
    const ours = rows.find((r) => r.workload === workload && r.library === 'descent')?.value ?? null;
    const torch = rows.find((r) => r.workload === workload && r.library === 'pytorch 1t')?.value ?? null;
    // time, not throughput: descent's ratio is PyTorch's ms over descent's (>= 1: not slower)
    goal(`${workload} not slower than PyTorch`, torch, ours, 1);
  }
}

if (rows.length) {
  const loadAtEnd = loadavg();
  notes.push(`load average (1, 5, 15 min) at the start ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}, at the end ${loadAtEnd.map((l) => l.toFixed(2)).join(', ')}; ${ROUNDS} interleaved rounds`);
  const fmt = (v: number) => Number(v.toPrecision(4));
  console.table(rows.map((r) => ({
    workload: r.workload,
    library: r.library,
    median: fmt(r.value),
    unit: r.metric,
    'spread (runs)': r.runs && r.runs > 1 ? `${fmt(r.min!)}-${fmt(r.max!)} (${r.runs})` : '',
    'vs best pytorch': r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
  })));
  for (const note of notes) console.log(note);
  for (const f of failures) console.log(`${f.workload}: ${f.library} could not run: ${f.error}`);
  if (goals.length) {
    console.table(goals.map((g) => ({ goal: g.goal, ratio: g.ratio === null ? 'n/a' : `${g.ratio.toFixed(2)}x`, met: g.met === null ? 'n/a' : g.met ? 'yes' : 'no' })));
  }
  if (!hasTorch) console.log('PyTorch not found (/usr/bin/python3 -c "import torch" failed): peers skipped.');
  const file = `${resultsDir}/${args.includes('gpu') ? 'gpu' : 'latest'}.json`; // the GPU set's own file: a GPU machine's run leaves the CPU figures alone
  mkdirSync(resultsDir, { recursive: true });
  writeFileAtomic(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: ROUNDS, load: { start: loadAtStart, end: loadAtEnd }, gpu: gpuSetup, rows, notes, goals, failures }, null, 2));
  console.log(`wrote ${file}`);
}
