import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, manualSeed, randn, tensor, nn, optim, type Tensor } from '../../src/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import {
  Trainer, allOf, earlyStopping, evaluate, fit, gradNormBelow, lossBelow, maxSteps, plateau, timeLimit, type Callback,
} from '../../src/train/index.js';
import { classificationData, mlp, throughDisk, trainerFor, weightsOf } from './setup.js';

test('fit trains an MLP: the loss falls, history has epochs, steps and the stop reason', async () => {
  const model = mlp();
  const history = await trainerFor(model, { epochs: 4 }).fit();
  assert.equal(history.epochs.length, 4);
  assert.equal(history.steps.length, 4 * 8);
  assert.equal(history.stoppedBy, 'maxEpochs');
  assert.match(history.stopReason!, /reached maxEpochs \(4 epochs\)/);
  const first = history.epochs[0];
  const last = history.epochs[3];
  assert.ok(last.loss < first.loss, `loss ${first.loss} -> ${last.loss}`);
  assert.ok(last.val_accuracy > 0.7, `val accuracy ${last.val_accuracy}`);
  for (const k of ['epoch', 'step', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'time']) assert.ok(k in last, k);
  assert.deepEqual(history.epochs.map((e) => e.lr), [0.01, 0.005, 0.0025, 0.00125]); // StepLR(1, 0.5) after each epoch
  assert.ok(model.training, 'the model is left in training mode');
});

test('2 epochs == 1 epoch, checkpoint, restore into fresh objects, 1 more epoch: bit for bit', async () => {
  const straight = mlp();
  const h2 = await trainerFor(straight, { epochs: 2 }).fit();
  const a = mlp();
  const ta = trainerFor(a, { epochs: 1 });
  await ta.fit();
  const saved = throughDisk(ta.checkpoint());
  manualSeed(999); // the global stream is part of the checkpoint: disturb it
  const b = mlp(123); // different initial weights, overwritten by restore
  const tb = trainerFor(b, { epochs: 2 });
  tb.restore(saved);
  const hb = await tb.fit();
  assert.deepEqual(weightsOf(b), weightsOf(straight));
  assert.deepEqual(hb.epochs, h2.epochs.map((e, i) => ({ ...e, time: hb.epochs[i].time })));
  assert.deepEqual(hb.steps, h2.steps);
});

test('a checkpoint taken mid-epoch resumes the same batches: identical weights at the end', async () => {
  const straight = mlp();
  const hs = await trainerFor(straight, { epochs: 2, metrics: ['accuracy', 'f1'] }).fit();
  const a = mlp();
  const ta = trainerFor(a, { epochs: 2, maxSteps: 11, metrics: ['accuracy', 'f1'] }); // stops in epoch 2, after batch 3 of 8
  const ha = await ta.fit();
  assert.equal(ha.stoppedBy, 'maxSteps');
  assert.equal(ta.batchInEpoch, 3);
  const saved = throughDisk(ta.checkpoint());
  const b = mlp(5);
  const tb = trainerFor(b, { epochs: 2, metrics: ['accuracy', 'f1'] });
  tb.restore(saved);
  const hb = await tb.fit();
  assert.equal(hb.epochs.length, 2);
  assert.equal(hb.steps.length, 16);
  assert.deepEqual(weightsOf(b), weightsOf(straight));
  // the history too, train metrics of the interrupted epoch included
  const noTime = (e: Record<string, number>) => ({ ...e, time: 0 });
  assert.deepEqual(hb.epochs.map(noTime), hs.epochs.map(noTime));
  assert.deepEqual(hb.steps, hs.steps);
});

