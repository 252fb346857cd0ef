// A job is an async function that runs in a lab worker: it reports progress with `emit`, gives the
// worker a chance to read its messages (a stop, a call) with `pause`, and returns its result.

export interface JobContext<P> {
  emit(progress: P): void;
  /** True once the page asked this job to stop: the job returns what it has. */
  readonly stopped: boolean;
  /** Yields to the worker's event loop (so that stop messages arrive), for `ms` milliseconds. */
  pause(ms?: number): Promise<void>;
}

export type Job<C = never, P = never, R = unknown> = (config: C, context: JobContext<P>) => Promise<R>;

/** Calls `pause()` when `intervalMs` have passed since the last pause: long loops stay responsive. */
export function pacer(context: JobContext<unknown>, intervalMs = 30): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < intervalMs) return;
    await context.pause();
    last = performance.now();
  };
}
