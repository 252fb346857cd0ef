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

test('scatterAdd along the last axis (max pooling backward) equals the reference, repeated indices included', () => {
  for (const [lead, cols, outCols] of [[[2, 16], 169, 676], [[5], 7, 3], [[3, 4], 129, 129]] as [number[], number, number][]) {
    const rows = lead.reduce((p, d) => p * d, 1);
    const src = randomFloats(rows * cols);
    const index = Int32Array.from(randomFloats(rows * cols), (v) => Math.floor(((v + 1) / 2) * outCols));
    const base = randomFloats(rows * outCols);
    const ours = base.slice();
    const reference = base.slice();
    wasm().scatterAdd(src, [...lead, cols], index, [...lead, cols], lead.length, ours, [...lead, outCols]);
    jsBackend.scatterAdd(src, [...lead, cols], index, [...lead, cols], lead.length, reference, [...lead, outCols]);
    assert.deepEqual(ours, reference, `scatterAdd ${JSON.stringify([lead, cols, outCols])}`);
  }
  // along another axis: the reference kernel
  const src = randomFloats(6 * 20);
  const index = Int32Array.from({ length: 6 * 20 }, (_, i) => i % 4);
  const ours = new Float32Array(4 * 20);
  const reference = new Float32Array(4 * 20);
  wasm().scatterAdd(src, [6, 20], index, [6, 20], 0, ours, [4, 20]);
  jsBackend.scatterAdd(src, [6, 20], index, [6, 20], 0, reference, [4, 20]);
  assert.deepEqual(ours, reference);
});
