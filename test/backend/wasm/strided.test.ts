// The wasm backend's binary, where, expand and permute kernels (N-d strided walks) against the reference
// kernels: bit for bit (NaN for NaN, -0 for -0) on every broadcast pattern and dtype they take, and the
// same bits on 1 and 2 threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BinaryOp, type DType, broadcastShapes, getNumThreads, setNumThreads } from '../../../src/index.js';
import { allocate } from '../../../src/tensor/dtype.js';
import { workerJobCount } from '../../../src/backend/wasm/state.js';
import { setMinElementsPerThread } from '../../../src/backend/wasm/strided.js';
import { assertSameValues, floatUlps, jsBackend, randomFloats, wasm } from './util.js';

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

// Broadcast pairs: equal, scalar, rows, columns, outer products, 1s inside and between dims, rank 5, tails
// that are not a multiple of 4, and an empty tensor.
const PAIRS: [number[], number[]][] = [
  [[129, 17], [129, 17]], [[7, 17, 129], []], [[], [7, 17, 129]], [[300, 17], [17]], [[17], [300, 17]],
  [[300, 1], [300, 7]], [[129, 1], [1, 33]], [[2, 300, 7], [300, 7]], [[8, 16, 5, 5], [16, 1, 1]],
  [[16, 1, 1], [8, 16, 5, 5]], [[4, 129, 5], [4, 1, 5]], [[2, 1, 3], [2, 4, 1]], [[3, 1, 5, 1, 2], [4, 1, 6, 1]],
  [[5, 1, 7, 3], [1, 6, 1, 3]], [[7], [7]], [[1], [1]], [[0, 3], [3]], [[6, 1], [1]],
];

/** Values of `dtype` with the awkward ones mixed in: NaN, ±0, ±Infinity, ties, integers near the int32 limits. */
function values(dtype: DType, n: number, seed: number): ReturnType<typeof allocate> {
  const floats = randomFloats(n);
  const out = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const u = floats[i];
    if (dtype === 'bool') out[i] = u > 0 ? 1 : 0;
    else if (dtype === 'int32') out[i] = (i + seed) % 7 === 0 ? (u > 0 ? 2147483000 : -2147483000) : Math.round(u * 50);
    else out[i] = [NaN, -0, 0, Infinity, -Infinity, 1, -1, 2, 0.5][(i * 7 + seed) % 23] ?? u * 10;
  }
  return out;
}

const COMPARISONS: BinaryOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor'];
const FLOAT_OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'remainder', 'fmod', 'floorDivide', 'atan2', ...COMPARISONS];

function runBoth(op: BinaryOp, a: ReturnType<typeof allocate>, aShape: number[], b: ReturnType<typeof allocate>, bShape: number[], outDtype: DType) {
  const outShape = broadcastShapes(aShape, bShape);
  const ours = allocate(outDtype, size(outShape));
  const reference = allocate(outDtype, size(outShape));
  wasm().binary(op, a, aShape, b, bShape, ours, outShape);
  jsBackend.binary(op, a, aShape, b, bShape, reference, outShape);
  return [ours, reference] as const;
}

test('float32 binary ops equal the reference bit for bit for every broadcast pattern', () => {
  for (const op of FLOAT_OPS) {
    for (const [aShape, bShape] of PAIRS) {
      const a = values('float32', size(aShape), 1);
      const b = values('float32', size(bShape), 2);
      const [ours, reference] = runBoth(op, a, aShape, b, bShape, COMPARISONS.includes(op) ? 'bool' : 'float32');
      assertSameValues(ours, reference, `${op} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`);
    }
  }
});

