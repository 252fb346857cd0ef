// Crash at every write step of a checkpoint, resume, and get the uninterrupted run's result to the bit.
// A real training (test/node/train-child.ts: 3 epochs of 8 steps, a checkpoint every 4 steps, so the last step
// of each epoch is saved twice) is killed with SIGKILL by DESCENT_FAULT=<point>@<n> (src/node/fault.ts) at
// each named write step: inside a periodic save (step 8), inside the end-of-epoch save of the same step (its
// folder swap), and around the metrics.jsonl appends. Each run is then resumed (from whatever the crash left)
// and must end with the weights, the optimizer state and the metrics log of a run never interrupted, leaving
// no temporary file, no stale lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_POINTS, type FaultPoint } from '../../src/node/index.js';
import { type ChildRun, finalState, runChild } from './train-run.js';
import { tempDir } from '../helpers.js';

// A kill, not a power cut, is simulated: fsync buys nothing here, so the runs live in memory where there is
// a tmpfs (/dev/shm), which makes each save several times faster.
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const tmp = () => tempDir('descent-fault-', base);

// Which occurrences of each point to crash at. Saves run at steps 4, 8, 8 (end of epoch 1: the swap), 12, ...:
// the 2nd and 3rd are step 8's. The swap's own points come only with a same-step save. The metrics log gets
// lines for steps 1-8, then epoch 1: the 8th append is step 8's line, written right after step 8's checkpoint.
function occurrences(point: FaultPoint): number[] {
  if (point === 'checkpoint:before-swap' || point === 'checkpoint:between-renames') return [1];
  if (point.startsWith('metrics:')) return [8, 9];
  return [2, 3];
}

/** The metrics log without wall-clock fields. */
function metricsOf(dir: string): unknown[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { elapsed: _e, time: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
}

async function pool<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

test('SIGKILL at every write step of a checkpoint and of the metrics log, then resume: bit-identical to an uninterrupted run', async () => {
  const referenceDir = tmp();
  const reference = await runChild(referenceDir, { delayMs: 0, everySteps: 4 });
  assert.equal(reference.code, 0, reference.stderr);
  const expected = finalState(reference);
  const expectedMetrics = metricsOf(referenceDir);
  const cases = FAULT_POINTS.flatMap((point) => occurrences(point).map((n) => `${point}@${n}`));
  const failures: string[] = [];
  await pool(cases, 4, async (fault) => {
    const dir = tmp();
    const crashed: ChildRun = await runChild(dir, { delayMs: 0, everySteps: 4, env: { DESCENT_FAULT: fault } });
    if (crashed.signal !== 'SIGKILL') {
      failures.push(`${fault}: the point was not reached (exit ${crashed.code}): ${crashed.stderr}`);
      return;
    }
    const resumed = await runChild(dir, { delayMs: 0, everySteps: 4 });
    if (resumed.code !== 0) {
      failures.push(`${fault}: the resumed run failed (exit ${resumed.code}): ${resumed.stderr}`);
      return;
    }
    try {
      assert.deepEqual(finalState(resumed), expected, 'weights and optimizer state');
      assert.deepEqual(metricsOf(dir), expectedMetrics, 'metrics.jsonl');
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temporary files or lock left');
      const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as { checkpoint: string };
      assert.ok(existsSync(join(dir, latest.checkpoint, 'trainer.json')), 'latest.json names a complete checkpoint');
    } catch (e) {
      failures.push(`${fault}: ${(e as Error).message.split('\n')[0]}`);
    }
  });
  assert.deepEqual(failures, []);
  assert.ok(cases.length > FAULT_POINTS.length);
});
