import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Generator, bernoulli, manualSeed, multinomial, rand, randLike, randint, randintLike, randn, randnLike, randperm, tensor, zeros,
} from '../../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';

const fx = loadFixture<Record<string, FixtureTensor>>('random');

test('rand matches torch.rand after the same manual_seed (float32 and float64)', () => {
  manualSeed(0);
  assertClose(rand([7]), fx.rand_f32, { rtol: 0, atol: 0 });
  manualSeed(0);
  assertClose(rand([5], { dtype: 'float64' }), fx.rand_f64, { rtol: 0, atol: 0 });
});

test('randn matches torch.randn, below and above the 16-element vectorized path', () => {
  manualSeed(0);
  assertClose(randn([5]), fx.randn_5, { rtol: 1e-6, atol: 1e-6 });
  manualSeed(0);
  assertClose(randn([37]), fx.randn_37, { rtol: 1e-6, atol: 1e-6 });
  manualSeed(0);
  assertClose(randn([3, 16], { dtype: 'float64' }), fx.randn_f64_48, { rtol: 1e-12, atol: 1e-12 });
});

test('randint and randperm match torch', () => {
  manualSeed(0);
  assertClose(randint(0, 10, [8]), fx.randint_8, { rtol: 0, atol: 0 });
  manualSeed(0);
  assertClose(randperm(10), fx.randperm_10, { rtol: 0, atol: 0 });
});

test('a Generator is independent of the default stream and can be saved and restored', () => {
  const g = new Generator(42);
  const state = g.getState();
  const a = rand([4], { generator: g });
  manualSeed(1);
  rand([3]);
  g.setState(state);
  assertClose(rand([4], { generator: g }), a, { rtol: 0, atol: 0 });
});

interface MultinomialCase {
  probs: FixtureTensor;
  numSamples: number;
  replacement: boolean;
  samples: FixtureTensor;
}

test('multinomial draws what torch.multinomial draws after the same seed (with and without replacement, float32 and float64)', () => {
  const cases = fx.multinomial as unknown as Record<string, MultinomialCase>;
  for (const [name, c] of Object.entries(cases)) {
    const probs = fromFixture(c.probs);
    manualSeed(0);
    const samples = multinomial(probs, c.numSamples, c.replacement);
    assert.equal(samples.dtype, 'int32', name);
    assertClose(samples, c.samples, { rtol: 0, atol: 0, message: name });
  }
});

test('multinomial with a Generator leaves the default stream alone; a category of probability 0 is never drawn', () => {
  manualSeed(5);
  const before = rand([3]);
  manualSeed(5);
  const probs = tensor([0.2, 0, 0.5, 0.3]);
  const draws = probs.multinomial(2000, true, new Generator(1));
  assertClose(rand([3]), before, { rtol: 0, atol: 0 });
  const counts = [0, 0, 0, 0];
  for (const v of draws.dataSync()) counts[v]++;
  assert.equal(counts[1], 0);
  // 2,000 draws: each frequency within 5 standard deviations of its probability
  [0.2, 0, 0.5, 0.3].forEach((p, i) => assert.ok(Math.abs(counts[i] / 2000 - p) <= 5 * Math.sqrt((p * (1 - p)) / 2000) + 1e-9, `category ${i}: ${counts[i]}`));
  // without replacement, the categories of a row are distinct
  const rows = multinomial(rand([5, 6], { generator: new Generator(2) }), 6, false, new Generator(3)).toArray() as number[][];
  for (const row of rows) assert.equal(new Set(row).size, 6);
});

test('multinomial refuses bad input with a clear message', () => {
  assert.throws(() => multinomial(tensor([0.5, -0.1, 0.6]), 1), /multinomial: probabilities contain inf, nan or an element < 0/);
  assert.throws(() => multinomial(tensor([0.5, NaN]), 1), /inf, nan/);
  assert.throws(() => multinomial(tensor([[0, 0], [1, 1]]), 1), /sums to 0/);
  assert.throws(() => multinomial(tensor([0.5, 0.5]), 3), /cannot draw 3 samples without replacement from 2 categories/);
  assert.throws(() => multinomial(tensor([0, 1, 0]), 2), /fewer non-zero probabilities/);
  assert.throws(() => multinomial(tensor([1, 2], { dtype: 'int32' }), 1), /floating point/);
  assert.throws(() => multinomial(zeros([2, 2, 2]), 1), /1-d \[n\] or 2-d/);
  assert.throws(() => multinomial(tensor([1, 1]), 0), /numSamples must be a positive integer/);
});

test('bernoulli matches torch.bernoulli (per-element probabilities in float32 and float64, and a scalar p)', () => {
  const b = fx.bernoulli as unknown as Record<string, FixtureTensor>;
  manualSeed(0);
  assertClose(bernoulli(fromFixture(b.probs_f32, { dtype: 'float32' })), b.tensor_f32, { rtol: 0, atol: 0 });
  manualSeed(0);
  assertClose(fromFixture(b.probs_f64).bernoulli(), b.tensor_f64, { rtol: 0, atol: 0 });
  manualSeed(0);
  assertClose(bernoulli(zeros([40]), 0.3), b.scalar_0_3, { rtol: 0, atol: 0 });
  assert.throws(() => bernoulli(tensor([0.5, 1.5])), /bernoulli: the probabilities must be in \[0, 1\]/);
});

test('randLike, randnLike and randintLike draw like rand, randn and randint with the tensor\'s shape and dtype', () => {
  const t = zeros([3, 4], { dtype: 'float64' });
  manualSeed(7);
  const a = randnLike(t);
  manualSeed(7);
  assertClose(a, randn([3, 4], { dtype: 'float64' }), { rtol: 0, atol: 0 });
  assert.equal(randLike(t, { dtype: 'float32' }).dtype, 'float32');
  const labels = tensor([1, 2, 3], { dtype: 'int32' });
  manualSeed(7);
  const r = randintLike(labels, 10);
  manualSeed(7);
  assertClose(r, randint(0, 10, [3]), { rtol: 0, atol: 0 });
  assert.equal(r.dtype, 'int32');
  const g = new Generator(1);
  assert.deepEqual(randintLike(labels, 5, 8, { generator: g }).dataSync().every((v) => v >= 5 && v < 8), true);
});

test('randint past 2^32 draws 64 bits as torch does; bounds outside the dtype are refused', () => {
  manualSeed(0);
  assertClose(randint(0, 2 ** 40, [4], { dtype: 'float64' }), fx.randint_2p40, { rtol: 0, atol: 0 });
  assert.throws(() => randint(0, 2 ** 40, [4]), /randint: high - 1 = 1099511627775 is out of bounds for int32 \(\[-2147483648, 2147483647\]\)/);
  assert.throws(() => randint(0, 2 ** 30, [4], { dtype: 'float32' }), /randint: high - 1 = 1073741823 is out of bounds for float32 .*2\^24/);
  assert.throws(() => randint(2 ** 60, 2 ** 60 + 2 ** 20, [1], { dtype: 'float64' }), /out of bounds for float64/);
});
