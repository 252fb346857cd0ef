// The examples of docs/optimizers.md, run as written (model-specific parts replaced by small tensors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dt from '../../src/index.js';

const { optim, nn } = dt;

test('docs: the training loop fits y = 3x - 1', () => {
  const w = dt.zeros([1], { requiresGrad: true });
  const b = dt.zeros([1], { requiresGrad: true });
  const x = dt.linspace(-1, 1, 32);
  const y = x.mul(3).sub(1);
  const opt = new optim.Adam([w, b], { lr: 0.1 });
  for (let step = 0; step < 200; step++) {
    opt.zeroGrad();
    const loss = x.mul(w).add(b).sub(y).pow(2).mean();
    loss.backward();
    nn.utils.clipGradNorm_([w, b], 1.0);
    opt.step();
  }
  assert.ok(Math.abs(w.item() - 3) < 0.05 && Math.abs(b.item() + 1) < 0.05, `w=${w.item()} b=${b.item()}`);
});

test('docs: LBFGS example reaches the Rosenbrock minimum', () => {
  const xy = dt.tensor([-1.5, 2], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.LBFGS([xy], { lineSearchFn: 'strongWolfe' });
  const rosenbrock = () => {
    const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
    return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
  };
  for (let i = 0; i < 5; i++) {
    opt.step(() => { opt.zeroGrad(); const loss = rosenbrock(); loss.backward(); return loss; });
  }
  assert.ok(Math.abs(xy.dataSync()[0] - 1) < 1e-3 && Math.abs(xy.dataSync()[1] - 1) < 1e-3, `${xy.dataSync()}`);
});

test('docs: warmup then cosine with SequentialLR, and ReduceLROnPlateau', () => {
  const p = dt.zeros([2], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const warmup = new optim.lrScheduler.LinearLR(opt, 0.01, 1.0, 5);
  const cosine = new optim.lrScheduler.CosineAnnealingLR(opt, 95, 1e-4);
  const schedule = new optim.lrScheduler.SequentialLR(opt, [warmup, cosine], [5]);
  const lrs: number[] = [];
  for (let epoch = 0; epoch < 100; epoch++) {
    opt.step();
    schedule.step();
    lrs.push(schedule.getLastLr()[0]);
  }
  assert.ok(Math.abs(lrs[4] - 0.1) < 1e-12 && lrs[99] < 1e-3);
  const plateau = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 3, factor: 0.5 });
  for (let i = 0; i < 5; i++) plateau.step(1.0);
  assert.ok(Math.abs(plateau.getLastLr()[0] - lrs[99] * 0.5) < 1e-15);
});
