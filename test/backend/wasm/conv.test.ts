import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConvGeometry, getNumThreads, setNumThreads } from '../../../src/index.js';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

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
  // MaxPool2d(2, ceilMode) on odd sizes: the last window hangs past the edge (not the 2x2 fast path)
  [1, 2, 3, 5, { ...geometry(3, 5, [2, 2], [2, 2], [0, 0], [1, 1]), outSize: [2, 3] }],
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

// Batch, channels in, size, channels out, geometry: odd sizes (1, 7, 17), strides, padding, dilation,
// 1x1 kernels, and W3's two layers.
const FUSED: [number, number, number, number, number, ConvGeometry][] = [
  [1, 1, 1, 1, 1, geometry(1, 1, [1, 1], [1, 1], [0, 0], [1, 1])],
  [7, 3, 7, 9, 5, geometry(7, 9, [3, 2], [2, 1], [1, 1], [1, 1])],
  [3, 7, 17, 13, 17, geometry(17, 13, [3, 3], [2, 3], [2, 1], [2, 2])],
  [2, 2, 5, 5, 7, geometry(5, 5, [5, 5], [1, 1], [2, 2], [1, 1])],
  [17, 1, 7, 7, 1, geometry(7, 7, [1, 1], [1, 1], [0, 0], [1, 1])],
  [5, 17, 1, 17, 3, geometry(1, 17, [1, 3], [1, 1], [0, 1], [1, 1])],
  [9, 1, 28, 28, 16, geometry(28, 28, [3, 3], [1, 1], [0, 0], [1, 1])],
  [5, 16, 13, 13, 32, geometry(13, 13, [3, 3], [1, 1], [0, 0], [1, 1])],
];

test('fused conv2d and its backward equal the reference (float32 tolerance), the same on 1 and 2 threads', () => {
  const threads = getNumThreads();
  const single: Float32Array[][] = [];
  // the same inputs on both thread counts
  const inputs = FUSED.map(([n, c, h, w, cout, g]) => {
    const k = c * g.kernel[0] * g.kernel[1];
    const size = n * cout * g.outSize[0] * g.outSize[1];
    return { x: randomFloats(n * c * h * w), weight: randomFloats(cout * k), bias: randomFloats(cout), gradOut: randomFloats(size) };
  });
  try {
    for (const count of [1, 2]) {
      setNumThreads(count);
      for (const [index, [n, c, h, w, cout, g]] of FUSED.entries()) {
        const k = c * g.kernel[0] * g.kernel[1];
        const size = n * cout * g.outSize[0] * g.outSize[1];
        const what = `${count} threads ${JSON.stringify([n, c, h, w, cout, g])}`;
        const { x, weight, bias, gradOut } = inputs[index];
        for (const withBias of [true, false]) {
          const ours = new Float32Array(size).fill(NaN);
          const reference = new Float32Array(size);
          wasm().conv2d!(x, n, c, h, w, weight, cout, withBias ? bias : null, g, ours);
          jsBackend.conv2d!(x, n, c, h, w, weight, cout, withBias ? bias : null, g, reference);
          assertArraysClose(ours, reference, 1e-5, 1e-5 * Math.sqrt(k), `forward ${withBias ? 'with' : 'without'} bias, ${what}`);
        }
        const grads = () => [new Float32Array(x.length).fill(NaN), new Float32Array(weight.length).fill(NaN), new Float32Array(cout).fill(NaN)];
        const [gx, gw, gb] = grads();
        const [rx, rw, rb] = grads();
        wasm().conv2dBackward!(x, n, c, h, w, weight, cout, g, gradOut, gx, gw, gb);
        jsBackend.conv2dBackward!(x, n, c, h, w, weight, cout, g, gradOut, rx, rw, rb);
        const reach = Math.sqrt(n * size / cout);
        assertArraysClose(gx, rx, 1e-5, 1e-5 * Math.sqrt(cout), `grad input, ${what}`);
        assertArraysClose(gw, rw, 1e-5, 1e-5 * reach, `grad weight, ${what}`);
        assertArraysClose(gb, rb, 1e-5, 1e-5 * reach, `grad bias, ${what}`);
        // each gradient alone (the others skipped) gives the same values
        const [onlyX] = grads();
        wasm().conv2dBackward!(x, n, c, h, w, weight, cout, g, gradOut, onlyX, null, null);
        assert.deepEqual(onlyX, gx, `grad input alone, ${what}`);
        const [, onlyW] = grads();
        wasm().conv2dBackward!(x, n, c, h, w, weight, cout, g, gradOut, null, onlyW, null);
        assert.deepEqual(onlyW, gw, `grad weight alone, ${what}`);
        if (count === 1) single.push([gx, gw, gb]);
        else assert.deepEqual([gx, gw, gb], single[index], `1 and 2 threads agree bit for bit, ${what}`);
      }
    }
  } finally {
    setNumThreads(threads);
  }
});

test('fused conv2d runs the reference kernels for float64', () => {
  const [n, c, h, w, cout, g] = FUSED[2];
  const k = c * g.kernel[0] * g.kernel[1];
  const size = n * cout * g.outSize[0] * g.outSize[1];
  const x = Float64Array.from(randomFloats(n * c * h * w));
  const weight = Float64Array.from(randomFloats(cout * k));
  const ours = new Float64Array(size);
  const reference = new Float64Array(size);
  wasm().conv2d!(x, n, c, h, w, weight, cout, null, g, ours);
  jsBackend.conv2d!(x, n, c, h, w, weight, cout, null, g, reference);
  assert.deepEqual(ours, reference);
});

test('maxPool2dBackward adds each gradient at its arg max (overlapping windows sum in order)', () => {
  for (const [n, c, h, w, g] of POOLS) {
    const planes = n * c;
    const x = randomFloats(planes * h * w);
    const size = planes * g.outSize[0] * g.outSize[1];
    const values = new Float32Array(size);
    const indices = new Int32Array(size);
    wasm().maxPool2d(x, planes, h, w, g, values, indices);
    const grad = randomFloats(size);
    const expected = new Float32Array(x.length);
    const count = size / planes;
    for (let o = 0; o < size; o++) expected[Math.floor(o / count) * h * w + indices[o]] += grad[o];
    const ours = new Float32Array(x.length).fill(NaN);
    wasm().maxPool2dBackward!(grad, indices, planes, h, w, ours);
    assert.deepEqual(ours, expected, JSON.stringify([n, c, h, w, g]));
  }
});
