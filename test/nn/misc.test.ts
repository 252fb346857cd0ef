import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, nn, ones, randn, tensor } from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';

test('Dropout with a Generator draws a reproducible mask, scales kept elements by 1/(1-p), and p=1 zeroes all', () => {
  const x = ones([1000]);
  const a = new nn.Dropout(0.25, { generator: new Generator(5) })(x);
  const b = new nn.Dropout(0.25, { generator: new Generator(5) })(x);
  const c = new nn.Dropout(0.25, { generator: new Generator(6) })(x);
  assertClose(a, b, { rtol: 0, atol: 0 });
  assert.ok(a.dataSync().some((v, i) => v !== c.dataSync()[i]), 'another seed gives another mask');
  assert.ok(a.dataSync().every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  const kept = a.dataSync().filter((v) => v !== 0).length;
  assert.ok(kept > 700 && kept < 800, `about 750 kept, got ${kept}`);
  assert.ok(nn.F.dropout(x, 1).dataSync().every((v) => v === 0));
  assert.equal(nn.F.dropout(x, 0.5, false), x);
  assert.throws(() => nn.F.dropout(x, -0.1), /probability has to be between 0 and 1, but got -0.1/);
});

test('Embedding: paddingIdx row starts at zero and gets no gradient; fromPretrained copies and freezes', () => {
  const emb = new nn.Embedding(5, 3, { paddingIdx: -1 });
  assert.equal(emb.paddingIdx, 4);
  assert.deepEqual(Array.from(emb.weight.dataSync().slice(12)), [0, 0, 0]);
  emb(tensor([4, 1, 4], { dtype: 'int32' })).sum().backward();
  const grad = emb.weight.grad!;
  assert.deepEqual(Array.from(grad.dataSync().slice(12)), [0, 0, 0]);
  assert.deepEqual(Array.from(grad.dataSync().slice(3, 6)), [1, 1, 1]);
  const table = randn([4, 2]);
  const frozen = nn.Embedding.fromPretrained(table);
  assert.equal(frozen.weight.requiresGrad, false);
  assertClose(frozen(tensor([[3, 0]], { dtype: 'int32' })), [table.dataSync()[6], table.dataSync()[7], table.dataSync()[0], table.dataSync()[1]]);
  assert.equal(nn.Embedding.fromPretrained(table, { freeze: false }).weight.requiresGrad, true);
});

test('maxPool2dWithIndices returns PyTorch\'s flat indices (first maximum wins on ties)', () => {
  const fx = loadFixture<Record<string, Record<string, FixtureTensor>>>('nn_pool');
  const t = fx.maxpool_indices_ties;
  const r = nn.F.maxPool2dWithIndices(fromFixture(t.input), 2, { stride: 1, padding: 1 });
  assertClose(r.values, t.values, { rtol: 0, atol: 0 });
  assertClose(r.indices, t.indices, { rtol: 0, atol: 0 });
  const u = fx.maxpool1d_indices;
  const r1 = nn.F.maxPool1dWithIndices(fromFixture(u.input), 3, { stride: 2, dilation: 2 });
  assertClose(r1.values, u.values, { rtol: 0, atol: 0 });
  assertClose(r1.indices, u.indices, { rtol: 0, atol: 0 });
});

test('unfold and fold are adjoint: <unfold(x), y> = <x, fold(y)>', () => {
  const x = randn([2, 3, 5, 4], { dtype: 'float64' });
  const opts = { stride: [2, 1] as [number, number], padding: 1, dilation: [1, 2] as [number, number] };
  const cols = nn.F.unfold(x, [2, 2], opts);
  const y = randn(cols.shape, { dtype: 'float64' });
  const lhs = cols.mul(y).sum().item();
  const rhs = x.mul(nn.F.fold(y, [5, 4], [2, 2], opts)).sum().item();
  assert.ok(Math.abs(lhs - rhs) < 1e-9 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
});

test('maxPool2d propagates NaN as PyTorch does (a NaN in the window wins)', () => {
  const x = tensor([[[[1, NaN], [3, 2]]]]);
  const { values, indices } = nn.F.maxPool2dWithIndices(x, 2);
  assert.ok(Number.isNaN(values.item()));
  assert.equal(indices.item(), 1);
});

test('F.pad reflect, replicate, circular and constant match PyTorch, gradients included', () => {
  type PadCase = { padding: number[]; mode: nn.F.PaddingMode; input: FixtureTensor; output: FixtureTensor; gradOutput: FixtureTensor; inputGrad: FixtureTensor };
  const cases = loadFixture<{ pad: Record<string, PadCase> }>('nn_conv').pad;
  for (const [name, c] of Object.entries(cases)) {
    const x = fromFixture(c.input, { requiresGrad: true });
    const y = nn.F.pad(x, c.padding, c.mode, 0.5);
    assertClose(y, c.output, { rtol: 1e-12, message: name });
    y.backward(fromFixture(c.gradOutput));
    assertClose(x.grad!, c.inputGrad, { rtol: 1e-12, message: `${name} grad` });
  }
  assert.throws(() => nn.F.pad(tensor([[1, 2]]), [2, 0], 'reflect'), /reflect padding \(2, 0\) of dim 1 must be smaller than its size 2/);
});
