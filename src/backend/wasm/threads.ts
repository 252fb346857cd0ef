// Pools of threads that run kernels on the same shared wasm memory as the calling thread: Node
// worker_threads, or Web Workers in cross-origin-isolated pages. Both run one worker loop over one
// control buffer; they differ in how workers start (Node: synchronously, blocking until ready; Web:
// asynchronously, since a page's workers only start once its thread yields) and in how the caller
// waits for a job (Atomics.wait where the thread may block, spinning on Atomics.load on a window's
// main thread, where Atomics.wait throws). Calls stay synchronous: the caller takes the first share
// of a job itself, then waits for the workers.
import { type WasmRuntime } from './runtime.js';

interface PoolWorker {
  terminate(): unknown;
}
interface NodeWorker extends PoolWorker {
  unref(): void;
}
interface WorkerThreadsModule {
  Worker: new (code: string, options: { eval: boolean; workerData: unknown }) => NodeWorker;
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
}
interface WebWorker extends PoolWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (event: { data?: unknown; message?: string }) => void): void;
}
interface WebGlobals {
  Worker?: new (url: string, options: { name: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  process?: NodeProcess;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}
const web = globalThis as WebGlobals;

// Control words (Int32) at the start of the control buffer, then one argument slot per worker.
const GEN = 0; // bumped to start a job
const DONE = 1; // workers that finished the current job
const READY = 2; // workers that have instantiated the kernels
const FAILED = 3; // set when a worker's kernel threw
const JOBS = 4; // kernel calls run by workers so far (shows that workers did share the work)
const SLOT_OFFSET = 64; // bytes
const SLOT_DOUBLES = 48; // [kernel id, arg count, args...]: attention's kernels take 38 arguments
/** The calling thread plus at most 63 workers (one argument slot each in the control buffer). */
export const MAX_THREADS = 64;
const MAX_WORKERS = MAX_THREADS - 1;
const QUIT = -1;
const IDLE = -2;
// Polls of a control word before a thread sleeps in Atomics.wait (a few microseconds): waking a
// sleeping thread costs tens of microseconds, and kernels of one training step follow each other closely.
const SPIN = 20000;
const START_TIMEOUT_MS = 10_000;

// The loop every worker runs, in either kind of pool: instantiate the kernels on the shared memory,
// count itself ready, then wait for jobs forever. Workers may always block in Atomics.wait.
const SERVE_SOURCE = `
function serve({ module, memory, control, slot, generation, names }, ready) {
  const exports = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('descent wasm kernel aborted'); } } }).exports;
  const ctl = new Int32Array(control);
  const args = new Float64Array(control, ${SLOT_OFFSET} + slot * ${SLOT_DOUBLES * 8}, ${SLOT_DOUBLES});
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  ready();
  let seen = generation;
  for (;;) {
    // spin briefly before sleeping: a training step issues kernels back to back
    for (let i = 0; i < ${SPIN} && Atomics.load(ctl, ${GEN}) === seen; i++);
    Atomics.wait(ctl, ${GEN}, seen);
    seen = Atomics.load(ctl, ${GEN});
    const kernel = args[0];
    if (kernel === ${QUIT}) break;
    if (kernel >= 0) {
      try { exports[names[kernel]](...args.subarray(2, 2 + args[1])); } catch { Atomics.store(ctl, ${FAILED}, 1); }
      Atomics.add(ctl, ${JOBS}, 1);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;
// Node: a script eval'd by worker_threads, its data passed as workerData (getBuiltinModule, not require,
// so it also runs where eval'd code is an ES module: node --input-type=module).
const NODE_WORKER_SOURCE = `${SERVE_SOURCE}
serve(process.getBuiltinModule('node:worker_threads').workerData, () => {});
`;
// Web: a classic worker script from a Blob URL, its data (module, memory, control) sent by postMessage;
// it posts 'ready' so the page can await it. A Blob URL rather than a separate file: there is nothing
// more to serve or to locate (bundlers rewrite import.meta.url differently), and a blob: worker inherits
// its creator's policy container, so under COEP require-corp it is cross-origin isolated without
// needing a Cross-Origin-Resource-Policy header (a data: URL worker would get an opaque origin and lose
// isolation). A page whose CSP restricts worker-src must allow blob:.
const WEB_WORKER_SOURCE = `${SERVE_SOURCE}
self.onmessage = (event) => { self.onmessage = null; serve(event.data, () => postMessage('ready')); };
`;

function workerThreads(): WorkerThreadsModule | null {
  try {
    return (web.process?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Cores available to this process or page (1 where that cannot be known), at most 64. */
export function defaultThreadCount(): number {
  let cores: number | undefined;
  try {
    const os = web.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
    cores = os?.availableParallelism?.() ?? web.navigator?.hardwareConcurrency;
  } catch {
    cores = web.navigator?.hardwareConcurrency;
  }
  return Math.min(MAX_THREADS, Math.max(1, cores ?? 1));
}

/** True where Node worker threads can share the kernels' memory (Node >= 20.16 with SharedArrayBuffer). */
export function nodeThreadsSupported(runtime: WasmRuntime): boolean {
  return runtime.shared && workerThreads() !== null;
}

/** True in a cross-origin-isolated page or worker, where Web Workers can share the kernels' memory. */
export function webThreadsSupported(runtime: WasmRuntime): boolean {
  return runtime.shared && web.crossOriginIsolated === true && typeof web.Worker === 'function'
    && typeof web.Blob === 'function' && typeof web.URL?.createObjectURL === 'function';
}

/** Whether this thread may block in Atomics.wait (not on a window's main thread). */
/** False on a browser page's main thread, where Atomics.wait (and wasm's atomic.wait) throws. */
export function threadCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' at once where allowed
    return true;
  } catch {
    return false;
  }
}

interface WorkerData {
  module: object;
  memory: object;
  control: SharedArrayBuffer;
  slot: number;
  generation: number;
  names: string[];
}

export class ThreadPool {
  private readonly control = new SharedArrayBuffer(SLOT_OFFSET + (MAX_WORKERS + 1) * SLOT_DOUBLES * 8);
  private readonly ctl = new Int32Array(this.control);
  private readonly names: string[];
  private readonly workers: PoolWorker[] = [];
  private readonly canBlock = threadCanBlock();

  private constructor(kernelNames: readonly string[]) {
    this.names = [...kernelNames];
  }

  /** Starts `count` Node worker threads and blocks (up to 10 s) until each has its kernels; throws otherwise. */
  static startNode(runtime: WasmRuntime, count: number, kernelNames: readonly string[]): ThreadPool {
    const threads = workerThreads();
    if (!threads || !runtime.shared) throw new Error('setNumThreads: worker threads need Node >= 20.16 and SharedArrayBuffer');
    const pool = new ThreadPool(kernelNames);
    pool.checkCount(count);
    for (let slot = 0; slot < count; slot++) {
      const worker = new threads.Worker(NODE_WORKER_SOURCE, { eval: true, workerData: pool.workerData(runtime, slot) });
      worker.unref(); // idle workers must not keep the process alive
      pool.workers.push(worker);
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    let ready: number;
    while ((ready = Atomics.load(pool.ctl, READY)) < count) {
      if (Date.now() > deadline || Atomics.wait(pool.ctl, READY, ready, deadline - Date.now()) === 'timed-out') {
        pool.close();
        throw new Error(`setNumThreads: only ${Atomics.load(pool.ctl, READY)} of ${count} worker threads started`);
      }
    }
    return pool;
  }

  /**
   * Starts `count` Web Workers from a Blob URL and resolves once each has instantiated the kernels
   * on the shared memory (rejects after 10 s, or when a worker fails to load, e.g. under a CSP
   * without `worker-src blob:`).
   */
  static async startWeb(runtime: WasmRuntime, count: number, kernelNames: readonly string[]): Promise<ThreadPool> {
    if (!webThreadsSupported(runtime)) throw new Error('initThreads: Web Workers need a cross-origin-isolated page (COOP same-origin, COEP require-corp)');
    const pool = new ThreadPool(kernelNames);
    pool.checkCount(count);
    const url = web.URL!.createObjectURL(new web.Blob!([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
    let timer: unknown;
    try {
      const started = Array.from({ length: count }, (_, slot) => {
        const worker = new web.Worker!(url, { name: `descent-kernels-${slot + 1}` });
        pool.workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          worker.addEventListener('message', () => resolve());
          worker.addEventListener('error', (event) => reject(new Error(`initThreads: worker ${slot + 1} failed to start: ${event.message ?? 'error'}`)));
          worker.addEventListener('messageerror', () => reject(new Error(`initThreads: worker ${slot + 1} could not receive the shared memory`)));
          worker.postMessage(pool.workerData(runtime, slot));
        });
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = web.setTimeout(() => reject(new Error(`initThreads: only ${Atomics.load(pool.ctl, READY)} of ${count} workers started within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      });
      await Promise.race([Promise.all(started), timeout]);
      return pool;
    } catch (error) {
      pool.close();
      throw error;
    } finally {
      web.clearTimeout(timer);
      web.URL!.revokeObjectURL(url);
    }
  }

  /** Worker threads in the pool (the calling thread comes on top). */
  get size(): number {
    return this.workers.length;
  }

  /** Kernel calls that workers have run since the pool started. */
  get workerJobs(): number {
    return Atomics.load(this.ctl, JOBS);
  }

  /**
   * Runs `kernel` once per argument list (at most size + 1 lists): the first on the calling thread,
   * the others on workers, and returns when all are done.
   */
  run<A extends readonly (number | boolean)[]>(kernel: string, argLists: A[], runLocal: (args: A) => void): void {
    const id = this.names.indexOf(kernel);
    if (id < 0) throw new Error(`ThreadPool.run: unknown kernel '${kernel}'`);
    if (argLists.length > this.workers.length + 1) throw new Error(`ThreadPool.run: ${argLists.length} jobs for ${this.workers.length + 1} threads`);
    if (argLists[0].length > SLOT_DOUBLES - 2) throw new Error(`ThreadPool.run: ${kernel} takes ${argLists[0].length} arguments, a worker's slot holds ${SLOT_DOUBLES - 2}`);
    for (let w = 0; w < this.workers.length; w++) {
      const slot = this.slot(w);
      const args = argLists[w + 1];
      if (!args) {
        slot[0] = IDLE;
        continue;
      }
      slot[0] = id;
      slot[1] = args.length;
      for (let i = 0; i < args.length; i++) slot[2 + i] = Number(args[i]);
    }
    Atomics.store(this.ctl, DONE, 0);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    runLocal(argLists[0]);
    if (this.canBlock) {
      let done: number;
      for (let i = 0; i < SPIN && Atomics.load(this.ctl, DONE) < this.workers.length; i++);
      while ((done = Atomics.load(this.ctl, DONE)) < this.workers.length) Atomics.wait(this.ctl, DONE, done);
    } else {
      // a window's main thread may not block: spin (the workers are running, so this is short)
      while (Atomics.load(this.ctl, DONE) < this.workers.length);
    }
    if (Atomics.exchange(this.ctl, FAILED, 0) !== 0) throw new Error(`${kernel}: a worker thread's kernel failed`);
  }

  /** Stops every worker. */
  close(): void {
    for (let w = 0; w < this.workers.length; w++) this.slot(w)[0] = QUIT;
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }

  private checkCount(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
      throw new Error(`ThreadPool: at most ${MAX_WORKERS} workers, got ${count}`);
    }
  }

  private workerData(runtime: WasmRuntime, slot: number): WorkerData {
    return { module: runtime.module, memory: runtime.memory, control: this.control, slot, generation: 0, names: this.names };
  }

  private slot(worker: number): Float64Array {
    return new Float64Array(this.control, SLOT_OFFSET + worker * SLOT_DOUBLES * 8, SLOT_DOUBLES);
  }
}
