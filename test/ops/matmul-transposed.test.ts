import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, matmul, randn } from '../../src/index.js';
import { matmulTransposed } from '../../src/ops/linalg.js';
import { assertClose } from '../helpers.js';

test('matmulTransposed(x, w) equals matmul(x, wᵀ) with its gradients, for 1-d, 2-d and 3-d x', () => {
  const g = new Generator().manualSeed(4);
  for (const shape of [[5], [7, 5], [2, 3, 5]]) {
    const x = randn(shape, { generator: g, requiresGrad: true });
    const w = randn([4, 5], { generator: g, requiresGrad: true });
    const ours = matmulTransposed(x, w);
    ours.square().sum().backward();
    const [gx, gw] = [x.grad!, w.grad!];
    x.grad = null;
    w.grad = null;
    const reference = matmul(x, w.t());
    reference.square().sum().backward();
    assertClose(ours, reference, { rtol: 1e-6, atol: 1e-6 });
    assertClose(gx, x.grad!, { rtol: 1e-5, atol: 1e-5 });
    assertClose(gw, w.grad!, { rtol: 1e-5, atol: 1e-5 });
  }
  assert.throws(() => matmulTransposed(randn([2, 3]), randn([4, 5])), /matmulTransposed: expected x \[\*, 5\] and weight \[n, 5\], got shapes \[2, ?3\] and \[4, ?5\]/);
});
