// A pool of Node worker threads that run kernels on the same shared wasm memory as the main thread.
// The API stays synchronous: the main thread takes the first share of a job itself, then blocks in
// Atomics.wait until the workers are done. Browsers forbid blocking the main thread, so there the
// kernels run on one thread (see docs/wasm.md).
import { type WasmRuntime } from './runtime.js';

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreadsModule {
  Worker: new (code: string, options: { eval: boolean; workerData: unknown }) => NodeWorker;
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
}

// Control words (Int32) at the start of the control buffer, then one argument slot per worker.
const GEN = 0; // bumped to start a job
const DONE = 1; // workers that finished the current job
const READY = 2; // workers that have instantiated the kernels
const FAILED = 3; // set when a worker's kernel threw
const SLOT_OFFSET = 64; // bytes
const SLOT_DOUBLES = 32; // [kernel id, arg count, args...]
const QUIT = -1;
// Polls of a control word before a thread sleeps in Atomics.wait (a few microseconds): waking a
// sleeping thread costs tens of microseconds, and kernels of one training step follow each other closely.
const SPIN = 20000;
const IDLE = -2;

// Runs inside each worker (CommonJS, eval'd): instantiate, then wait for jobs forever.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot, generation, names } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('descent wasm kernel aborted'); } } }).exports;
const ctl = new Int32Array(control);
const args = new Float64Array(control, ${SLOT_OFFSET} + slot * ${SLOT_DOUBLES * 8}, ${SLOT_DOUBLES});
Atomics.add(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
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
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

function workerThreads(): WorkerThreadsModule | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  try {
    return (proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Cores available to this process (1 where that cannot be known). */
export function defaultThreadCount(): number {
  const proc = (globalThis as { process?: NodeProcess }).process;
  try {
    const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
    return Math.max(1, os?.availableParallelism?.() ?? 1);
  } catch {
    return 1;
  }
}

/** True where worker threads can share the kernels' memory (Node >= 20.16 with SharedArrayBuffer). */
export function threadsSupported(runtime: WasmRuntime): boolean {
  return runtime.shared && workerThreads() !== null;
}

export class ThreadPool {
  private readonly workers: NodeWorker[] = [];
  private readonly control = new SharedArrayBuffer(SLOT_OFFSET + 64 * SLOT_DOUBLES * 8);
  private readonly ctl = new Int32Array(this.control);
  private readonly names: string[] = [];

  /** Starts `count` workers and waits (up to 10 s) until each has its kernels; throws otherwise. */
  constructor(runtime: WasmRuntime, count: number, kernelNames: readonly string[]) {
    const threads = workerThreads();
    if (!threads || !runtime.shared) throw new Error('setNumThreads: worker threads need Node >= 20.16 and SharedArrayBuffer');
    if (count > 63) throw new Error(`setNumThreads: at most 64 threads, got ${count + 1}`);
    this.names = [...kernelNames];
    for (let slot = 0; slot < count; slot++) {
      const worker = new threads.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: runtime.module, memory: runtime.memory, control: this.control, slot, generation: 0, names: this.names },
      });
      worker.unref(); // idle workers must not keep the process alive
      this.workers.push(worker);
    }
    const deadline = Date.now() + 10_000;
    let ready: number;
    while ((ready = Atomics.load(this.ctl, READY)) < count) {
      if (Date.now() > deadline || Atomics.wait(this.ctl, READY, ready, deadline - Date.now()) === 'timed-out') {
        this.close();
        throw new Error(`setNumThreads: only ${Atomics.load(this.ctl, READY)} of ${count} worker threads started`);
      }
    }
  }

  /** Worker threads in the pool (the main thread comes on top). */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs `kernel` once per argument list: the first on the calling thread, the others on workers,
   * and returns when all are done.
   */
  run(kernel: string, argLists: number[][], runLocal: (args: number[]) => void): void {
    const id = this.names.indexOf(kernel);
    if (id < 0) throw new Error(`ThreadPool.run: unknown kernel '${kernel}'`);
    for (let w = 0; w < this.workers.length; w++) {
      const slot = new Float64Array(this.control, SLOT_OFFSET + w * SLOT_DOUBLES * 8, SLOT_DOUBLES);
      const args = argLists[w + 1];
      if (!args) {
        slot[0] = IDLE;
        continue;
      }
      slot[0] = id;
      slot[1] = args.length;
      slot.set(args, 2);
    }
    Atomics.store(this.ctl, DONE, 0);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    runLocal(argLists[0]);
    let done: number;
    for (let i = 0; i < SPIN && Atomics.load(this.ctl, DONE) < this.workers.length; i++);
    while ((done = Atomics.load(this.ctl, DONE)) < this.workers.length) Atomics.wait(this.ctl, DONE, done);
    if (Atomics.exchange(this.ctl, FAILED, 0) !== 0) throw new Error(`${kernel}: a worker thread's kernel failed`);
  }

  /** Stops every worker. */
  close(): void {
    for (let w = 0; w < this.workers.length; w++) new Float64Array(this.control, SLOT_OFFSET + w * SLOT_DOUBLES * 8, 1)[0] = QUIT;
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }
}
