import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type DType, nn, tensor, zeros } from '../../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../../helpers.js';

interface ClipCase {
  dtype: DType;
  normType?: number | 'inf';
  maxNorm?: number;
  clipValue?: number;
  grads: FixtureTensor[];
  total?: number;
  clipped: FixtureTensor[];
  vector?: FixtureTensor;
}
const { cases } = loadFixture<{ cases: ClipCase[] }>('optim_clip');

function paramsWithGrads(c: ClipCase) {
  return c.grads.map((g) => {
    const p = zeros(g.shape, { dtype: c.dtype, requiresGrad: true });
    p.grad = fromFixture(g, { dtype: c.dtype });
    return p;
  });
}

for (const c of cases.filter((k) => k.maxNorm !== undefined)) {
  test(`clipGradNorm_ normType=${c.normType} maxNorm=${c.maxNorm} ${c.dtype} matches PyTorch`, () => {
    const params = paramsWithGrads(c);
    const normType = c.normType === 'inf' ? Infinity : c.normType!;
    const total = nn.utils.clipGradNorm_(params, c.maxNorm!, { normType });
    const rtol = c.dtype === 'float64' ? 1e-12 : 1e-5;
    assertClose(total, c.total!, { rtol });
    params.forEach((p, i) => assertClose(p.grad!, c.clipped[i], { rtol, atol: 1e-7 }));
  });
}

for (const c of cases.filter((k) => k.clipValue !== undefined)) {
  test(`clipGradValue_ and parametersToVector ${c.dtype} match PyTorch`, () => {
    const params = paramsWithGrads(c);
    nn.utils.clipGradValue_(params, c.clipValue!);
    params.forEach((p, i) => assertClose(p.grad!, c.clipped[i], { rtol: 0, atol: 0 }));
    const weights = c.grads.map((g) => fromFixture(g, { dtype: c.dtype }));
    assertClose(nn.utils.parametersToVector(weights), c.vector!, { rtol: 0, atol: 0 });
  });
}

test('vectorToParameters is the inverse of parametersToVector and checks sizes', () => {
  const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const b = tensor([5, 6], { requiresGrad: true });
  const v = nn.utils.parametersToVector([a, b]);
  nn.utils.vectorToParameters(v.mul(10), [a, b]);
  assert.deepEqual(Array.from(a.dataSync()), [10, 20, 30, 40]);
  assert.deepEqual(Array.from(b.dataSync()), [50, 60]);
  assert.throws(() => nn.utils.vectorToParameters(tensor([1, 2, 3]), [a, b]), /vectorToParameters: the vector has 3 elements but the parameters have 6/);
});

test('clipGradNorm_ with errorIfNonfinite refuses an infinite norm; no grads gives 0', () => {
  const p = zeros([2], { requiresGrad: true });
  p.grad = tensor([Infinity, 1]);
  assert.throws(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true }), /clipGradNorm_: the total norm of order 2 for gradients is non-finite \(Infinity\)/);
  assert.equal(nn.utils.clipGradNorm_([zeros([2], { requiresGrad: true })], 1).item(), 0);
  assert.throws(() => nn.utils.clipGradValue_([p], -1), /clipGradValue_: clipValue must be >= 0, got -1/);
});

test('clipGradNormAsync_ scales as clipGradNorm_ does and, with errorIfNonfinite, refuses an infinite norm with the same error, scaling nothing', async () => {
  const grads = [tensor([3, -4, 12]), tensor([[1, 2], [2, 1]])];
  const paramsWith = () => grads.map((g) => {
    const p = zeros(g.shape, { requiresGrad: true });
    p.grad = g.clone();
    return p;
  });
  const [sync, async] = [paramsWith(), paramsWith()];
  const expected = nn.utils.clipGradNorm_(sync, 2, { normType: 3 });
  const total = await nn.utils.clipGradNormAsync_(async, 2, { normType: 3, errorIfNonfinite: true });
  assert.equal(total.item(), expected.item());
  async.forEach((p, i) => assert.deepEqual(p.grad!.toArray(), sync[i].grad!.toArray()));
  const p = zeros([2], { requiresGrad: true });
  p.grad = tensor([Infinity, 1]);
  await assert.rejects(nn.utils.clipGradNormAsync_([p], 1, { errorIfNonfinite: true }), /clipGradNorm_: the total norm of order 2 for gradients is non-finite \(Infinity\)/);
  assert.deepEqual(p.grad.toArray(), [Infinity, 1], 'nothing scaled');
  assert.equal((await nn.utils.clipGradNormAsync_([zeros([2], { requiresGrad: true })], 1)).item(), 0);
});
