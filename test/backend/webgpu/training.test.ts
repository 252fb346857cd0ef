// Models trained on webgpu against the same models on wasm: an MLP with Adam, a small CNN with SGD
// and momentum (convolutions, pooling, cross-entropy, the fused steps), an LSTM (the fused recurrent
// kernels), losses read once per step with `await loss.data()`. The GPU computes in float32 in another order, so losses agree to a tolerance.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, getBackend, init, manualSeed, nn, optim, rand, randint, randn, setBackend } from '../../../src/index.js';
import { fit } from '../../../src/train/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

interface Run {
  losses: number[];
  devices: string[];
}

/** Trains `model` for `steps` steps on `device` (the data and model are made on wasm, then moved). */
async function train(
  device: string, makeModel: () => nn.Module, makeOptimizer: (m: nn.Module) => optim.Optimizer, x: Tensor, y: Tensor, steps: number,
  lossFn: (output: Tensor, target: Tensor) => Tensor = new nn.CrossEntropyLoss(),
): Promise<Run> {
  manualSeed(11);
  const model = makeModel().to(device);
  const opt = makeOptimizer(model);
  const [xs, ys] = [x.to(device), y.to(device)];
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = lossFn(model(xs) as Tensor, ys);
    loss.backward();
    opt.step();
    losses.push((await loss.data())[0]);
  }
  const devices = [...new Set([...model.parameters()].map((p) => p.device))];
  return { losses, devices };
}

function assertSameLosses(gpu: Run, cpu: Run, rtol: number): void {
  assert.deepEqual(gpu.devices, ['webgpu']);
  assert.ok(cpu.losses[cpu.losses.length - 1] < cpu.losses[0] * 0.9, `the model should learn: ${cpu.losses}`);
  cpu.losses.forEach((expected, i) => {
    const got = gpu.losses[i];
    assert.ok(Math.abs(got - expected) <= rtol * Math.abs(expected), `step ${i}: webgpu ${got}, wasm ${expected}`);
  });
}

