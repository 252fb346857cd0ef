import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, randn, nn, optim } from '../../src/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { GradientMonitor, fit, lrFind } from '../../src/train/index.js';
import { classificationData, mlp, trainerFor, weightsOf } from './setup.js';

test('gradient monitor records per-layer gradient norms and update ratios', async () => {
  const model = mlp();
  const monitor = new GradientMonitor({ every: 3 });
  await trainerFor(model, { epochs: 1, callbacks: [monitor] }).fit();
  assert.deepEqual(monitor.records.map((r) => r.step), [1, 3, 6]);
  const layers = Object.keys(monitor.records[0].layers);
  assert.deepEqual(layers, ['0.weight', '0.bias', '1.weight', '1.bias', '4.weight', '4.bias']);
  for (const r of monitor.records) for (const h of Object.values(r.layers)) assert.ok(h.gradNorm >= 0 && h.updateRatio > 0 && h.updateRatio < 1);
  // Adam's first step moves every weight by ~lr, so the ratio is about lr * sqrt(n) / ||w||
  const w = model.stateDict()['4.weight'];
  assert.ok(monitor.summary()['4.weight'].meanGradNorm > 0 && w.numel === 48);
  // a real finding: the bias of the Linear right before BatchNorm gets (almost) no gradient, since the
  // normalization subtracts it out again; the monitor names that layer
  assert.deepEqual(monitor.warnings.map((x) => [x.layer, x.kind]), [['0.bias', 'vanishing']]);
  assert.deepEqual(Object.keys(monitor.summary()).filter((k) => monitor.summary()[k].warnings.length > 0), ['0.bias']);
});

test('gradient monitor flags vanishing and exploding gradients by layer name', async () => {
  manualSeed(0);
  // a deep sigmoid stack with tiny weights: gradients vanish toward the input
  const layers: nn.Module[] = [];
  for (let i = 0; i < 8; i++) layers.push(new nn.Linear(4, 4), new nn.Sigmoid());
  const deep = new nn.Sequential(...layers, new nn.Linear(4, 3));
  for (const [name, p] of deep.namedParameters()) if (name.endsWith('weight')) noGrad(() => p.mul_(0.05));
  const monitor = new GradientMonitor({ every: 1, vanishingThreshold: 1e-6, explodingThreshold: 50 });
  const ds = classificationData();
  await fit(deep, { data: new DataLoader(ds, { batchSize: 60 }), loss: nn.functional.crossEntropy, optimizer: new optim.SGD(deep.parameters(), { lr: 0.1 }), maxSteps: 1, callbacks: [monitor] });
  const vanishing = monitor.warnings.filter((w) => w.kind === 'vanishing').map((w) => w.layer);
  assert.ok(vanishing.includes('0.weight'), `vanishing: ${vanishing}`);
  assert.ok(!vanishing.includes('16.weight'));
  assert.match(monitor.warnings[0].message, /^step 1: \d+\.(weight|bias): vanishing gradient \(norm .* < 0.000001\)$/);
  // huge targets: exploding
  const x = randn([8, 2]);
  const big = new nn.Linear(2, 1);
  const m2 = new GradientMonitor({ every: 1 });
  await fit(big, { data: [[x, x.sum(1, true).mul(1e5)]], loss: nn.functional.mseLoss, optimizer: new optim.SGD(big.parameters(), { lr: 1e-12 }), maxSteps: 1, callbacks: [m2] });
  assert.deepEqual(m2.warnings.map((w) => [w.layer, w.kind]), [['weight', 'exploding'], ['bias', 'exploding']]);
});

test('lrFind sweeps exponentially, suggests a rate and leaves the model and optimizer untouched', () => {
  const model = mlp();
  const before = weightsOf(model);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.123, momentum: 0.9 });
  const loader = new DataLoader(classificationData(), { batchSize: 10, shuffle: true });
  const r = lrFind(model, { data: loader, loss: nn.functional.crossEntropy, optimizer, startLr: 1e-4, endLr: 100, numSteps: 40 });
  assert.ok(r.lrs.length >= 10 && r.lrs.length <= 40);
  assert.ok(Math.abs(r.lrs[0] - 1e-4) < 1e-12);
  for (let i = 1; i < r.lrs.length; i++) assert.ok(Math.abs(r.lrs[i] / r.lrs[i - 1] - (1e6) ** (1 / 39)) < 1e-9);
  assert.ok(r.suggestion > 1e-4 && r.suggestion < 100, `suggestion ${r.suggestion}`);
  assert.ok(r.lrs.includes(r.suggestion));
  assert.match(r.stopReason, /swept 40 steps|diverged|became/);
  assert.deepEqual(weightsOf(model), before);
  assert.equal(optimizer.paramGroups[0].lr, 0.123);
  assert.equal(optimizer.state.size, 0);
  assert.throws(() => lrFind(model, { data: loader, loss: nn.functional.crossEntropy, optimizer, startLr: 1, endLr: 0.1 }), /expected 0 < startLr < endLr/);
  void TensorDataset;
});
