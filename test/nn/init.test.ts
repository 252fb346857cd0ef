import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, Tensor, manualSeed, nn, zeros } from '../../src/index.js';
import { type FixtureTensor, assertClose, loadFixture } from '../helpers.js';
import { type Ctor, construct } from './layer-cases.js';

const { init } = nn;

interface InitFixture {
  [layer: string]: unknown;
  functions: Record<string, { seed: number; shape: number[]; dtype: 'float32' | 'float64'; value: FixtureTensor }>;
  gains: Record<string, number>;
}
const fx = loadFixture<InitFixture>('nn_init');

// Default initialization: same seed, same draws, same weights as PyTorch (to float32 rounding: torch does
// Box-Muller in float, descent in double).
for (const [name, c] of Object.entries(fx)) {
  if (name === 'functions' || name === 'gains') continue;
  const { seed, ctor, state } = c as { seed: number; ctor: Ctor; state: Record<string, FixtureTensor> };
  test(`${name} default initialization equals PyTorch's after manualSeed(${seed})`, () => {
    manualSeed(seed);
    const sd = construct(ctor).stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(state));
    for (const [k, v] of Object.entries(state)) assertClose(sd[k], v, { rtol: 1e-5, atol: 1e-6, message: `${name}.${k}` });
  });
}

const fills: Record<string, (t: Tensor) => Tensor> = {
  uniform_: (t) => init.uniform_(t, -2, 3),
  normal_: (t) => init.normal_(t, 1, 0.5),
  xavierUniform_: (t) => init.xavierUniform_(t, 2),
  xavierNormal_: (t) => init.xavierNormal_(t),
  kaimingUniform_: (t) => init.kaimingUniform_(t, { mode: 'fanOut', nonlinearity: 'relu' }),
  kaimingNormal_: (t) => init.kaimingNormal_(t, { a: 0.1 }),
  truncNormal_: (t) => init.truncNormal_(t, { mean: 0.5, std: 2, a: -1, b: 3 }),
  truncNormal_f64: (t) => init.truncNormal_(t),
  orthogonal_tall: (t) => init.orthogonal_(t),
  orthogonal_wide: (t) => init.orthogonal_(t, 1.5),
  orthogonal_f64: (t) => init.orthogonal_(t),
  eye_: (t) => init.eye_(t),
};

for (const [name, c] of Object.entries(fx.functions)) {
  test(`init.${name.replace(/_(tall|wide|f64)$/, '')} (${name}) gives PyTorch's values for the same seed`, () => {
    manualSeed(c.seed);
    const t = fills[name](zeros(c.shape, { dtype: c.dtype }));
    assertClose(t, c.value, { rtol: 1e-5, atol: 1e-6 });
  });
}

test('calculateGain matches torch.nn.init.calculate_gain', () => {
  const args: Record<string, [nn.init.Nonlinearity, number?]> = {
    linear: ['linear'], sigmoid: ['sigmoid'], tanh: ['tanh'], relu: ['relu'], leakyRelu: ['leakyRelu'],
    'leakyRelu_0.2': ['leakyRelu', 0.2], selu: ['selu'], conv2d: ['conv2d'],
  };
  for (const [k, v] of Object.entries(fx.gains)) assert.ok(Math.abs(init.calculateGain(...args[k]) - v) < 1e-12, k);
});

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = Array.from(t.dataSync());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
  return { mean, std, min: Math.min(...d), max: Math.max(...d) };
}

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('initializer statistics match their formulas over large samples', () => {
  const g = new Generator(123);
  // [out, in, kh, kw] = [64, 32, 3, 3]: fanIn 288, fanOut 576
  const w = () => zeros([64, 32, 3, 3], { dtype: 'float64' });
  let s = stats(init.kaimingNormal_(w(), { nonlinearity: 'relu', generator: g }));
  near(s.mean, 0, 0.003, 'kaimingNormal mean');
  near(s.std, Math.sqrt(2 / 288), 0.002, 'kaimingNormal std');
  s = stats(init.kaimingUniform_(w(), { mode: 'fanOut', nonlinearity: 'relu', generator: g }));
  const bound = Math.sqrt(2) * Math.sqrt(3 / 576);
  near(s.std, bound / Math.sqrt(3), 0.001, 'kaimingUniform std');
  assert.ok(s.min >= -bound && s.max <= bound && s.max > 0.99 * bound, 'kaimingUniform bounds');
  s = stats(init.xavierNormal_(w(), 1, g));
  near(s.std, Math.sqrt(2 / (288 + 576)), 0.001, 'xavierNormal std');
  s = stats(init.xavierUniform_(w(), 1, g));
  const a = Math.sqrt(6 / (288 + 576));
  assert.ok(s.min >= -a && s.max <= a && s.max > 0.99 * a, 'xavierUniform bounds');
  s = stats(init.lecunNormal_(w(), g));
  near(s.std, Math.sqrt(1 / 288), 0.001, 'lecunNormal std');
  s = stats(init.truncNormal_(zeros([20000], { dtype: 'float64' }), { std: 1, a: -2, b: 2, generator: g }));
  // the standard normal truncated to [-2, 2] has variance 1 - 4 phi(2) / (Phi(2) - Phi(-2)) = 0.7737...
  near(s.std, Math.sqrt(0.773741), 0.01, 'truncNormal std');
  assert.ok(s.min >= -2 && s.max <= 2, 'truncNormal bounds');
  s = stats(init.normal_(zeros([20000], { dtype: 'float64' }), 3, 0.5, g));
  near(s.mean, 3, 0.01, 'normal mean');
  near(s.std, 0.5, 0.01, 'normal std');
});

test('orthogonal_ gives orthonormal rows or columns times the gain', () => {
  for (const [r, c] of [[5, 3], [3, 5], [4, 4]]) {
    const q = init.orthogonal_(zeros([r, c], { dtype: 'float64' }), 2, new Generator(9));
    const qq = r >= c ? q.T.matmul(q) : q.matmul(q.T);
    const n = Math.min(r, c);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) near(qq.dataSync()[i * n + j], i === j ? 4 : 0, 1e-10, `QᵀQ[${i},${j}] for ${r}x${c}`);
  }
});

test('initializers reject what PyTorch rejects', () => {
  assert.throws(() => init.xavierUniform_(zeros([3])), /fewer than 2 dimensions/);
  assert.throws(() => init.eye_(zeros([2, 2, 2])), /eye_: only tensors with 2 dimensions/);
  assert.throws(() => init.kaimingUniform_(zeros([2, 2]), { mode: 'fan_in' as nn.init.FanMode }), /mode must be 'fanIn' or 'fanOut'/);
  assert.throws(() => init.uniform_(zeros([2], { dtype: 'int32' })), /floating point/);
  assert.throws(() => init.calculateGain('softmax' as nn.init.Nonlinearity), /unsupported nonlinearity 'softmax'/);
});
