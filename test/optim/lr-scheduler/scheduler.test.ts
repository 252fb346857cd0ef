import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer } from './sched-cases.js';

const S = optim.lrScheduler;

test('a scheduler writes lr into the groups and records initialLr', () => {
  const opt = makeOptimizer();
  const s = new S.StepLR(opt, 2, 0.5);
  assert.deepEqual(opt.paramGroups.map((g) => (g as unknown as { initialLr: number }).initialLr), [0.1, 0.05]);
  s.step();
  s.step();
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.05, 0.025]);
  assert.deepEqual(s.getLastLr(), [0.05, 0.025]);
});

test('scheduler stateDict is JSON and resumes exactly', () => {
  const a = new S.CosineAnnealingWarmRestarts(makeOptimizer(), 3, 2);
  for (let i = 0; i < 5; i++) a.step();
  const state = JSON.parse(JSON.stringify(a.stateDict())) as Record<string, unknown>;
  assert.equal(state.last_epoch, 5);
  const b = new S.CosineAnnealingWarmRestarts(makeOptimizer(), 3, 2);
  b.loadStateDict(state);
  for (let i = 0; i < 10; i++) {
    a.step();
    b.step();
    assert.deepEqual(b.getLastLr(), a.getLastLr());
  }
});

test('resuming with lastEpoch needs initialLr in the groups', () => {
  assert.throws(() => new S.StepLR(makeOptimizer(), 2, 0.5, 4), /param 'initialLr' is not specified in paramGroups\[0\]/);
  assert.throws(() => new S.StepLR(makeOptimizer(), 0), /StepLR: stepSize must be a positive integer, got 0/);
});
