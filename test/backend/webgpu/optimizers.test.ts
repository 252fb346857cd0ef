// Optimizers that read values as they go, on webgpu: L-BFGS through stepAsync (its line search reads each
// trial's loss and slope) and Muon (its Newton–Schulz scale stays a tensor), against the same runs on wasm.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, manualSeed, nn, optim, randn } from '../../../src/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

/** A small regression problem made on wasm, moved to `device`: the model, its data and the loss. */
function problem(device: string) {
  manualSeed(21);
  const x = randn([24, 5]);
  const y = randn([24, 2]);
  const model = new nn.Sequential(new nn.Linear(5, 8), new nn.Tanh(), new nn.Linear(8, 2)).to(device);
  const [xs, ys] = [x.to(device), y.to(device)];
  const loss = () => nn.functional.mseLoss(model(xs) as Tensor, ys);
  return { model, loss };
}

async function lbfgsLosses(device: string, lineSearchFn: 'strongWolfe' | null): Promise<number[]> {
  const { model, loss } = problem(device);
  const opt = new optim.LBFGS(model.parameters(), { lr: lineSearchFn ? 1 : 0.5, maxIter: 5, historySize: 4, lineSearchFn });
  const closure = () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  };
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    await opt.stepAsync(closure);
    losses.push((await loss().data())[0]);
  }
  return losses;
}

function assertClose(got: number[], expected: number[], rtol: number, what: string): void {
  expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) <= rtol * Math.abs(e), `${what}, step ${i}: webgpu ${got[i]}, wasm ${e}`));
}

describe('optimizers that read, on webgpu', { skip }, () => {
  for (const lineSearchFn of ['strongWolfe', null] as const) {
    test(`LBFGS.stepAsync (lineSearchFn ${lineSearchFn}): the losses of wasm; step() is refused, naming stepAsync`, async () => {
      const cpu = await lbfgsLosses('wasm', lineSearchFn);
      assert.ok(cpu[2] < cpu[0] * 0.9, `L-BFGS should descend: ${cpu}`);
      const gpu = await lbfgsLosses('webgpu', lineSearchFn);
      assertClose(gpu, cpu, 1e-3, 'loss');
      const { model, loss } = problem('webgpu');
      const opt = new optim.LBFGS(model.parameters());
      assert.throws(() => opt.step(() => loss()), /LBFGS: step\(\) reads values synchronously, which webgpu cannot: use await opt.stepAsync\(closure\)/);
    });
  }

  test('Muon: the losses of wasm (the Newton–Schulz scale is a tensor, never read)', async () => {
    const run = async (device: string) => {
      const { model, loss } = problem(device);
      const opt = new optim.Muon(model.parameters(), { lr: 0.02 });
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        opt.zeroGrad();
        const l = loss();
        l.backward();
        opt.step();
        losses.push((await l.data())[0]);
      }
      return losses;
    };
    const cpu = await run('wasm');
    assert.ok(cpu[5] < cpu[0], `Muon should descend: ${cpu}`);
    assertClose(await run('webgpu'), cpu, 1e-4, 'loss');
  });
});
