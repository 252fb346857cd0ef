import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer, schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('ConstantLR', (o) => new S.ConstantLR(o, 0.25, 6), { closedForm: true });
schedulerCase('LinearLR', (o) => new S.LinearLR(o, 0.2, 1.0, 10), { closedForm: true });
schedulerCase('LinearLR-down', (o) => new S.LinearLR(o, 1.0, 0.1, 20), { closedForm: true });
schedulerCase('PolynomialLR', (o) => new S.PolynomialLR(o, 30, 2.0), { closedForm: true });

test('warmup schedulers reject factors outside [0, 1]', () => {
  assert.throws(() => new S.ConstantLR(makeOptimizer(), 1.5), /ConstantLR: factor must be in \[0, 1\], got 1.5/);
  assert.throws(() => new S.LinearLR(makeOptimizer(), 0.1, 2), /LinearLR: endFactor must be in \[0, 1\], got 2/);
});
