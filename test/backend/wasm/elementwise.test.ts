import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

// Binary and unary ops: strided.test.ts and unary.test.ts.

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
      wasm().reduce(op, x, shape, axis, ours);
      jsBackend.reduce(op, x, shape, axis, reference);
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
      wasm().softmax(x, n, ours, log);
      jsBackend.softmax(x, n, reference, log);
      assertArraysClose(ours, reference, 2e-6, 1e-6, `${log ? 'logSoftmax' : 'softmax'} [${rows}, ${n}]`);
    }
  }
});

test('reluBackward passes the gradient where y > 0, else 0 (NaN y and NaN gradients included)', () => {
  for (const n of [1, 7, 17, 2049, 4099]) {
    const y = randomFloats(n);
    const grad = randomFloats(n);
    if (n > 10) {
      y[3] = NaN;
      y[4] = 0;
      grad[5] = NaN;
      grad[6] = NaN;
      y[6] = -1;
    }
    const expected = Float32Array.from(y, (v, i) => (v > 0 ? grad[i] : 0));
    const ours = new Float32Array(n).fill(7);
    const reference = new Float32Array(n).fill(7);
    wasm().reluBackward!(grad, y, ours);
    jsBackend.reluBackward!(grad, y, reference);
    assert.deepEqual(ours, expected, `wasm n=${n}`);
    assert.deepEqual(reference, expected, `js n=${n}`);
  }
});
