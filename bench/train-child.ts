// One JavaScript library's training run in a fresh Node process, spawned by bench/run.ts (bench/peers.ts)
// as it spawns PyTorch's: no library's worker threads, heap or compiled code from earlier workloads touches
// another's figure (in one shared process descent's W3 measured 3,900 samples/s, alone 5,400-6,100).
// Usage: node build/bench/train-child.js W2|W3|W5|W6|W7|W8 descent-wasm|descent-js|tfjs-cpu|tfjs-wasm;
// descent's wasm backend uses DESCENT_BENCH_THREADS threads (default 1). Prints JSON.
import './relaxed-simd.js'; // first, as in run.ts: engine flags before any wasm compiles
import { setBackend, setNumThreads } from '../src/index.js';
import { w2Descent, w3Descent } from './train-descent.js';
import { W2_EPOCHS, w2Tfjs } from './w2.js';
import { W3_EPOCHS, w3Tfjs } from './w3.js';
import { descentRun } from './descent-models.js';
import { tfjsStep } from './tfjs-models.js';
import { STEP_WORKLOADS, type StepWorkload, timeSteps } from './workloads.js';

const LIBRARIES = ['descent-wasm', 'descent-js', 'tfjs-cpu', 'tfjs-wasm'] as const;
type Library = (typeof LIBRARIES)[number];

const EPOCH_RUNS: Record<string, Record<Library, () => Promise<unknown>>> = {
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
  },
};

/** W5-W8: warm-up steps, then timed ones (bench/workloads.ts). */
async function stepRun(name: StepWorkload, library: Library): Promise<unknown> {
  const spec = STEP_WORKLOADS[name];
  if (library.startsWith('tfjs')) {
    const step = await tfjsStep(name, library === 'tfjs-cpu' ? 'cpu' : 'wasm');
    if (!step) throw new Error(`${name} has no TF.js twin (see bench/tfjs-models.ts)`);
    return timeSteps(spec, step);
  }
  setBackend(library === 'descent-js' ? 'js' : 'wasm');
  const run = descentRun(name);
  return timeSteps(spec, run.step);
}

const [workload, library] = process.argv.slice(2) as [string, Library];
if (!LIBRARIES.includes(library) || !(workload in EPOCH_RUNS || workload in STEP_WORKLOADS)) {
  throw new Error(`train-child: unknown workload/library '${workload}' '${library}' (expected W2, W3, W5-W8 and one of ${LIBRARIES.join(', ')})`);
}
if (library === 'descent-wasm') setNumThreads(Number(process.env.DESCENT_BENCH_THREADS ?? 1));
const result = workload in EPOCH_RUNS ? await EPOCH_RUNS[workload][library]() : await stepRun(workload as StepWorkload, library);
console.log(JSON.stringify(result));
