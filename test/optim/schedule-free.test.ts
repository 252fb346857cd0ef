import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, optim, tensor } from '../../src/index.js';
import { assertClose } from '../helpers.js';
import { illConditioned, minimize, rosenbrock } from './problems.js';

test('SGDScheduleFree: two steps by hand, and eval()/train() swap between x and y', () => {
  const p = tensor([1], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.SGDScheduleFree([p], { lr: 0.1, momentum: 0.5 });
  p.grad = tensor([2], { dtype: 'float64' });
  opt.step(); // c = 1: z = x = y = 1 - 0.2
  assertClose(p, [0.8], { rtol: 1e-12 });
  p.grad = tensor([1], { dtype: 'float64' });
  opt.step(); // c = 1/2: z = 0.7, x = 0.75, y = 0.5 z + 0.5 x = 0.725
  assertClose(p, [0.725], { rtol: 1e-12 });
  opt.eval();
  assertClose(p, [0.75], { rtol: 1e-12 });
  opt.eval(); // idempotent
  assertClose(p, [0.75], { rtol: 1e-12 });
  assert.throws(() => opt.step(), /SGDScheduleFree: step\(\) called in eval mode; call optimizer.train\(\) first/);
  opt.train();
  assertClose(p, [0.725], { rtol: 1e-12 });
});

/** The three sequences written out explicitly, as in the paper (Algorithm 1), with warmup and weighting. */
function referenceScheduleFree(gradAt: (y: number[]) => number[], y0: number[], steps: number, o: { lr: number; beta: number; adam?: { beta2: number; eps: number }; wd: number; warmup: number }) {
  let z = [...y0];
  let x = [...y0];
  let y = [...y0];
  let v = y0.map(() => 0);
  let lrMax = -1;
  let weightSum = 0;
  for (let k = 0; k < steps; k++) {
    const g = gradAt(y);
    let lr = o.lr * (k < o.warmup ? (k + 1) / o.warmup : 1);
    let d = g;
    if (o.adam) {
      const { beta2, eps } = o.adam;
      lr *= Math.sqrt(1 - beta2 ** (k + 1));
      v = v.map((vi, i) => beta2 * vi + (1 - beta2) * g[i] * g[i]);
      d = g.map((gi, i) => gi / (Math.sqrt(v[i]) + eps));
    }
    d = d.map((di, i) => di + o.wd * y[i]);
    lrMax = Math.max(lr, lrMax);
    const weight = lrMax ** 2;
    weightSum += weight;
    const c = weight / weightSum;
    z = z.map((zi, i) => zi - lr * d[i]);
    x = x.map((xi, i) => (1 - c) * xi + c * z[i]);
    y = z.map((zi, i) => (1 - o.beta) * zi + o.beta * x[i]);
  }
  return { x, y };
}

const gradOfQuadratic = (y: number[]) => [y[0] + Math.sin(y[1]), 50 * y[1] + 0.3 * y[0] ** 2];

for (const adam of [false, true]) {
  const name = adam ? 'AdamWScheduleFree' : 'SGDScheduleFree';
  test(`${name}: matches the explicit x, y, z sequences over 25 steps (warmup, weight decay)`, () => {
    const p = tensor([1.5, -0.7], { dtype: 'float64', requiresGrad: true });
    const opt = adam
      ? new optim.AdamWScheduleFree([p], { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01, warmupSteps: 5 })
      : new optim.SGDScheduleFree([p], { lr: 0.01, momentum: 0.8, weightDecay: 0.01, warmupSteps: 5 });
    for (let i = 0; i < 25; i++) {
      p.grad = tensor(gradOfQuadratic(Array.from(p.dataSync())), { dtype: 'float64' });
      opt.step();
    }
    const ref = referenceScheduleFree(gradOfQuadratic, [1.5, -0.7], 25, { lr: adam ? 0.05 : 0.01, beta: 0.8, wd: 0.01, warmup: 5, adam: adam ? { beta2: 0.99, eps: 1e-6 } : undefined });
    assertClose(p, ref.y, { rtol: 1e-10, atol: 1e-12 });
    opt.eval();
    assertClose(p, ref.x, { rtol: 1e-10, atol: 1e-12 });
  });
}

test('schedule-free rules converge on the ill-conditioned quadratic and the Rosenbrock function (evaluated at x)', () => {
  const run = (f: typeof rosenbrock, make: (p: Tensor[]) => optim.SGDScheduleFree | optim.AdamWScheduleFree, steps: number) => {
    let opt: optim.SGDScheduleFree | optim.AdamWScheduleFree | undefined;
    const { xy } = minimize(f, [-1.5, 2], (p) => (opt = make(p)), steps);
    opt!.eval();
    return f(xy).item();
  };
  const start = illConditioned(tensor([-1.5, 2], { dtype: 'float64' })).item();
  const q = run(illConditioned, (p) => new optim.SGDScheduleFree(p, { lr: 0.02, momentum: 0.9 }), 400);
  assert.ok(q < start * 1e-4, `SGDScheduleFree quadratic loss ${start} -> ${q}`);
  const r = run(rosenbrock, (p) => new optim.AdamWScheduleFree(p, { lr: 0.02 }), 3000);
  assert.ok(r < 1e-2, `AdamWScheduleFree rosenbrock loss ${r}`);
});
