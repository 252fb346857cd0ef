// The wasm backend's unary functions, activation backward, casts and fills against the reference kernels:
// bit for bit where IEEE makes the result exact, within the stated float32 ulps for the SIMD polynomials.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivationOp, DType, UnaryOp } from '../../../src/index.js';
import { allocate } from '../../../src/tensor/dtype.js';
import { assertSameValues, floatUlps, jsBackend, randomFloats, wasm } from './util.js';

/** A dense sweep: a grid over [-20, 20], powers of ten from 1e-40 to 1e38 with both signs, random values at three scales, special values. */
function sweep(): Float32Array {
  const xs: number[] = [];
  for (let i = -2000; i <= 2000; i++) xs.push(i / 100);
  for (let e = -40; e <= 38; e += 0.02) xs.push(10 ** e, -(10 ** e));
  for (const [count, scale] of [[60000, 10], [30000, 100], [30000, 1e-3]]) for (const v of randomFloats(count)) xs.push(v * scale);
  xs.push(0, -0, Infinity, -Infinity, NaN, 88.72, 88.73, -87.3, -103, -104, 1e-45, -1e-45, 1.17549435e-38, 3.4e38, -3.4e38, -1, 1, 0.5, -0.5, 2.5, -2.5);
  return Float32Array.from(xs);
}
const X = sweep();

function both(op: UnaryOp, x: Float32Array, outDtype: DType = 'float32') {
  const ours = allocate(outDtype, x.length);
  const reference = allocate(outDtype, x.length);
  wasm().unary(op, x, ours);
  jsBackend.unary(op, x, reference);
  return [ours, reference] as const;
}

test('exact unary functions equal the reference bit for bit (NaN, ±0, ±Infinity, subnormals, ties included)', () => {
  const exact: UnaryOp[] = ['neg', 'abs', 'sign', 'sqrt', 'rsqrt', 'reciprocal', 'square', 'relu', 'floor', 'ceil', 'round', 'trunc', 'copy',
    'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh']; // the trigonometric ones run the reference
  for (const op of exact) {
    for (const n of [X.length, 7, 1]) {
      const [ours, reference] = both(op, X.subarray(0, n));
      assertSameValues(ours, reference, `${op} n=${n}`);
    }
  }
  for (const op of ['isnan', 'isinf', 'isfinite', 'logicalNot'] as UnaryOp[]) {
    const [ours, reference] = both(op, X, 'bool');
    assertSameValues(ours, reference, op);
  }
});

// Measured maxima on this sweep (docs/wasm.md lists them) and the bound each test keeps.
const ULPS: [UnaryOp, number][] = [
  ['exp', 2], ['expm1', 2], ['log', 2], ['log1p', 3], ['log2', 2], ['log10', 3], ['tanh', 2], ['sigmoid', 4], ['erf', 3],
];

test('SIMD polynomials stay within their float32 ulp bounds of the reference', () => {
  for (const [op, bound] of ULPS) {
    const [ours, reference] = both(op, X);
    for (let i = 0; i < X.length; i++) {
      const d = floatUlps(ours[i], reference[i]);
      // subnormal results (below 2^-126) keep fewer digits: an absolute bound there
      assert.ok(d <= bound || Math.abs(ours[i] - reference[i]) < 1e-38, `${op}(${X[i]}): ${ours[i]} against ${reference[i]} (${d} ulps)`);
    }
  }
});

test('GELU (both forms) and SiLU: within 32 ulps where |y| >= 1e-3, 2e-5 relative in the lower tail, 5e-7 absolute everywhere', () => {
  for (const op of ['gelu', 'geluTanh', 'silu'] as UnaryOp[]) {
    const [ours, reference] = both(op, X);
    for (let i = 0; i < X.length; i++) {
      const a = ours[i];
      const r = reference[i];
      if (Number.isNaN(r)) {
        assert.ok(Number.isNaN(a), `${op}(${X[i]}) is NaN, got ${a}`);
        continue;
      }
      if (!Number.isFinite(r)) {
        assert.equal(a, r, `${op}(${X[i]})`);
        continue;
      }
      const err = Math.abs(a - r);
      const ok = Math.abs(r) >= 1e-3 ? floatUlps(a, r) <= 32 : err <= 2e-5 * Math.abs(r) || err < 1e-38;
      assert.ok(ok && err <= 5e-7 * Math.max(1, Math.abs(r)), `${op}(${X[i]}): ${a} against ${r}`);
    }
  }
});

