// W1: float32 square matmul, GFLOPS (median of 5 after a warm-up) for descent and its peers.
import { type Tensor, matmul, randn, setBackend } from '../src/index.js';
import { loadJax, loadTfjs } from './js-peers.js';
import { runPython } from './peers.js';

export const W1_SIZES = [256, 512, 1024, 2048];

export interface W1Point {
  n: number;
  /** null when skipped (too slow to time in a benchmark run). */
  gflops: number | null;
  runs: number;
}

// A product slower than this is timed once after the warm-up; one expected slower than SKIP_MS is skipped.
const SLOW_MS = 2000;
const SKIP_MS = 30000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Times `product` over W1_SIZES: warm-up, then the median of 5 (or 1 when slow). */
async function sweep(prepare: (n: number) => () => Promise<void> | void): Promise<W1Point[]> {
  const points: W1Point[] = [];
  let lastMs = 0;
  let lastN = 0;
  for (const n of W1_SIZES) {
    if (lastN && lastMs * (n / lastN) ** 3 > SKIP_MS) {
      points.push({ n, gflops: null, runs: 0 });
      continue;
    }
    const product = prepare(n);
    let start = performance.now();
    await product();
    const warmMs = performance.now() - start;
    const times: number[] = [];
    for (let r = 0; r < (warmMs > SLOW_MS ? 1 : 5); r++) {
      start = performance.now();
      await product();
      times.push(performance.now() - start);
    }
    lastMs = median(times);
    lastN = n;
    points.push({ n, gflops: (2 * n ** 3) / lastMs / 1e6, runs: times.length });
  }
  return points;
}

function randomMatrix(n: number): Float32Array {
  return randn([n, n]).dataSync() as Float32Array;
}

export function w1Descent(backendName: 'js' | 'wasm'): Promise<W1Point[]> {
  setBackend(backendName);
  return sweep((n) => {
    const a: Tensor = randn([n, n]);
    const b: Tensor = randn([n, n]);
    return () => void matmul(a, b);
  });
}

export async function w1Tfjs(backendName: 'cpu' | 'wasm'): Promise<W1Point[]> {
  const tf = await loadTfjs(backendName);
  return sweep((n) => {
    const a = tf.tensor2d(randomMatrix(n), [n, n]);
    const b = tf.tensor2d(randomMatrix(n), [n, n]);
    return () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    };
  });
}

export async function w1Jax(): Promise<W1Point[]> {
  const jax = await loadJax();
  const np = jax.numpy;
  return sweep((n) => {
    const a = np.array(randomMatrix(n)).reshape([n, n]);
    const b = np.array(randomMatrix(n)).reshape([n, n]);
    return async () => {
      const c = np.matmul(a.ref, b.ref); // .ref: jax-js consumes its arguments
      await c.data();
    };
  });
}

/** PyTorch on `threads` threads, OpenBLAS's included (bench/torch_w1.py). */
export function w1Torch(script: string, threads: number): W1Point[] {
  return runPython<W1Point[]>(script, W1_SIZES.map(String), threads);
}
