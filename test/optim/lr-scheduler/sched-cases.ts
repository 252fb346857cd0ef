// Shared driver for the scheduler fixtures: lr (and momentum) sequences recorded from PyTorch 1.13.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, zeros } from '../../../src/index.js';
import { loadFixture } from '../../helpers.js';

interface SchedCase {
  name: string;
  optimizer: 'sgd' | 'adam';
  lrs: number[][];
  momentums?: number[][];
}

export const schedFixture = loadFixture<{ steps: number; metrics: number[]; cases: SchedCase[] }>('optim_schedulers');
type AnyOptimizer = optim.lrScheduler.AnyOptimizer;

/** The generator's optimizer: two groups (lr 0.1 and 0.05), SGD with momentum 0.9 or Adam. */
export function makeOptimizer(kind: 'sgd' | 'adam' = 'sgd'): AnyOptimizer {
  const w = zeros([2], { requiresGrad: true });
  const b = zeros([1], { requiresGrad: true });
  const groups = [{ params: [w] }, { params: [b], lr: 0.05 }];
  return (kind === 'adam' ? new optim.Adam(groups, { lr: 0.1 }) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 })) as unknown as AnyOptimizer;
}

export function assertSeqClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= 1e-12 + 1e-10 * Math.abs(expected[i]), `${what}[${i}]: expected ${expected[i]}, got ${a}`));
}

/**
 * Checks scheduler `name` against its fixture: the chained form step by step, and with `closedForm` also
 * step(epoch), which uses the closed form.
 */
export function schedulerCase(
  name: string,
  build: (opt: AnyOptimizer) => optim.lrScheduler.Scheduler,
  { closedForm = false, metric = false }: { closedForm?: boolean; metric?: boolean } = {},
): void {
  const c = schedFixture.cases.find((k) => k.name === name);
  if (!c) throw new Error(`no scheduler fixture ${name}`);
  test(`${name}: lr sequence over ${schedFixture.steps} steps matches PyTorch`, () => {
    const opt = makeOptimizer(c.optimizer);
    const s = build(opt);
    assertSeqClose(s.getLastLr(), c.lrs[0], `${name} initial lr`);
    for (let i = 0; i < schedFixture.steps; i++) {
      if (metric) s.step(schedFixture.metrics[i]);
      else s.step();
      assertSeqClose(s.getLastLr(), c.lrs[i + 1], `${name} step ${i + 1}`);
      if (c.momentums) {
        const m = opt.paramGroups.map((g) => (c.optimizer === 'adam' ? (g as unknown as { betas: number[] }).betas[0] : (g as unknown as { momentum: number }).momentum));
        assertSeqClose(m, c.momentums[i], `${name} momentum at step ${i + 1}`);
      }
    }
  });
  if (closedForm) {
    test(`${name}: closed form (step(epoch)) agrees with the chained form`, () => {
      const opt = makeOptimizer(c.optimizer);
      const s = build(opt);
      for (let i = 1; i <= schedFixture.steps; i++) {
        s.step(i);
        assertSeqClose(s.getLastLr(), c.lrs[i], `${name} epoch ${i}`);
      }
    });
  }
}
