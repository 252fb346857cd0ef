// The wasm backend's process-wide state: the kernels, their memory arena and the worker pool.
import { Arena, type WasmRuntime, loadRuntime } from './runtime.js';
import { ThreadPool, defaultThreadCount, threadsSupported } from './threads.js';

/** Kernels that worker threads may run (by name). */
const PARALLEL_KERNELS = ['gemm', 'conv2dForward', 'conv2dBackward'] as const;

export const runtime: WasmRuntime | null = loadRuntime();
export const arena: Arena | null = runtime && new Arena(runtime);

let requestedThreads = runtime && threadsSupported(runtime) ? defaultThreadCount() : 1;
let pool: ThreadPool | null = null;

/**
 * Sets how many threads the wasm kernels use (default: every core). Threads are Node worker
 * threads on shared memory; where those are unavailable (browsers' main thread) only 1 is allowed.
 * Results are deterministic for a given count; GEMM's are identical for every count.
 * @example setNumThreads(1) // single-threaded, e.g. when running many processes side by side
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  if (n > 1 && !(runtime && threadsSupported(runtime))) {
    throw new Error(`setNumThreads: ${n} threads need the wasm backend with worker threads (Node >= 20.16); only 1 is possible here`);
  }
  if (pool && pool.size !== n - 1) {
    pool.close();
    pool = null;
  }
  requestedThreads = n;
}

/** Threads the wasm kernels use. @example getNumThreads() // 2 on a two-core machine */
export function getNumThreads(): number {
  return requestedThreads;
}

/**
 * Runs `kernel` with one argument list per thread (at most getNumThreads() lists): the first on
 * this thread, the rest on workers. Starts the pool on first use.
 */
export function runParallel(kernel: (typeof PARALLEL_KERNELS)[number], argLists: number[][]): void {
  const local = (args: number[]) => (runtime!.kernels[kernel] as (...a: number[]) => void)(...args);
  if (argLists.length === 1) {
    local(argLists[0]);
    return;
  }
  pool ??= new ThreadPool(runtime!, requestedThreads - 1, PARALLEL_KERNELS);
  pool.run(kernel, argLists, local);
}
