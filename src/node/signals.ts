/// <reference types="node" />
import type { Trainer } from '../train/trainer.js';

/**
 * Makes Ctrl-C (SIGINT) and SIGTERM stop training cleanly after the current step (the checkpoint callback then
 * saves); a second Ctrl-C exits at once. Returns a function that removes the handlers.
 * @example const release = stopOnSignals(trainer); await trainer.fit(); release();
 */
export function stopOnSignals(trainer: Trainer, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (trainer.stopRequested) {
        log(`\n${signal} again: exiting without waiting`);
        process.exit(130);
      }
      log(`\n${signal}: finishing the current step and saving a checkpoint (press Ctrl-C again to quit at once)`);
      trainer.stop(`interrupted by ${signal}`, 'interrupt');
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([s, h]) => process.off(s, h));
}
