// The training diagnostics on webgpu against wasm: lrFindAsync (each loss read with await), GradientMonitor
// (norms summed on the GPU, read once per measured step) and clipGradNormAsync_ with errorIfNonfinite.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, manualSeed, nn, optim, randint, randn, tensor, zeros } from '../../../src/index.js';
import { GradientMonitor, fit, lrFind, lrFindAsync } from '../../../src/train/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

const near = (got: number, expected: number, rtol: number, what: string) =>
  assert.ok(Math.abs(got - expected) <= rtol * Math.abs(expected) + 1e-7, `${what}: webgpu ${got}, wasm ${expected}`);

describe('training diagnostics on webgpu', { skip }, () => {
  manualSeed(5);
  const x = randn([24, 5], { device: 'wasm' });
  const y = randint(0, 3, [24], { dtype: 'int32', device: 'wasm' });
  const batchesOn = (device: string) => [0, 8, 16].map((at) => [x.narrow(0, at, 8).to(device), y.narrow(0, at, 8).to(device)] as [Tensor, Tensor]);
  const modelOn = (device: string) => {
    manualSeed(13);
    return new nn.Sequential(new nn.Linear(5, 8), new nn.Tanh(), new nn.Linear(8, 3)).to(device);
  };

  test('lrFindAsync on webgpu: the sweep, losses, stop and suggestion of lrFind on wasm; the model is put back; lrFind itself refuses', async () => {
    const sweep = (model: nn.Module, device: string) => ({
      data: batchesOn(device), loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 }),
      startLr: 1e-3, endLr: 50, numSteps: 12,
    });
    const cpuModel = modelOn('wasm');
    const cpu = lrFind(cpuModel, sweep(cpuModel, 'wasm'));
    const gpuModel = modelOn('webgpu');
    const before = await Promise.all(Object.values(gpuModel.stateDict()).map((t) => t.data()));
    const gpu = await lrFindAsync(gpuModel, sweep(gpuModel, 'webgpu'));
    assert.deepEqual(gpu.lrs, cpu.lrs);
    assert.equal(gpu.stopReason, cpu.stopReason);
    assert.ok(cpu.losses.length >= 5, `swept ${cpu.losses.length} steps`);
    gpu.losses.forEach((l, i) => near(l, cpu.losses[i], 1e-4, `loss ${i}`));
    assert.equal(gpu.suggestion, cpu.suggestion);
    const after = await Promise.all(Object.values(gpuModel.stateDict()).map((t) => t.data()));
    assert.deepEqual(after, before, 'the model is put back');
    assert.throws(() => lrFind(gpuModel, sweep(gpuModel, 'webgpu')), /await t.data\(\)/);
    const again = await Promise.all(Object.values(gpuModel.stateDict()).map((t) => t.data()));
    assert.deepEqual(again, before, 'a sweep that threw puts the model back too');
  });

  test("GradientMonitor on webgpu (pipelined fit): wasm's per-layer gradient norms and update ratios, and the same warnings", async () => {
    const monitored = async (device: string) => {
      const model = modelOn(device);
      const monitor = new GradientMonitor({ every: 2, vanishingThreshold: 1e-7, explodingThreshold: 0.3 });
      await fit(model, { data: batchesOn(device), loss: nn.functional.crossEntropy, optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), epochs: 2, callbacks: [monitor] });
      return monitor;
    };
    const cpu = await monitored('wasm');
    const gpu = await monitored('webgpu');
    assert.deepEqual(gpu.records.map((r) => r.step), [1, 2, 4, 6]);
    assert.deepEqual(gpu.records.map((r) => r.step), cpu.records.map((r) => r.step));
    gpu.records.forEach((r, i) => {
      for (const [layer, h] of Object.entries(r.layers)) {
        near(h.gradNorm, cpu.records[i].layers[layer].gradNorm, 1e-4, `step ${r.step} ${layer} gradient norm`);
        near(h.updateRatio, cpu.records[i].layers[layer].updateRatio, 1e-3, `step ${r.step} ${layer} update ratio`);
      }
    });
    assert.ok(cpu.warnings.length > 0, 'the threshold flags some layer');
    assert.deepEqual(gpu.warnings, cpu.warnings);
  });

  test('clipGradNormAsync_ on webgpu: the norm and scaled gradients of wasm; errorIfNonfinite throws as there, and clipGradNorm_ names the async form', async () => {
    const clipped = async (device: string, values: number[]) => {
      const p = zeros([4], { requiresGrad: true, device });
      p.grad = tensor(values, { device });
      const total = await nn.utils.clipGradNormAsync_([p], 1, { errorIfNonfinite: true });
      return { total: (await total.data())[0], grad: Array.from(await p.grad.data()) };
    };
    const cpu = await clipped('wasm', [3, -4, 1, 2]);
    const gpu = await clipped('webgpu', [3, -4, 1, 2]);
    near(gpu.total, cpu.total, 1e-6, 'total norm');
    gpu.grad.forEach((g, i) => near(g, cpu.grad[i], 1e-6, `gradient ${i}`));
    await assert.rejects(clipped('webgpu', [1, Infinity, 0, 0]), /clipGradNorm_: the total norm of order 2 for gradients is non-finite \(Infinity\)/);
    const p = zeros([2], { requiresGrad: true, device: 'webgpu' });
    p.grad = tensor([1, 2], { device: 'webgpu' });
    assert.throws(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true }), /await nn.utils.clipGradNormAsync_/);
  });
});
