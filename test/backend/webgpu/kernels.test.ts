// The webgpu backend's kernels: the shared conformance suite (read back asynchronously, at float32
// precision), then every implemented kernel against the js reference on the same float32 operands:
// every unary and binary op with NaN, infinities and signed zeros, int32 and bool operands, rows longer
// than a workgroup, products spanning several tiles, convolutions with stride, padding and dilation,
// and accumulation into repeated indices.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BinaryOp, ConvGeometry, ReduceOp, TypedArray, UnaryOp } from '../../../src/index.js';
import { webgpuBackend } from '../../../src/backend/webgpu/index.js';
import { arrayKernels } from '../../../src/backend/js/index.js';
import { backendConformance } from '../js/conformance.js';
import { openWebgpu } from './setup.js';
import { gpu, matchesReference, uniform } from './reference.js';

const skip = await openWebgpu();
const missing = [...webgpuBackend.missingKernels!];

describe('webgpu conformance', { skip }, () => {
  backendConformance(gpu);
});

const ints = (n: number, lo: number, hi: number) => Int32Array.from(uniform(n, lo, hi), Math.floor);
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 100, -100, 1e-4, -1e-4, 1e-30, 0.9, -0.99];
const withSpecials = (n: number) => Float32Array.from([...SPECIAL, ...uniform(n - SPECIAL.length)]);

function geometry(h: number, w: number, kernel: [number, number], stride: [number, number], padding: [number, number], dilation: [number, number]): ConvGeometry {
  const out = (size: number, d: number) => Math.floor((size + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d]) + 1;
  return { kernel, stride, padding, dilation, outSize: [out(h, 0), out(w, 1)] };
}

