import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend, randomFloats, wasm } from './util.js';

// Binary and unary ops: strided.test.ts and unary.test.ts; reductions and softmax: reduce.test.ts.

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
