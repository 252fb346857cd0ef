// Trains 20 epochs and prints the memory in use after each (run with --expose-gc).
import { mlp, trainerFor } from '../train/setup.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const samples: number[] = [];
const trainer = trainerFor(mlp(), {
  epochs: 20,
  callbacks: [{
    onEpochEnd() {
      gc();
      const m = process.memoryUsage();
      samples.push(m.heapUsed + m.arrayBuffers);
    },
  }],
});
await trainer.fit();
process.stdout.write(`${JSON.stringify(samples)}\n`);
