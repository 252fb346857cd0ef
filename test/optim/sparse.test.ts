// The rules that take sparse gradients (SparseAdam, SGD, Adagrad) against PyTorch trajectories of an
// Embedding(12, 4, sparse=True) (tools/gen_sparse_fixtures.py), and the rules that refuse them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dt from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';

const { nn, optim } = dt;

interface Trajectory {
  rule: 'SparseAdam' | 'SGD' | 'Adagrad';
  options: Record<string, unknown>;
  dtype: 'float32' | 'float64';
  weights: FixtureTensor[];
}
const fx = loadFixture<{ init: FixtureTensor; target: FixtureTensor; batches: number[][]; trajectories: Trajectory[] }>('nn_sparse');

function makeOptimizer(rule: Trajectory['rule'], params: Iterable<dt.Tensor>, options: Record<string, unknown>): dt.optim.Optimizer {
  if (rule === 'SparseAdam') return new optim.SparseAdam(params, options);
  if (rule === 'SGD') return new optim.SGD(params, options as { lr: number });
  return new optim.Adagrad(params, options);
}

for (const c of fx.trajectories) {
  test(`${c.rule} ${JSON.stringify(c.options)} ${c.dtype}: PyTorch's weights after each step`, () => {
    const emb = new nn.Embedding(12, 4, { sparse: true, dtype: c.dtype });
    dt.noGrad(() => emb.weight.copy_(fromFixture(fx.init)));
    const target = fromFixture(fx.target, { dtype: c.dtype });
    const opt = makeOptimizer(c.rule, emb.parameters(), c.options);
    // float32: PyTorch's BLAS may fuse the multiply-add of a sparse update
    const tol = c.dtype === 'float64' ? { rtol: 1e-12, atol: 1e-13 } : { rtol: 2e-6, atol: 2e-6 };
    fx.batches.forEach((batch, step) => {
      opt.zeroGrad();
      const y = emb(dt.tensor(batch, { dtype: 'int32' }));
      y.mul(target).sum().add(y.pow(2).sum().mul(0.5)).backward();
      opt.step();
      assertClose(emb.weight, c.weights[step], { ...tol, message: `step ${step + 1}` });
    });
  });
}

test('the dense rules refuse sparse gradients, as PyTorch; SparseAdam refuses dense ones', () => {
  const emb = new nn.Embedding(5, 2, { sparse: true });
  emb(dt.tensor([1, 2], { dtype: 'int32' })).sum().backward();
  for (const opt of [new optim.Adam(emb.parameters()), new optim.AdamW(emb.parameters()), new optim.RMSprop(emb.parameters()), new optim.Lion(emb.parameters())]) {
    assert.throws(() => opt.step(), new RegExp(`${opt.name} does not support sparse gradients .*use optim.SparseAdam, SGD or Adagrad`));
  }
  assert.throws(() => new optim.LBFGS(emb.parameters()).step(() => emb(dt.tensor([1], { dtype: 'int32' })).sum()), /LBFGS does not support sparse gradients/);
  assert.throws(() => new optim.SGD(emb.parameters(), { lr: 0.1, weightDecay: 0.1 }).step(), /SGD: weightDecay is not supported with sparse gradients/);
  assert.throws(() => new optim.Adagrad(emb.parameters(), { weightDecay: 0.1 }).step(), /Adagrad: weightDecay is not supported with sparse gradients/);
  const dense = new nn.Linear(2, 2);
  dense(dt.randn([1, 2])).sum().backward();
  assert.throws(() => new optim.SparseAdam(dense.parameters()).step(), /SparseAdam does not support dense gradients, please consider Adam instead/);
  assert.throws(() => new optim.SparseAdam(dense.parameters(), { betas: [0.9, 1] }), /SparseAdam: betas\[1\] must be in \[0, 1\)/);
});

test('SparseAdam leaves rows outside the gradient (and their moments) untouched, and its state round-trips', () => {
  const emb = new nn.Embedding(6, 3, { sparse: true });
  const before = emb.weight.dataSync();
  const opt = new optim.SparseAdam(emb.parameters(), { lr: 0.1 });
  emb(dt.tensor([2, 4], { dtype: 'int32' })).sum().backward();
  opt.step();
  const after = emb.weight.dataSync();
  for (let r = 0; r < 6; r++) {
    const changed = [0, 1, 2].some((j) => after[r * 3 + j] !== before[r * 3 + j]);
    assert.equal(changed, r === 2 || r === 4, `row ${r}`);
  }
  const copy = new optim.SparseAdam(emb.parameters(), { lr: 0.1 });
  copy.loadStateDict(opt.stateDict());
  assert.equal(copy.state.get(emb.weight)!.step, 1);
});
