// A dedicated module Worker that imports descent (the recommended way to train in a page) and runs
// one case of browser-cases.ts per message: browser.test.ts starts it inside a page.
import { gemmCase, trainCase } from './browser-cases.js';

const scope = globalThis as unknown as {
  onmessage: ((event: { data: string }) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const run = event.data === 'gemm' ? gemmCase() : trainCase();
  run.then((result) => scope.postMessage({ result }), (error: Error) => scope.postMessage({ error: `${error.stack ?? error}` }));
};
