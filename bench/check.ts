// `npm run bench check`: the twins of W5-W8 are the same program. descent (manualSeed) and PyTorch
// (torch.manual_seed) draw the same initial weights and, on the same batches, log the same first losses.
import { descentRun, parameterSum } from './descent-models.js';
import { runPython } from './peers.js';
import { type StepWorkload, WARMUP_STEPS, torchSpec } from './workloads.js';

/** Largest relative difference of the losses (float32 kernels summing in different orders drift slowly). */
export const LOSS_TOLERANCE = 1e-4;

export interface TwinCheck {
  workload: StepWorkload;
  parameterSum: { descent: number; pytorch: number };
  losses: { descent: number[]; pytorch: number[] };
  maxRelativeDifference: number;
  agree: boolean;
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** Trains WARMUP_STEPS steps of `name` in descent (this process, its current backend) and in PyTorch (1 thread). */
export function checkTwin(name: StepWorkload, torchScript: string, mnistFile: string): TwinCheck {
  const run = descentRun(name);
  const ours = { sum: parameterSum(run.model), losses: Array.from({ length: WARMUP_STEPS }, (_, k) => run.step(k)) };
  const torch = runPython<{ losses: number[]; paramSum: number }>(torchScript, [torchSpec(name, mnistFile, 0)], 1);
  const differences = [relative(ours.sum, torch.paramSum), ...ours.losses.map((l, k) => relative(l, torch.losses[k]))];
  const maxRelativeDifference = Math.max(...differences);
  return {
    workload: name,
    parameterSum: { descent: ours.sum, pytorch: torch.paramSum },
    losses: { descent: ours.losses, pytorch: torch.losses },
    maxRelativeDifference,
    agree: maxRelativeDifference <= LOSS_TOLERANCE,
  };
}

/** Prints the losses side by side. */
export function printTwinCheck(c: TwinCheck): void {
  console.log(`${c.workload}: initial parameter sum descent ${c.parameterSum.descent.toPrecision(9)}, PyTorch ${c.parameterSum.pytorch.toPrecision(9)}`);
  console.table(c.losses.descent.map((l, k) => ({ step: k, descent: l, pytorch: c.losses.pytorch[k], 'relative difference': relative(l, c.losses.pytorch[k]).toExponential(1) })));
  console.log(`${c.workload}: ${c.agree ? 'agree' : 'DIFFER'} (largest relative difference ${c.maxRelativeDifference.toExponential(1)}, tolerance ${LOSS_TOLERANCE})`);
}
