import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BinaryOp, UnaryOp } from '../../../src/index.js';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

// Sizes above and below the wasm threshold (2048 elements) and with tails that are not a multiple of 4.
const BROADCASTS: [number[], number[]][] = [
  [[129, 17], [129, 17]], // same shape
  [[7, 17, 129], [1]], // scalar
  [[1], [7, 17, 129]],
  [[300, 17], [17]], // row vector (a bias)
  [[17], [300, 17]],
  [[300, 1], [300, 7]], // one value per row
  [[129, 33], [129, 1]],
  [[129, 1], [1, 33]], // outer
  [[2, 300, 7], [300, 7]],
  [[8, 16, 5, 5], [16, 1, 1]], // a conv bias: one value per channel, repeated per sample
  [[16, 1, 1], [8, 16, 5, 5]],
  [[2, 3, 40, 5], [3, 40, 1]],
  [[4, 129, 5], [4, 1, 5]], // a 1 inside the operand: the reference handles it
  [[300, 1], [7]], // column against row with different extents
  [[7], [7]], // below the threshold
];

test('binary add/sub/mul/div equal the reference bit for bit, for every broadcast pattern', () => {
  for (const op of ['add', 'sub', 'mul', 'div'] as BinaryOp[]) {
    for (const [aShape, bShape] of BROADCASTS) {
      const outShape = aShape.length >= bShape.length
        ? aShape.map((d, i) => Math.max(d, bShape[i - (aShape.length - bShape.length)] ?? 1))
        : bShape.map((d, i) => Math.max(d, aShape[i - (bShape.length - aShape.length)] ?? 1));
      const a = randomFloats(size(aShape));
      const b = randomFloats(size(bShape));
      const ours = new Float32Array(size(outShape));
      const reference = new Float32Array(size(outShape));
      wasm().binary(op, a, aShape, b, bShape, ours, outShape);
      jsBackend.binary(op, a, aShape, b, bShape, reference, outShape);
      assert.deepEqual(ours, reference, `${op} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`);
    }
  }
});

test('binary on the same array twice, and other ops and dtypes, fall through correctly', () => {
  const a = randomFloats(4099);
  const ours = new Float32Array(4099);
  const reference = new Float32Array(4099);
  wasm().binary('mul', a, [4099], a, [4099], ours, [4099]);
  jsBackend.binary('mul', a, [4099], a, [4099], reference, [4099]);
  assert.deepEqual(ours, reference);
  const bools = new Uint8Array(4099);
  const expected = new Uint8Array(4099);
  wasm().binary('lt', a, [4099], new Float32Array([0]), [1], bools, [4099]);
  jsBackend.binary('lt', a, [4099], new Float32Array([0]), [1], expected, [4099]);
  assert.deepEqual(bools, expected);
  const d = Float64Array.from(a);
  const d1 = new Float64Array(4099);
  const d2 = new Float64Array(4099);
  wasm().binary('add', d, [4099], d, [4099], d1, [4099]);
  jsBackend.binary('add', d, [4099], d, [4099], d2, [4099]);
  assert.deepEqual(d1, d2);
});

test('unary kernels match the reference (exact where IEEE rounding makes them so)', () => {
  const exact: UnaryOp[] = ['neg', 'abs', 'relu', 'square', 'sqrt'];
  for (const n of [2048, 2049, 2051, 5000, 7]) {
    const x = randomFloats(n).map((v) => v * 10);
    x[0] = NaN;
    x[1] = -0;
    if (n > 4) x[n - 2] = Infinity;
    for (const op of [...exact, 'exp', 'sigmoid'] as UnaryOp[]) {
      const ours = new Float32Array(n);
      const reference = new Float32Array(n);
      wasm().unary(op, x, ours);
      jsBackend.unary(op, x, reference);
      if (exact.includes(op)) assert.deepEqual(ours, reference, `${op} n=${n}`);
      else assertArraysClose(ours, reference, 3e-7, 1e-38, `${op} n=${n}`);
    }
  }
});

test('exp covers overflow, underflow into subnormals, and NaN', () => {
  const x = new Float32Array(4096);
  for (let i = 0; i < x.length; i++) x[i] = -110 + (200 * i) / x.length;
  x[5] = NaN;
  x[6] = -Infinity;
  x[7] = Infinity;
  const ours = new Float32Array(x.length);
  const reference = new Float32Array(x.length);
  wasm().unary('exp', x, ours);
  jsBackend.unary('exp', x, reference);
  for (let i = 0; i < x.length; i++) {
    const e = reference[i];
    const a = ours[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `exp(${x[i]})`);
    else if (e < 1.2e-38) assert.ok(Math.abs(a - e) <= 2.9e-44, `exp(${x[i]}) = ${e} (subnormal), got ${a}`);
    else if (!Number.isFinite(e)) assert.equal(a, e, `exp(${x[i]})`);
    else assert.ok(Math.abs(a - e) <= 3e-7 * e, `exp(${x[i]}) = ${e}, got ${a}`);
  }
});

test('comparisons against a tensor or a scalar give the reference bytes, NaN included', () => {
  for (const n of [256, 257, 4099]) {
    const a = randomFloats(n);
    const b = randomFloats(n);
    a[0] = NaN;
    b[1] = NaN;
    a[2] = b[2];
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as BinaryOp[]) {
      for (const [other, shape] of [[b, [n]], [new Float32Array([0]), []]] as [Float32Array, number[]][]) {
        const ours = new Uint8Array(n);
        const reference = new Uint8Array(n);
        wasm().binary(op, a, [n], other, shape, ours, [n]);
        jsBackend.binary(op, a, [n], other, shape, reference, [n]);
        assert.deepEqual(ours, reference, `${op} n=${n} ${shape.length ? 'tensor' : 'scalar'}`);
      }
    }
  }
});

test('a float32 tensor times a bool mask (relu backward) equals the reference', () => {
  for (const n of [300, 4099]) {
    const g = randomFloats(n);
    g[0] = NaN;
    g[1] = Infinity;
    const mask = Uint8Array.from(randomFloats(n), (v) => (v > 0 ? 1 : 0));
    mask[0] = 0;
    mask[1] = 0;
    for (const [a, b] of [[g, mask], [mask, g]] as [Float32Array | Uint8Array, Float32Array | Uint8Array][]) {
      const ours = new Float32Array(n);
      const reference = new Float32Array(n);
      wasm().binary('mul', a, [n], b, [n], ours, [n]);
      jsBackend.binary('mul', a, [n], b, [n], reference, [n]);
      assert.deepEqual(ours, reference);
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
