import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer, schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('CyclicLR-triangular', (o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 5, stepSizeDown: 3 }));
schedulerCase('CyclicLR-triangular2', (o) => new S.CyclicLR(o, [0.01, 0.02], 0.1, { stepSizeUp: 4, mode: 'triangular2' }));
schedulerCase('CyclicLR-expRange', (o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 6, mode: 'expRange', gamma: 0.95 }));
schedulerCase('OneCycleLR-adam', (o) => new S.OneCycleLR(o, 0.1, { totalSteps: 45 }));
schedulerCase('OneCycleLR-threePhase', (o) => new S.OneCycleLR(o, [0.1, 0.2], { epochs: 5, stepsPerEpoch: 9, annealStrategy: 'linear', threePhase: true }));

test('OneCycleLR refuses to step past totalSteps and needs a length', () => {
  const s = new S.OneCycleLR(makeOptimizer(), 0.1, { totalSteps: 3 });
  s.step();
  s.step();
  s.step();
  assert.throws(() => s.step(), /OneCycleLR: tried to step 5 times; the specified number of total steps is 3/);
  assert.throws(() => new S.OneCycleLR(makeOptimizer(), 0.1), /define either totalSteps or \(epochs and stepsPerEpoch\)/);
});

test('CyclicLR needs a momentum option to cycle momentum', () => {
  const opt = makeOptimizer('adam');
  assert.throws(() => new S.CyclicLR(opt, 0.01, 0.1), /CyclicLR: cycleMomentum needs an optimizer with a momentum option/);
  const s = new S.CyclicLR(opt, 0.01, 0.1, { cycleMomentum: false, stepSizeUp: 2 });
  s.step();
  assert.ok(Math.abs(s.getLastLr()[0] - 0.055) < 1e-12);
});
