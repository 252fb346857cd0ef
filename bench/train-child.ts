// One JavaScript library's training run in a fresh Node process, spawned by bench/run.ts (bench/peers.ts)
// as it spawns PyTorch's: no library's worker threads, heap or compiled code from earlier workloads touches
// another's figure (in one shared process descent's W3 measured 3,900 samples/s, alone 5,400-6,100).
// Usage: node build/bench/train-child.js WORKLOAD LIBRARY: W2, W3, W5-W8 on descent-wasm, descent-js,
// tfjs-cpu, tfjs-wasm; the GPU set (bench/webgpu.ts) W1, W3, W5, W6 on descent-webgpu, tfjs-webgpu,
// jax-js-webgpu where each has the workload. descent's wasm backend uses DESCENT_BENCH_THREADS threads
// (default 1). Prints JSON.
import './relaxed-simd.js'; // first, as in run.ts: engine flags before any wasm compiles
import { setBackend, setNumThreads, webgpuSynchronize } from '../src/index.js';
import { w2Descent, w3Descent } from './train-descent.js';
import { W2_EPOCHS, w2Tfjs } from './w2.js';
import { W3_EPOCHS, w3Tfjs } from './w3.js';
import { w1DescentWebgpu, w1JaxWebgpu, w1TfjsWebgpu } from './w1.js';
import { descentRun } from './descent-models.js';
import { tfjsStep } from './tfjs-models.js';
import { gpuStepSchedule, gpuW1Sizes, gpuW3Schedule, useWebgpu } from './webgpu.js';
import { STEP_WORKLOADS, type StepWorkload, timeSteps } from './workloads.js';

const LIBRARIES = ['descent-wasm', 'descent-js', 'tfjs-cpu', 'tfjs-wasm', 'descent-webgpu', 'tfjs-webgpu', 'jax-js-webgpu'] as const;
type Library = (typeof LIBRARIES)[number];

const RUNS: Record<string, Partial<Record<Library, () => Promise<unknown>>>> = {
  W1: {
    'descent-webgpu': async () => (await useWebgpu(), w1DescentWebgpu(gpuW1Sizes())),
    'tfjs-webgpu': () => w1TfjsWebgpu(gpuW1Sizes()),
    'jax-js-webgpu': () => w1JaxWebgpu(gpuW1Sizes()),
  },
  W2: {
    'descent-wasm': () => w2Descent('wasm', W2_EPOCHS),
    'descent-js': () => w2Descent('js', W2_EPOCHS),
    'tfjs-cpu': () => w2Tfjs('cpu'),
    'tfjs-wasm': () => w2Tfjs('wasm'),
  },
  W3: {
    'descent-wasm': () => w3Descent('wasm', W3_EPOCHS),
    'descent-js': () => w3Descent('js', W3_EPOCHS),
    'tfjs-cpu': () => w3Tfjs('cpu'),
    'tfjs-wasm': () => w3Tfjs('wasm'),
    'descent-webgpu': () => ((s) => w3Descent('webgpu', s.epochs, s.data))(gpuW3Schedule()),
    'tfjs-webgpu': () => ((s) => w3Tfjs('webgpu', s.epochs, s.data))(gpuW3Schedule()),
  },
};

/** W5-W8: warm-up steps, then timed ones (bench/workloads.ts); on the GPU, the GPU set's schedule. */
async function stepRun(name: StepWorkload, library: Library): Promise<unknown> {
  const spec = STEP_WORKLOADS[name];
  const gpu = library.endsWith('-webgpu');
  const schedule = gpu ? gpuStepSchedule(spec.steps) : {};
  if (library.startsWith('tfjs')) {
    const step = await tfjsStep(name, library === 'tfjs-cpu' ? 'cpu' : library === 'tfjs-wasm' ? 'wasm' : 'webgpu');
    if (!step) throw new Error(`${name} has no TF.js twin (see bench/tfjs-models.ts)`);
    return timeSteps(spec, step, schedule); // each step awaits its loss: nothing is left queued
  }
  if (library === 'jax-js-webgpu') throw new Error(`${name}: jax-js has no layers or optimizers to write it with`);
  if (gpu) {
    await useWebgpu();
    const run = descentRun(name);
    return timeSteps(spec, run.stepAsync, { ...schedule, synchronize: webgpuSynchronize });
  }
  setBackend(library === 'descent-js' ? 'js' : 'wasm');
  return timeSteps(spec, descentRun(name).step);
}

const [workload, library] = process.argv.slice(2) as [string, Library];
if (!LIBRARIES.includes(library) || !(workload in RUNS || workload in STEP_WORKLOADS)) {
  throw new Error(`train-child: unknown workload/library '${workload}' '${library}' (expected W1-W3, W5-W8 and one of ${LIBRARIES.join(', ')})`);
}
if (library === 'descent-wasm') setNumThreads(Number(process.env.DESCENT_BENCH_THREADS ?? 1));
let result: unknown;
if (workload in RUNS) {
  const run = RUNS[workload][library];
  if (!run) throw new Error(`train-child: ${library} has no ${workload} run`);
  result = await run();
} else {
  result = await stepRun(workload as StepWorkload, library);
}
console.log(JSON.stringify(result));
