// One JavaScript library's W2 or W3 training run in a fresh Node process, spawned by bench/run.ts as it
// spawns PyTorch's: no library's worker threads, heap or compiled code from earlier workloads touches
// another's figure (in one shared process descent's W3 measured 3,900 samples/s, alone 5,400-6,100).
// Usage: node build/bench/train-child.js W2|W3 descent-wasm|descent-js|tfjs-cpu|tfjs-wasm; prints JSON.
import './relaxed-simd.js'; // first, as in run.ts: engine flags before any wasm compiles
import { w2Descent, w3Descent } from './train-descent.js';
import { W2_EPOCHS, w2Tfjs } from './w2.js';
import { W3_EPOCHS, w3Tfjs } from './w3.js';
import type { TrainResult } from './training.js';

const RUNS: Record<string, Record<string, () => Promise<TrainResult>>> = {
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

const [workload, library] = process.argv.slice(2);
const run = RUNS[workload]?.[library];
if (!run) throw new Error(`train-child: unknown workload/library '${workload}' '${library}' (expected W2|W3 and one of ${Object.keys(RUNS.W2).join(', ')})`);
console.log(JSON.stringify(await run()));
