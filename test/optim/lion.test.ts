import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, tensor } from '../../src/index.js';
import { assertClose } from '../helpers.js';
import { illConditioned, minimize, rosenbrock } from './problems.js';

test('Lion: two steps computed by hand', () => {
  const p = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.Lion([p], { lr: 0.1, betas: [0.9, 0.99], weightDecay: 0.1 });
  p.grad = tensor([0.5, -0.1], { dtype: 'float64' });
  opt.step();
  // θ(1 - 0.01) - 0.1 sign(0.1 g); m = 0.01 g
  assertClose(p, [0.89, -1.88], { rtol: 1e-12 });
  assertClose(opt.state.get(p)!.expAvg as never, [0.005, -0.001], { rtol: 1e-12 });
  p.grad = tensor([-0.2, -0.1], { dtype: 'float64' });
  opt.step();
  // c = 0.9 m + 0.1 g = [-0.0155, -0.0109] -> sign -1; θ = 0.99 θ + 0.1; m = 0.99 m + 0.01 g
  assertClose(p, [0.9811, -1.7612], { rtol: 1e-12 });
  assertClose(opt.state.get(p)!.expAvg as never, [0.00295, -0.00199], { rtol: 1e-10 });
});

test('Lion: maximize flips the direction', () => {
  const p = tensor([0], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.Lion([p], { lr: 0.5, maximize: true });
  p.grad = tensor([3], { dtype: 'float64' });
  opt.step();
  assert.equal(p.dataSync()[0], 0.5);
});

test('Lion converges on the ill-conditioned quadratic and the Rosenbrock function', () => {
  const q = minimize(illConditioned, [3, 2], (p) => new optim.Lion(p, { lr: 0.01 }), 600);
  assert.ok(q.loss < 1e-3, `quadratic loss ${q.loss}`);
  const r = minimize(rosenbrock, [-1.5, 2], (p) => new optim.Lion(p, { lr: 3e-3, betas: [0.9, 0.99] }), 3000);
  assert.ok(r.loss < 1e-2, `rosenbrock loss ${r.loss}`);
});
