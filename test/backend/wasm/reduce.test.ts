// The wasm reductions, softmax and its backward against the reference kernels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReduceOp } from '../../../src/index.js';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
const OPS: ReduceOp[] = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin', 'any', 'all'];

// One axis (first, middle, last), leading and trailing runs, BatchNorm's [0, 2, 3], everything, size-1 axes,
// and five runs (the reference's odometer).
const CASES: [number[], number[]][] = [
  [[300, 17], [0]], [[7, 129, 33], [1]], [[129, 40], [1]], [[5, 600], [0]], [[4, 3, 1000], [0]], [[7, 129, 33], [2]],
  [[3, 1000], [1]], [[2049], [0]], [[64, 8, 28, 28], [0, 2, 3]], [[6, 5, 7, 3], [0, 1]], [[6, 5, 7, 3], [2, 3]],
  [[6, 5, 7, 3], [0, 1, 2, 3]], [[6, 5, 7, 3], [1, 3]], [[2, 1, 9, 1, 5], [1, 3]], [[3, 4, 5, 6, 7], [0, 2, 4]], [[9, 1], [1]],
];

function values(dtype: 'float32' | 'int32' | 'bool', n: number): Float32Array | Int32Array | Uint8Array {
  const x = randomFloats(n).map((v) => v * 3);
  if (dtype === 'int32') return Int32Array.from(x, (v) => Math.round(v * 10));
  if (dtype === 'bool') return Uint8Array.from(x, (v) => (v > 1 ? 1 : 0));
  return x;
}

function outArray(op: ReduceOp, dtype: 'float32' | 'int32' | 'bool', n: number) {
  if (op === 'argmax' || op === 'argmin') return new Int32Array(n);
  if (op === 'any' || op === 'all') return new Uint8Array(n);
  if (dtype === 'bool' && op === 'sum') return new Int32Array(n);
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

test('every reduction of float32, int32 and bool over any axes equals the reference bit for bit', () => {
  for (const [shape, axes] of CASES) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const x = values(dtype, size(shape));
      if (dtype === 'float32') {
        x[3] = NaN; // max/min propagate it, arg* point at it
        x[10] = Infinity;
        x[11] = 0;
      }
      const outSize = size(shape.filter((_, i) => !axes.includes(i)));
      for (const op of OPS) {
        if ((op === 'argmax' || op === 'argmin') && axes.length > 1) continue;
        if (op === 'prod' && dtype !== 'bool') continue; // checked below on values that do not overflow
        const ours = outArray(op, dtype, outSize);
        const reference = outArray(op, dtype, outSize);
        wasm().reduce(op, x, shape, axes, ours);
        jsBackend.reduce(op, x, shape, axes, reference);
        assert.deepEqual(ours, reference, `${op} of ${dtype} ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`);
      }
    }
  }
  const near1 = Float32Array.from(randomFloats(64 * 8 * 28), (v) => 1 + v / 64);
  for (const axes of [[0], [1, 2], [0, 2]]) {
    const ours = new Float32Array(size([64, 8, 28].filter((_, i) => !axes.includes(i))));
    const reference = ours.slice();
    wasm().reduce('prod', near1, [64, 8, 28], axes, ours);
    jsBackend.reduce('prod', near1, [64, 8, 28], axes, reference);
    assert.deepEqual(ours, reference, `prod over ${JSON.stringify(axes)}`);
  }
});

test('int32 sums wrap as the reference (ToInt32), and empty reductions give the identity', () => {
  const big = new Int32Array(8).fill(2 ** 30);
  const ours = new Int32Array(1);
  const reference = new Int32Array(1);
  wasm().reduce('sum', big, [8], [0], ours);
  jsBackend.reduce('sum', big, [8], [0], reference);
  assert.deepEqual(ours, reference);
  const empty = new Float32Array(3).fill(7);
  wasm().reduce('sum', new Float32Array(0), [3, 0], [1], empty);
  assert.deepEqual([...empty], [0, 0, 0]);
});

test('softmax and log-softmax along any axis match the reference, including -inf and constant rows', () => {
  const cases: [number[], number][] = [[[129, 17], 1], [[300, 10], 1], [[3, 1000], 1], [[2048, 1], 1], [[600, 7], 1], [[4, 65, 9], 1], [[65, 6], 0], [[2, 5, 3], 1], [[3, 7, 2, 5], 2]];
  for (const [shape, axis] of cases) {
    const n = size(shape);
    const x = randomFloats(n).map((v) => v * 20);
    x[0] = -Infinity;
    x[1] = -Infinity;
    for (const log of [false, true]) {
      const ours = new Float32Array(n);
      const reference = new Float32Array(n);
      wasm().softmax(x, shape, axis, ours, log);
      jsBackend.softmax(x, shape, axis, reference, log);
      assertArraysClose(ours, reference, 2e-6, 1e-6, `${log ? 'logSoftmax' : 'softmax'} ${JSON.stringify(shape)} along ${axis}`);
    }
  }
  const rowOfInf = new Float32Array(6).fill(-Infinity);
  const out = new Float32Array(6);
  wasm().softmax(rowOfInf, [2, 3], 1, out, false);
  assert.ok(out.every(Number.isNaN), 'a row of -inf is NaN, as in the reference');
});

test('softmax backward along any axis matches the reference', () => {
  for (const [shape, axis] of [[[129, 17], 1], [[32, 64], 1], [[2048, 65], 1], [[4, 65, 9], 1], [[65, 6], 0], [[3, 7, 2, 5], 2]] as [number[], number][]) {
    const n = size(shape);
    const g = randomFloats(n);
    for (const log of [false, true]) {
      const y = new Float32Array(n);
      jsBackend.softmax(randomFloats(n).map((v) => v * 5), shape, axis, y, log);
      const ours = new Float32Array(n);
      const reference = new Float32Array(n);
      wasm().softmaxBackward(g, y, shape, axis, ours, log);
      jsBackend.softmaxBackward(g, y, shape, axis, reference, log);
      assertArraysClose(ours, reference, 1e-5, 1e-6, `${log ? 'logSoftmax' : 'softmax'} backward ${JSON.stringify(shape)} along ${axis}`);
    }
  }
});
