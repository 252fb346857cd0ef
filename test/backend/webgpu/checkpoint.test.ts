// A run on webgpu checkpoints to disk (tensors read back with await) and resumes there: the resumed run
// ends where the uninterrupted one does. Modules and tensors leave the GPU with toAsync.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, manualSeed, nn, optim, randint, randn } from '../../../src/index.js';
import { Trainer } from '../../../src/train/index.js';
import { checkpointCallback, resumeFrom } from '../../../src/node/index.js';
import type { Callback } from '../../../src/train/index.js';
import { tempDir } from '../../helpers.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

function setup(callbacks: Callback[] = [], epochs = 2) {
  manualSeed(31);
  const x = randn([24, 6]);
  const y = randint(0, 3, [24], { dtype: 'int32' });
  const model = new nn.Sequential(new nn.Linear(6, 12), new nn.BatchNorm1d(12), new nn.ReLU(), new nn.Linear(12, 3)).to('webgpu');
  const data = [0, 8, 16].map((at) => [x.narrow(0, at, 8).to('webgpu'), y.narrow(0, at, 8).to('webgpu')] as [Tensor, Tensor]);
  const trainer = new Trainer(model, { data, loss: nn.functional.crossEntropy, optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), epochs, callbacks });
  return { model, trainer };
}

const weights = async (m: nn.Module) => Promise.all(Object.values(m.stateDict()).map(async (t) => Array.from(await t.data())));

describe('checkpoints of a webgpu run', { skip }, () => {
  test('checkpointCallback writes from the GPU; resumeFrom on webgpu continues to the uninterrupted result', async () => {
    const straight = setup();
    await straight.trainer.fit();
    const dir = tempDir('descent-gpu-ckpt-');
    const first = setup([checkpointCallback({ dir, everySteps: 3 })], 1);
    await first.trainer.fit();
    const resumed = setup();
    assert.ok(resumeFrom(resumed.trainer, dir));
    assert.equal(resumed.trainer.step, 3);
    assert.deepEqual([...resumed.model.parameters()].map((p) => p.device), Array(6).fill('webgpu'));
    await resumed.trainer.fit();
    const [a, b] = [await weights(resumed.model), await weights(straight.model)];
    a.forEach((values, i) => values.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= 1e-6 * (1 + Math.abs(b[i][j])), `state ${i}[${j}]: ${v} vs ${b[i][j]}`)));
  });

  test('toAsync brings tensors and modules back from the GPU; to() from the GPU is refused', async () => {
    const t = randn([3, 2]);
    const onGpu = t.to('webgpu');
    assert.throws(() => onGpu.to('wasm'), /await t.data\(\)/);
    const back = await onGpu.toAsync('wasm');
    assert.equal(back.device, 'wasm');
    assert.deepEqual(Array.from(back.dataSync()), Array.from(t.dataSync()));
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2)).to('webgpu');
    const expected = await weights(m);
    await m.toAsync('wasm');
    const moved = [...m.parameters(), ...m.buffers()];
    assert.equal(moved.length, 7);
    assert.deepEqual(moved.map((p) => p.device), Array(7).fill('wasm'));
    assert.deepEqual(Object.values(m.stateDict()).map((v) => Array.from(v.dataSync())), expected);
  });
});
