// Sparse embedding gradients (Embedding({ sparse: true })) against PyTorch: the coalesced indices and
// values, accumulation over several backward passes, clipping, zeroing, and what refuses them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dt from '../../src/index.js';
import { SparseTensor, type Tensor } from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';

const { nn } = dt;

interface GradCase {
  name: string;
  weight: FixtureTensor;
  index: FixtureTensor;
  paddingIdx: number | null;
  upstream: FixtureTensor;
  indices: FixtureTensor;
  values: FixtureTensor;
  dense: FixtureTensor;
}
const fx = loadFixture<{ grads: GradCase[]; clip: { grads: Record<string, FixtureTensor>; total: number; maxNorm: number } }>('nn_sparse');
const exact = { rtol: 0, atol: 0 };

for (const c of fx.grads) {
  test(`embedding with sparse: true: the gradient is PyTorch's (${c.name})`, () => {
    const weight = fromFixture(c.weight, { requiresGrad: true });
    const y = nn.functional.embedding(fromFixture(c.index, { dtype: 'int32' }), weight, { paddingIdx: c.paddingIdx, sparse: true });
    y.backward(fromFixture(c.upstream));
    const g = weight.grad!;
    assert.ok(g instanceof SparseTensor, 'a SparseTensor');
    assert.deepEqual(g.shape, weight.shape);
    const coalesced = g.coalesce();
    assertClose(coalesced.indices(), c.indices, exact);
    assertClose(coalesced.values(), c.values, { rtol: 1e-12, atol: 1e-14 });
    assertClose(g.toDense(), c.dense, { rtol: 1e-12, atol: 1e-14 });
  });
}

test('the sparse gradient equals the dense one; a second backward appends entries (uncoalesced) and the sum is right', () => {
  dt.manualSeed(1);
  const emb = new nn.Embedding(8, 3, { sparse: true, dtype: 'float64' });
  const dense = new nn.Embedding(8, 3, { dtype: 'float64' });
  dt.noGrad(() => dense.weight.copy_(emb.weight.detach()));
  for (const idx of [[1, 2, 1], [2, 7]]) {
    const input = dt.tensor(idx, { dtype: 'int32' });
    emb(input).pow(2).sum().backward();
    dense(input).pow(2).sum().backward();
  }
  const g = emb.weight.grad as SparseTensor;
  assert.equal(g.nnz, 5);
  assert.equal(g.coalesced, false);
  assert.throws(() => g.indices(), /not coalesced; call coalesce\(\) first/);
  assertClose(g.toDense(), dense.weight.grad!, { rtol: 1e-12, atol: 0 });
  assert.deepEqual(g.coalesce().indices().toArray(), [[1, 2, 7]]);
});

