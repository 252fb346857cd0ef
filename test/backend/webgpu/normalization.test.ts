// BatchNorm's cumulative average (momentum null) on webgpu: the count comes from forward, never read back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualSeed, nn, randn, tensor } from '../../../src/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

describe('BatchNorm with momentum null on webgpu', { skip }, () => {
  test('running statistics equal to wasm over several batches, after resetRunningStats too; a count loaded from outside is refused by name', async () => {
    manualSeed(3);
    const batches = [0, 1, 2].map(() => randn([6, 4]).mul(2).add(1));
    const run = async (device: string) => {
      const bn = new nn.BatchNorm1d(4, { momentum: null }).to(device);
      for (const x of batches) bn(x.to(device));
      bn.resetRunningStats();
      for (const x of batches) bn(x.to(device));
      return { mean: Array.from(await bn.runningMean!.data()), variance: Array.from(await bn.runningVar!.data()), count: (await bn.numBatchesTracked!.data())[0] };
    };
    const cpu = await run('wasm');
    const gpu = await run('webgpu');
    assert.equal(gpu.count, 3);
    assert.equal(cpu.count, 3);
    gpu.mean.forEach((m, i) => assert.ok(Math.abs(m - cpu.mean[i]) <= 1e-5 * (1 + Math.abs(cpu.mean[i])), `mean ${i}: ${m} vs ${cpu.mean[i]}`));
    gpu.variance.forEach((v, i) => assert.ok(Math.abs(v - cpu.variance[i]) <= 1e-5 * (1 + cpu.variance[i]), `variance ${i}: ${v} vs ${cpu.variance[i]}`));

    const bn = new nn.BatchNorm1d(4, { momentum: null }).to('webgpu');
    bn.numBatchesTracked!.copy_(tensor(7, { dtype: 'int32' }).to('webgpu'));
    assert.throws(() => bn(batches[0].to('webgpu')), /BatchNorm1d\(4\): momentum null weighs each batch by 1\/numBatchesTracked, which was changed outside forward .* webgpu cannot read synchronously/);
  });
});
