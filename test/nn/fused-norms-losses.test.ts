// The fused normalization and loss ops (one kernel each way) against the same functions composed of
// differentiable ops, on wasm in float32 and on js in float64, and the PyTorch layer fixtures in float32.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Tensor, Generator, add, getBackend, grad, mean, mul, nn, randn, rsqrt, setBackend, sub, sum, tensor, softmax, logSoftmax,
} from '../../src/index.js';
import { assertClose, fromFixture, loadFixture } from '../helpers.js';
import { type LayerCase, construct, decodeState } from './layer-cases.js';

const F = nn.functional;

// (x - mean) / sqrt(var + eps) over `dims`, written out.
function normalized(x: Tensor, dims: number[], eps = 1e-5): Tensor {
  const centered = sub(x, mean(x, dims, true));
  return mul(centered, rsqrt(add(mean(mul(centered, centered), dims, true), eps)));
}

type Case = [string, number[], (x: Tensor, w: Tensor) => Tensor, (x: Tensor, w: Tensor) => Tensor];
const channel = (w: Tensor, ndim: number) => w.reshape([w.shape[0], ...new Array(ndim - 2).fill(1)]);
const labels = (values: number[], shape: number[]) => tensor(values, { dtype: 'int32' }).reshape(shape);

const CASES: Case[] = [
  ['batchNorm 2d (train)', [6, 4, 5, 3], (x, w) => F.batchNorm(x, null, null, w, w.mul(0.5), true),
    (x, w) => add(mul(normalized(x, [0, 2, 3]), channel(w, 4)), channel(w.mul(0.5), 4))],
  ['batchNorm 1d (eval)', [7, 4], (x, w) => F.batchNorm(x, w.detach().abs(), w.detach().square().add(1), w, null, false),
    (x, w) => mul(mul(sub(x, w.detach().abs()), rsqrt(add(w.detach().square().add(1), 1e-5))), w)],
  ['layerNorm', [3, 4, 4], (x, w) => F.layerNorm(x, [4], w, w.mul(-1)), (x, w) => add(mul(normalized(x, [2]), w), w.mul(-1))],
  ['groupNorm', [3, 4, 2, 3], (x, w) => F.groupNorm(x, 2, w, null),
    (x, w) => mul(normalized(x.reshape([3, 2, 12]), [2]).reshape([3, 4, 2, 3]), channel(w, 4))],
  ['crossEntropy, weights, ignoreIndex, smoothing', [5, 4], (x, w) => F.crossEntropy(x, labels([1, -100, 3, 0, 2], [5]), { weight: w.detach().abs(), labelSmoothing: 0.2 }),
    (x, w) => {
      const logp = logSoftmax(x, 1);
      const wc = w.detach().abs();
      const target = tensor([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]], { dtype: x.dtype });
      const counted = tensor([1, 0, 1, 1, 1], { dtype: x.dtype }).reshape([5, 1]);
      const smoothed = add(mul(target, 0.8), 0.05);
      const total = sum(mul(counted, mul(target, wc)));
      return sum(mul(mul(mul(smoothed, logp), wc), counted)).neg().div(total);
    }],
  ['crossEntropy [N, C, d] (none)', [2, 3, 4], (x) => F.crossEntropy(x, labels([0, 2, 1, 1, 2, 0, 0, 1], [2, 4]), { reduction: 'none' }),
    (x) => logSoftmax(x, 1).mul(tensor([[[1, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0]], [[0, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]], { dtype: x.dtype })).sum(1).neg()],
  ['nllLoss (sum)', [4, 3], (x) => F.nllLoss(x, labels([2, 0, 1, 2], [4]), { reduction: 'sum' }),
    (x) => x.mul(tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: x.dtype })).sum().neg()],
  ['binaryCrossEntropy (mean)', [3, 5], (x) => F.binaryCrossEntropy(x.sigmoid(), x.detach().mul(3).sigmoid()),
    (x) => {
      const p = x.sigmoid();
      const y = x.detach().mul(3).sigmoid();
      return add(mul(y, p.log()), mul(sub(1, y), sub(1, p).log())).mean().neg();
    }],
  ['softmax along a middle axis', [3, 4, 5], (x) => softmax(x, 1).square(), (x) => x.exp().div(x.exp().sum(1, true)).square()],
  ['logSoftmax along the first axis', [4, 3], (x) => logSoftmax(x, 0).square(), (x) => sub(x, x.exp().sum(0, true).log()).square()],
];

