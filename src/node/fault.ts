/// <reference types="node" />
// Crash injection for the reliability tests (test/node/fault-injection.test.ts).
//
// With DESCENT_FAULT=<point>@<n> in the environment, the process kills itself with SIGKILL the n-th time it
// reaches <point>: no exit handler, no flush, exactly where a power cut or `kill -9` would stop it. The
// points are the write steps of a checkpoint save and of the metrics log, listed below; without the variable
// (always, outside those tests) a point is one comparison.

/** Every named point; the test kills a training at each of them and checks that it resumes bit for bit. */
export const FAULT_POINTS = [
  'checkpoint:begin', // nothing written yet
  'checkpoint:model-written', // the temporary folder holds model.safetensors
  'checkpoint:state-written', // ... and state.safetensors
  'write:trainer.json', // trainer.json written to its temporary name, not yet renamed (inside the temporary folder)
  'checkpoint:folder-complete', // the temporary folder is complete
  'checkpoint:before-swap', // the same step saved twice: the older folder is about to be renamed aside
  'checkpoint:between-renames', // ... renamed aside; the new one not yet in place
  'checkpoint:renamed', // the new folder is in place
  'write:latest.json', // latest.json written to its temporary name, not yet renamed
  'checkpoint:latest-written', // latest.json names the new checkpoint
  'checkpoint:pruned', // older checkpoints removed
  'metrics:before-append', // a step or epoch line about to be appended to metrics.jsonl
  'metrics:after-append',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

const [target, nth] = (process.env.DESCENT_FAULT ?? '').split('@');
const limit = Number(nth ?? 1);
let reached = 0;

/** Kills this process here when DESCENT_FAULT names this point and occurrence; otherwise nothing. */
export function faultPoint(point: FaultPoint): void {
  if (point !== target || ++reached < limit) return;
  process.kill(process.pid, 'SIGKILL');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000); // never returns: the signal is on its way
}