test('float32 pow is within 1 ulp of the reference (musl pow against V8\'s), exact for squares and C\'s special cases', () => {
  const n = 20000;
  const base = Float32Array.from(randomFloats(n), (v, i) => (i % 3 === 0 ? v * 40 : Math.abs(v) * 4));
  const exponent = Float32Array.from(randomFloats(n), (v, i) => (i % 5 === 0 ? Math.round(v * 6) : v * 8));
  base.set([1, 1, -1, -1, 0, -0, NaN, Infinity, -Infinity, 2]);
  exponent.set([NaN, Infinity, Infinity, -Infinity, -1, -3, 0, -0.5, 3, 2]);
  const [ours, reference] = runBoth('pow', base, [n], exponent, [n], 'float32');
  let inexact = 0;
  for (let i = 0; i < n; i++) {
    const d = floatUlps(ours[i], reference[i]);
    assert.ok(d <= 1, `pow(${base[i]}, ${exponent[i]}): ${ours[i]} against ${reference[i]}`);
    if (d) inexact++;
  }
  assert.ok(inexact < n / 1000, `${inexact} of ${n} differ in the last bit`);
  const squares = runBoth('pow', base, [n], Float32Array.of(2), [], 'float32');
  assertSameValues(squares[0], squares[1], 'pow(x, 2)');
});

test('a float32 tensor times a bool mask (either order, broadcast) equals the reference', () => {
  for (const [aShape, bShape] of PAIRS) {
    const x = values('float32', size(aShape), 3);
    const mask = values('bool', size(bShape), 4);
    for (const [p, q, ps, qs] of [[x, mask, aShape, bShape], [mask, x, bShape, aShape]] as const) {
      const [ours, reference] = runBoth('mul', p, ps, q, qs, 'float32');
      assertSameValues(ours, reference, `mul ${JSON.stringify(ps)} ${JSON.stringify(qs)}`);
    }
  }
});

test('int32 and bool operands: arithmetic wraps like int32, division gives float32, comparisons and logic give bool', () => {
  const intOps: [BinaryOp, DType][] = [
    ['add', 'int32'], ['sub', 'int32'], ['maximum', 'int32'], ['minimum', 'int32'], ['div', 'float32'],
    ...COMPARISONS.map((op): [BinaryOp, DType] => [op, 'bool']),
  ];
  for (const [op, outDtype] of intOps) {
    for (const [aShape, bShape] of PAIRS) {
      for (const [ad, bd] of [['int32', 'int32'], ['int32', 'bool'], ['bool', 'int32']] as const) {
        const [ours, reference] = runBoth(op, values(ad, size(aShape), 5), aShape, values(bd, size(bShape), 6), bShape, outDtype);
        assertSameValues(ours, reference, `${op} ${ad} ${JSON.stringify(aShape)} ${bd} ${JSON.stringify(bShape)}`);
      }
    }
  }
  // products within 2^53, where the reference's double product is exact (int32 mul wraps like torch's beyond)
  const a = Int32Array.from(randomFloats(1000), (v) => Math.round(v * 40000));
  const b = Int32Array.from(randomFloats(1000), (v) => Math.round(v * 40000));
  const [ours, reference] = runBoth('mul', a, [1000], b, [1000], 'int32');
  assertSameValues(ours, reference, 'int32 mul');
  const wrapped = runBoth('mul', Int32Array.of(65536, -2147483648), [2], Int32Array.of(65536, -1), [2], 'int32')[0];
  assert.deepEqual([...wrapped], [0, -2147483648], 'int32 products wrap');
  for (const op of ['maximum', 'minimum', ...COMPARISONS] as BinaryOp[]) {
    const [mine, ref] = runBoth(op, values('bool', 300, 7), [300, 1], values('bool', 7, 8), [7], 'bool');
    assertSameValues(mine, ref, `bool ${op}`);
  }
});

test('binary in place (out is the first operand) with a broadcast second operand', () => {
  const x = values('float32', 129 * 17, 9);
  const bias = values('float32', 17, 10);
  const expected = runBoth('add', x, [129, 17], bias, [17], 'float32')[1];
  wasm().binary('add', x, [129, 17], bias, [17], x, [129, 17]);
  assertSameValues(x, expected, 'add_ into the first operand');
});

