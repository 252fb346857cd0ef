// The page's side of a lab worker (worker/main.ts): start jobs, follow their progress, stop them, and
// make calls such as a prediction.
import type { BackendInfo, FromWorker, ToWorker } from '../shared/protocol.js';

interface Pending {
  progress?: (data: unknown) => void;
  resolve(data: unknown): void;
  reject(error: Error): void;
}

export interface RunHandle<R> {
  readonly done: Promise<R>;
  /** Asks the job to stop: it returns what it has at its next pause. */
  stop(): void;
}

type Listener = (info: BackendInfo) => void;
const readyListeners: Listener[] = [];

/** Called with each worker's backend once it is ready (the page footer shows it). */
export function onBackendReady(listener: Listener): void {
  readyListeners.push(listener);
}

export class LabWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  readonly ready: Promise<BackendInfo>;

  /** A worker with descent on `threads` threads (where the page is cross-origin isolated). */
  constructor(name: string, threads = 1) {
    this.worker = new Worker(new URL('../worker/main.ts', import.meta.url), { type: 'module', name: `descent lab: ${name}` });
    let resolveReady: (info: BackendInfo) => void = () => {};
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      if (data.type === 'ready') {
        resolveReady(data.info);
        for (const listener of readyListeners) listener(data.info);
        return;
      }
      const pending = this.pending.get(data.id);
      if (!pending) return;
      if (data.type === 'progress') pending.progress?.(data.data);
      else {
        this.pending.delete(data.id);
        if (data.type === 'done') pending.resolve(data.data);
        else pending.reject(new Error(data.message));
      }
    };
    this.worker.onerror = (event) => {
      const error = new Error(`the ${name} worker failed: ${event.message}`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    this.post({ type: 'init', threads });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Runs job `job` (see worker/main.ts) with `config`; `progress` gets each progress message. */
  run<P, R = unknown>(job: string, config: unknown, progress: (data: P) => void): RunHandle<R> {
    const id = this.nextId++;
    const done = new Promise<R>((resolve, reject) => {
      this.pending.set(id, { progress: progress as (data: unknown) => void, resolve: resolve as (data: unknown) => void, reject });
    });
    this.post({ type: 'run', id, job, config });
    return { done, stop: () => this.post({ type: 'stop', id }) };
  }

  call<R>(method: string, args: unknown): Promise<R> {
    const id = this.nextId++;
    const done = new Promise<R>((resolve, reject) => this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject }));
    this.post({ type: 'call', id, method, args });
    return done;
  }
}

/**
 * One job at a time for a panel: starting a run stops the one before, whose late messages are ignored.
 * @example const runner = new Runner(worker); runner.start('surfaces', config, onProgress).then(onDone);
 */
export class Runner {
  private current: RunHandle<unknown> | null = null;
  private generation = 0;

  constructor(private readonly worker: () => LabWorker) {}

  get running(): boolean {
    return this.current !== null;
  }

  /** Resolves with the result, or with null when a newer run or stop() superseded this one. */
  async start<P, R>(job: string, config: unknown, progress: (data: P) => void): Promise<R | null> {
    this.stop();
    const generation = ++this.generation;
    const handle = this.worker().run<P, R>(job, config, (data) => {
      if (generation === this.generation) progress(data);
    });
    this.current = handle;
    try {
      const result = await handle.done;
      return generation === this.generation ? result : null;
    } finally {
      if (generation === this.generation) this.current = null;
    }
  }

  stop(): void {
    this.current?.stop();
    this.current = null;
  }
}
