// W1: float32 square matmul, GFLOPS (median of 5 after a warm-up) for descent and its peers, on the CPU
// and on the GPU (where products are timed in batches between synchronizations).
import { type Tensor, matmul, randn, setBackend, webgpuSynchronize } from '../src/index.js';
import { type JaxArray, type TfTensor, loadJax, loadTfjs } from './js-peers.js';
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

/**
 * Times `prepare(n)`'s timing unit over `sizes`: warm-up, then the median of 5 (or 1 when slow); a unit
 * does `products` products (1 unless the preparation says otherwise).
 */
async function sweep(prepare: (n: number) => Promise<Unit> | Unit, sizes: readonly number[] = W1_SIZES): Promise<W1Point[]> {
  const points: W1Point[] = [];
  let lastMs = 0;
  let lastN = 0;
  for (const n of sizes) {
    if (lastN && lastMs * (n / lastN) ** 3 > SKIP_MS) {
      points.push({ n, gflops: null, runs: 0 });
      continue;
    }
    const unit = await prepare(n);
    let start = performance.now();
    await unit.run();
    const warmMs = performance.now() - start;
    const times: number[] = [];
    for (let r = 0; r < (warmMs > SLOW_MS ? 1 : 5); r++) {
      start = performance.now();
      await unit.run();
      times.push((performance.now() - start) / (unit.products ?? 1));
    }
    lastMs = median(times);
    lastN = n;
    points.push({ n, gflops: (2 * n ** 3) / lastMs / 1e6, runs: times.length });
  }
  return points;
}

interface Unit {
  run(): Promise<void> | void;
  products?: number;
}
const unit = (run: () => Promise<void> | void): Unit => ({ run });

/** A library's products on a GPU: `enqueue` records one without waiting; `finish` waits for (and frees) them. */
interface GpuProducts {
  enqueue(): unknown;
  finish(results: unknown[]): Promise<void>;
}

/** GPU products are timed in batches of about this long, so one synchronization's latency weighs alike on every library. */
const GPU_BATCH_MS = 50;

/** A timing unit of `count` products then one wait, `count` sized (after a warm-up) to take about GPU_BATCH_MS, within 1 GiB of results. */
async function gpuUnit(n: number, products: GpuProducts): Promise<Unit> {
  const batch = async (count: number) => {
    const results = Array.from({ length: count }, () => products.enqueue());
    await products.finish(results);
  };
  await batch(1); // compiles the kernel
  const start = performance.now();
  await batch(1);
  const oneMs = performance.now() - start;
  const count = Math.max(1, Math.min(Math.ceil(GPU_BATCH_MS / oneMs), Math.floor(2 ** 30 / (4 * n * n)), 100));
  return { run: () => batch(count), products: count };
}

function randomMatrix(n: number): Float32Array {
  return randn([n, n]).dataSync() as Float32Array;
}

export function w1Descent(backendName: 'js' | 'wasm'): Promise<W1Point[]> {
  setBackend(backendName);
  return sweep((n) => {
    const a: Tensor = randn([n, n]);
    const b: Tensor = randn([n, n]);
    return unit(() => void matmul(a, b));
  });
}

export async function w1Tfjs(backendName: 'cpu' | 'wasm'): Promise<W1Point[]> {
  const tf = await loadTfjs(backendName);
  return sweep((n) => {
    const a = tf.tensor2d(randomMatrix(n), [n, n]);
    const b = tf.tensor2d(randomMatrix(n), [n, n]);
    return unit(() => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    });
  });
}

export async function w1Jax(): Promise<W1Point[]> {
  const jax = await loadJax();
  const np = jax.numpy;
  return sweep((n) => {
    const a = np.array(randomMatrix(n)).reshape([n, n]);
    const b = np.array(randomMatrix(n)).reshape([n, n]);
    return unit(async () => {
      const c = np.matmul(a.ref, b.ref); // .ref: jax-js consumes its arguments
      await c.data();
    });
  });
}

/** PyTorch on `threads` threads, OpenBLAS's included (bench/torch_w1.py). */
export function w1Torch(script: string, threads: number): W1Point[] {
  return runPython<W1Point[]>(script, W1_SIZES.map(String), threads);
}

/** descent on webgpu (the default device once `init('webgpu')` ran): products waited for with webgpuSynchronize. */
export function w1DescentWebgpu(sizes: readonly number[]): Promise<W1Point[]> {
  return sweep((n) => {
    const [a, b] = [randn([n, n]), randn([n, n])];
    return gpuUnit(n, { enqueue: () => matmul(a, b), finish: () => webgpuSynchronize() });
  }, sizes);
}

/** TF.js's webgpu backend: it has no synchronize, so the wait reads one element of the last product (queue order: all done). */
export async function w1TfjsWebgpu(sizes: readonly number[]): Promise<W1Point[]> {
  const tf = await loadTfjs('webgpu');
  return sweep((n) => {
    const [a, b] = [tf.tensor2d(randomMatrix(n), [n, n]), tf.tensor2d(randomMatrix(n), [n, n])];
    return gpuUnit(n, {
      enqueue: () => tf.matMul(a, b),
      async finish(results) {
        const last = tf.slice(results[results.length - 1] as TfTensor, [0, 0], [1, 1]);
        await last.data();
        last.dispose();
        for (const c of results) (c as TfTensor).dispose();
      },
    });
  }, sizes);
}

/** jax-js's webgpu device: each product's blockUntilReady (jax-js may defer work until asked). */
export async function w1JaxWebgpu(sizes: readonly number[]): Promise<W1Point[]> {
  const np = (await loadJax('webgpu')).numpy;
  return sweep((n) => {
    const [a, b] = [np.array(randomMatrix(n)).reshape([n, n]), np.array(randomMatrix(n)).reshape([n, n])];
    return gpuUnit(n, {
      enqueue: () => np.matmul(a.ref, b.ref), // .ref: jax-js consumes its arguments
      async finish(results) {
        await Promise.all((results as JaxArray[]).map((c) => c.blockUntilReady()));
        for (const c of results as JaxArray[]) c.dispose();
      },
    });
  }, sizes);
}
