// Models trained on webgpu against the same models on wasm: an MLP with Adam and a small CNN with SGD
// and momentum (convolutions, pooling, cross-entropy, the fused steps), losses read once per step with
// `await loss.data()`. The GPU computes in float32 in another order, so losses agree to a tolerance.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, getBackend, init, manualSeed, nn, optim, randint, randn, setBackend } from '../../../src/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

interface Run {
  losses: number[];
  devices: string[];
}

/** Trains `model` for `steps` steps on `device` (the data and model are made on wasm, then moved). */
async function train(device: string, makeModel: () => nn.Module, makeOptimizer: (m: nn.Module) => optim.Optimizer, x: Tensor, y: Tensor, steps: number): Promise<Run> {
  manualSeed(11);
  const model = makeModel().to(device);
  const opt = makeOptimizer(model);
  const lossFn = new nn.CrossEntropyLoss();
  const [xs, ys] = [x.to(device), y.to(device)];
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = lossFn(model(xs), ys);
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

  test("await init('webgpu') makes it the default backend; synchronous reads and float64 are refused by name", async () => {
    const before = getBackend();
    try {
      await init('webgpu');
      assert.equal(getBackend(), 'webgpu');
      const t = randn([3, 4]);
      assert.equal(t.device, 'webgpu');
      assert.throws(() => t.sum().item(), /read asynchronously: use `await t.data\(\)`/);
      assert.throws(() => t.dataSync(), /await t.data\(\)/);
      assert.equal(String(t), 'tensor(<webgpu: await t.data()>, size=[3, 4], dtype=float32)', 'printing does not read');
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
