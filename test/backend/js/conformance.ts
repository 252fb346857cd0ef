// A conformance suite for any Backend: each kernel against a naive loop written here, on odd shapes,
// broadcast strides, transposed operands and NaN. The JS backend runs it (kernels.test.ts); a new backend
// (wasm) can run the same function. Kernel calls are awaited, so a backend that reads asynchronously
// (webgpu, through onArraysAsync) runs the same suite, at its own precision; the tests that take central
// differences of a kernel run on synchronous backends only (webgpu checks those kernels against the js
// reference in test/backend/webgpu/kernels.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivationOp, BinaryOp, ReduceOp } from '../../../src/index.js';
import type { ArrayBackend, AsyncArrayBackend } from '../array-kernels.js';
import { sequenceConformance } from './conformance-sequence.js';

type Arr = Float64Array;

function random(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = Math.round((s / 2147483648) * 2000 - 1000) / 100; // two decimals in [-10, 10]
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const strides = (shape: number[]) => shape.map((_, i) => size(shape.slice(i + 1)));

/** Calls f with every multi-index of `shape`, in row-major order. */
function forEachIndex(shape: number[], f: (idx: number[], flat: number) => void): void {
  const n = size(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    f(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

function at(x: Arr, shape: number[], idx: number[]): number {
  const st = strides(shape);
  const lead = idx.length - shape.length;
  let o = 0;
  for (let d = 0; d < shape.length; d++) o += (shape[d] === 1 ? 0 : idx[lead + d]) * st[d];
  return x[o];
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-12): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
    else assert.ok(a === e || Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: expected ${e}, got ${a}`);
  }
}

export function backendConformance(b: ArrayBackend | AsyncArrayBackend): void {
  const f64 = (n: number) => b.allocate('float64', n) as Float64Array;
  const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-12) => closeTo(actual, expected, what, Math.max(tol, b.precision ?? 0));
  /** A test of `kernels`, skipped (saying so) where the backend lacks one. */
  const kernelTest = (title: string, kernels: string[], fn: () => Promise<void>) => {
    const lacking = kernels.filter((k) => b.missing?.includes(k));
    test(`${b.name}: ${title}`, { skip: lacking.length > 0 && `${b.name} does not implement ${lacking.join(', ')}` }, fn);
  };
  const synchronous = b.backend.readsSync !== false;
  /** A test of central differences through synchronous kernel calls: where the backend reads synchronously only. */
  const syncTest = (title: string, fn: (b: ArrayBackend) => void) => {
    test(`${b.name}: ${title}`, { skip: !synchronous && `${b.name} reads asynchronously (its kernels are checked against the reference)` }, () => fn(b as ArrayBackend));
  };

  kernelTest(`matmul in all transpose combinations with broadcast batches`, ['matmul'], async () => {
    const [m, k, n] = [3, 5, 7];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [batchA, batchB] of [[2, 2], [1, 2], [2, 1]]) {
          const batch = Math.max(batchA, batchB);
          const A = random(batchA * m * k, 1);
          const B = random(batchB * k * n, 2);
          const C = f64(batch * m * n);
          await b.matmul(A, B, C, batch, m, k, n, transA, transB, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n);
          const expected = new Float64Array(batch * m * n);
          for (let t = 0; t < batch; t++) {
            const ao = (batchA === 1 ? 0 : t) * m * k;
            const bo = (batchB === 1 ? 0 : t) * k * n;
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let s = 0;
                for (let p = 0; p < k; p++) {
                  s += A[ao + (transA ? p * m + i : i * k + p)] * B[bo + (transB ? j * k + p : p * n + j)];
                }
                expected[(t * m + i) * n + j] = s;
              }
            }
          }
          close(C, expected, `matmul transA=${transA} transB=${transB} batches ${batchA},${batchB}`);
        }
      }
    }
    const empty = f64(6).fill(7);
    await b.matmul(f64(0), f64(0), empty, 1, 2, 0, 3, false, false, 0, 0);
    close(empty, new Float64Array(6), 'matmul with k = 0 writes zeros');
  });

  kernelTest(`binary ops broadcast like NumPy, including scalar fast paths`, ['binary'], async () => {
    const ops: [BinaryOp, (x: number, y: number) => number][] = [
      ['add', (x, y) => x + y], ['sub', (x, y) => x - y], ['mul', (x, y) => x * y], ['div', (x, y) => x / y],
      ['maximum', Math.max], ['lt', (x, y) => (x < y ? 1 : 0)], ['atan2', Math.atan2],
    ];
    const shapes: [number[], number[]][] = [[[3, 1, 5], [4, 1]], [[2, 3], [2, 3]], [[2, 3], []], [[], [2, 3]], [[1], [4]], [[2, 1, 3], [2, 4, 1]]];
    for (const [op, f] of ops) {
      for (const [sa, sb] of shapes) {
        const out = [...Array(Math.max(sa.length, sb.length))].map((_, i, arr) => {
          const da = sa[sa.length - arr.length + i] ?? 1;
          const db = sb[sb.length - arr.length + i] ?? 1;
          return da === 1 ? db : da;
        });
        const A = random(size(sa), 3);
        const B = random(size(sb), 4);
        const C = f64(size(out));
        await b.binary(op, A, sa, B, sb, C, out);
        const expected = new Float64Array(size(out));
        forEachIndex(out, (idx, flat) => { expected[flat] = f(at(A, sa, idx), at(B, sb, idx)); });
        close(C, expected, `${op} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`);
      }
    }
  });

  kernelTest(`reductions over every axis, NaN propagating and first index on ties`, ['reduce'], async () => {
    const shape = [2, 3, 4];
    const X = random(24, 5);
    X[5] = X[6] = 50; // a tie along the last axis
    const ops: [ReduceOp, (v: number[]) => number][] = [
      ['sum', (v) => v.reduce((a, c) => a + c, 0)], ['prod', (v) => v.reduce((a, c) => a * c, 1)],
      ['max', (v) => Math.max(...v)], ['min', (v) => Math.min(...v)],
      ['argmax', (v) => v.indexOf(Math.max(...v))], ['argmin', (v) => v.indexOf(Math.min(...v))],
      ['any', (v) => (v.some((c) => c !== 0) ? 1 : 0)], ['all', (v) => (v.every((c) => c !== 0) ? 1 : 0)],
    ];
    for (const [op, f] of ops) {
      for (let axis = 0; axis < 3; axis++) {
        const outShape = shape.filter((_, i) => i !== axis);
        const out = f64(size(outShape));
        await b.reduce(op, X, shape, [axis], out);
        const expected = new Float64Array(size(outShape));
        forEachIndex(outShape, (idx, flat) => {
          const values = [...Array(shape[axis])].map((_, r) => {
            const full = [...idx.slice(0, axis), r, ...idx.slice(axis)];
            return at(X, shape, full);
          });
          expected[flat] = f(values);
        });
        close(out, expected, `${op} over axis ${axis}`, 1e-10);
      }
    }
    const withNaN = Float64Array.from([1, NaN, 3, 7, 2, NaN]);
    const out = f64(2);
    await b.reduce('max', withNaN, [2, 3], [1], out);
    close(out, [NaN, NaN], 'max propagates NaN');
    await b.reduce('argmax', withNaN, [2, 3], [1], out);
    close(out, [1, 2], 'argmax points at the NaN');
    await b.reduce('min', Float64Array.from([Infinity, Infinity]), [2], [0], out.subarray(0, 1));
    close(out.subarray(0, 1), [Infinity], 'min of infinities');
  });

  kernelTest(`layout kernels (permute, expand, slice, sliceAssign, indexSelect, indexAdd, gather, scatterAdd)`, ['permute', 'expand', 'slice', 'sliceAssign', 'indexSelect', 'indexAdd', 'gather', 'scatterAdd'], async () => {
    const shape = [2, 3, 4];
    const X = random(24, 6);
    const P = f64(24);
    await b.permute(X, shape, [2, 0, 1], P);
    const expectedP = new Float64Array(24);
    forEachIndex([4, 2, 3], (idx, flat) => { expectedP[flat] = at(X, shape, [idx[1], idx[2], idx[0]]); });
    close(P, expectedP, 'permute');

    const E = f64(2 * 3 * 4 * 2);
    await b.expand(X.subarray(0, 4), [1, 4, 1], E, [2, 3, 4, 2]);
    const expectedE = new Float64Array(48);
    forEachIndex([2, 3, 4, 2], (idx, flat) => { expectedE[flat] = X[idx[2]]; });
    close(E, expectedE, 'expand');

    const S = f64(2 * 2 * 4);
    await b.slice(X, shape, 1, 0, 2, 2, S); // rows 0 and 2 of axis 1
    const expectedS = new Float64Array(16);
    forEachIndex([2, 2, 4], (idx, flat) => { expectedS[flat] = at(X, shape, [idx[0], idx[1] * 2, idx[2]]); });
    close(S, expectedS, 'slice with step');
    const back = f64(24);
    await b.sliceAssign(S, [2, 2, 4], 1, 0, 2, back, shape);
    const expectedBack = new Float64Array(24);
    forEachIndex(shape, (idx, flat) => { expectedBack[flat] = idx[1] % 2 === 0 ? at(X, shape, idx) : 0; });
    close(back, expectedBack, 'sliceAssign with step');

    const index = Int32Array.from([2, 0, 2]);
    const I = f64(2 * 3 * 4);
    await b.indexSelect(X, shape, 1, index, I);
    const expectedI = new Float64Array(24);
    forEachIndex(shape, (idx, flat) => { expectedI[flat] = at(X, shape, [idx[0], index[idx[1]], idx[2]]); });
    close(I, expectedI, 'indexSelect');
    const acc = f64(24);
    await b.indexAdd(I, shape, 1, index, acc, shape);
    const expectedAcc = new Float64Array(24);
    forEachIndex(shape, (idx, flat) => {
      expectedAcc[flat] = idx[1] === 2 ? 2 * at(X, shape, idx) : idx[1] === 0 ? at(X, shape, idx) : 0;
    });
    close(acc, expectedAcc, 'indexAdd with a repeated index');

    const gIndex = Int32Array.from([3, 0, 1, 1, 2, 3]); // shape [2, 3, 1] along axis 2
    const G = f64(6);
    await b.gather(X, shape, 2, gIndex, [2, 3, 1], G);
    const expectedG = new Float64Array(6);
    forEachIndex([2, 3, 1], (idx, flat) => { expectedG[flat] = at(X, shape, [idx[0], idx[1], gIndex[flat]]); });
    close(G, expectedG, 'gather');
    const SA = f64(24);
    await b.scatterAdd(G, [2, 3, 1], gIndex, [2, 3, 1], 2, SA, shape);
    const expectedSA = new Float64Array(24);
    forEachIndex([2, 3, 1], (idx, flat) => { expectedSA[(idx[0] * 3 + idx[1]) * 4 + gIndex[flat]] += G[flat]; });
    close(SA, expectedSA, 'scatterAdd');
  });

  kernelTest(`softmax and log-softmax rows, stable for large values and -Infinity`, ['softmax'], async () => {
    const X = Float64Array.from([1000, 1001, 999, -Infinity, 0, 1, -Infinity, -Infinity, -Infinity]);
    const S = f64(9);
    const L = f64(9);
    await b.softmax(X, [3, 3], 1, S, false);
    await b.softmax(X, [3, 3], 1, L, true);
    const row = (v: number[]) => {
      const m = Math.max(...v);
      const e = v.map((x) => Math.exp(x - m));
      const s = e.reduce((a, c) => a + c, 0);
      return e.map((x) => x / s);
    };
    const expected = [...row([0, 1, -1]), ...row([-Infinity, 0, 1]), NaN, NaN, NaN];
    close(S, expected, 'softmax');
    close(L, expected.map(Math.log), 'log-softmax');
  });

  kernelTest(`where broadcasts all three operands`, ['where'], async () => {
    const cond = Uint8Array.from([1, 0, 1]);
    const A = random(2, 7);
    const B = random(3, 8);
    const out = f64(6);
    await b.where(cond, [1, 3], A, [2, 1], B, [3], out, [2, 3]);
    const expected = new Float64Array(6);
    forEachIndex([2, 3], (idx, flat) => { expected[flat] = cond[idx[1]] ? A[idx[0]] : B[idx[1]]; });
    close(out, expected, 'where');
  });

  kernelTest(`argsort and topk along a middle axis: stable, NaN the largest`, ['argsort', 'topk'], async () => {
    const [outer, n, inner] = [2, 5, 3];
    const X = random(outer * n * inner, 9).map((v) => Math.round(v / 5)); // small integers: many ties
    X[4] = NaN;
    const line = (o: number, i: number) => Array.from({ length: n }, (_, j) => X[(o * n + j) * inner + i]);
    const rank = (v: number) => (Number.isNaN(v) ? Infinity : v);
    for (const descending of [false, true]) {
      const out = new Int32Array(outer * n * inner);
      await b.argsort(X, outer, n, inner, descending, out);
      const top = new Int32Array(outer * 2 * inner);
      await b.topk(X, outer, n, inner, 2, descending, top);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const v = line(o, i);
          // the naive stable order: by value, then by position (NaN counts as the largest value)
          const expected = v.map((_, j) => j).sort((p, q) => (rank(v[p]) === rank(v[q]) ? p - q : (rank(v[p]) < rank(v[q])) !== descending ? -1 : 1));
          const got = Array.from({ length: n }, (_, j) => out[(o * n + j) * inner + i]);
          assert.deepEqual(got, expected, `argsort descending=${descending} line ${o},${i}`);
          assert.deepEqual([top[(o * 2) * inner + i], top[(o * 2 + 1) * inner + i]], expected.slice(0, 2), `topk line ${o},${i}`);
        }
      }
    }
  });

  kernelTest(`unique, nonzero`, ['unique', 'nonzero'], async () => {
    const X = Float64Array.from([3, 1, 3, 0, -2, 1, 3]);
    const values = f64(7);
    const inverse = new Int32Array(7);
    const counts = new Int32Array(7);
    const distinct = new Int32Array(1);
    await b.unique(X, values, inverse, counts, distinct);
    const u = distinct[0];
    assert.equal(u, 4);
    assert.deepEqual(Array.from(values.slice(0, u)), [-2, 0, 1, 3]);
    assert.deepEqual(Array.from(inverse), [3, 2, 3, 1, 0, 2, 3]);
    assert.deepEqual(Array.from(counts.slice(0, u)), [1, 1, 2, 3]);
    const coords = new Int32Array(6 * 2);
    const count = new Int32Array(1);
    await b.nonzero(Float64Array.from([0, 2, 0, -1, 0, 5]), [2, 3], coords, count);
    assert.equal(count[0], 3);
    assert.deepEqual(Array.from(coords.slice(0, 6)), [0, 1, 1, 0, 1, 2]);
  });

  kernelTest(`cumulative sums and products, and cumprod's gradient with zeros`, ['cumulative', 'cumprodBackward'], async () => {
    const [outer, n, inner] = [2, 4, 3];
    const X = random(outer * n * inner, 10);
    X[3] = 0;
    const sums = f64(X.length);
    const prods = f64(X.length);
    await b.cumulative('sum', X, outer, n, inner, sums);
    await b.cumulative('prod', X, outer, n, inner, prods);
    const G = random(X.length, 11);
    const grad = f64(X.length);
    await b.cumprodBackward(X, G, outer, n, inner, grad);
    const expectedSum = new Float64Array(X.length);
    const expectedProd = new Float64Array(X.length);
    const expectedGrad = new Float64Array(X.length);
    const at3 = (o: number, j: number, i: number) => (o * n + j) * inner + i;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let k = 0; k < n; k++) {
          let s = 0;
          let p = 1;
          for (let j = 0; j <= k; j++) {
            s += X[at3(o, j, i)];
            p *= X[at3(o, j, i)];
          }
          expectedSum[at3(o, k, i)] = s;
          expectedProd[at3(o, k, i)] = p;
        }
        // d/dx_j of sum_k g_k prod_{m<=k} x_m, by the definition: the product without x_j
        for (let j = 0; j < n; j++) {
          let total = 0;
          for (let k = j; k < n; k++) {
            let p = 1;
            for (let m = 0; m <= k; m++) if (m !== j) p *= X[at3(o, m, i)];
            total += G[at3(o, k, i)] * p;
          }
          expectedGrad[at3(o, j, i)] = total;
        }
      }
    }
    close(sums, expectedSum, 'cumsum', 1e-12);
    close(prods, expectedProd, 'cumprod', 1e-12);
    close(grad, expectedGrad, 'cumprod backward', 1e-10);
  });

  kernelTest(`sampleCategorical picks the first bucket whose cumulative probability reaches the draw`, ['sampleCategorical'], async () => {
    const probs = Float64Array.from([0.1, 0, 0.6, 0.3, 2, 0, 0, 2]);
    const uniforms = Float64Array.from([0, 0.1, 0.1000001, 0.7, 0.95, 0.5, 0.50001, 0.999]);
    const out = new Int32Array(8);
    await b.sampleCategorical(probs, 2, 4, uniforms, 4, out);
    assert.deepEqual(Array.from(out), [0, 0, 2, 2, 3, 0, 3, 3]);
  });

  kernelTest(`GELU (both forms) and SiLU and their backward, against their formulas`, ['unary', 'unaryBackward'], async () => {
    const erf = (x: number) => {
      // Abramowitz-Stegun 7.1.26 is too coarse; a Taylor/continued-fraction-free check: erf via its series to 1e-15 on |x| < 3
      let sum = 0;
      let term = x;
      for (let k = 0; k < 200; k++) {
        sum += term / (2 * k + 1);
        term *= (-x * x) / (k + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const beta = Math.sqrt(2 / Math.PI);
    const forms: [ActivationOp, (x: number) => number][] = [
      ['gelu', (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))],
      ['geluTanh', (x) => 0.5 * x * (1 + Math.tanh(beta * (x + 0.044715 * x ** 3)))],
      ['silu', (x) => x / (1 + Math.exp(-x))],
    ];
    const X = Float64Array.from(random(40, 9), (v) => v / 4); // [-2.5, 2.5]
    for (const [op, f] of forms) {
      const Y = f64(40);
      await b.unary(op, X, Y);
      close(Y, X.map(f), op, 1e-12);
      const Y32 = b.allocate('float32', 40);
      await b.unary(op, Float32Array.from(X), Y32);
      close(Y32, Float32Array.from(X).map((v) => f(v)), `${op} in float32`, 1e-6);
      // backward: grad * f'(x), against central differences of the formula
      const G = Float64Array.from(random(40, 10), (v) => v / 10);
      const dX = f64(40);
      await b.unaryBackward(op, G, X, dX);
      const h = 1e-6;
      close(dX, X.map((v, i) => (G[i] * (f(v + h) - f(v - h))) / (2 * h)), `${op} backward`, 1e-8);
    }
  });

  kernelTest(`float32, int32 and bool binary ops with rank-5 broadcasts, rounded as float32 or wrapped as int32`, ['binary'], async () => {
    const [sa, sb] = [[3, 1, 5, 1, 2], [4, 1, 6, 1]];
    const out = [3, 4, 5, 6, 2];
    const A = Float32Array.from(random(size(sa), 11));
    const B = Float32Array.from(random(size(sb), 12), (v) => (v === 0 ? 1 : v));
    const floatOps: [BinaryOp, (x: number, y: number) => number][] = [
      ['add', (x, y) => x + y], ['sub', (x, y) => x - y], ['mul', (x, y) => x * y], ['div', (x, y) => x / y],
      ['maximum', Math.max], ['minimum', Math.min], ['pow', (x, y) => Math.abs(x) ** Math.round(y)],
    ];
    for (const [op, f] of floatOps) {
      const a = op === 'pow' ? A.map(Math.abs) : A;
      const bb = op === 'pow' ? B.map(Math.round) : B;
      const C = b.allocate('float32', size(out));
      await b.binary(op, a, sa, bb, sb, C, out);
      const expected = new Float32Array(size(out));
      forEachIndex(out, (idx, flat) => { expected[flat] = f(at(a as unknown as Arr, sa, idx), at(bb as unknown as Arr, sb, idx)); });
      close(C, expected, `float32 ${op}`, op === 'pow' ? 2e-7 : 0);
    }
    const I = Int32Array.from(random(size(sa), 13), (v) => Math.round(v * 1e8));
    const J = Int32Array.from(random(size(sb), 14), (v) => Math.round(v * 1e8));
    const intOps: [BinaryOp, 'int32' | 'bool', (x: number, y: number) => number][] = [
      ['add', 'int32', (x, y) => (x + y) | 0], ['sub', 'int32', (x, y) => (x - y) | 0], ['maximum', 'int32', Math.max],
      ['lt', 'bool', (x, y) => (x < y ? 1 : 0)], ['eq', 'bool', (x, y) => (x === y ? 1 : 0)], ['logicalXor', 'bool', (x, y) => ((x !== 0) !== (y !== 0) ? 1 : 0)],
    ];
    for (const [op, dtype, f] of intOps) {
      const C = b.allocate(dtype, size(out));
      await b.binary(op, I, sa, J, sb, C, out);
      const expected = new Float64Array(size(out));
      forEachIndex(out, (idx, flat) => { expected[flat] = f(at(I as unknown as Arr, sa, idx), at(J as unknown as Arr, sb, idx)); });
      close(C, expected, `int32 ${op}`, 0);
    }
  });

  kernelTest(`cast truncates toward zero and wraps into int32, bool is != 0; fill converts like a typed array`, ['cast', 'fill'], async () => {
    const X = Float32Array.from([1.9, -1.9, 0, -0, NaN, 3e9, -3e9, 0.25, 255, 256]);
    const I = b.allocate('int32', X.length);
    await b.cast(X, I);
    close(I, [1, -1, 0, 0, 0, 3e9 - 2 ** 32, -3e9 + 2 ** 32, 0, 255, 256], 'float32 to int32', 0);
    const M = b.allocate('bool', X.length);
    await b.cast(X, M);
    close(M, [1, 1, 0, 0, 1, 1, 1, 1, 1, 1], 'float32 to bool', 0);
    const F = b.allocate('float32', 3);
    await b.cast(Int32Array.of(16777217, -3, 2147483647), F);
    close(F, [16777216, -3, 2147483648], 'int32 to float32 rounds to nearest', 0);
    const filled = b.allocate('int32', 5);
    await b.fill(filled, -2.7);
    close(filled, [-2, -2, -2, -2, -2], 'fill int32 with -2.7', 0);
  });

  kernelTest(`reductions over several axes at once, and of int32 and bool`, ['reduce'], async () => {
    const shape = [3, 2, 4, 5];
    const X = random(size(shape), 11);
    X[7] = X[8] = 0;
    const folds: [ReduceOp, (v: number[]) => number][] = [
      ['sum', (v) => v.reduce((a, c) => a + c, 0)], ['prod', (v) => v.reduce((a, c) => a * c, 1)],
      ['max', (v) => Math.max(...v)], ['min', (v) => Math.min(...v)],
      ['any', (v) => (v.some((c) => c !== 0) ? 1 : 0)], ['all', (v) => (v.every((c) => c !== 0) ? 1 : 0)],
    ];
    const reduceNaive = (x: ArrayLike<number>, axes: number[], f: (v: number[]) => number) => {
      const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const groups = new Map<number, number[]>();
      forEachIndex(shape, (idx, flat) => {
        let o = 0;
        for (let d = 0; d < shape.length; d++) o = o * kept[d] + (axes.includes(d) ? 0 : idx[d]);
        if (!groups.has(o)) groups.set(o, []);
        groups.get(o)!.push(x[flat]);
      });
      return Float64Array.from([...groups.keys()].sort((p, q) => p - q), (o) => f(groups.get(o)!));
    };
    for (const axes of [[0, 2, 3], [1, 3], [0, 1, 2, 3], [0, 3], [2], [0, 1]]) {
      const outSize = size(shape.filter((_, i) => !axes.includes(i)));
      for (const [op, f] of folds) {
        const out = f64(outSize);
        await b.reduce(op, X, shape, axes, out);
        close(out, reduceNaive(X, axes, f), `${op} over ${JSON.stringify(axes)}`, 1e-10);
      }
      const ints = Int32Array.from(X, (v) => Math.round(v));
      const intOut = new Int32Array(outSize);
      await b.reduce('sum', ints, shape, axes, intOut);
      close(intOut, reduceNaive(ints, axes, folds[0][1]), `int32 sum over ${JSON.stringify(axes)}`);
      await b.reduce('max', ints, shape, axes, intOut);
      close(intOut, reduceNaive(ints, axes, folds[2][1]), `int32 max over ${JSON.stringify(axes)}`);
      const bools = Uint8Array.from(X, (v) => (v > 2 ? 1 : 0));
      await b.reduce('sum', bools, shape, axes, intOut);
      close(intOut, reduceNaive(bools, axes, folds[0][1]), `bool sum over ${JSON.stringify(axes)}`);
      const boolOut = new Uint8Array(outSize);
      for (const [op, f] of [folds[4], folds[5]]) {
        await b.reduce(op, bools, shape, axes, boolOut);
        close(boolOut, reduceNaive(bools, axes, f), `bool ${op} over ${JSON.stringify(axes)}`);
      }
    }
    for (const [op, f] of [['argmax', (v: number[]) => v.indexOf(Math.max(...v))], ['argmin', (v: number[]) => v.indexOf(Math.min(...v))]] as const) {
      for (let axis = 0; axis < 4; axis++) {
        const out = new Int32Array(size(shape) / shape[axis]);
        await b.reduce(op, X, shape, [axis], out);
        close(out, reduceNaive(X, [axis], f), `${op} over ${axis}`);
      }
    }
    const empty = f64(2);
    await b.reduce('sum', f64(0), [2, 0], [1], empty);
    close(empty, [0, 0], 'sum over an empty axis');
  });

  const softmaxNaive = (v: number[]) => {
    const m = Math.max(...v);
    const e = v.map((x) => Math.exp(x - m));
    const total = e.reduce((a, c) => a + c, 0);
    return e.map((x) => x / total);
  };
  /** f applied to every line of `shape` along `axis` (values in, values out). */
  const alongAxis = (x: ArrayLike<number>, shape: number[], axis: number, f: (v: number[], line: number[]) => number[]) => {
    const out = new Float64Array(size(shape));
    forEachIndex(shape, (idx) => {
      if (idx[axis] !== 0) return;
      const flats = [...Array(shape[axis])].map((_, j) => {
        const full = idx.slice();
        full[axis] = j;
        return full.reduce((o, v, d) => o * shape[d] + v, 0);
      });
      const result = f(flats.map((i) => x[i]), flats);
      flats.forEach((i, j) => { out[i] = result[j]; });
    });
    return out;
  };

  kernelTest(`softmax and its backward along any axis`, ['softmax', 'softmaxBackward'], async () => {
    const shape = [2, 3, 4];
    const X = random(24, 12);
    const G = random(24, 13);
    for (let axis = 0; axis < 3; axis++) {
      const S = f64(24);
      const L = f64(24);
      await b.softmax(X, shape, axis, S, false);
      await b.softmax(X, shape, axis, L, true);
      const expected = alongAxis(X, shape, axis, softmaxNaive);
      close(S, expected, `softmax along ${axis}`);
      close(L, expected.map(Math.log), `log-softmax along ${axis}`);
      const dS = f64(24);
      const dL = f64(24);
      await b.softmaxBackward(G, S, shape, axis, dS, false);
      await b.softmaxBackward(G, L, shape, axis, dL, true);
      // the Jacobian products written out: dS_i = sum_j g_j s_j (delta_ij - s_i); dL_i = g_i - s_i sum_j g_j
      close(dS, alongAxis(S, shape, axis, (s, line) => s.map((si, i) => s.reduce((a, sj, j) => a + G[line[j]] * sj * ((i === j ? 1 : 0) - si), 0))), `softmax backward along ${axis}`);
      close(dL, alongAxis(S, shape, axis, (s, line) => s.map((si, i) => G[line[i]] - si * line.reduce((a, j) => a + G[j], 0))), `log-softmax backward along ${axis}`);
    }
  });

  /** Central differences of sum(grad * f(x)) with respect to x: the reference for the backward kernels. */
  const numericGrad = (x: Float64Array, grad: ArrayLike<number>, f: (x: Float64Array) => Float64Array) => {
    const out = new Float64Array(x.length);
    const h = 1e-6;
    for (let i = 0; i < x.length; i++) {
      const keep = x[i];
      x[i] = keep + h;
      const up = f(x);
      x[i] = keep - h;
      const down = f(x);
      x[i] = keep;
      let s = 0;
      for (let j = 0; j < up.length; j++) s += grad[j] * (up[j] - down[j]);
      out[i] = s / (2 * h);
    }
    return out;
  };

  syncTest(`crossEntropy per element with weights, ignoreIndex and label smoothing, and its gradient`, (b) => {
    const [outer, classes, inner] = [3, 4, 2];
    const X = random(outer * classes * inner, 14).map((v) => v / 4);
    const target = Int32Array.from([0, 3, -100, 1, 2, 2]);
    const weight = Float64Array.from([0.5, 2, 1, 1.5]);
    for (const w of [null, weight]) {
      for (const smoothing of [0, 0.2]) {
        for (const fromLogits of [true, false]) {
          const forward = (x: Float64Array) => {
            const losses = f64(6);
            const weights = f64(6);
            const lse = f64(6);
            assert.equal(b.crossEntropy(x, target, w, outer, classes, inner, -100, smoothing, fromLogits, losses, weights, lse), null);
            return { losses, weights, lse };
          };
          const { losses, weights, lse } = forward(X);
          const expectedLosses = new Float64Array(6);
          const expectedWeights = new Float64Array(6);
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              const y = target[o * inner + i];
              if (y === -100) continue;
              const row = [...Array(classes)].map((_, c) => X[(o * classes + c) * inner + i]);
              const logp = fromLogits ? softmaxNaive(row).map(Math.log) : row;
              const wc = (c: number) => (w ? w[c] : 1);
              expectedLosses[o * inner + i] = (1 - smoothing) * -wc(y) * logp[y] - (smoothing / classes) * logp.reduce((a, l, c) => a + wc(c) * l, 0);
              expectedWeights[o * inner + i] = wc(y);
            }
          }
          const what = `weight ${w !== null}, smoothing ${smoothing}, fromLogits ${fromLogits}`;
          close(losses, expectedLosses, `crossEntropy losses (${what})`, 1e-10);
          close(weights, expectedWeights, `crossEntropy weights (${what})`);
          const G = random(6, 15);
          for (const [grad, scale] of [[G, 1], [Float64Array.from([0.7]), 0.5]] as const) {
            const out = f64(X.length);
            b.crossEntropyBackward(X, lse, target, w, outer, classes, inner, -100, smoothing, fromLogits, grad, scale, out);
            const upstream = Float64Array.from({ length: 6 }, (_, e) => (grad.length === 1 ? grad[0] : grad[e]) * scale);
            close(out, numericGrad(Float64Array.from(X), upstream, (x) => forward(x).losses), `crossEntropy gradient (${what}, ${grad.length === 1 ? 'one upstream value' : 'per element'})`, 1e-6);
          }
        }
      }
    }
    const bad = Int32Array.from([0, 4, 1, -1, 0, 0]);
    assert.equal(b.crossEntropy(X, bad, null, outer, classes, inner, -100, 0, true, f64(6), f64(6), f64(6)), 4, 'the first label out of range');
  });

  syncTest(`batchNorm in training (running statistics updated) and evaluation, and its backward`, (b) => {
    const [batch, channels, inner] = [3, 2, 4];
    const X = random(batch * channels * inner, 16);
    const weight = Float64Array.from([1.5, -0.5]);
    const bias = Float64Array.from([0.25, 2]);
    const values = (x: ArrayLike<number>, c: number) => [...Array(batch * inner)].map((_, k) => x[(Math.floor(k / inner) * channels + c) * inner + (k % inner)]);
    for (const training of [true, false]) {
      for (const affine of [true, false]) {
        const runningMean = Float64Array.from([0.5, -1]);
        const runningVar = Float64Array.from([2, 0.5]);
        const forward = (x: Float64Array, rm = runningMean.slice(), rv = runningVar.slice()) => {
          const out = f64(x.length);
          const mean = f64(channels);
          const invstd = f64(channels);
          b.batchNorm(x, batch, channels, inner, affine ? weight : null, affine ? bias : null, rm, rv, training, 0.1, 1e-5, out, mean, invstd);
          return { out, mean, invstd, rm, rv };
        };
        const { out, mean, invstd, rm, rv } = forward(X);
        const expected = new Float64Array(X.length);
        for (let c = 0; c < channels; c++) {
          const v = values(X, c);
          const m = training ? v.reduce((a, e) => a + e, 0) / v.length : runningMean[c];
          const sq = v.reduce((a, e) => a + (e - m) ** 2, 0);
          const variance = training ? sq / v.length : runningVar[c];
          close([mean[c], invstd[c]], [m, 1 / Math.sqrt(variance + 1e-5)], `batchNorm statistics of channel ${c}`);
          if (training) close([rm[c], rv[c]], [0.9 * runningMean[c] + 0.1 * m, 0.9 * runningVar[c] + 0.1 * (sq / (v.length - 1))], `running statistics of channel ${c}`);
          else close([rm[c], rv[c]], [runningMean[c], runningVar[c]], 'running statistics unchanged in evaluation');
          for (let n = 0; n < batch; n++) {
            for (let i = 0; i < inner; i++) {
              const at = (n * channels + c) * inner + i;
              expected[at] = ((X[at] - m) / Math.sqrt(variance + 1e-5)) * (affine ? weight[c] : 1) + (affine ? bias[c] : 0);
            }
          }
        }
        const what = `${training ? 'training' : 'evaluation'}${affine ? '' : ', no affine'}`;
        close(out, expected, `batchNorm (${what})`, 1e-10);
        const G = random(X.length, 17);
        const gradInput = f64(X.length);
        const gradWeight = f64(channels);
        const gradBias = f64(channels);
        b.batchNormBackward(X, G, batch, channels, inner, affine ? weight : null, mean, invstd, training, gradInput, gradWeight, gradBias);
        close(gradInput, numericGrad(Float64Array.from(X), G, (x) => forward(x).out), `batchNorm input gradient (${what})`, 1e-6);
        const xhat = (at: number, c: number) => (X[at] - mean[c]) * invstd[c];
        for (let c = 0; c < channels; c++) {
          const ats = values([...Array(X.length).keys()], c);
          close([gradWeight[c], gradBias[c]], [ats.reduce((a, at) => a + G[at] * xhat(at, c), 0), ats.reduce((a, at) => a + G[at], 0)], `batchNorm weight and bias gradients of channel ${c} (${what})`, 1e-10);
        }
        const onlyInput = f64(X.length);
        b.batchNormBackward(X, G, batch, channels, inner, affine ? weight : null, mean, invstd, training, onlyInput, null, null);
        close(onlyInput, gradInput, 'batchNorm input gradient alone');
      }
    }
  });

  syncTest(`groupNorm (and layerNorm as one group) and its backward`, (b) => {
    for (const [batch, groups, perGroup, inner] of [[2, 2, 2, 3], [3, 1, 5, 1], [2, 3, 1, 4]]) {
      const channels = groups * perGroup;
      const X = random(batch * channels * inner, 18 + groups);
      const weight = random(channels, 19).map((v) => v / 5);
      const bias = random(channels, 20);
      for (const affine of [true, false]) {
        const forward = (x: Float64Array) => {
          const out = f64(x.length);
          const mean = f64(batch * groups);
          const rstd = f64(batch * groups);
          b.groupNorm(x, batch, groups, perGroup, inner, affine ? weight : null, affine ? bias : null, 1e-5, out, mean, rstd);
          return { out, mean, rstd };
        };
        const { out, mean, rstd } = forward(X);
        const expected = new Float64Array(X.length);
        const size = perGroup * inner;
        for (let row = 0; row < batch * groups; row++) {
          const v = Array.from(X.subarray(row * size, (row + 1) * size));
          const m = v.reduce((a, e) => a + e, 0) / size;
          const r = 1 / Math.sqrt(v.reduce((a, e) => a + (e - m) ** 2, 0) / size + 1e-5);
          close([mean[row], rstd[row]], [m, r], `groupNorm statistics of row ${row}`);
          v.forEach((e, j) => {
            const c = (row % groups) * perGroup + Math.floor(j / inner);
            expected[row * size + j] = (e - m) * r * (affine ? weight[c] : 1) + (affine ? bias[c] : 0);
          });
        }
        const what = `[${batch}, ${groups}x${perGroup}, ${inner}]${affine ? '' : ', no affine'}`;
        close(out, expected, `groupNorm ${what}`, 1e-10);
        const G = random(X.length, 21);
        const gradInput = f64(X.length);
        const gradWeight = f64(channels);
        const gradBias = f64(channels);
        b.groupNormBackward(X, G, batch, groups, perGroup, inner, affine ? weight : null, mean, rstd, gradInput, gradWeight, gradBias);
        close(gradInput, numericGrad(Float64Array.from(X), G, (x) => forward(x).out), `groupNorm input gradient ${what}`, 1e-6);
        const expectedWeight = new Float64Array(channels);
        const expectedBias = new Float64Array(channels);
        forEachIndex([batch, channels, inner], ([n, c], at) => {
          const row = n * groups + Math.floor(c / perGroup);
          expectedWeight[c] += G[at] * (X[at] - mean[row]) * rstd[row];
          expectedBias[c] += G[at];
        });
        close(gradWeight, expectedWeight, `groupNorm weight gradient ${what}`, 1e-10);
        close(gradBias, expectedBias, `groupNorm bias gradient ${what}`, 1e-10);
      }
    }
  });

  kernelTest(`binaryCrossEntropy with clamped logs, out-of-range inputs found, and its gradient`, ['binaryCrossEntropy', 'binaryCrossEntropyBackward'], async () => {
    const x = Float64Array.from([0.1, 0.5, 0.999, 0, 1, 0.3]);
    const y = Float64Array.from([0, 1, 0.25, 1, 0, 0.5]);
    const out = f64(6);
    assert.equal(await b.binaryCrossEntropy(x, y, out), null);
    close(out, Array.from(x, (v, i) => -(y[i] * Math.max(Math.log(v), -100) + (1 - y[i]) * Math.max(Math.log(1 - v), -100))), 'binaryCrossEntropy');
    if (synchronous) { // (a check that reads the values: a GPU skips it, as CUDA's device asserts)
      assert.equal(await b.binaryCrossEntropy(Float64Array.from([0.5, 1.5, -1]), y.subarray(0, 3), f64(3)), 1, 'the first input outside [0, 1]');
      assert.equal(await b.binaryCrossEntropy(Float64Array.from([0.5, NaN]), y.subarray(0, 2), f64(2)), 1, 'NaN is outside [0, 1]');
    }
    for (const grad of [random(6, 22), Float64Array.from([0.3])]) {
      const gx = f64(6);
      await b.binaryCrossEntropyBackward(x, y, grad, 0.5, gx);
      close(gx, Array.from(x, (v, i) => (grad.length === 1 ? grad[0] : grad[i]) * 0.5 * ((v - y[i]) / Math.max((1 - v) * v, 1e-12))), 'binaryCrossEntropy gradient');
    }
  });

  if (synchronous) sequenceConformance(b as ArrayBackend); // central differences throughout
}