test('stopping criteria fire with their reasons; allOf needs all parts', async () => {
  const cases: [Parameters<typeof trainerFor>[1], string, RegExp][] = [
    [{ stopWhen: [maxSteps(3)] }, 'maxSteps', /reached maxSteps \(3 steps\)/],
    [{ stopWhen: [lossBelow(5)] }, 'lossBelow', /loss [\d.]+ < target 5 at step 1/],
    [{ stopWhen: [gradNormBelow(1e6)] }, 'gradNormBelow', /gradient norm .* < 1000000 at step 1/],
    [{ stopWhen: [timeLimit(1e-9)] }, 'timeLimit', /wall-clock budget of 1e-9 s used/],
    [{ stopWhen: [plateau({ tolerance: 10, patience: 2, smoothing: 0 })] }, 'plateau', /loss plateaued: relative improvement < 10 for 2 steps \(step 3\)/],
    [{ epochs: 3, stopWhen: [allOf(lossBelow(5), maxSteps(2))] }, 'allOf(lossBelow, maxSteps)', /< target 5 at step 2 and reached maxSteps \(2 steps\)/],
  ];
  for (const [opts, by, reason] of cases) {
    const h = await trainerFor(mlp(), opts).fit();
    assert.equal(h.stoppedBy, by);
    assert.match(h.stopReason!, reason);
  }
  assert.throws(() => allOf(lossBelow(1), earlyStopping()), /combine criteria checked at the same time/);
});

test('early stopping waits `patience` epochs and restores the best weights', async () => {
  // watching the training loss with mode 'max' makes epoch 1 the best: it stops after 1 + patience epochs
  const best = mlp();
  await trainerFor(best, { epochs: 1 }).fit();
  const model = mlp();
  const h = await trainerFor(model, { epochs: 10, stopWhen: [earlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true })] }).fit();
  assert.equal(h.epochs.length, 3);
  assert.equal(h.stoppedBy, 'earlyStopping');
  assert.match(h.stopReason!, /loss did not improve for 2 epochs \(best .* at epoch 1\)/);
  assert.equal(h.restoredWeights, 'best');
  assert.deepEqual(weightsOf(model), weightsOf(best));
  const es = earlyStopping({ monitor: 'val_accuracy', patience: 2, minDelta: 0.01 });
  assert.equal(es.mode, 'max');
  const logs = (v: number) => ({ epoch: 1, step: 1, elapsed: 0, logs: { val_accuracy: v } });
  assert.equal(es.onEpoch(logs(0.5)), null);
  assert.equal(es.onEpoch(logs(0.505)), null); // within minDelta: a bad epoch
  assert.match(es.onEpoch(logs(0.509))!, /did not improve for 2 epochs/);
  assert.throws(() => earlyStopping().onEpoch(logs(1)), /the epoch logs have no 'val_loss' \(they have val_accuracy\); pass valData/);
});

test('the NaN guard stops on a non-finite loss and keeps the last weights that gave a finite loss', async () => {
  manualSeed(0);
  const x = randn([16, 2]);
  const y = x.mul(3).sum(1, true);
  const model = new nn.Linear(2, 1);
  const seen: Record<string, number[]>[] = [];
  const h = await fit(model, {
    data: new DataLoader(new TensorDataset(x, y), { batchSize: 16 }),
    loss: nn.functional.mseLoss,
    optimizer: new optim.SGD(model.parameters(), { lr: 10 }), // diverges
    epochs: 1000,
    callbacks: [{ onStepEnd: () => void seen.push(weightsOf(model)) }],
  });
  assert.equal(h.stoppedBy, 'nanGuard');
  assert.match(h.stopReason!, /non-finite values: loss is (Infinity|NaN) .*the weights of the last step with a finite loss were kept/);
  assert.equal(h.restoredWeights, 'lastFinite');
  const w = weightsOf(model);
  assert.ok(Object.values(w).flat().every(Number.isFinite));
  assert.deepEqual(w, seen[seen.length - 2]); // the weights before the last step, whose loss was the last finite one
  await assert.rejects(fit(new nn.Linear(2, 1), {
    data: [[x, y.mul(Infinity)]], loss: nn.functional.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 1 }), epochs: 1, nanGuard: false,
  }), /fit: loss is (Infinity|NaN) at epoch 1, batch 1 \(the NaN guard is off\)/);
});

