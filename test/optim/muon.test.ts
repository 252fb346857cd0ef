import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, optim, randn, tensor, zeros } from '../../src/index.js';
import { assertClose } from '../helpers.js';

// The quintic iteration acts on each singular value s of G/‖G‖_F as s ← a s + b s³ + c s⁵.
const quintic = (s: number, steps: number) => {
  for (let i = 0; i < steps; i++) s = 3.4445 * s - 4.775 * s ** 3 + 2.0315 * s ** 5;
  return s;
};

test('Newton–Schulz on a diagonal matrix maps each singular value through the quintic', () => {
  const g = tensor([[3, 0, 0], [0, 1, 0]], { dtype: 'float64' });
  const o = optim.zeropowerViaNewtonSchulz(g, 5);
  const fro = Math.sqrt(10) + 1e-7;
  assertClose(o, [quintic(3 / fro, 5), 0, 0, 0, quintic(1 / fro, 5), 0], { rtol: 1e-12, atol: 1e-15 });
  // tall matrices are handled through their transpose
  const ot = optim.zeropowerViaNewtonSchulz(g.t().contiguous(), 5);
  assertClose(ot, [quintic(3 / fro, 5), 0, 0, quintic(1 / fro, 5), 0, 0], { rtol: 1e-12, atol: 1e-15 });
});

test('Newton–Schulz output is nearly orthogonal: singular values of O Oᵀ in [0.4, 1.6]', () => {
  manualSeed(0);
  const g = randn([4, 8], { dtype: 'float64' });
  const o = optim.zeropowerViaNewtonSchulz(g, 5);
  const oot = o.matmul(o.t());
  for (let i = 0; i < 4; i++) {
    const d = oot.dataSync()[i * 4 + i];
    assert.ok(d > 0.4 && d < 1.6, `diagonal ${i}: ${d}`);
  }
});

test('Muon: first step by hand on a 2-D weight; vectors fall back to AdamW', () => {
  const w = zeros([2, 3], { dtype: 'float64', requiresGrad: true });
  const b = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.Muon([w, b], { lr: 0.1, momentum: 0.9, adamwLr: 0.01 });
  w.grad = tensor([[3, 0, 0], [0, 1, 0]], { dtype: 'float64' });
  b.grad = tensor([0.5, -2], { dtype: 'float64' });
  opt.step();
  // u = (1-μ)g + μ(1-μ)g, a multiple of g, so the orthogonalized update is that of g (up to the 1e-7 guard)
  const fro = Math.sqrt(10) * 0.19;
  const s = (x: number) => quintic((x * 0.19) / (fro + 1e-7), 5);
  assertClose(w, [-0.1 * s(3), 0, 0, 0, -0.1 * s(1), 0], { rtol: 1e-12, atol: 1e-15 });
  // AdamW's first step moves each coordinate by lr·sign(g)
  assertClose(b, [1 - 0.01, 1 + 0.01], { rtol: 1e-8 });
  assert.throws(() => new optim.Muon([{ params: [b], useMuon: true }]), /Muon: useMuon needs parameters with at least 2 dimensions, got shape \[2\]/);
});

test('Muon converges on a matrix least-squares problem', () => {
  manualSeed(1);
  const a = randn([6, 12], { dtype: 'float64' });
  const target = randn([4, 6], { dtype: 'float64' });
  const b = target.matmul(a);
  const w = zeros([4, 6], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.Muon([w], { lr: 0.05 });
  const loss = () => w.matmul(a).sub(b).pow(2).mean();
  const start = loss().item();
  for (let i = 0; i < 300; i++) {
    opt.zeroGrad();
    loss().backward();
    opt.step();
  }
  const end = loss().item();
  assert.ok(end < start * 1e-2, `loss ${start} -> ${end}`);
});
