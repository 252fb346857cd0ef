// The wasm cross-entropy and binary cross-entropy kernels against the reference (float32 tolerance).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

test('crossEntropy forward and backward match the reference: weights, ignoreIndex, smoothing, spatial, log-probabilities', () => {
  // W5's [64, 10], W6's [2048, 65], an odd class count, [N, C, d] targets
  for (const [outer, classes, inner] of [[64, 10, 1], [2048, 65, 1], [9, 7, 1], [4, 5, 6], [3, 4, 9]]) {
    const count = outer * inner;
    const x = randomFloats(outer * classes * inner).map((v) => v * 8);
    x[0] = -Infinity; // a class no sample can be: p = 0
    const target = Int32Array.from(randomFloats(count), (v) => Math.floor(((v + 1) / 2) * classes));
    target[1] = -100;
    target[2] = 0; // picks the -inf logit when inner is 1: an infinite loss, as the reference
    const weight = randomFloats(classes).map((v) => v + 1.5);
    const grad = randomFloats(count);
    for (const w of [null, weight]) {
      for (const smoothing of [0, 0.1]) {
        for (const fromLogits of [true, false]) {
          const what = `[${outer}, ${classes}, ${inner}] weight ${w !== null} smoothing ${smoothing} fromLogits ${fromLogits}`;
          const run = (b: typeof jsBackend) => {
            const losses = new Float32Array(count);
            const weights = new Float32Array(count);
            const lse = new Float32Array(count);
            const bad = b.crossEntropy(x, target, w, outer, classes, inner, -100, smoothing, fromLogits, losses, weights, lse);
            const perElement = new Float32Array(x.length);
            b.crossEntropyBackward(x, lse, target, w, outer, classes, inner, -100, smoothing, fromLogits, grad, 0.5, perElement);
            const shared = new Float32Array(x.length);
            b.crossEntropyBackward(x, lse, target, w, outer, classes, inner, -100, smoothing, fromLogits, Float32Array.of(0.25), 1 / count, shared);
            return { bad, losses, weights, lse, perElement, shared };
          };
          const ours = run(wasm());
          const reference = run(jsBackend);
          assert.equal(ours.bad, null, what);
          for (const key of ['losses', 'weights', 'lse', 'perElement', 'shared'] as const) {
            assertArraysClose(ours[key], reference[key], 1e-5, 1e-6, `crossEntropy ${what}: ${key}`);
          }
        }
      }
    }
    const bad = target.slice();
    bad[count - 1] = classes;
    bad[count - 2] = -3;
    const out = () => new Float32Array(count);
    assert.equal(wasm().crossEntropy(x, bad, null, outer, classes, inner, -100, 0, true, out(), out(), out()), -3, 'the first target out of range');
  }
});

test('binaryCrossEntropy forward and backward match the reference, clamped logs and subnormal inputs included', () => {
  for (const n of [128 * 784, 4099, 7]) {
    const x = randomFloats(n).map((v) => (v + 1) / 2);
    const y = randomFloats(n).map((v) => (v > 0 ? 1 : (v + 1) / 2));
    x[0] = 0;
    x[1] = 1;
    x[2] = 1e-40; // subnormal: log is about -92, above the clamp
    x[3] = 1e-45;
    if (n > 4) x[4] = 1 - 2 ** -24;
    const run = (b: typeof jsBackend) => {
      const out = new Float32Array(n);
      const bad = b.binaryCrossEntropy(x, y, out);
      const perElement = new Float32Array(n);
      b.binaryCrossEntropyBackward(x, y, randomFloatsFixed(n), 0.5, perElement);
      const shared = new Float32Array(n);
      b.binaryCrossEntropyBackward(x, y, Float32Array.of(2), 1 / n, shared);
      return { bad, out, perElement, shared };
    };
    const ours = run(wasm());
    const reference = run(jsBackend);
    assert.equal(ours.bad, null);
    for (const key of ['out', 'perElement', 'shared'] as const) assertArraysClose(ours[key], reference[key], 1e-5, 1e-6, `binaryCrossEntropy n=${n}: ${key}`);
  }
  const out = new Float32Array(9);
  const x = new Float32Array(9).fill(0.5);
  x[6] = NaN;
  x[7] = 1.5;
  assert.equal(wasm().binaryCrossEntropy(x, x, out), 6, 'NaN is outside [0, 1]');
  x[6] = 0.5;
  assert.equal(wasm().binaryCrossEntropy(x, x, out), 7);
  x[2] = -0.1;
  assert.equal(wasm().binaryCrossEntropy(x, x, out), 2, 'the first one');
});

const fixed = randomFloats(200000);
function randomFloatsFixed(n: number): Float32Array {
  return fixed.subarray(0, n);
}