test('callbacks run in Keras order and can stop training', async () => {
  const events: string[] = [];
  const cb: Callback = {
    onTrainBegin: () => void events.push('trainBegin'),
    onEpochBegin: (_, e) => void events.push(`epochBegin ${e}`),
    onBatchBegin: (_, b) => void events.push(`batchBegin ${b}`),
    onAfterBackward: () => void events.push('afterBackward'),
    onStepEnd: (_, s) => void events.push(`stepEnd ${s.step}`),
    onBatchEnd: (t, b, logs) => { events.push(`batchEnd ${b} step ${logs.step}`); if (logs.step === 3) t.stop('enough', 'test'); },
    onEpochEnd: async (_, e) => { await Promise.resolve(); events.push(`epochEnd ${e}`); },
    onTrainEnd: (_, h) => void events.push(`trainEnd ${h.stoppedBy}`),
  };
  const ds = classificationData();
  const model = mlp();
  await fit(model, { data: new DataLoader(ds, { batchSize: 30 }), loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 5, callbacks: [cb] });
  assert.deepEqual(events, [
    'trainBegin', 'epochBegin 1',
    'batchBegin 0', 'afterBackward', 'stepEnd 1', 'batchEnd 0 step 1',
    'batchBegin 1', 'afterBackward', 'stepEnd 2', 'batchEnd 1 step 2', 'epochEnd 1',
    'epochBegin 2', 'batchBegin 0', 'afterBackward', 'stepEnd 3', 'batchEnd 0 step 3',
    'trainEnd test',
  ]);
});

test('accumulateSteps over k batches equals one batch k times larger; clipGradNorm clips like clipGradNorm_', async () => {
  manualSeed(3);
  const x = randn([8, 3]);
  const y = randn([8, 1]);
  const run = async (batchSize: number, accumulateSteps: number) => {
    manualSeed(4);
    const m = new nn.Linear(3, 1);
    await fit(m, { data: new DataLoader(new TensorDataset(x, y), { batchSize }), loss: nn.functional.mseLoss, optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 2, accumulateSteps });
    return Object.values(weightsOf(m)).flat();
  };
  const big = await run(8, 1);
  const acc = await run(4, 2);
  big.forEach((v, i) => assert.ok(Math.abs(v - acc[i]) < 1e-6, `${v} vs ${acc[i]}`));
  // clipping inside fit == backward, clipGradNorm_, step by hand
  manualSeed(4);
  const a = new nn.Linear(3, 1);
  await fit(a, { data: [[x, y.mul(100)]], loss: nn.functional.mseLoss, optimizer: new optim.SGD(a.parameters(), { lr: 0.1 }), maxSteps: 1, clipGradNorm: 0.5 });
  manualSeed(4);
  const b = new nn.Linear(3, 1);
  const opt = new optim.SGD(b.parameters(), { lr: 0.1 });
  nn.functional.mseLoss(b(x), y.mul(100)).backward();
  nn.utils.clipGradNorm_(b.parameters(), 0.5);
  opt.step();
  assert.deepEqual(weightsOf(a), weightsOf(b));
});

test('evaluate gives loss and metrics without gradients and keeps the mode', () => {
  const model = mlp();
  const ds = classificationData();
  const r = evaluate(model, new DataLoader(ds, { batchSize: 7 }), { loss: nn.functional.crossEntropy, metrics: ['accuracy', 'f1'] });
  model.eval();
  const whole = nn.functional.crossEntropy(model(ds.tensors[0]), ds.tensors[1]).item();
  assert.ok(Math.abs(r.loss - whole) < 1e-5, `${r.loss} vs ${whole}`);
  assert.ok(r.accuracy >= 0 && r.accuracy <= 1 && 'f1' in r);
});

