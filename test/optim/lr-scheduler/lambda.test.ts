import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../../src/index.js';
import { makeOptimizer, schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('LambdaLR', (o) => new S.LambdaLR(o, (e) => 0.95 ** e), { closedForm: true });
schedulerCase('LambdaLR-groups', (o) => new S.LambdaLR(o, [(e) => 0.95 ** e, (e) => 1 / (1 + e)]));
schedulerCase('MultiplicativeLR', (o) => new S.MultiplicativeLR(o, () => 0.97));

test('LambdaLR stateDict leaves the λs out and resumes through JSON', () => {
  const a = new S.LambdaLR(makeOptimizer(), (e) => 0.9 ** e);
  for (let i = 0; i < 4; i++) a.step();
  const state = JSON.parse(JSON.stringify(a.stateDict())) as Record<string, unknown>;
  assert.equal('lr_lambdas' in state, false);
  const b = new S.LambdaLR(makeOptimizer(), (e) => 0.9 ** e);
  b.loadStateDict(state);
  a.step();
  b.step();
  assert.deepEqual(b.getLastLr(), a.getLastLr());
});
