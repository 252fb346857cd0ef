// Cases that browser.test.ts runs in a page's main thread, in a module Worker and in Node. The file
// imports only the core library, so it loads in a browser as is, served from build/.
import {
  Generator, getBackend, getNumThreads, initThreads, manualSeed, matmul, nn, optim, randint, randn, setBackend, setNumThreads,
} from '../../../src/index.js';
import { runtime, workerJobCount } from '../../../src/backend/wasm/state.js';

export interface GemmReport {
  crossOriginIsolated: boolean;
  backend: string;
  threadsBefore: number;
  /** What `await initThreads(2)` resolved to. */
  initialized: number;
  threads: number;
  /** The error of setNumThreads(one more than started), '' if none. */
  tooManyError: string;
  /** Integer-valued operands (every partial sum exact): wasm GEMM equals the js backend bit for bit. */
  exactVsJs: boolean;
  /** Random operands: the product on getNumThreads() threads equals the one-thread product bit for bit. */
  sameOnOneThread: boolean;
  /** Kernel calls that workers ran during the threaded products. */
  workerJobs: number;
}

export interface TrainReport {
  threads: number;
  /** Whether the fused multiply-add (relaxed SIMD) kernels ran: their results differ in the last bits. */
  relaxed: boolean;
  losses: number[];
  workerJobs: number;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** `await initThreads(2)`, then products big enough to split among 2 threads, checked against the js backend. */
export async function gemmCase(): Promise<GemmReport> {
  const threadsBefore = getNumThreads();
  const initialized = await initThreads(2);
  const threads = getNumThreads();
  let tooManyError = '';
  try {
    setNumThreads(threads + 1);
  } catch (error) {
    tooManyError = (error as Error).message;
  }
  setNumThreads(threads);

  const g = new Generator().manualSeed(5);
  const jobsBefore = workerJobCount();
  const a = randint(-8, 8, [192, 160], { generator: g, dtype: 'float32' });
  const b = randint(-8, 8, [160, 176], { generator: g, dtype: 'float32' });
  const ours = matmul(a, b).dataSync() as Float32Array;
  const x = randn([200, 300], { generator: g });
  const y = randn([300, 150], { generator: g });
  const threaded = matmul(x, y).dataSync() as Float32Array;
  const workerJobs = workerJobCount() - jobsBefore;

  const backend = getBackend();
  setBackend('js');
  const reference = matmul(a, b).dataSync() as Float32Array;
  setBackend(backend);
  setNumThreads(1);
  const single = matmul(x, y).dataSync() as Float32Array;
  setNumThreads(threads);
  return {
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    backend, threadsBefore, initialized, threads, tooManyError,
    exactVsJs: sameBits(ours, reference), sameOnOneThread: sameBits(threaded, single), workerJobs,
  };
}

/** A few Adam steps of a small MLP from a fixed seed on `threads` threads; the losses must match wherever it runs. */
export async function trainCase(threads = 2): Promise<TrainReport> {
  await initThreads(threads);
  const jobsBefore = workerJobCount();
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([256, 64]);
  const target = randint(0, 10, [256]);
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    opt.zeroGrad();
    const loss = lossFn(model(x), target);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { threads: getNumThreads(), relaxed: runtime?.relaxed ?? false, losses, workerJobs: workerJobCount() - jobsBefore };
}
