import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend, randomFloats, wasm } from './util.js';

test('transposes of the last two axes equal the reference for odd sizes, batches and int32', () => {
  for (const shape of [[1, 129], [129, 1], [7, 17], [17, 129], [3, 33, 35], [2, 2, 40, 9], [64, 64]]) {
    const size = shape.reduce((p, d) => p * d, 1);
    const perm = shape.map((_, i) => i);
    [perm[shape.length - 2], perm[shape.length - 1]] = [perm[shape.length - 1], perm[shape.length - 2]];
    const x = randomFloats(size);
    const ours = new Float32Array(size);
    const reference = new Float32Array(size);
    wasm().permute(x, shape, perm, ours);
    jsBackend.permute(x, shape, perm, reference);
    assert.deepEqual(ours, reference, `float32 ${JSON.stringify(shape)}`);
    const ints = Int32Array.from(x, (v) => Math.round(v * 1e6));
    const oursInt = new Int32Array(size);
    const referenceInt = new Int32Array(size);
    wasm().permute(ints, shape, perm, oursInt);
    jsBackend.permute(ints, shape, perm, referenceInt);
    assert.deepEqual(oursInt, referenceInt, `int32 ${JSON.stringify(shape)}`);
  }
});

test('other permutations and dtypes run the reference kernel', () => {
  const x = randomFloats(3 * 40 * 50);
  const ours = new Float32Array(x.length);
  const reference = new Float32Array(x.length);
  wasm().permute(x, [3, 40, 50], [2, 0, 1], ours);
  jsBackend.permute(x, [3, 40, 50], [2, 0, 1], reference);
  assert.deepEqual(ours, reference);
  const d = Float64Array.from(x);
  const od = new Float64Array(x.length);
  const rd = new Float64Array(x.length);
  wasm().permute(d, [120, 50], [1, 0], od);
  jsBackend.permute(d, [120, 50], [1, 0], rd);
  assert.deepEqual(od, rd);
});
