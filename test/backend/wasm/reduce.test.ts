// The wasm reductions, softmax and fused losses and normalizations against the reference kernels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

test('sum over any axis (last included) equals the reference bit for bit; other reductions fall through', () => {
  const shapes: [number[], number][] = [
    [[300, 17], 0], [[7, 129, 33], 1], [[129, 40], 1], [[5, 600], 0], [[4, 3, 1000], 0], [[7, 129, 33], 2], [[3, 1000], 1], [[2049], 0],
  ];
  for (const [shape, axis] of shapes) {
    const x = randomFloats(size(shape));
    const outShape = shape.filter((_, i) => i !== axis);
    for (const op of ['sum', 'max', 'argmax'] as const) {
      const ours = new Float32Array(size(outShape));
      const reference = new Float32Array(size(outShape));
      wasm().reduce(op, x, shape, [axis], ours);
      jsBackend.reduce(op, x, shape, [axis], reference);
      assert.deepEqual(ours, reference, `${op} ${JSON.stringify(shape)} axis ${axis}`);
    }
  }
});

test('softmax and log-softmax match the reference, including -inf and constant rows', () => {
  for (const [rows, n] of [[129, 17], [300, 10], [3, 1000], [2048, 1], [600, 7]]) {
    const x = randomFloats(rows * n).map((v) => v * 20);
    x[0] = -Infinity;
    if (n > 1) for (let j = 0; j < n; j++) x[n + j] = -Infinity; // a row of -inf
    for (const log of [false, true]) {
      const ours = new Float32Array(rows * n);
      const reference = new Float32Array(rows * n);
      wasm().softmax(x, [rows, n], 1, ours, log);
      jsBackend.softmax(x, [rows, n], 1, reference, log);
      assertArraysClose(ours, reference, 2e-6, 1e-6, `${log ? 'logSoftmax' : 'softmax'} [${rows}, ${n}]`);
    }
  }
});