test('bad options get clear errors', async () => {
  const model = mlp();
  const base = { data: [] as Tensor[][], loss: nn.functional.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }) };
  assert.throws(() => new Trainer(model, base), /give epochs, maxSteps or a stopping criterion/);
  assert.throws(() => new Trainer(model, { ...base, epochs: 0 }), /fit: epochs must be a positive integer, got 0/);
  assert.throws(() => new Trainer(model, { ...base, epochs: 1, optimizer: {} as optim.SGD }), /`optimizer` must be an optimizer/);
  assert.throws(() => new Trainer(model, { ...base, epochs: 1, data: 5 as unknown as Tensor[][] }), /`data` must be an iterable/);
  assert.throws(() => new Trainer(model, { ...base, epochs: 1, clipGradNorm: -1 }), /clipGradNorm must be a positive number, got -1/);
  assert.throws(() => new Trainer(model, { ...base, epochs: 1, metrics: ['acc'] }), /unknown metric 'acc'/);
  await assert.rejects(new Trainer(model, { ...base, maxSteps: 5 }).fit(), /the training data yielded no batches in epoch 1$/);
  const once = (function* () { yield [randn([2, 4]), tensor([0, 1], { dtype: 'int32' })]; })();
  await assert.rejects(new Trainer(model, { ...base, loss: nn.functional.crossEntropy, data: once, maxSteps: 5 }).fit(), /no batches in epoch 2 \(a one-shot iterator/);
  const t = trainerFor(mlp(), { epochs: 1 });
  assert.throws(() => t.restore({ model: {}, tensors: {}, state: { format: 'x' } }), /not a trainer checkpoint/);
  void tensor; void Generator;
});

test('validation metrics do not overwrite the training accumulators', async () => {
  const seen: number[] = [];
  const h = await trainerFor(mlp(), { epochs: 1, metrics: ['accuracy', 'f1'], callbacks: [{ onEpochEnd: (t) => void seen.push(t.metrics[0].compute(), t.metrics[1].compute()) }] }).fit();
  assert.deepEqual(seen, [h.epochs[0].accuracy, h.epochs[0].f1]);
  assert.notEqual(h.epochs[0].accuracy, h.epochs[0].val_accuracy);
});

test('a penalty from forward joins the objective that training minimizes, not the logged or evaluated loss', async () => {
  const x = tensor([[1, 2], [3, -1], [0.5, 0.5], [-2, 1]]);
  const y = tensor([[1], [0], [2], [-1]]);
  const data = [[x, y]];
  const lambda = 0.3;
  const run = async (penalized: boolean) => {
    manualSeed(0);
    const model = new nn.Linear(2, 1);
    const w0 = model.weight.detach().clone();
    const trainer = new Trainer(model, {
      data, valData: data, loss: nn.functional.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1,
      forward: (m, [input, target]: Tensor[]) => ({ output: m(input), target, penalty: penalized ? model.weight.pow(2).sum().mul(lambda) : undefined }),
    });
    const history = await trainer.fit();
    return { model, w0, history };
  };
  const plain = await run(false);
  const penalized = await run(true);
  // one SGD step: the penalty adds 2 * lambda * w to the gradient of the weight (its own gradient), nothing to the bias
  const expected = plain.model.weight.sub(penalized.w0.mul(2 * lambda * 0.1));
  assert.ok(penalized.model.weight.sub(expected).abs().max().item() < 1e-6);
  assert.ok(penalized.model.bias!.sub(plain.model.bias!).abs().max().item() < 1e-7);
  // the logged step loss and val_loss are the data loss alone: the same first-step loss as without a penalty
  assert.equal(penalized.history.steps[0].loss, plain.history.steps[0].loss);
  const val = evaluate(penalized.model, data, { loss: nn.functional.mseLoss }).loss;
  assert.ok(Math.abs(penalized.history.epochs[0].val_loss - val) < 1e-6);
});
