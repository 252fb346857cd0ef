import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, optim, tensor } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('LBFGS', (params, options) => new optim.LBFGS(params, options));

test('LBFGS with strong Wolfe minimizes the Rosenbrock function', () => {
  const xy = tensor([-1.5, 2.0], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.LBFGS([xy], { lineSearchFn: 'strongWolfe', maxIter: 100, historySize: 10 });
  const f = () => {
    const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
    return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
  };
  for (let i = 0; i < 5; i++) opt.step(() => { opt.zeroGrad(); const l = f(); l.backward(); return l; });
  assert.ok(Math.abs(xy.dataSync()[0] - 1) < 1e-4 && Math.abs(xy.dataSync()[1] - 1) < 1e-4, `ended at ${xy.dataSync()}`);
});

test('LBFGS refuses several groups, a missing closure and an unknown line search', () => {
  const a = tensor([1], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  assert.throws(() => new optim.LBFGS([{ params: [a] }, { params: [b] }]), /LBFGS: doesn't support per-parameter options/);
  assert.throws(() => new optim.LBFGS([a]).step(), /LBFGS: step\(\) needs a closure/);
  assert.throws(() => new optim.LBFGS([a], { lineSearchFn: 'armijo' as 'strongWolfe' }), /lineSearchFn must be 'strongWolfe' or null, got 'armijo'/);
});

test('LBFGS.stepAsync takes the same iterations as step, to the bit, with an async closure', async () => {
  const rosenbrock = (xy: Tensor) => {
    const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
    return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
  };
  for (const lineSearchFn of ['strongWolfe', null] as const) {
    const run = async (asynchronous: boolean) => {
      const xy = tensor([-1.5, 2.0], { dtype: 'float64', requiresGrad: true });
      const opt = new optim.LBFGS([xy], { lineSearchFn, lr: lineSearchFn ? 1 : 1e-3, maxIter: 20, historySize: 5 });
      const losses: (Tensor | number)[] = [];
      for (let i = 0; i < 3; i++) {
        if (!asynchronous) losses.push(opt.step(() => { opt.zeroGrad(); const l = rosenbrock(xy); l.backward(); return l; }));
        else {
          const loss = await opt.stepAsync(async () => {
            opt.zeroGrad();
            await new Promise((resolve) => setImmediate(resolve)); // grad mode must hold across the closure's awaits
            const l = rosenbrock(xy);
            l.backward();
            return l;
          });
          losses.push(loss);
        }
      }
      return { xy: Array.from(xy.dataSync()), losses: losses.map((l) => (typeof l === 'number' ? l : l.item())) };
    };
    const sync = await run(false);
    const viaAsync = await run(true);
    assert.deepEqual(viaAsync, sync, `lineSearchFn ${lineSearchFn}`);
    assert.notDeepEqual(sync.xy, [-1.5, 2.0], 'the parameters moved');
  }
});
