import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer, schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('ReduceLROnPlateau', (o) => new S.ReduceLROnPlateau(o, { patience: 2, cooldown: 1, factor: 0.5, minLr: 0.02 }), { metric: true });
schedulerCase('ReduceLROnPlateau-maxAbs', (o) => new S.ReduceLROnPlateau(o, { mode: 'max', threshold: 0.01, thresholdMode: 'abs', patience: 1 }), { metric: true });

test('ReduceLROnPlateau state survives JSON (best starts at infinity)', () => {
  const a = new S.ReduceLROnPlateau(makeOptimizer(), { patience: 1 });
  const json = JSON.parse(JSON.stringify(a.stateDict())) as Record<string, unknown>;
  const b = new S.ReduceLROnPlateau(makeOptimizer(), { patience: 1 });
  b.loadStateDict(json);
  assert.equal(b.best, Infinity);
  for (const m of [1, 1, 1, 0.5]) {
    a.step(m);
    b.step(m);
  }
  assert.deepEqual(b.getLastLr(), a.getLastLr());
  assert.throws(() => new S.ReduceLROnPlateau(makeOptimizer(), { factor: 1 }), /ReduceLROnPlateau: factor must be < 1, got 1/);
});
