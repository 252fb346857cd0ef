// GPU memory without dispose, and the order of commands: released buffers go back to the pool and are
// refused afterwards, collected tensors return theirs through finalizers, a training loop's memory stays
// flat, and writes, in-place ops and batches longer than one submission keep the program's order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import v8 from 'node:v8';
import { gpuMemoryStats, manualSeed, nn, noGrad, optim, randint, randn, tensor, zeros } from '../../../src/index.js';
import { webgpuBackend } from '../../../src/backend/webgpu/index.js';
import { openWebgpu } from './setup.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const skip = await openWebgpu();
const onGpu = { device: 'webgpu' } as const;
const values = async (t: { data(): Promise<ArrayLike<number>> }) => Array.from(await t.data());

describe('webgpu memory and command order', { skip }, () => {
  test('a storage the library released is refused by reads and kernels, never read as garbage', async () => {
    const t = randn([100], onGpu);
    webgpuBackend.release(t.storage);
    await assert.rejects(t.data(), /used after the library released it/);
    assert.throws(() => t.add(1), /used after the library released it/);
  });

  test('released buffers are reused from the pool, and zeros are zero in a reused buffer', async () => {
    for (let i = 0; i < 5; i++) {
      const t = randn([1000], onGpu);
      webgpuBackend.release(t.storage);
      const pooled = gpuMemoryStats().pooledBytes;
      const z = zeros([1000], onGpu);
      assert.equal(gpuMemoryStats().pooledBytes, pooled - 4096, 'the zeros took the released buffer');
      assert.ok((await values(z)).every((v) => v === 0));
    }
  });

  test('buffers of collected tensors come back through finalizers', async () => {
    const before = gpuMemoryStats().liveBytes;
    (() => {
      for (let i = 0; i < 20; i++) randn([256, 256], onGpu);
    })();
    assert.ok(gpuMemoryStats().liveBytes >= before + 20 * 256 * 1024);
    for (let i = 0; i < 5 && gpuMemoryStats().liveBytes > before + 256 * 1024; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(gpuMemoryStats().liveBytes <= before + 256 * 1024, 'the buffers were reclaimed');
  });

  test("a training loop's GPU memory stays flat: backward and library scopes release what they made", async () => {
    manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(20, 64), new nn.ReLU(), new nn.Linear(64, 5)).to('webgpu');
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = randn([64, 20], onGpu);
    const y = randint(0, 5, [64], { dtype: 'int32', device: 'webgpu' });
    const lossFn = new nn.CrossEntropyLoss();
    let afterWarmup = 0;
    for (let step = 0; step < 30; step++) {
      opt.zeroGrad();
      const loss = lossFn(model(x), y);
      loss.backward();
      opt.step();
      await loss.data();
      if (step === 4) afterWarmup = gpuMemoryStats().liveBytes;
    }
    // one step's activations are 64 x 64 floats (16 KiB each): 25 leaked steps would add megabytes
    assert.ok(gpuMemoryStats().liveBytes <= afterWarmup + 64 * 1024, `live GPU memory grew from ${afterWarmup} to ${gpuMemoryStats().liveBytes} bytes`);
  });

  test('a write after recorded kernels does not overtake them (small writes and large ones)', async () => {
    for (const n of [10, 5000]) {
      const x = randn([n], onGpu);
      const before = await values(x);
      const doubled = x.mul(2); // recorded, not yet submitted
      noGrad(() => x.normal_()); // writes x from the CPU
      assert.deepEqual(await values(doubled), before.map((v) => Math.fround(v * 2)), `n=${n}`);
      assert.notDeepEqual(await values(x), before);
    }
  });

  test('in-place ops read their operand before writing it (a buffer bound twice is copied)', async () => {
    const x = tensor([1, 2, 3, 4], onGpu);
    noGrad(() => x.add_(x).mul_(x));
    assert.deepEqual(await values(x), [4, 16, 36, 64]);
  });

  test('more kernels than one submission holds run in order', async () => {
    let acc = zeros([7], onGpu);
    for (let i = 0; i < 1300; i++) acc = acc.add(1);
    assert.deepEqual(await values(acc), new Array(7).fill(1300));
  });
});