test('where broadcasts condition and values for every dtype, bit for bit', () => {
  const triples: [number[], number[], number[]][] = [
    [[129, 17], [129, 17], [129, 17]], [[1, 17], [129, 1], [17]], [[5, 1, 7], [3, 1], []], [[], [6], [6]],
    [[2, 3, 1, 4], [1, 3, 5, 1], [5, 4]], [[0, 2], [2], [2]],
  ];
  for (const dtype of ['float32', 'int32', 'bool', 'float64'] as DType[]) {
    for (const [cs, as, bs] of triples) {
      const outShape = broadcastShapes(broadcastShapes(cs, as), bs);
      const cond = values('bool', size(cs), 11);
      const a = values(dtype, size(as), 12);
      const b = values(dtype, size(bs), 13);
      const ours = allocate(dtype, size(outShape));
      const reference = allocate(dtype, size(outShape));
      wasm().where(cond, cs, a, as, b, bs, ours, outShape);
      jsBackend.where(cond, cs, a, as, b, bs, reference, outShape);
      assertSameValues(ours, reference, `where ${dtype} ${JSON.stringify([cs, as, bs])}`);
    }
  }
});

test('expand copies any broadcast, for every dtype', () => {
  const cases: [number[], number[]][] = [[[1, 8, 1, 1], [64, 8, 5, 5]], [[3, 1], [2, 3, 7]], [[], [5, 3]], [[1], [4099]], [[2, 1, 3], [2, 5, 3]], [[4], [3, 4]]];
  for (const dtype of ['float32', 'int32', 'bool', 'float64'] as DType[]) {
    for (const [shape, outShape] of cases) {
      const x = values(dtype, size(shape), 14);
      const ours = allocate(dtype, size(outShape));
      const reference = allocate(dtype, size(outShape));
      wasm().expand(x, shape, ours, outShape);
      jsBackend.expand(x, shape, reference, outShape);
      assertSameValues(ours, reference, `expand ${dtype} ${JSON.stringify(shape)} -> ${JSON.stringify(outShape)}`);
    }
  }
});

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

test('permute reorders any axes of any rank (tiled transposes and block copies), for every dtype', () => {
  const shapes = [[129, 33], [7, 1, 9], [3, 5, 2, 37], [2, 3, 1, 4, 5], [64, 8, 6, 6], [1, 1], [5]];
  for (const dtype of ['float32', 'int32', 'bool', 'float64'] as DType[]) {
    for (const shape of shapes) {
      const x = values(dtype, size(shape), 15);
      for (const perm of permutations(shape.length)) {
        const ours = allocate(dtype, x.length);
        const reference = allocate(dtype, x.length);
        wasm().permute(x, shape, perm, ours);
        jsBackend.permute(x, shape, perm, reference);
        assertSameValues(ours, reference, `permute ${dtype} ${JSON.stringify(shape)} by ${JSON.stringify(perm)}`);
      }
    }
  }
});

test('elementwise calls split among threads (in units of rows or elements) give the same bits as one thread', () => {
  const before = getNumThreads();
  setMinElementsPerThread(4096); // split far smaller calls than the library does, to test the split
  try {
    const rows = 4 * 64;
    const x = values('float32', rows * 300, 16);
    const bias = values('float32', 300, 17);
    const cond = values('bool', rows * 300, 18);
    const run = (threads: number) => {
      setNumThreads(threads);
      const sum = new Float32Array(x.length);
      const picked = new Float32Array(x.length);
      const moved = new Float32Array(x.length);
      const activated = new Float32Array(x.length);
      wasm().binary('sub', x, [rows, 300], bias, [300], sum, [rows, 300]);
      wasm().where(cond, [rows, 300], x, [rows, 300], bias, [300], picked, [rows, 300]);
      wasm().permute(x, [4, rows / 4, 300], [0, 2, 1], moved);
      wasm().unary('gelu', x, activated);
      return [sum, picked, moved, activated];
    };
    const single = run(1);
    const jobs = workerJobCount();
    const double = run(2);
    assert.ok(workerJobCount() >= jobs + 4, 'the worker took a share of every call');
    double.forEach((d, i) => assertSameValues(d, single[i], `result ${i} on 2 threads`));
    const flat = new Float32Array(x.length);
    const flatReference = new Float32Array(x.length);
    wasm().binary('mul', x, [x.length], bias.subarray(0, 1), [], flat, [x.length]); // one row, cut into units of elements
    jsBackend.binary('mul', x, [x.length], bias.subarray(0, 1), [], flatReference, [x.length]);
    assertSameValues(flat, flatReference, 'a one-row walk on 2 threads');
  } finally {
    setNumThreads(before);
    setMinElementsPerThread(null);
  }
});
