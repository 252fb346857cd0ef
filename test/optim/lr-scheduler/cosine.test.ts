import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer, schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('CosineAnnealingLR', (o) => new S.CosineAnnealingLR(o, 10, 0.001), { closedForm: true });
schedulerCase('CosineAnnealingWarmRestarts', (o) => new S.CosineAnnealingWarmRestarts(o, 5, 2, 0.001), { closedForm: true });
schedulerCase('CosineAnnealingWarmRestarts-mult1', (o) => new S.CosineAnnealingWarmRestarts(o, 7), { closedForm: true });

test('CosineAnnealingWarmRestarts validates t0 and tMult', () => {
  assert.throws(() => new S.CosineAnnealingWarmRestarts(makeOptimizer(), 0), /expected a positive integer t0, got 0/);
  assert.throws(() => new S.CosineAnnealingWarmRestarts(makeOptimizer(), 5, 1.5), /expected an integer tMult >= 1, got 1.5/);
});
