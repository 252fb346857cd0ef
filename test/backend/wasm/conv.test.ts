import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConvGeometry } from '../../../src/index.js';
import { jsBackend, randomFloats, wasm } from './util.js';

function geometry(h: number, w: number, k: [number, number], s: [number, number], p: [number, number], d: [number, number]): ConvGeometry {
  const out = (size: number, i: 0 | 1) => Math.floor((size + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i]) + 1;
  return { kernel: k, stride: s, padding: p, dilation: d, outSize: [out(h, 0), out(w, 1)] };
}

const CASES: [number, number, number, number, ConvGeometry][] = [
  [2, 1, 28, 28, geometry(28, 28, [3, 3], [1, 1], [0, 0], [1, 1])],
  [3, 4, 7, 9, geometry(7, 9, [3, 2], [2, 1], [1, 1], [1, 1])],
  [1, 3, 17, 13, geometry(17, 13, [3, 3], [2, 3], [2, 1], [2, 2])],
  [2, 2, 5, 5, geometry(5, 5, [5, 5], [1, 1], [2, 2], [1, 1])],
  [1, 1, 1, 1, geometry(1, 1, [1, 1], [1, 1], [0, 0], [1, 1])],
];

test('im2col and col2im equal the reference bit for bit (strides, padding, dilation)', () => {
  for (const [n, c, h, w, g] of CASES) {
    const [kh, kw] = g.kernel;
    const [oh, ow] = g.outSize;
    const x = randomFloats(n * c * h * w);
    const cols = new Float32Array(n * c * kh * kw * oh * ow).fill(NaN);
    const reference = new Float32Array(cols.length);
    wasm().im2col(x, n, c, h, w, g, cols);
    jsBackend.im2col(x, n, c, h, w, g, reference);
    assert.deepEqual(cols, reference, `im2col ${JSON.stringify([n, c, h, w, g])}`);
    const grad = randomFloats(cols.length);
    const image = new Float32Array(x.length).fill(NaN);
    const imageReference = new Float32Array(x.length);
    wasm().col2im(grad, n, c, h, w, g, image);
    jsBackend.col2im(grad, n, c, h, w, g, imageReference);
    assert.deepEqual(image, imageReference, `col2im ${JSON.stringify([n, c, h, w, g])}`);
  }
});

const POOLS: [number, number, number, number, ConvGeometry][] = [
  ...CASES,
  [2, 16, 26, 26, geometry(26, 26, [2, 2], [2, 2], [0, 0], [1, 1])], // MaxPool2d(2): the vectorized path
  [3, 5, 11, 11, geometry(11, 11, [2, 2], [2, 2], [0, 0], [1, 1])], // odd sizes: a column tail
  [1, 2, 9, 17, geometry(9, 17, [2, 2], [2, 2], [0, 0], [1, 1])],
  [1, 2, 9, 9, geometry(9, 9, [3, 3], [2, 2], [1, 1], [1, 1])],
];

test('maxPool2d values and indices equal the reference, ties, -inf windows and NaN included', () => {
  for (const [n, c, h, w, g] of POOLS) {
    const planes = n * c;
    const x = randomFloats(planes * h * w).map((v) => Math.round(v * 3)); // many ties
    x[0] = NaN;
    if (x.length > 8) x[7] = NaN;
    if (x.length > 9) x[9] = NaN;
    if (x.length > 20) x.fill(-Infinity, 10, 20);
    if (x.length > 200) x.fill(-Infinity, 100, 160);
    const size = planes * g.outSize[0] * g.outSize[1];
    const values = new Float32Array(size);
    const indices = new Int32Array(size);
    const referenceValues = new Float32Array(size);
    const referenceIndices = new Int32Array(size);
    wasm().maxPool2d(x, planes, h, w, g, values, indices);
    jsBackend.maxPool2d(x, planes, h, w, g, referenceValues, referenceIndices);
    assert.deepEqual(values, referenceValues, `values ${JSON.stringify([n, c, h, w, g])}`);
    assert.deepEqual(indices, referenceIndices, `indices ${JSON.stringify([n, c, h, w, g])}`);
  }
});

test('float64 convolutions and pooling run the reference kernels', () => {
  const [n, c, h, w, g] = CASES[1];
  const x = Float64Array.from(randomFloats(n * c * h * w));
  const size = n * c * g.kernel[0] * g.kernel[1] * g.outSize[0] * g.outSize[1];
  const ours = new Float64Array(size);
  const reference = new Float64Array(size);
  wasm().im2col(x, n, c, h, w, g, ours);
  jsBackend.im2col(x, n, c, h, w, g, reference);
  assert.deepEqual(ours, reference);
});