describe('training on webgpu', { skip }, () => {
  test('an MLP with Adam: the same losses as on wasm', async () => {
    manualSeed(5);
    const x = randn([64, 20]);
    const y = randint(0, 5, [64], { dtype: 'int32' });
    const mlp = () => new nn.Sequential(new nn.Linear(20, 48), new nn.ReLU(), new nn.Linear(48, 48), new nn.Tanh(), new nn.Linear(48, 5));
    const adam = (m: nn.Module) => new optim.Adam(m.parameters(), { lr: 1e-2 });
    const cpu = await train('wasm', mlp, adam, x, y, 12);
    const gpu = await train('webgpu', mlp, adam, x, y, 12);
    assertSameLosses(gpu, cpu, 1e-4);
  });

  test('a small CNN with SGD and momentum: the same losses as on wasm', async () => {
    manualSeed(6);
    const x = randn([16, 1, 12, 12]);
    const y = randint(0, 4, [16], { dtype: 'int32' });
    const cnn = () => new nn.Sequential(
      new nn.Conv2d(1, 6, 3), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(8 * 2 * 2, 4),
    );
    const sgd = (m: nn.Module) => new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
    const cpu = await train('wasm', cnn, sgd, x, y, 10);
    const gpu = await train('webgpu', cnn, sgd, x, y, 10);
    assertSameLosses(gpu, cpu, 1e-4);
  });

  test('a causal transformer block (embedding, attention, layer norm, GELU) with AdamW: the same losses as on wasm', async () => {
    manualSeed(7);
    const tokens = randint(0, 11, [4, 8], { dtype: 'int32' });
    const next = randint(0, 11, [32], { dtype: 'int32' });
    const adamw = (m: nn.Module) => new optim.AdamW(m.parameters(), { lr: 1e-2 });
    const cpu = await train('wasm', () => new TinyGpt(), adamw, tokens, next, 8);
    const gpu = await train('webgpu', () => new TinyGpt(), adamw, tokens, next, 8);
    assertSameLosses(gpu, cpu, 1e-4);
  });

  test('a VAE-style MLP with batch norm, GELU, sigmoid and summed binary cross-entropy: the same losses as on wasm', async () => {
    manualSeed(8);
    const x = rand([32, 24]);
    const model = () => new nn.Sequential(
      new nn.Linear(24, 16), new nn.BatchNorm1d(16), new nn.GELU(), new nn.Linear(16, 6), new nn.SiLU(), new nn.Linear(6, 24), new nn.Sigmoid(),
    );
    const adam = (m: nn.Module) => new optim.Adam(m.parameters(), { lr: 0.05 });
    const bce = (p: Tensor, t: Tensor) => nn.functional.binaryCrossEntropy(p, t, { reduction: 'sum' });
    const cpu = await train('wasm', model, adam, x, x, 10, bce);
    const gpu = await train('webgpu', model, adam, x, x, 10, bce);
    assertSameLosses(gpu, cpu, 1e-4);
  });

  test('an LSTM sequence classifier (2 layers, projection) with Adam, through the fused recurrent kernels: the same losses as on wasm', async () => {
    manualSeed(10);
    const x = randn([12, 6, 4]);
    const y = randint(0, 3, [12], { dtype: 'int32' });
    const adam = (m: nn.Module) => new optim.Adam(m.parameters(), { lr: 2e-2 });
    const cpu = await train('wasm', () => new SequenceClassifier(), adam, x, y, 10);
    const gpu = await train('webgpu', () => new SequenceClassifier(), adam, x, y, 10);
    assertSameLosses(gpu, cpu, 1e-4);
  });

  test('Trainer.fit on webgpu: losses and gradient norms read asynchronously, accuracy on host copies, validation and clipping too, as on wasm', async () => {
    manualSeed(9);
    const x = randn([48, 10]);
    const y = randint(0, 3, [48], { dtype: 'int32' });
    const run = async (device: string) => {
      manualSeed(12);
      const model = new nn.Sequential(new nn.Linear(10, 16), new nn.ReLU(), new nn.Linear(16, 3)).to(device);
      const data = [0, 16, 32].map((at) => [x.narrow(0, at, 16).to(device), y.narrow(0, at, 16).to(device)] as [Tensor, Tensor]);
      const history = await fit(model, {
        data, loss: nn.functional.crossEntropy, optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 3, metrics: ['accuracy'],
        valData: data.slice(0, 2), clipGradNorm: 0.5,
      });
      return history;
    };
    const cpu = await run('wasm');
    const gpu = await run('webgpu');
    assert.equal(gpu.steps.length, 9);
    gpu.steps.forEach((s, i) => {
      assert.ok(Math.abs(s.loss - cpu.steps[i].loss) <= 1e-4 * cpu.steps[i].loss, `step ${i}: loss ${s.loss} vs ${cpu.steps[i].loss}`);
      assert.ok(Math.abs(s.gradNorm - cpu.steps[i].gradNorm) <= 1e-4 * cpu.steps[i].gradNorm, `step ${i}: gradient norm ${s.gradNorm} vs ${cpu.steps[i].gradNorm}`);
    });
    assert.deepEqual(gpu.epochs.map((e) => e.accuracy), cpu.epochs.map((e) => e.accuracy));
    assert.deepEqual(gpu.epochs.map((e) => e.val_accuracy), cpu.epochs.map((e) => e.val_accuracy), 'validation accuracy, read asynchronously');
    gpu.epochs.forEach((e, i) => assert.ok(Math.abs(e.val_loss - cpu.epochs[i].val_loss) <= 1e-4 * cpu.epochs[i].val_loss, `epoch ${i}: val_loss ${e.val_loss} vs ${cpu.epochs[i].val_loss}`));
    assert.ok(cpu.steps[8].loss < cpu.steps[0].loss);
    assert.ok(cpu.steps.some((s) => s.gradNorm > 0.5), 'some steps were clipped');
  });

  test("await init('webgpu') makes it the default backend; synchronous reads and float64 are refused by name", async () => {
    const before = getBackend();
    try {
      await init('webgpu');
      assert.equal(getBackend(), 'webgpu');
      const t = randn([3, 4]);
      assert.equal(t.device, 'webgpu');
      assert.throws(() => t.sum().item(), /read asynchronously: use `await t.data\(\)`/);
      assert.throws(() => t.dataSync(), /await t.data\(\)/);
      assert.equal(String(t), 'tensor(<webgpu: await t.data()>, size=[3,4], dtype=float32)', 'printing does not read');
      assert.throws(() => randn([2], { dtype: 'float64' }), /webgpu: .*float64 is not supported/);
      assert.throws(() => randn([2], { dtype: 'float64', device: 'wasm' }).to('webgpu'), /float64 is not supported/);
      const sum = await t.sum().data();
      const expected = Array.from(await t.data()).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum[0] - expected) < 1e-5);
    } finally {
      setBackend(before);
    }
  });
});

class TinyGpt extends nn.Module<[Tensor], Tensor> {
  embed = new nn.Embedding(11, 16);
  block = new nn.TransformerEncoderLayer(16, 2, { dimFeedforward: 32, dropout: 0, batchFirst: true, activation: 'gelu' });
  head = new nn.Linear(16, 11);
  forward(tokens: Tensor): Tensor {
    return this.head(this.block(this.embed(tokens), { isCausal: true })).reshape([-1, 11]);
  }
}

class SequenceClassifier extends nn.Module<[Tensor], Tensor> {
  lstm = new nn.LSTM(4, 10, { numLayers: 2, batchFirst: true, projSize: 6 });
  head = new nn.Linear(6, 3);
  forward(x: Tensor): Tensor {
    const [, [hN]] = this.lstm.forward(x);
    return this.head(hN.select(0, 1)); // the last layer's final h
  }
}
