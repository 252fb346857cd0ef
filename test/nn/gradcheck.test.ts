import { test } from 'node:test';
import { Generator, Tensor, gradcheck, gradgradcheck, nn, randn, tensor } from '../../src/index.js';

const { F } = nn;
const g = new Generator(7);
const r = (...shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true, generator: g });

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
