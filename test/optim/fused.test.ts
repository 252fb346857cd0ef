import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, registerBackend, setBackend, tensor } from '../../src/index.js';
import { jsBackend } from '../../src/backend/js/index.js';

test('a backend without fused optimizer kernels falls back to the reference ones', () => {
  const run = () => {
    const p = tensor([1, -2, 3], { dtype: 'float64', requiresGrad: true });
    const q = tensor([0.5, 0.5], { dtype: 'float64', requiresGrad: true });
    const sgd = new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true });
    const adam = new optim.AdamW([q], { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      p.grad = tensor([0.3, -0.1, i], { dtype: 'float64' });
      q.grad = tensor([1, -1], { dtype: 'float64' });
      sgd.step();
      adam.step();
    }
    return [...p.data, ...q.data];
  };
  const expected = run();
  registerBackend({ ...jsBackend, name: 'js-without-fused', sgdStep: undefined, adamStep: undefined });
  setBackend('js-without-fused');
  try {
    assert.deepEqual(run(), expected);
  } finally {
    setBackend('js');
  }
});

test('fused SGD bumps the parameter version (autograd sees the in-place change)', () => {
  const p = tensor([1], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.1 });
  p.grad = tensor([1]);
  const before = p.version;
  opt.step();
  assert.equal(p.version, before + 1);
});

test('a backend that provides sgdStep/adamStep gets the updates', () => {
  const calls: string[] = [];
  registerBackend({
    ...jsBackend,
    name: 'js-spy',
    sgdStep: (...args) => { calls.push('sgd'); jsBackend.sgdStep!(...args); },
    adamStep: (...args) => { calls.push('adam'); jsBackend.adamStep!(...args); },
  });
  setBackend('js-spy');
  try {
    const p = tensor([1], { requiresGrad: true });
    p.grad = tensor([1]);
    new optim.SGD([p], { lr: 0.1 }).step();
    new optim.Adam([p], { lr: 0.1 }).step();
    assert.deepEqual(calls, ['sgd', 'adam']);
  } finally {
    setBackend('js');
  }
});
