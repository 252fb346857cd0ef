// The wasm backend's process-wide state: the kernels, their memory arena and the worker pool.
import { Arena, Heap, type Kernels, type WasmRuntime, loadRuntime } from './runtime.js';
import { MAX_THREADS, ThreadPool, defaultThreadCount, nodeThreadsSupported, threadCanBlock, webThreadsSupported } from './threads.js';

/** Kernels that worker threads may run (by name). */
const PARALLEL_KERNELS = [
  'gemm', 'conv2dForward', 'conv2dBackward', 'attentionForward', 'attentionBackward',
  'binaryStrided', 'whereStrided', 'copyStrided', 'permuteTiles', 'unary', 'unaryBackward',
] as const;

export const runtime: WasmRuntime | null = loadRuntime();
// A page's main thread takes shares of threaded GEMMs too, but may only spin while it waits for a worker.
if (runtime && !threadCanBlock()) runtime.kernels.gemmSetMayWait(false);
/** The allocator over the kernels' memory: resident tensors and the arena's scratch blocks. */
export const heap: Heap | null = runtime && new Heap(runtime);
export const arena: Arena | null = runtime && new Arena(runtime, heap!);

const nodeThreads = runtime !== null && nodeThreadsSupported(runtime);
let requestedThreads = nodeThreads ? defaultThreadCount() : 1;
let pool: ThreadPool | null = null;
let starting: Promise<unknown> = Promise.resolve();

function checkCount(caller: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${caller}: expected a positive integer, got ${n}`);
  if (n > MAX_THREADS) throw new Error(`${caller}: at most ${MAX_THREADS} threads, got ${n}`);
}

/**
 * Sets how many threads the wasm kernels use (default: every core in Node, 1 in browsers until
 * `initThreads`). Threads are Node worker threads on shared memory; in a browser they are Web
 * Workers, which start asynchronously: `await initThreads(n)` starts them, after which any count up
 * to n may be set. Results are deterministic for a given count; GEMM's are identical for every count.
 * @example setNumThreads(1) // single-threaded, e.g. when running many processes side by side
 */
export function setNumThreads(n: number): void {
  checkCount('setNumThreads', n);
  if (n > 1 && !nodeThreads) {
    if (!runtime || !webThreadsSupported(runtime)) {
      throw new Error(`setNumThreads: ${n} threads need the wasm backend with Node worker threads (Node >= 20.16) or Web Workers in a cross-origin-isolated page; only 1 is possible here`);
    }
    if (!pool || pool.size < n - 1) {
      throw new Error(`setNumThreads: in a browser, threads start asynchronously: call \`await initThreads(${n})\` first (${pool ? pool.size + 1 : 1} started so far)`);
    }
  }
  if (nodeThreads && pool && pool.size !== n - 1) {
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
 * Starts the wasm kernels' threads and resolves to how many are in use once every worker has its
 * kernels (default: every core). The way to get threads in a browser: Web Workers in a
 * cross-origin-isolated page (COOP `same-origin`, COEP `require-corp`), on the window's main thread or
 * inside a Worker. Until it resolves, and wherever threads are impossible (a page without isolation,
 * no WebAssembly SIMD), kernels run on one thread and it resolves to 1 without error. In Node it
 * equals `setNumThreads(n)` and starts the workers at once instead of at the first large product.
 * @example const threads = await initThreads(2); // 2 in Node or an isolated page, else 1
 */
export async function initThreads(n: number = defaultThreadCount()): Promise<number> {
  checkCount('initThreads', n);
  const start = starting.then(() => startThreads(n));
  starting = start.catch(() => undefined); // calls run one after another; a failure does not block the next
  return start;
}

async function startThreads(n: number): Promise<number> {
  if (nodeThreads) {
    setNumThreads(n);
    if (n > 1) pool ??= ThreadPool.startNode(runtime!, n - 1, PARALLEL_KERNELS);
    return n;
  }
  if (!runtime || !webThreadsSupported(runtime)) {
    requestedThreads = 1;
    return 1;
  }
  if (n > 1 && pool?.size !== n - 1) {
    pool?.close();
    pool = null;
    requestedThreads = 1; // kernels keep running, on this thread, while the workers start
    pool = await ThreadPool.startWeb(runtime, n - 1, PARALLEL_KERNELS);
  }
  requestedThreads = n;
  return n;
}

/** Kernel calls run by the pool's workers so far (0 without a pool): lets tests see that threads shared work. */
export function workerJobCount(): number {
  return pool?.workerJobs ?? 0;
}

/**
 * Runs `kernel` with one argument list per thread (at most getNumThreads() lists): the first on
 * this thread, the rest on workers. Starts a Node pool on first use.
 */
export function runParallel<K extends (typeof PARALLEL_KERNELS)[number]>(kernel: K, argLists: Parameters<Kernels[K]>[]): void {
  const local = (args: Parameters<Kernels[K]>) => (runtime!.kernels[kernel] as (...a: Parameters<Kernels[K]>) => void)(...args);
  if (argLists.length === 1) {
    local(argLists[0]);
    return;
  }
  pool ??= ThreadPool.startNode(runtime!, requestedThreads - 1, PARALLEL_KERNELS);
  pool.run(kernel, argLists, local);
}