test('a sparse gradient has no dense storage: dense ops say so', () => {
  const emb = new nn.Embedding(5, 2, { sparse: true });
  emb(dt.tensor([1], { dtype: 'int32' })).sum().backward();
  assert.throws(() => emb.weight.grad!.add(1), /SparseTensor \[5,2\]: it has no dense storage; this op needs toDense\(\)/);
  assert.match(String(emb.weight.grad), /SparseTensor\(shape=\[5,2\], nnz=1/);
});

test('dense gradient + sparse gradient of one weight (a tied embedding) is dense', () => {
  const emb = new nn.Embedding(4, 2, { sparse: true, dtype: 'float64' });
  const out = emb(dt.tensor([3], { dtype: 'int32' })).sum().add(emb.weight.sum());
  out.backward();
  assert.ok(!(emb.weight.grad instanceof SparseTensor));
  assertClose(emb.weight.grad!, [1, 1, 1, 1, 1, 1, 2, 2]);
});

test('under createGraph the embedding gradient is dense and differentiable', () => {
  const weight = dt.randn([4, 2], { dtype: 'float64', requiresGrad: true });
  const y = nn.functional.embedding(dt.tensor([1, 1, 3], { dtype: 'int32' }), weight, { sparse: true }).pow(2).sum();
  const [g] = dt.grad(y, [weight], { createGraph: true });
  assert.ok(!(g instanceof SparseTensor));
  // the second gradient reaches the weight through the lookup again: sparse, as in PyTorch
  const [gg] = dt.grad(g.sum(), [weight]);
  assert.ok(gg instanceof SparseTensor);
  assertClose(gg.toDense(), [0, 0, 4, 4, 0, 0, 2, 2]);
});

test('clipGradNorm_ counts a sparse gradient coalesced (PyTorch\'s total) and scales it', () => {
  const emb = new nn.Embedding(6, 3, { sparse: true, dtype: 'float64' });
  const lin = new nn.Linear(3, 2, { dtype: 'float64' });
  // the fixture's gradients, put in place: the embedding's as a sparse tensor with a repeated row
  const denseEmb = fromFixture(fx.clip.grads.embedding);
  const rows = dt.tensor([1, 2, 5, 1], { dtype: 'int32' });
  const half = denseEmb.indexSelect(0, rows).mul(dt.tensor([[0.5], [1], [1], [0.5]], { dtype: 'float64' }));
  emb.weight.grad = new SparseTensor(rows.reshape([1, 4]), half, [6, 3]);
  lin.weight.grad = fromFixture(fx.clip.grads.linear_weight);
  lin.bias!.grad = fromFixture(fx.clip.grads.linear_bias);
  const total = nn.utils.clipGradNorm_([...emb.parameters(), ...lin.parameters()], fx.clip.maxNorm);
  assertClose(total, fx.clip.total, { rtol: 1e-12 });
  const scale = fx.clip.maxNorm / (fx.clip.total + 1e-6);
  assertClose((emb.weight.grad as SparseTensor).toDense(), denseEmb.mul(scale), { rtol: 1e-12, atol: 1e-15 });
  assert.throws(() => nn.utils.clipGradValue_(emb.parameters(), 1), /clipGradValue_: sparse gradients are not supported/);
});

test('zeroGrad: to null by default; with setToNone false a sparse gradient keeps no entries (as torch)', () => {
  const emb = new nn.Embedding(5, 2, { sparse: true });
  const opt = new dt.optim.SparseAdam(emb.parameters());
  const step = () => emb(dt.tensor([1, 3], { dtype: 'int32' })).sum().backward();
  step();
  opt.zeroGrad({ setToNone: false });
  const g = emb.weight.grad as SparseTensor;
  assert.equal(g.nnz, 0);
  assertClose(g.toDense(), dt.zeros([5, 2]));
  step();
  assert.equal((emb.weight.grad as SparseTensor).nnz, 2);
  emb.zeroGrad({ setToNone: false });
  assert.equal((emb.weight.grad as SparseTensor).nnz, 0);
  opt.zeroGrad();
  assert.equal(emb.weight.grad, null);
});

test('Embedding: sparse in repr and options; fromPretrained passes sparse on', () => {
  const emb = nn.Embedding.fromPretrained(dt.randn([3, 2]), { freeze: false, sparse: true });
  assert.equal(emb.sparse, true);
  assert.match(emb.toString(), /sparse=true/);
  emb(dt.tensor([0], { dtype: 'int32' })).sum().backward();
  assert.ok(emb.weight.grad instanceof SparseTensor);
  const t: Tensor = emb.weight.grad!;
  assert.equal(t.numel, 6);
});

interface BagCase {
  name: string;
  weight: FixtureTensor;
  input: FixtureTensor;
  offsets: FixtureTensor | null;
  options: { mode?: 'mean' | 'sum'; includeLastOffset?: boolean; paddingIdx?: number; perSampleWeights?: boolean };
  output: FixtureTensor;
  upstream: FixtureTensor;
  weightGrad: FixtureTensor;
  perSampleWeights?: FixtureTensor;
  perSampleWeightsGrad?: FixtureTensor;
}

for (const c of loadFixture<{ bags: BagCase[] }>('nn_sparse').bags) {
  test(`embeddingBag as torch.nn.functional.embedding_bag: ${c.name} (output and gradients)`, () => {
    const weight = fromFixture(c.weight, { requiresGrad: true });
    const psw = c.perSampleWeights ? fromFixture(c.perSampleWeights, { requiresGrad: true }) : null;
    const y = nn.functional.embeddingBag(fromFixture(c.input, { dtype: 'int32' }), weight, {
      offsets: c.offsets ? fromFixture(c.offsets, { dtype: 'int32' }) : null,
      mode: c.options.mode, includeLastOffset: c.options.includeLastOffset, paddingIdx: c.options.paddingIdx ?? null, perSampleWeights: psw,
    });
    assertClose(y, c.output, { rtol: 1e-12, atol: 1e-14 });
    y.backward(fromFixture(c.upstream));
    assertClose(weight.grad!, c.weightGrad, { rtol: 1e-12, atol: 1e-14 });
    if (psw) assertClose(psw.grad!, c.perSampleWeightsGrad!, { rtol: 1e-12, atol: 1e-14 });
  });
}

test('EmbeddingBag: the layer, sparse gradients, checks', () => {
  dt.manualSeed(0);
  const bag = new nn.EmbeddingBag(10, 4, { mode: 'sum', sparse: true, paddingIdx: 0 });
  assert.deepEqual(bag.weight.select(0, 0).toArray(), [0, 0, 0, 0]);
  const y = bag(dt.tensor([[1, 2, 0], [3, 3, 3]], { dtype: 'int32' }));
  assert.deepEqual(y.shape, [2, 4]);
  y.sum().backward();
  const g = (bag.weight.grad as SparseTensor).coalesce();
  assert.deepEqual(g.indices().toArray(), [[1, 2, 3]]);
  assertClose(g.values().select(0, 2), [3, 3, 3, 3]);
  assert.throws(() => bag(dt.tensor([1, 2], { dtype: 'int32' })), /a 1-d input needs offsets/);
  assert.throws(() => bag(dt.tensor([1, 2], { dtype: 'int32' }), dt.tensor([1], { dtype: 'int32' })), /offsets\[0\] must be 0, got 1/);
  assert.throws(() => nn.functional.embeddingBag(dt.tensor([[1]], { dtype: 'int32' }), dt.randn([3, 2]), { mode: 'max' as never }), /mode must be 'mean' or 'sum', got 'max'/);
  assert.throws(() => new nn.EmbeddingBag(5, 2, { mode: 'mean', per_sample_weights: 1 } as never), /EmbeddingBag: unknown option 'per_sample_weights'/);
  // finite differences agree with the backward, in the weight and in the per-sample weights
  const input = dt.tensor([4, 1, 4, 2, 0], { dtype: 'int32' });
  const offsets = dt.tensor([0, 2, 2], { dtype: 'int32' });
  const f = (w: dt.Tensor, psw: dt.Tensor) => nn.functional.embeddingBag(input, w, { offsets, mode: 'sum', perSampleWeights: psw });
  assert.equal(dt.gradcheck(f, [dt.randn([5, 3], { dtype: 'float64' }).requiresGrad_(), dt.rand([5], { dtype: 'float64' }).requiresGrad_()]), true);
  const mean = (w: dt.Tensor) => nn.functional.embeddingBag(input, w, { offsets, paddingIdx: 4 });
  assert.equal(dt.gradcheck(mean, [dt.randn([5, 3], { dtype: 'float64' }).requiresGrad_()]), true);
});