test('fused norms and losses equal their composed forms: values, gradients, and gradients composed under createGraph', () => {
  const before = getBackend();
  try {
    for (const [name, shape, fused, composed] of CASES) {
      for (const [device, dtype, tol] of [['wasm', 'float32', 2e-5], ['js', 'float64', 1e-12]] as const) {
        setBackend(device);
        const g = new Generator().manualSeed(3);
        const x = randn(shape, { generator: g, dtype, requiresGrad: true });
        const w = randn([shape[1]], { generator: g, dtype, requiresGrad: true });
        const ours = fused(x, w);
        const reference = composed(x, w);
        assertClose(ours, reference, { rtol: tol, atol: tol, message: `${name} ${device} value` });
        const upstream = randn(ours.shape, { generator: g, dtype });
        const [gx, gw] = grad([ours], [x, w], { gradOutputs: [upstream], allowUnused: true, retainGraph: true });
        const [rx, rw] = grad([reference], [x, w], { gradOutputs: [upstream], allowUnused: true });
        assertClose(gx!, rx!, { rtol: tol, atol: tol, message: `${name} ${device} input gradient` });
        if (rw) assertClose(gw!, rw, { rtol: tol, atol: tol, message: `${name} ${device} weight gradient` });
        // createGraph: the same gradients from the composed backward, and they are differentiable
        const [cx] = grad([ours], [x], { gradOutputs: [upstream], createGraph: true });
        assertClose(cx, rx!, { rtol: tol, atol: tol, message: `${name} ${device} input gradient (createGraph)` });
        // (nllLoss is linear in x: its gradient is a constant)
        if (!name.startsWith('nllLoss')) assert.ok(cx.requiresGrad, `${name}: the createGraph gradient is part of a graph`);
      }
    }
  } finally {
    setBackend(before);
  }
});

test('the PyTorch normalization layer fixtures hold in float32 (wasm kernels) to float32 precision', () => {
  const cases = loadFixture<Record<string, LayerCase | { ctor?: undefined }>>('nn_norm');
  for (const [name, c] of Object.entries(cases)) {
    if (!c.ctor || c.ctor.type === 'Dropout') continue;
    const layerCase = c as LayerCase;
    const m = construct(layerCase.ctor);
    m.loadStateDict(decodeState(layerCase.state));
    m.train(layerCase.train);
    const inputs = layerCase.inputs.map((f) => fromFixture(f, { dtype: 'float32', requiresGrad: layerCase.gradOutput !== undefined }));
    const out = m(...inputs) as Tensor;
    assert.equal(out.dtype, 'float32');
    const tol = { rtol: 1e-4, atol: 1e-4 };
    assertClose(out, layerCase.output, { ...tol, message: `${name} output` });
    if (layerCase.gradOutput) {
      out.backward(fromFixture(layerCase.gradOutput, { dtype: 'float32' }));
      layerCase.inputGrads!.forEach((g, i) => { if (g) assertClose(inputs[i].grad!, g, { ...tol, message: `${name} input grad` }); });
      const params = Object.fromEntries(m.namedParameters());
      for (const [k, g] of Object.entries(layerCase.paramGrads!)) assertClose(params[k].grad!, g, { ...tol, message: `${name} ${k} grad` });
    }
    const after = m.stateDict();
    for (const [k, v] of Object.entries(layerCase.stateAfter)) assertClose(after[k], v, { ...tol, message: `${name} ${k} after` });
  }
});
