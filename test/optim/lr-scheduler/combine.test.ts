import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer, schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('SequentialLR', (o) => new S.SequentialLR(o, [new S.LinearLR(o, 0.1, 1.0, 5), new S.ExponentialLR(o, 0.9)], [5]));
schedulerCase('SequentialLR-three', (o) => new S.SequentialLR(o, [new S.ConstantLR(o, 0.5, 3), new S.CosineAnnealingLR(o, 10), new S.StepLR(o, 4, 0.5)], [6, 20]));
schedulerCase('ChainedScheduler', (o) => new S.ChainedScheduler([new S.ConstantLR(o, 0.1, 3), new S.ExponentialLR(o, 0.9)]));

test('SequentialLR checks its milestones and optimizers', () => {
  const o = makeOptimizer();
  assert.throws(() => new S.SequentialLR(o, [new S.StepLR(o, 2)], [3]), /expected one milestone fewer than schedulers, got 1 schedulers and 1 milestones/);
  assert.throws(() => new S.SequentialLR(o, [new S.StepLR(makeOptimizer(), 2)], []), /scheduler 0 does not/);
});

test('SequentialLR and ChainedScheduler state dicts resume the same sequence', () => {
  const build = (o: optim.lrScheduler.AnyOptimizer) => new S.SequentialLR(o, [new S.LinearLR(o, 0.1, 1.0, 5), new S.ExponentialLR(o, 0.9)], [5]);
  const o1 = makeOptimizer();
  const a = build(o1);
  for (let i = 0; i < 7; i++) a.step();
  const o2 = makeOptimizer();
  const b = build(o2);
  b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())) as Record<string, unknown>);
  o2.loadStateDict(o1.stateDict());
  for (let i = 0; i < 10; i++) {
    a.step();
    b.step();
    assert.deepEqual(b.getLastLr(), a.getLastLr());
  }
});
