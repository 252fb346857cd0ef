// A lab worker: descent runs here, off the page's thread, so the page never freezes. The page sends
// `init` once, then `run` (a job by name), `stop` and `call` (a synchronous request, such as a
// prediction of the MNIST model) messages; see shared/protocol.ts.
import type { FromWorker, ToWorker } from '../shared/protocol.js';
import { startBackend } from './backend.js';
import { batch } from './batch.js';
import { gradients } from './gradients.js';
import type { Job, JobContext } from './job.js';
import { learningRate } from './learning-rate.js';
import { mnist, predict, sample } from './mnist.js';
import { surfaces } from './surfaces.js';

const JOBS: Record<string, Job<never, never>> = { surfaces, batch, learningRate, gradients, mnist } as Record<string, Job<never, never>>;
const CALLS: Record<string, (args: never) => unknown> = { 'mnist.predict': predict, 'mnist.sample': sample } as Record<string, (args: never) => unknown>;

const scope = globalThis as unknown as {
  onmessage: ((event: { data: ToWorker }) => void) | null;
  postMessage(message: FromWorker): void;
};

const post = (message: FromWorker) => scope.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const stopped = new Set<number>();
let ready: Promise<unknown> = Promise.resolve();

async function run(id: number, name: string, config: unknown): Promise<void> {
  const job = JOBS[name];
  if (!job) throw new Error(`lab worker: unknown job '${name}' (known: ${Object.keys(JOBS).join(', ')})`);
  const context: JobContext<unknown> = {
    emit: (data) => post({ type: 'progress', id, data }),
    get stopped() {
      return stopped.has(id);
    },
    pause: (ms = 0) => new Promise((resume) => setTimeout(resume, ms)),
  };
  await ready;
  const data = await job(config as never, context as JobContext<never>);
  post({ type: 'done', id, data });
}

scope.onmessage = ({ data: message }) => {
  switch (message.type) {
    case 'init':
      ready = startBackend(message.threads).then((info) => post({ type: 'ready', info }));
      return;
    case 'stop':
      stopped.add(message.id);
      return;
    case 'run':
      run(message.id, message.job, message.config).catch((error) => post({ type: 'error', id: message.id, message: describe(error) }))
        .finally(() => stopped.delete(message.id));
      return;
    case 'call': {
      const call = CALLS[message.method];
      Promise.resolve()
        .then(() => {
          if (!call) throw new Error(`lab worker: unknown call '${message.method}'`);
          return call(message.args as never);
        })
        .then((data) => post({ type: 'done', id: message.id, data }), (error) => post({ type: 'error', id: message.id, message: describe(error) }));
    }
  }
};
