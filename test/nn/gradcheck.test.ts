import { test } from 'node:test';
import { Generator, Tensor, gradcheck, gradgradcheck, nn, ones, randn, tensor, zeros } from '../../src/index.js';

const { F } = nn;
const g = new Generator(7);
const r = (...shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true, generator: g });
const labels = (values: number | number[] | number[][]) => tensor(values, { dtype: 'int32' });

// First and second derivatives of every layer's functional form, against finite differences in float64.
// Ops that are linear (or piecewise linear) in x are squared, so their second derivative runs through their backward.
const cases: [string, () => [(...xs: Tensor[]) => Tensor, Tensor[]]][] = [
  ['linear', () => [(x, w, b) => F.linear(x, w, b), [r(2, 3), r(4, 3), r(4)]]],
  ['bilinear', () => [(a, b, w, bias) => F.bilinear(a, b, w, bias), [r(2, 2), r(2, 3), r(2, 2, 3), r(2)]]],
  ['conv2d stride/padding/dilation', () => [(x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }), [r(1, 2, 4, 5), r(2, 2, 2, 2), r(2)]]],
  ['conv2d groups', () => [(x, w) => F.conv2d(x, w, null, { groups: 2, padding: 1 }), [r(2, 4, 3, 3), r(4, 2, 2, 2)]]],
  ['conv2d same (even kernel)', () => [(x, w) => F.conv2d(x, w, null, { padding: 'same' }), [r(1, 1, 3, 4), r(2, 1, 2, 2)]]],
  ['conv1d', () => [(x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 }), [r(2, 2, 5), r(3, 2, 3), r(3)]]],
  ['convTranspose2d', () => [(x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [r(1, 2, 2, 3), r(2, 3, 3, 2), r(3)]]],
  ['convTranspose2d groups/dilation', () => [(x, w) => F.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }), [r(1, 4, 2, 2), r(4, 1, 2, 2)]]],
  ['unfold/fold', () => [(x) => F.fold(F.unfold(x, 2, { stride: 1, padding: 1 }).mul(x.sum()), [3, 3], 2, { padding: 1 }), [r(1, 2, 3, 3)]]],
  ['pad reflect/circular', () => [(x) => F.pad(F.pad(x, [2, 1, 1, 0], 'reflect'), [1, 1], 'circular').square(), [r(1, 3, 3)]]],
  ['maxPool2d', () => [(x) => F.maxPool2d(x, 2, { stride: 1, padding: 1 }).square(), [r(1, 2, 3, 3)]]],
  ['maxPool1d ceil', () => [(x) => F.maxPool1d(x, 2, { ceilMode: true }).square(), [r(1, 2, 5)]]],
  ['avgPool2d', () => [(x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }).square(), [r(1, 1, 4, 4)]]],
  ['adaptiveAvgPool2d', () => [(x) => F.adaptiveAvgPool2d(x, [2, 3]).square(), [r(1, 2, 3, 4)]]],
  ['layerNorm', () => [(x, w, b) => F.layerNorm(x, [3], w, b), [r(2, 3), r(3), r(3)]]],
  ['batchNorm (train)', () => [(x, w, b) => F.batchNorm(x, null, null, w, b, true), [r(3, 2, 2), r(2), r(2)]]],
  ['groupNorm', () => [(x, w, b) => F.groupNorm(x, 2, w, b), [r(2, 4, 2), r(4), r(4)]]],
  ['layerNorm over two dims, no bias', () => [(x, w) => F.layerNorm(x, [2, 3], w), [r(2, 2, 3), r(2, 3)]]],
  ['batchNorm 2d (train, running statistics)', () => [(x, w, b) => F.batchNorm(x, zeros([3], { dtype: 'float64' }), ones([3], { dtype: 'float64' }), w, b, true), [r(2, 3, 2, 2), r(3), r(3)]]],
  ['batchNorm (eval)', () => [(x, w, b) => F.batchNorm(x, tensor([0.5, -1], { dtype: 'float64' }), tensor([2, 0.5], { dtype: 'float64' }), w, b, false), [r(3, 2, 2), r(2), r(2)]]],
  ['batchNorm without affine', () => [(x) => F.batchNorm(x, null, null, null, null, true), [r(4, 3)]]],
  ['groupNorm without affine, spatial', () => [(x) => F.groupNorm(x, 3, null, null), [r(2, 3, 2, 2)]]],
  ['crossEntropy (mean)', () => [(x) => F.crossEntropy(x, labels([2, 0, 1])), [r(3, 4)]]],
  ['crossEntropy weights, ignoreIndex, smoothing (mean)', () => [(x) => F.crossEntropy(x, labels([2, -100, 1, 3]), { weight: tensor([0.5, 2, 1, 1.5], { dtype: 'float64' }), labelSmoothing: 0.2 }), [r(4, 4)]]],
  ['crossEntropy spatial, smoothing (none)', () => [(x) => F.crossEntropy(x, labels([[0, 2], [1, 1]]), { reduction: 'none', labelSmoothing: 0.1 }), [r(2, 3, 2)]]],
  ['crossEntropy unbatched (sum)', () => [(x) => F.crossEntropy(x, labels(2), { reduction: 'sum' }), [r(4)]]],
  ['nllLoss weights (mean)', () => [(x) => F.nllLoss(x, labels([1, 0, 2]), { weight: tensor([1, 2, 0.5], { dtype: 'float64' }) }), [r(3, 3)]]],
  ['binaryCrossEntropy (sum), input and target', () => [(x, y) => F.binaryCrossEntropy(x.sigmoid(), y.sigmoid(), { reduction: 'sum' }), [r(2, 3), r(2, 3)]]],
  ['binaryCrossEntropy weight (mean)', () => [(x) => F.binaryCrossEntropy(x.sigmoid(), tensor([[0, 1, 0.5], [1, 0, 0.25]], { dtype: 'float64' }), { weight: tensor([1, 2, 3], { dtype: 'float64' }) }), [r(2, 3)]]],
  // (paddingIdx is left out: its zero gradient is a convention, not the derivative; the fixtures cover it)
  ['embedding', () => [(w) => F.embedding(tensor([[0, 2], [1, 2]], { dtype: 'int32' }), w).tanh(), [r(3, 2)]]],
  ['dropout (fixed mask)', () => [(x) => F.dropout(x, 0.4, true, new Generator(3)).square(), [r(2, 4)]]],
];

for (const [name, make] of cases) {
  test(`${name}: gradcheck and gradgradcheck`, () => {
    const [fn, inputs] = make();
    gradcheck(fn, inputs);
    gradgradcheck(fn, inputs);
  });
}
