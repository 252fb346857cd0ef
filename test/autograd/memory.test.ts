// Users never free tensors: a long training loop must leave nothing behind for the garbage collector to miss
// (graphs freed after backward, no global registries of tensors or hooks).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { noGrad, tensor, type Tensor } from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, as bench/rosenbrock.ts. */
const rosenbrock = (x: Tensor, y: Tensor) => x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));

test('100,000 SGD steps through autograd stay bounded in memory', () => {
  const x = tensor(-1.5, { requiresGrad: true });
  const y = tensor(2.0, { requiresGrad: true });
  let last: Tensor | null = null;
  const step = () => {
    const f = rosenbrock(x, y);
    x.grad = null;
    y.grad = null;
    f.backward();
    noGrad(() => {
      x.sub_(x.grad!.mul(1e-4));
      y.sub_(y.grad!.mul(1e-4));
    });
    last = f; // keep one graph alive across iterations, as a user's `loss` variable would
  };
  for (let i = 0; i < 10_000; i++) step();
  const at10k = heapAfterGc();
  for (let i = 0; i < 90_000; i++) step();
  const at100k = heapAfterGc();
  const growth = at100k - at10k;
  // 90,000 more steps create about 2 million tensors; a leak of even one small object per step
  // (a graph node, a hook, a Map entry) would add several MB
  assert.ok(growth < 1_000_000, `heap grew by ${(growth / 1e6).toFixed(2)} MB between step 10k and 100k`);
  assert.ok(last !== null);
  assert.ok(x.item() > -1.5, 'the loop actually optimized');
});
