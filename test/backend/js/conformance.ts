// A conformance suite for any Backend: each kernel against a naive loop written here, on odd shapes,
// broadcast strides, transposed operands and NaN. The JS backend runs it (kernels.test.ts); a new backend
// (wasm) can run the same function. Kernel calls are awaited, so a backend that reads asynchronously
// (webgpu, through onArraysAsync) runs the same suite, at its own precision.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BinaryOp, ReduceOp } from '../../../src/index.js';
import type { ArrayBackend, AsyncArrayBackend } from '../array-kernels.js';

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

  kernelTest('matmul in all transpose combinations with broadcast batches', ['matmul'], async () => {
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

  kernelTest('binary ops broadcast like NumPy, including scalar fast paths', ['binary'], async () => {
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

  kernelTest('reductions over every axis, NaN propagating and first index on ties', ['reduce'], async () => {
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
        await b.reduce(op, X, shape, axis, out);
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
    await b.reduce('max', withNaN, [2, 3], 1, out);
    close(out, [NaN, NaN], 'max propagates NaN');
    await b.reduce('argmax', withNaN, [2, 3], 1, out);
    close(out, [1, 2], 'argmax points at the NaN');
    await b.reduce('min', Float64Array.from([Infinity, Infinity]), [2], 0, out.subarray(0, 1));
    close(out.subarray(0, 1), [Infinity], 'min of infinities');
  });

  kernelTest('layout kernels (permute, expand, slice, sliceAssign, indexSelect, indexAdd, gather, scatterAdd)', ['permute', 'expand', 'slice', 'sliceAssign', 'indexSelect', 'indexAdd', 'gather', 'scatterAdd'], async () => {
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

  kernelTest('softmax and log-softmax rows, stable for large values and -Infinity', ['softmax'], async () => {
    const X = Float64Array.from([1000, 1001, 999, -Infinity, 0, 1, -Infinity, -Infinity, -Infinity]);
    const S = f64(9);
    const L = f64(9);
    await b.softmax(X, 3, S, false);
    await b.softmax(X, 3, L, true);
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

  kernelTest('where broadcasts all three operands', ['where'], async () => {
    const cond = Uint8Array.from([1, 0, 1]);
    const A = random(2, 7);
    const B = random(3, 8);
    const out = f64(6);
    await b.where(cond, [1, 3], A, [2, 1], B, [3], out, [2, 3]);
    const expected = new Float64Array(6);
    forEachIndex([2, 3], (idx, flat) => { expected[flat] = cond[idx[1]] ? A[idx[0]] : B[idx[1]]; });
    close(out, expected, 'where');
  });

  kernelTest('argsort and topk along a middle axis: stable, NaN the largest', ['argsort', 'topk'], async () => {
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

  kernelTest('unique, nonzero', ['unique', 'nonzero'], async () => {
    const X = Float64Array.from([3, 1, 3, 0, -2, 1, 3]);
    const values = f64(7);
    const inverse = new Int32Array(7);
    const counts = new Int32Array(7);
    const u = await b.unique(X, values, inverse, counts);
    assert.equal(u, 4);
    assert.deepEqual(Array.from(values.slice(0, u)), [-2, 0, 1, 3]);
    assert.deepEqual(Array.from(inverse), [3, 2, 3, 1, 0, 2, 3]);
    assert.deepEqual(Array.from(counts.slice(0, u)), [1, 1, 2, 3]);
    const coords = new Int32Array(6 * 2);
    const count = await b.nonzero(Float64Array.from([0, 2, 0, -1, 0, 5]), [2, 3], coords);
    assert.equal(count, 3);
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

  kernelTest('sampleCategorical picks the first bucket whose cumulative probability reaches the draw', ['sampleCategorical'], async () => {
    const probs = Float64Array.from([0.1, 0, 0.6, 0.3, 2, 0, 0, 2]);
    const uniforms = Float64Array.from([0, 0.1, 0.1000001, 0.7, 0.95, 0.5, 0.50001, 0.999]);
    const out = new Int32Array(8);
    await b.sampleCategorical(probs, 2, 4, uniforms, 4, out);
    assert.deepEqual(Array.from(out), [0, 0, 2, 2, 3, 0, 3, 3]);
  });
}
