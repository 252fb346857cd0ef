// In-place ops (what optimizers run under noGrad) against torch, and their interaction with autograd.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, empty, manualSeed, noGrad, tensor, zeros } from '../../src/index.js';
import { assertClose, loadFixture, type FixtureTensor } from '../helpers.js';

const fx = loadFixture<{ inplace: Record<string, FixtureTensor> }>('ops_tensor').inplace;
const t = () => tensor([[1, 2, 3], [4, 5, 6]]);
const a = tensor([0.5, -1, 2]);
const b = tensor([[2], [3]]);

test('in-place arithmetic matches torch, returns the tensor itself and bumps its version', () => {
  const x = t();
  const v = x.version;
  assert.equal(x.add_(a, -0.5), x);
  assert.ok(x.version > v);
  assertClose(x, fx.add_alpha);
  assertClose(t().sub_(b, 2), fx.sub_alpha);
  assertClose(t().mul_(a), fx.mul_);
  assertClose(t().div_(b), fx.div_, { rtol: 1e-6 });
  assertClose(t().pow_(0.5), fx.pow_, { rtol: 1e-6 });
  assertClose(t().addcmul_(a, b, 0.25), fx.addcmul_);
  assertClose(t().addcdiv_(a, b, -2), fx.addcdiv_, { rtol: 1e-6 });
  assertClose(t().clamp_(2.5, 4.5), fx.clamp_);
  assertClose(t().maximum_(3.5), fx.maximum_);
  assertClose(t().copy_(a), fx.copy_broadcast);
  assertClose(zeros([3], { dtype: 'int32' }).copy_(tensor([1.7, -1.7, 2.2])), fx.copy_to_int, { rtol: 0 });
  assertClose(t().add_(tensor([1, 2, 3], { dtype: 'int32' }), 0.5), fx.add_int_alpha_float);
  assert.deepEqual(t().fill_(2).toArray(), [[2, 2, 2], [2, 2, 2]]);
  assert.deepEqual(t().zero_().toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(tensor([4, 9]).sqrt_().toArray(), [2, 3]);
  assert.deepEqual(tensor([4, -9]).neg_().toArray(), [-4, 9]);
});

test('uniform_ and normal_ draw torch\'s numbers for the same seed', () => {
  manualSeed(0);
  assertClose(empty([7]).uniform_(-2, 3), fx.uniform_f32, { rtol: 1e-6 });
  manualSeed(0);
  assertClose(empty([5], { dtype: 'float64' }).uniform_(-2, 3), fx.uniform_f64, { rtol: 1e-12 });
  manualSeed(0);
  assertClose(empty([5]).normal_(1, 2), fx.normal_f32_5, { rtol: 1e-5, atol: 1e-6 });
  manualSeed(0);
  assertClose(empty([4, 5]).normal_(1, 2), fx.normal_f32_20, { rtol: 1e-5, atol: 1e-6 });
  const g = new Generator(0);
  assertClose(empty([7]).uniform_(-2, 3, g), fx.uniform_f32, { rtol: 1e-6 });
  assert.throws(() => empty([2]).normal_(0, -1), /normal_: expects std >= 0.0, got std=-1/);
  assert.throws(() => empty([2]).uniform_(1, 0), /uniform_: expects low <= high, got low=1, high=0/);
});

test('optimizer-style updates under noGrad leave the graph alone', () => {
  const w = tensor([1, 2], { requiresGrad: true });
  w.mul(w).sum().backward();
  noGrad(() => w.sub_(w.grad!, 0.1));
  assertClose(w, [0.8, 1.6], { rtol: 1e-6 });
  assert.equal(w.requiresGrad, true);
  assert.equal(w.isLeaf, true);
  assert.equal(w.gradFn, null);
});