describe('webgpu kernels against the js reference', { skip }, () => {
  test('unary ops on float32, with NaN, infinities and signed zeros', async () => {
    const x = withSpecials(300);
    const boolOut = new Set<UnaryOp>(['logicalNot', 'isnan', 'isinf', 'isfinite']);
    const ops = Object.keys({
      neg: 0, abs: 0, sign: 0, exp: 0, expm1: 0, log: 0, log1p: 0, log2: 0, log10: 0, sqrt: 0, rsqrt: 0, reciprocal: 0, square: 0,
      sin: 0, cos: 0, tan: 0, asin: 0, acos: 0, atan: 0, sinh: 0, cosh: 0, tanh: 0, sigmoid: 0, relu: 0, erf: 0, floor: 0, ceil: 0,
      round: 0, trunc: 0, logicalNot: 0, isnan: 0, isinf: 0, isfinite: 0, copy: 0, gelu: 0, geluTanh: 0, silu: 0,
    } satisfies Record<UnaryOp, 0>) as UnaryOp[];
    for (const op of ops) {
      const out = boolOut.has(op) ? new Uint8Array(x.length) : new Float32Array(x.length);
      // transcendental functions: a few float32 ulps; tan near its poles and sinh/cosh/exp at 100 overflow alike
      await matchesReference('unary', [op, x, out], `unary ${op}`, 4e-6, 1e-6);
    }
  });

  test('unary ops on int32 and bool', async () => {
    const x = Int32Array.from([-5, 0, 3, 7, -1, 46340, -46340]); // (overflow wraps on the GPU, rounds through double in the reference)
    for (const op of ['neg', 'abs', 'sign', 'square', 'relu', 'copy', 'floor', 'round'] as UnaryOp[]) {
      await matchesReference('unary', [op, x, new Int32Array(x.length)], `unary ${op} on int32`);
    }
    await matchesReference('unary', ['logicalNot', Uint8Array.from([0, 1, 1, 0]), new Uint8Array(4)], 'logicalNot on bool');
    await matchesReference('unary', ['exp', x.subarray(0, 5), new Float32Array(5)], 'exp of int32 into float32');
  });

  test('binary ops on float32 and int32, broadcast, with special values and zero divisors', async () => {
    const ops = Object.keys({
      add: 0, sub: 0, mul: 0, div: 0, pow: 0, maximum: 0, minimum: 0, atan2: 0, remainder: 0, fmod: 0, floorDivide: 0,
      eq: 0, ne: 0, lt: 0, le: 0, gt: 0, ge: 0, logicalAnd: 0, logicalOr: 0, logicalXor: 0,
    } satisfies Record<BinaryOp, 0>) as BinaryOp[];
    const boolOut = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);
    const a = Float32Array.from([...SPECIAL, 2, -2, 3, -8, 0.25]); // [24] as [4, 6]
    const b = Float32Array.from([0, -0, 2, -3, NaN, Infinity]); // [6] broadcast over rows
    const ai = Int32Array.from([7, -7, 0, 5, -9, 2, 3, -4, 6, 1, -1, 8]);
    const bi = Int32Array.from([2, -3, 0, 4]);
    for (const op of ops) {
      const out = boolOut.has(op) ? new Uint8Array(24) : new Float32Array(24);
      await matchesReference('binary', [op, a, [4, 6], b, [6], out, [4, 6]], `${op} float32`, 4e-6, 1e-6);
      await matchesReference('binary', [op, b, [6, 1], a.subarray(0, 4), [4], boolOut.has(op) ? new Uint8Array(24) : new Float32Array(24), [6, 4]], `${op} float32 outer broadcast`, 4e-6, 1e-6);
      if (op === 'div' || op === 'atan2') continue; // true division of ints is float: the ops promote first
      const outI = boolOut.has(op) ? new Uint8Array(12) : new Int32Array(12);
      const exponentSafe = op === 'pow' ? Int32Array.from(bi, Math.abs) : bi;
      await matchesReference('binary', [op, ai, [3, 4], exponentSafe, [4], outI, [3, 4]], `${op} int32`);
    }
    await matchesReference('binary', ['mul', ai, [12], Float32Array.of(0.5), [], new Float32Array(12), [12]], 'int32 times a float32 scalar');
    await matchesReference('binary', ['add', Uint8Array.from([1, 0, 1]), [3], Uint8Array.from([1, 1, 0]), [3], new Int32Array(3), [3]], 'bool + bool into int32');
  });

  test('where, cast and fill across dtypes', async () => {
    await matchesReference('where', [Uint8Array.from([1, 0, 0, 1, 1, 0]), [2, 3], uniform(3), [3], uniform(2), [2, 1], new Float32Array(6), [2, 3]], 'where float32');
    await matchesReference('where', [Uint8Array.from([1, 0]), [2, 1], Int32Array.from([4, -5, 6]), [3], Int32Array.of(9), [], new Int32Array(6), [2, 3]], 'where int32');
    const x = Float32Array.from([1.7, -1.7, 0, -0, NaN, 2e9, -2.5, 0.4]);
    await matchesReference('cast', [x, new Int32Array(x.length)], 'float32 to int32 truncates');
    await matchesReference('cast', [x, new Uint8Array(x.length)], 'float32 to bool');
    await matchesReference('cast', [Int32Array.from([-3, 0, 16777217]), new Float32Array(3)], 'int32 to float32');
    await matchesReference('cast', [Uint8Array.from([1, 0, 1]), new Float32Array(3)], 'bool to float32');
    await matchesReference('cast', [Int32Array.from([-3, 0, 2]), new Uint8Array(3)], 'int32 to bool');
    for (const [value, out] of [[3.25, new Float32Array(5)], [NaN, new Float32Array(3)], [-7, new Int32Array(4)], [1, new Uint8Array(6)], [0, new Float32Array(300)]] as const) {
      await matchesReference('fill', [out.fill(9), value], `fill ${out.constructor.name} with ${value}`);
    }
  });

  test('reductions along rows longer than a workgroup and along inner axes, with NaN and ties', async () => {
    const x = uniform(3 * 700);
    x[5] = NaN;
    x[800] = x[900] = 50; // a tie in row 1
    x[1400] = -Infinity;
    for (const op of ['sum', 'prod', 'max', 'min', 'argmax', 'argmin', 'any', 'all'] as ReduceOp[]) {
      const intOut = op.startsWith('arg');
      const boolOut = op === 'any' || op === 'all';
      const make = (n: number) => (intOut ? new Int32Array(n) : boolOut ? new Uint8Array(n) : new Float32Array(n));
      const xs = op === 'prod' ? uniform(3 * 700, 0.9, 1.1) : x;
      await matchesReference('reduce', [op, xs, [3, 700], [1], make(3)], `${op} along rows of 700`, 1e-5, 1e-5);
      await matchesReference('reduce', [op, xs, [3, 70, 10], [1], make(30)], `${op} along a middle axis`, 1e-5, 1e-5);
      await matchesReference('reduce', [op, xs, [3, 700], [0], make(700)], `${op} along the first axis`, 1e-5, 1e-5);
    }
    await matchesReference('reduce', ['argmax', Float32Array.from([-Infinity, -Infinity, -Infinity]), [3], [0], new Int32Array(1)], 'argmax of -inf only');
    await matchesReference('reduce', ['sum', ints(500, -50, 50), [2, 250], [1], new Int32Array(2)], 'int32 sum');
    await matchesReference('reduce', ['any', Uint8Array.from([0, 0, 0, 1, 0, 0]), [2, 3], [1], new Uint8Array(2)], 'any on bool');
  });

  test('softmax and log-softmax on rows longer than a workgroup', async () => {
    const x = uniform(4 * 1000, -20, 20);
    await matchesReference('softmax', [x, [4, 1000], 1, new Float32Array(x.length), false], 'softmax', 1e-5, 1e-9);
    await matchesReference('softmax', [x, [4, 1000], 1, new Float32Array(x.length), true], 'log-softmax', 1e-5, 1e-5);
    await matchesReference('softmax', [x.subarray(0, 3999), [1333, 3], 1, new Float32Array(3999), true], 'log-softmax on short rows', 1e-5, 1e-5);
  });

  test('matmul spanning several tiles, every transpose combination, broadcast batches', async () => {
    const [m, k, n] = [70, 130, 90];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = uniform(2 * m * k);
        const b = uniform(k * n);
        await matchesReference('matmul', [a, b, new Float32Array(2 * m * n), 2, m, k, n, transA, transB, m * k, 0], `matmul transA=${transA} transB=${transB}`, 1e-5, 2e-5);
      }
    }
    await matchesReference('matmul', [uniform(5 * 3), uniform(3 * 1), new Float32Array(5), 1, 5, 3, 1, false, false, 0, 0], 'matrix times vector');
  });

  test('layout kernels on rank-4 shapes, with steps and repeated indices', async () => {
    const shape = [2, 3, 4, 5];
    const x = uniform(120);
    await matchesReference('permute', [x, shape, [3, 1, 0, 2], new Float32Array(120)], 'permute');
    await matchesReference('permute', [ints(120, -9, 9), shape, [1, 0, 3, 2], new Int32Array(120)], 'permute int32');
    await matchesReference('expand', [x.subarray(0, 12), [3, 1, 4, 1], new Float32Array(2 * 3 * 5 * 4 * 2), [2, 3, 5, 4, 2]], 'expand');
    await matchesReference('slice', [x, shape, 2, 1, 2, 2, new Float32Array(2 * 3 * 2 * 5)], 'slice with a step');
    await matchesReference('sliceAssign', [uniform(2 * 3 * 2 * 5), [2, 3, 2, 5], 2, 1, 2, x.slice(), shape], 'sliceAssign with a step');
    const index = Int32Array.from([3, 0, 3, 3, 1]);
    await matchesReference('indexSelect', [x, shape, 2, index, new Float32Array(2 * 3 * 5 * 5)], 'indexSelect');
    await matchesReference('indexAdd', [uniform(2 * 3 * 5 * 5), [2, 3, 5, 5], 2, index, uniform(120), shape], 'indexAdd into repeated rows', 1e-5, 1e-6);
    await matchesReference('indexAdd', [ints(30, -5, 5), [6, 5], 0, Int32Array.from([0, 2, 0, 0, 1, 2]), new Int32Array(15), [3, 5]], 'indexAdd int32');
    const gIndex = ints(2 * 3 * 7 * 5, 0, 4);
    await matchesReference('gather', [x, shape, 2, gIndex, [2, 3, 7, 5], new Float32Array(210)], 'gather');
    await matchesReference('scatterAdd', [uniform(2 * 3 * 8 * 5), [2, 3, 8, 5], gIndex, [2, 3, 7, 5], 2, uniform(120), shape], 'scatterAdd from a larger source', 1e-5, 1e-6);
  });

  test('convolutions with stride, padding and dilation, forward and backward, and unfold/fold', async () => {
    const [n, c, h, w, cout] = [2, 3, 9, 7, 5];
    for (const g of [geometry(h, w, [3, 3], [1, 1], [0, 0], [1, 1]), geometry(h, w, [3, 2], [2, 1], [1, 2], [2, 1])]) {
      const k = c * g.kernel[0] * g.kernel[1];
      const l = g.outSize[0] * g.outSize[1];
      const x = uniform(n * c * h * w);
      const weight = uniform(cout * k);
      const label = `kernel ${g.kernel} stride ${g.stride} padding ${g.padding} dilation ${g.dilation}`;
      await matchesReference('conv2d', [x, n, c, h, w, weight, cout, uniform(cout), g, new Float32Array(n * cout * l)], `conv2d ${label}`, 1e-5, 1e-5);
      await matchesReference('conv2d', [x, n, c, h, w, weight, cout, null, g, new Float32Array(n * cout * l)], `conv2d without bias ${label}`, 1e-5, 1e-5);
      const gradOut = uniform(n * cout * l);
      await matchesReference('conv2dBackward', [x, n, c, h, w, weight, cout, g, gradOut, new Float32Array(n * c * h * w), new Float32Array(cout * k), new Float32Array(cout)], `conv2dBackward ${label}`, 1e-5, 2e-5);
      await matchesReference('conv2dBackward', [x, n, c, h, w, weight, cout, g, gradOut, new Float32Array(n * c * h * w), null, null], `conv2dBackward input only ${label}`, 1e-5, 2e-5);
      await matchesReference('im2col', [x, n, c, h, w, g, new Float32Array(n * k * l)], `im2col ${label}`);
      await matchesReference('col2im', [uniform(n * k * l), n, c, h, w, g, new Float32Array(n * c * h * w)], `col2im ${label}`, 1e-5, 1e-5);
    }
  });

  test('max pooling with padding and dilation, NaN, and its backward into overlapping windows; relu backward; renormRows', async () => {
    const [planes, h, w] = [3, 8, 9];
    const x = uniform(planes * h * w);
    x[10] = NaN;
    for (const g of [geometry(h, w, [2, 2], [2, 2], [0, 0], [1, 1]), geometry(h, w, [3, 3], [1, 2], [1, 1], [2, 1])]) {
      const size = planes * g.outSize[0] * g.outSize[1];
      const values = new Float32Array(size);
      const indices = new Int32Array(size);
      await matchesReference('maxPool2d', [x, planes, h, w, g, values, indices], `maxPool2d kernel ${g.kernel} stride ${g.stride}`);
      arrayKernels.maxPool2d(x, planes, h, w, g, values, indices);
      await matchesReference('maxPool2dBackward', [uniform(size), indices, planes, h, w, new Float32Array(planes * h * w)], `maxPool2dBackward kernel ${g.kernel} stride ${g.stride}`, 1e-5, 1e-6);
    }
    for (const p of [2, 1, Infinity]) {
      await matchesReference('renormRows', [uniform(6 * 300), 300, Int32Array.from([4, 1, 4, 0, 4]), 5, p], `renormRows p=${p} with repeated rows`, 1e-5, 1e-6);
    }
    await matchesReference('reluBackward', [uniform(50), withSpecials(50), new Float32Array(50)], 'reluBackward');
  });

  test('reductions over several runs of axes; softmax and its backward along a middle axis', async () => {
    const x = uniform(4 * 5 * 6 * 7);
    for (const axes of [[0, 2], [1, 3], [0, 1, 3], [0, 1, 2, 3]]) {
      const outLength = [4, 5, 6, 7].filter((_, d) => !axes.includes(d)).reduce((p, d) => p * d, 1);
      for (const op of ['sum', 'max', 'min', 'prod', 'any'] as ReduceOp[]) {
        const xs = op === 'prod' ? uniform(x.length, 0.95, 1.05) : x;
        const out = op === 'any' ? new Uint8Array(outLength) : new Float32Array(outLength);
        await matchesReference('reduce', [op, xs, [4, 5, 6, 7], axes, out], `${op} over axes ${axes}`, 1e-5, 1e-4);
      }
    }
    const y = uniform(3 * 300 * 5, -10, 10);
    const g = uniform(y.length);
    for (const log of [false, true]) {
      const s = new Float32Array(y.length);
      await matchesReference('softmax', [y, [3, 300, 5], 1, s, log], `softmax along a middle axis (log ${log})`, 1e-5, 1e-6);
      arrayKernels.softmax(y, [3, 300, 5], 1, s, log);
      await matchesReference('softmaxBackward', [g, s, [3, 300, 5], 1, new Float32Array(y.length), log], `softmaxBackward (log ${log})`, 1e-4, 1e-5);
      await matchesReference('softmaxBackward', [g.subarray(0, 600), s.subarray(0, 600), [2, 300], 1, new Float32Array(600), log], `softmaxBackward along rows (log ${log})`, 1e-4, 1e-5);
    }
  });

  test('activation backward (GELU, its tanh form, SiLU)', async () => {
    const x = withSpecials(200);
    for (const op of ['gelu', 'geluTanh', 'silu'] as const) {
      await matchesReference('unaryBackward', [op, uniform(200), x, new Float32Array(200)], `${op} backward`, 1e-5, 1e-6);
    }
  });

  test('cross-entropy (weights, ignored targets, label smoothing, [N, C, d]) and binary cross-entropy, with their gradients', async () => {
    const [outer, classes, inner] = [6, 7, 3];
    const x = uniform(outer * classes * inner, -4, 4);
    const target = Int32Array.from(ints(outer * inner, 0, classes), (v, i) => (i % 5 === 2 ? -100 : v));
    const weight = uniform(classes, 0.2, 2);
    for (const w of [null, weight]) {
      for (const smoothing of [0, 0.1]) {
        for (const fromLogits of [true, false]) {
          const what = `weight ${w !== null}, smoothing ${smoothing}, fromLogits ${fromLogits}`;
          const [losses, weights, lse] = [0, 1, 2].map(() => new Float32Array(outer * inner));
          await matchesReference('crossEntropy', [x, target, w, outer, classes, inner, -100, smoothing, fromLogits, losses, weights, lse], `crossEntropy (${what})`, 1e-5, 1e-5);
          arrayKernels.crossEntropy(x, target, w, outer, classes, inner, -100, smoothing, fromLogits, losses, weights, lse);
          for (const grad of [uniform(outer * inner), Float32Array.of(0.7)]) {
            const args = [x, lse, target, w, outer, classes, inner, -100, smoothing, fromLogits, grad, 0.5, new Float32Array(x.length)];
            await matchesReference('crossEntropyBackward', args, `crossEntropyBackward (${what}, ${grad.length} upstream)`, 1e-5, 1e-6);
          }
        }
      }
    }
    const p = Float32Array.from([...uniform(60, 0, 1), 0, 1, 1e-30, 0.5]);
    const y = uniform(p.length, 0, 1);
    await matchesReference('binaryCrossEntropy', [p, y, new Float32Array(p.length)], 'binaryCrossEntropy', 1e-5, 1e-5);
    for (const grad of [uniform(p.length), Float32Array.of(0.3)]) {
      await matchesReference('binaryCrossEntropyBackward', [p, y, grad, 0.25, new Float32Array(p.length)], 'binaryCrossEntropyBackward', 1e-5, 1e-5);
    }
  });

  test('batch, group and layer normalization, forward and backward, with channels longer than a workgroup', async () => {
    for (const [batch, channels, inner] of [[4, 3, 100], [2, 5, 1], [1, 2, 7]]) {
      const n = batch * channels * inner;
      const x = uniform(n, -2, 3);
      const grad = uniform(n);
      const [weight, bias] = [uniform(channels, 0.5, 1.5), uniform(channels)];
      for (const affine of [false, true]) {
        for (const training of [true, false]) {
          const what = `[${batch}, ${channels}, ${inner}], affine ${affine}, training ${training}`;
          const [rm, rv] = [uniform(channels), uniform(channels, 0.5, 2)];
          const [out, mean, invstd] = [new Float32Array(n), new Float32Array(channels), new Float32Array(channels)];
          const w = affine ? weight : null;
          await matchesReference('batchNorm', [x, batch, channels, inner, w, affine ? bias : null, rm, rv, training, 0.1, 1e-5, out, mean, invstd], `batchNorm ${what}`, 1e-4, 1e-5);
          arrayKernels.batchNorm(x, batch, channels, inner, w, affine ? bias : null, rm.slice(), rv.slice(), training, 0.1, 1e-5, out, mean, invstd);
          const grads = () => [new Float32Array(n), affine ? new Float32Array(channels) : null, affine ? new Float32Array(channels) : null];
          await matchesReference('batchNormBackward', [x, grad, batch, channels, inner, w, mean, invstd, training, ...grads()], `batchNormBackward ${what}`, 1e-4, 1e-4);
        }
      }
      const groups = channels === 5 ? 1 : channels;
      for (const affine of [false, true]) {
        const perGroup = channels / groups;
        const w = affine ? weight : null;
        const what = `[${batch}, ${groups} x ${perGroup}, ${inner}], affine ${affine}`;
        const [out, mean, rstd] = [new Float32Array(n), new Float32Array(batch * groups), new Float32Array(batch * groups)];
        await matchesReference('groupNorm', [x, batch, groups, perGroup, inner, w, affine ? bias : null, 1e-5, out, mean, rstd], `groupNorm ${what}`, 1e-4, 1e-5);
        arrayKernels.groupNorm(x, batch, groups, perGroup, inner, w, affine ? bias : null, 1e-5, out, mean, rstd);
        const gradParam = () => (affine ? new Float32Array(channels) : null);
        await matchesReference('groupNormBackward', [x, grad, batch, groups, perGroup, inner, w, mean, rstd, new Float32Array(n), gradParam(), gradParam()], `groupNormBackward ${what}`, 1e-4, 1e-4);
      }
    }
    // layer norm: one group of 300 features per row
    const x = uniform(3 * 300);
    const [out, mean, rstd] = [new Float32Array(900), new Float32Array(3), new Float32Array(3)];
    await matchesReference('groupNorm', [x, 3, 1, 300, 1, uniform(300), uniform(300), 1e-5, out, mean, rstd], 'layer norm of 300 features', 1e-4, 1e-5);
  });

  test('attention on strided heads (packed q, k, v; float and bool masks; causal; dropout) and its backward', async () => {
    const [batch, heads, L, S, E] = [2, 3, 5, 5, 4];
    const width = heads * E;
    // q, k and v packed in one [batch, L, 3 * width] projection, as MultiheadAttention's in-projection
    const packed = uniform(batch * L * 3 * width);
    const at = (part: number) => [part * width, L * 3 * width, E, 3 * width] as const;
    const outStrides = [0, L * width, E, width] as const;
    const base = { batch, heads, queries: L, keys: S, headDim: E, valueDim: E, q: at(0), k: at(1), v: at(2), out: outStrides };
    const floatMask = uniform(L * S, -1, 1);
    const boolMask = Uint8Array.from({ length: batch * S }, (_, i) => (i % 4 === 1 ? 1 : 0));
    const dropout = Float32Array.from(uniform(batch * heads * L * S, 0, 1), (u) => (u < 0.2 ? 0 : 1.25));
    const cases = [
      { what: 'no mask', mask: null, geometry: { mask: null, maskKeeps: false, causal: false }, dropout: null },
      { what: 'a float mask [L, S]', mask: floatMask, geometry: { mask: [0, 0, S] as const, maskKeeps: false, causal: false }, dropout: null },
      { what: 'a bool key-padding mask', mask: boolMask, geometry: { mask: [S, 0, 0] as const, maskKeeps: false, causal: false }, dropout },
      { what: 'causal with dropout', mask: null, geometry: { mask: null, maskKeeps: false, causal: true }, dropout },
    ];
    for (const c of cases) {
      const g = { ...base, ...c.geometry };
      const [out, weights] = [new Float32Array(batch * L * width), new Float32Array(batch * heads * L * S)];
      await matchesReference('attention', [packed, packed, packed, c.mask, c.dropout, g, out, weights], `attention, ${c.what}`, 1e-5, 1e-6);
      arrayKernels.attention(packed, packed, packed, c.mask, c.dropout, g, out, weights);
      for (const [gradOut, gradWeights] of [[uniform(out.length), null], [uniform(out.length), uniform(weights.length)], [null, uniform(weights.length)]]) {
        const grads = () => new Float32Array(packed.length).fill(0.5); // added into
        const args = [packed, packed, packed, weights, c.dropout, gradOut, gradWeights, g, grads(), grads(), grads()];
        await matchesReference('attentionBackward', args, `attentionBackward, ${c.what}, gradOut ${gradOut !== null}, gradWeights ${gradWeights !== null}`, 1e-4, 1e-5);
      }
    }
  });

  test('argsort and topk: ties kept in order, NaN the largest, descending, odd and long rows, inner axes, int32', async () => {
    const ties = Float32Array.from(uniform(3 * 37 * 2), (v) => Math.round(v)); // [3, 37, 2]: many ties
    ties[4] = ties[9] = NaN;
    ties[11] = -0;
    ties[13] = Infinity;
    for (const descending of [false, true]) {
      await matchesReference('argsort', [ties, 3, 37, 2, descending, new Int32Array(ties.length)], `argsort of ties along a middle axis, descending ${descending}`);
      await matchesReference('topk', [ties, 3, 37, 2, 5, descending, new Int32Array(3 * 5 * 2)], `topk 5 of ties, largest ${descending}`);
    }
    // rows longer than a workgroup's block (merged in global memory) and odd lengths (padded)
    const long = uniform(2 * 2500, -20, 20).map(Math.round);
    long[77] = NaN;
    await matchesReference('argsort', [long, 2, 2500, 1, false, new Int32Array(long.length)], 'argsort of rows of 2500');
    await matchesReference('topk', [long, 1, 2500, 2, 7, true, new Int32Array(7 * 2)], 'topk 7 of 2500 along the first axis');
    for (const n of [1, 2, 3, 255, 1025]) {
      await matchesReference('argsort', [uniform(n), 1, n, 1, n % 2 === 1, new Int32Array(n)], `argsort of ${n}`);
    }
    const int = ints(3 * 301, -10, 10);
    int[5] = 2147483647;
    int[6] = -2147483648;
    for (const descending of [false, true]) {
      await matchesReference('argsort', [int, 3, 301, 1, descending, new Int32Array(int.length)], `argsort of int32, descending ${descending}`);
    }
    await matchesReference('argsort', [Uint8Array.from([1, 0, 1, 1, 0]), 1, 5, 1, true, new Int32Array(5)], 'argsort of bool');
  });

  test('cumulative sums and products along any axis, short and long lines, int32 and bool; cumprod\'s gradient with zeros', async () => {
    for (const [outer, n, inner] of [[3, 5, 4], [2, 700, 1], [1, 300, 3], [4, 33, 1]]) {
      const x = uniform(outer * n * inner, -1, 1);
      await matchesReference('cumulative', ['sum', x, outer, n, inner, new Float32Array(x.length)], `cumsum [${outer}, ${n}, ${inner}]`, 1e-5, 1e-5);
      const p = uniform(outer * n * inner, 0.95, 1.05);
      p[1] = -p[1];
      await matchesReference('cumulative', ['prod', p, outer, n, inner, new Float32Array(x.length)], `cumprod [${outer}, ${n}, ${inner}]`, 1e-5, 1e-6);
      p[2] = 0;
      p[p.length - 3] = 0;
      await matchesReference('cumprodBackward', [p, x, outer, n, inner, new Float32Array(x.length)], `cumprodBackward with zeros [${outer}, ${n}, ${inner}]`, 1e-4, 1e-5);
    }
    await matchesReference('cumulative', ['sum', ints(600, -1000, 1000), 2, 300, 1, new Int32Array(600)], 'int32 cumsum');
    await matchesReference('cumulative', ['prod', ints(40, -3, 4), 4, 10, 1, new Int32Array(40)], 'int32 cumprod');
    await matchesReference('cumulative', ['sum', Uint8Array.from({ length: 90 }, (_, i) => i % 3 === 0 ? 1 : 0), 1, 90, 1, new Int32Array(90)], 'bool cumsum into int32');
  });

  test('unique and nonzero: NaN, signed zeros, int32, bool, more elements than a workgroup, none at all', async () => {
    const x = Float32Array.from(uniform(700, -8, 8), Math.round);
    x[3] = x[400] = NaN;
    x[10] = -0;
    const unique = (v: TypedArray) => [v, v.slice().fill(0), new Int32Array(v.length), new Int32Array(v.length), new Int32Array(1)];
    await matchesReference('unique', unique(x), 'unique of 700 floats');
    await matchesReference('unique', unique(ints(300, -1000, 1000)), 'unique of int32');
    await matchesReference('unique', unique(Uint8Array.from([1, 1, 0, 1])), 'unique of bool');
    await matchesReference('unique', unique(new Float32Array(0)), 'unique of nothing');
    await matchesReference('nonzero', [x, [7, 4, 25], new Int32Array(700 * 3), new Int32Array(1)], 'nonzero of [7, 4, 25] with NaN and -0');
    await matchesReference('nonzero', [Int32Array.from([0, 3, 0, -1]), [4], new Int32Array(4), new Int32Array(1)], 'nonzero of int32');
    await matchesReference('nonzero', [Uint8Array.from([1, 0, 0, 1, 1, 0]), [3, 1, 2], new Int32Array(18), new Int32Array(1)], 'nonzero of bool');
    await matchesReference('nonzero', [new Float32Array(6), [2, 3], new Int32Array(12), Int32Array.of(9)], 'nonzero of zeros only');
    await matchesReference('nonzero', [Float32Array.of(2), [], new Int32Array(0), new Int32Array(1)], 'nonzero of a 0-d tensor');
  });

  test('sampleCategorical: the same buckets as the reference for float32 draws rounded up, zeros and long rows', async () => {
    const [rows, n, samples] = [3, 600, 50];
    const probs = uniform(rows * n, 0, 1);
    probs.fill(0, 10, 300);
    const draws = Float32Array.from(uniform(rows * samples, 0, 1));
    draws[0] = 0;
    // draws exactly on a bucket's edge, and one float32 step above it
    let edge = 0;
    for (let j = 0; j < 5; j++) edge = Math.fround(edge + probs[j]);
    let total = 0;
    for (let j = 0; j < n; j++) total = Math.fround(total + probs[j]);
    draws[1] = Math.fround(edge / total);
    draws[2] = new Float32Array(new Uint32Array([new Uint32Array(Float32Array.of(draws[1]).buffer)[0] + 1]).buffer)[0];
    await matchesReference('sampleCategorical', [probs, rows, n, draws, samples, new Int32Array(rows * samples)], 'sampleCategorical');
  });

  test('every kernel of ArrayKernels runs in WGSL (one added later throws, naming itself)', () => {
    assert.deepEqual(missing, [], 'kernels without WGSL');
    for (const name of missing) {
      assert.throws(() => (webgpuBackend as unknown as Record<string, () => void>)[name](), new RegExp(`^Error: webgpu: ${name} is not implemented$`));
    }
  });
});
