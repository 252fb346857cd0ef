// A training run used by the reliability tests as a child process: node train-child.js DIR
// Resumes from DIR if it holds a checkpoint, saves every 2 steps, prints "step N" after each step (slowed
// down so that the parent can kill it mid-epoch) and the final weights as JSON.
import { checkpointCallback, resumeFrom, stopOnSignals } from '../../src/node/index.js';
import { mlp, trainerFor, weightsOf } from '../train/setup.js';

const dir = process.argv[2];
const delayMs = Number(process.argv[3] ?? 15);
const model = mlp();
const trainer = trainerFor(model, {
  epochs: 3,
  callbacks: [
    checkpointCallback({ dir, everySteps: 2 }),
    {
      async onStepEnd(_, info) {
        process.stdout.write(`step ${info.step}\n`);
        await new Promise((r) => setTimeout(r, delayMs));
      },
    },
  ],
});
if (resumeFrom(trainer, dir)) process.stdout.write(`resumed at step ${trainer.step}\n`);
const release = stopOnSignals(trainer, ['SIGINT'], (l) => process.stderr.write(`${l}\n`));
const history = await trainer.fit();
release();
process.stdout.write(`stopped ${history.stoppedBy}\n`);
process.stdout.write(`weights ${JSON.stringify(weightsOf(model))}\n`);
if (history.stoppedBy === 'interrupt') process.exitCode = 130;
