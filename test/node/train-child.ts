// A training run used by the reliability tests as a child process: node train-child.js DIR [DELAY_MS] [EVERY]
// Resumes from DIR if it holds a checkpoint, saves every EVERY steps, default 2 (step 8 of each 8-step epoch is saved twice:
// periodic, then end of epoch), logs metrics.jsonl, prints "step N" after each step (slowed down by DELAY_MS
// so that the parent can signal it mid-epoch), then the final weights as JSON and, as "final", the exact bits
// of the weights and of the optimizer state. DESCENT_FAULT=<point>@<n> crashes it there (src/node/fault.ts).
import { Tensor } from '../../src/index.js';
import { checkpointCallback, metricsLogger, resumeFrom, stopOnSignals } from '../../src/node/index.js';
import { mlp, trainerFor, weightsOf } from '../train/setup.js';

const dir = process.argv[2];
const delayMs = Number(process.argv[3] ?? 15);
const everySteps = Number(process.argv[4] ?? 2);
const model = mlp();
const trainer = trainerFor(model, {
  epochs: 3,
  callbacks: [
    checkpointCallback({ dir, everySteps }),
    metricsLogger({ dir }),
    {
      async onStepEnd(_, info) {
        process.stdout.write(`step ${info.step}\n`);
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      },
    },
  ],
});
if (resumeFrom(trainer, dir)) process.stdout.write(`resumed at step ${trainer.step}\n`);
const release = stopOnSignals(trainer, ['SIGINT'], (l) => process.stderr.write(`${l}\n`));
const history = await trainer.fit();
release();
const bits = (t: Tensor) => Buffer.from(t.dataSync().buffer).toString('hex');
const optimizerState = JSON.stringify(trainer.optimizer.stateDict(), (_k, v: unknown) => (v instanceof Tensor ? bits(v) : v));
process.stdout.write(`stopped ${history.stoppedBy}\n`);
process.stdout.write(`weights ${JSON.stringify(weightsOf(model))}\n`);
process.stdout.write(`final ${JSON.stringify({ model: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, bits(t)])), optimizer: optimizerState })}\n`);
if (history.stoppedBy === 'interrupt') process.exitCode = 130;