test('activation backward kernels match the reference (PyTorch\'s formulas) within float32 rounding', () => {
  const n = 40000;
  const x = Float32Array.from(randomFloats(n), (v, i) => (i < 4001 ? -20 + i / 100 : v * 12));
  const g = randomFloats(n);
  for (const op of ['gelu', 'geluTanh', 'silu'] as ActivationOp[]) {
    for (const count of [n, 5, 1]) {
      const ours = new Float32Array(count);
      const reference = new Float32Array(count);
      wasm().unaryBackward(op, g.subarray(0, count), x.subarray(0, count), ours);
      jsBackend.unaryBackward(op, g.subarray(0, count), x.subarray(0, count), reference);
      for (let i = 0; i < count; i++) {
        assert.ok(Math.abs(ours[i] - reference[i]) <= 2e-6 * (Math.abs(g[i]) + Math.abs(reference[i])), `${op}' at ${x[i]}: ${ours[i]} against ${reference[i]}`);
      }
    }
  }
});

test('int32 unary functions wrap like int32 arithmetic; bool logicalNot', () => {
  const ints = Int32Array.from(randomFloats(1001), (v, i) => (i % 9 === 0 ? (v > 0 ? 2147483647 : -2147483648) : Math.round(v * 30000)));
  for (const op of ['neg', 'abs', 'sign', 'relu', 'square'] as UnaryOp[]) {
    const ours = new Int32Array(ints.length);
    const reference = new Int32Array(ints.length);
    const x = op === 'square' ? ints.map((v) => v % 46341) : ints; // squares within 2^53, where the reference is exact
    wasm().unary(op, x, ours);
    jsBackend.unary(op, x, reference);
    assertSameValues(ours, reference, `int32 ${op}`);
  }
  const bools = Uint8Array.from(randomFloats(37), (v) => (v > 0 ? 1 : 0));
  const ours = new Uint8Array(37);
  const reference = new Uint8Array(37);
  wasm().unary('logicalNot', bools, ours);
  jsBackend.unary('logicalNot', bools, reference);
  assertSameValues(ours, reference, 'bool logicalNot');
});

test('cast between every pair of dtypes converts as the reference (truncation, int32 wrap, NaN and Infinity to 0, != 0 to bool)', () => {
  const specials = [NaN, Infinity, -Infinity, -0, 0.5, -0.5, 1.9999, -2.5, 2147483647.5, 2147483648, -2147483649, 4294967296 + 5, 1e20, -1e20, 16777217, 255, 256];
  const floats = Float64Array.from([...specials, ...randomFloats(1000).map((v) => v * 1e6)]);
  const sources: Record<DType, ReturnType<typeof allocate>> = {
    float64: floats,
    float32: Float32Array.from(floats),
    int32: Int32Array.from(floats, (v, i) => (i % 3 === 0 ? Math.trunc(v) : 2147483647 - i)),
    bool: Uint8Array.from(floats, (v) => (v > 0 ? 1 : 0)),
  };
  for (const [from, x] of Object.entries(sources) as [DType, ReturnType<typeof allocate>][]) {
    for (const to of ['float32', 'int32', 'bool', 'float64'] as DType[]) {
      for (const n of [x.length, 3]) {
        const ours = allocate(to, n);
        const reference = allocate(to, n);
        wasm().cast(x.subarray(0, n), ours);
        jsBackend.cast(x.subarray(0, n), reference);
        assertSameValues(ours, reference, `cast ${from} -> ${to} n=${n}`);
      }
    }
  }
});

test('fill sets every element as the dtype\'s typed array converts the value', () => {
  for (const dtype of ['float32', 'int32', 'bool', 'float64'] as DType[]) {
    for (const value of [0, -0, 1.5, -7, 257, NaN, Infinity, 1e-40, 3.4e39]) {
      for (const n of [1, 3, 17, 1000]) {
        const ours = allocate(dtype, n);
        const reference = allocate(dtype, n);
        wasm().fill(ours, value);
        jsBackend.fill(reference, value);
        assertSameValues(ours, reference, `fill ${dtype} with ${value}, n=${n}`);
      }
    }
  }
});
