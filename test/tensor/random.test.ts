import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, manualSeed, rand, randint, randn, randperm } from '../../src/index.js';
import { assertClose, loadFixture, type FixtureTensor } from '../helpers.js';

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

test('randint past 2^32 draws 64 bits as torch does; bounds outside the dtype are refused', () => {
  manualSeed(0);
  assertClose(randint(0, 2 ** 40, [4], { dtype: 'float64' }), fx.randint_2p40, { rtol: 0, atol: 0 });
  assert.throws(() => randint(0, 2 ** 40, [4]), /randint: high - 1 = 1099511627775 is out of bounds for int32 \(\[-2147483648, 2147483647\]\)/);
  assert.throws(() => randint(0, 2 ** 30, [4], { dtype: 'float32' }), /randint: high - 1 = 1073741823 is out of bounds for float32 .*2\^24/);
  assert.throws(() => randint(2 ** 60, 2 ** 60 + 2 ** 20, [1], { dtype: 'float64' }), /out of bounds for float64/);
});
