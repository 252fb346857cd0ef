// Trainer checkpoints in memory: what a restore accepts, refuses, and continues exactly (src/train/checkpoint.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, nn, optim } from '../../src/index.js';
import type { TrainerCheckpoint } from '../../src/train/index.js';
import { mlp, throughDisk, trainerFor, weightsOf } from './setup.js';

const noTime = (e: Record<string, number>) => ({ ...e, time: 0 });

test('a checkpoint taken on the last step of an epoch resumes at that epoch\'s end, not a whole extra epoch', async () => {
  const straight = mlp();
  const hs = await trainerFor(straight, { epochs: 2 }).fit();
  let saved: TrainerCheckpoint | null = null;
  // step 8 is the last batch of epoch 1 (60 samples, batches of 8): saved before validation and the epoch row
  await trainerFor(mlp(), { epochs: 2, callbacks: [{ onStepEnd: (t, info) => { if (info.step === 8) saved = throughDisk(t.checkpoint()); } }] }).fit();
  const resumed = mlp(42);
  const tr = trainerFor(resumed, { epochs: 2 });
  tr.restore(saved!);
  assert.equal(tr.batchInEpoch, 8);
  const hr = await tr.fit();
  assert.equal(tr.step, 16);
  assert.deepEqual(weightsOf(resumed), weightsOf(straight));
  assert.deepEqual(hr.epochs.map(noTime), hs.epochs.map(noTime));
  assert.deepEqual(hr.steps, hs.steps);
});

test('a stop asked for in the middle of a gradient accumulation waits for the step, so a checkpoint resumes exactly', async () => {
  const straight = mlp();
  await trainerFor(straight, { epochs: 2, accumulateSteps: 3 }).fit();
  const a = mlp();
  const ta = trainerFor(a, { epochs: 2, accumulateSteps: 3, callbacks: [{ onBatchEnd: (t, batch) => { if (t.epoch === 0 && batch === 4) t.stop('asked mid-accumulation', 'test'); } }] });
  const ha = await ta.fit();
  assert.equal(ha.stoppedBy, 'test');
  assert.equal(ta.batchInEpoch, 6, 'the step of batches 4-6 is taken before stopping');
  const saved = throughDisk(ta.checkpoint()); // before building another trainer: the global random stream is part of it
  const b = mlp(9);
  const tb = trainerFor(b, { epochs: 2, accumulateSteps: 3 });
  tb.restore(saved);
  await tb.fit();
  assert.deepEqual(weightsOf(b), weightsOf(straight));
});

test('a hand-edited checkpoint is refused with the field named, and the trainer is left as it was', async () => {
  const source = trainerFor(mlp(), { epochs: 1, maxSteps: 3 });
  await source.fit();
  const good = throughDisk(source.checkpoint());
  const model = mlp(5);
  const target = trainerFor(model, { epochs: 2 });
  const before = weightsOf(model);
  const edit = (change: (s: Record<string, unknown>) => void): TrainerCheckpoint => {
    const c = throughDisk(good);
    change(c.state);
    return c;
  };
  const cases: [TrainerCheckpoint, RegExp][] = [
    [edit((s) => { s.step = 'abc'; }), /restore: checkpoint field 'step' must be a non-negative integer, got "abc"/],
    [edit((s) => { s.batchInEpoch = 9; }), /restore: checkpoint field 'batchInEpoch' is 9, past the end of an epoch \(8 batches\)/],
    [edit((s) => { delete s.generator; }), /restore: checkpoint field 'generator' is missing/],
    [edit((s) => { (s.optimizer as { param_groups: { lr: unknown }[] }).param_groups[0].lr = 'hi'; }), /Adam: lr must be >= 0, got hi/],
    [edit((s) => { (s.data as { position: number }).position = 99; }), /restore: checkpoint fields 'data\.position' \(99\) and 'batchInEpoch' \(3\) disagree/],
    [edit((s) => { const { order } = s.data as { order: number[] }; order[0] = order[1]; }), /DataLoader\.loadStateDict: the saved order is not a permutation of 0\.\.59/],
    [edit((s) => { s.history = { epochs: 'x' }; }), /restore: checkpoint field 'history\.epochs' must be an array/],
    [{ ...good, model: { ...good.model, '4.weight': Tensor.fromArray(new Float32Array(3), [3], 'float32') } }, /size mismatch for 4\.weight/],
  ];
  for (const [ckpt, message] of cases) {
    assert.throws(() => target.restore(ckpt), message);
    assert.deepEqual(weightsOf(model), before, `the model is unchanged after: ${message}`);
    assert.equal(target.step, 0);
  }
  target.restore(good);
  assert.equal(target.step, 3);
});

test('fit warns when the optimizer holds none of the model\'s parameters', async () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (message: string) => void warnings.push(message);
  try {
    const model = mlp();
    const other = new nn.Linear(4, 3);
    await trainerFor(model, { maxSteps: 1, optimizer: new optim.SGD(other.parameters(), { lr: 0.1 }), scheduler: undefined }).fit();
    await trainerFor(mlp(), { maxSteps: 1 }).fit();
  } finally {
    console.warn = original;
  }
  assert.deepEqual(warnings, ['fit: the optimizer holds none of the model\'s parameters, so training will not change the model (was the optimizer built from another model\'s parameters()?)']);
});
