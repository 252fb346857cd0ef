// Messages between the page and a lab worker. Each panel has its own worker running descent; the page
// asks it to run a job (a training run, a sweep) and gets progress messages, then a result.

/** What the worker tells the page once descent is ready. */
export interface BackendInfo {
  backend: string;
  threads: number;
  crossOriginIsolated: boolean;
}

export type ToWorker =
  | { type: 'init'; threads: number }
  | { type: 'run'; id: number; job: string; config: unknown }
  | { type: 'stop'; id: number }
  | { type: 'call'; id: number; method: string; args: unknown };

export type FromWorker =
  | { type: 'ready'; info: BackendInfo }
  | { type: 'progress'; id: number; data: unknown }
  | { type: 'done'; id: number; data: unknown }
  | { type: 'error'; id: number; message: string };
