// The wasm backend's slices and index kernels against the reference, bit for bit: every dtype for the
// copies, float32 and int32 for the accumulations (added in the reference's order).
import { test } from 'node:test';
import type { DType } from '../../../src/index.js';
import { allocate } from '../../../src/tensor/dtype.js';
import { assertSameValues, jsBackend, randomFloats, wasm } from './util.js';

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
const DTYPES: DType[] = ['float32', 'int32', 'bool', 'float64'];

function values(dtype: DType, n: number): ReturnType<typeof allocate> {
  const out = allocate(dtype, n);
  randomFloats(n).forEach((v, i) => (out[i] = dtype === 'bool' ? (v > 0 ? 1 : 0) : dtype === 'int32' ? Math.round(v * 1000) : v));
  return out;
}

const indices = (n: number, high: number) => Int32Array.from(randomFloats(n), (v) => Math.min(high - 1, Math.floor(((v + 1) / 2) * high)));

test('slice and sliceAssign along every axis, with steps, for every dtype', () => {
  const shape = [5, 7, 9];
  for (const dtype of DTYPES) {
    const x = values(dtype, size(shape));
    for (let axis = 0; axis < 3; axis++) {
      for (const [start, length, step] of [[0, 2, 1], [1, 2, 2], [0, 3, 2], [shape[axis] - 1, 1, 1], [0, shape[axis], 1]]) {
        const outShape = shape.map((d, i) => (i === axis ? length : d));
        const ours = allocate(dtype, size(outShape));
        const reference = allocate(dtype, size(outShape));
        wasm().slice(x, shape, axis, start, length, step, ours);
        jsBackend.slice(x, shape, axis, start, length, step, reference);
        assertSameValues(ours, reference, `slice ${dtype} axis ${axis} ${start}:${length}:${step}`);
        const back = values(dtype, size(shape));
        const backReference = back.slice();
        wasm().sliceAssign(ours, outShape, axis, start, step, back, shape);
        jsBackend.sliceAssign(reference, outShape, axis, start, step, backReference, shape);
        assertSameValues(back, backReference, `sliceAssign ${dtype} axis ${axis} ${start}:${length}:${step}`);
      }
    }
  }
});

test('indexSelect and indexAdd (repeated indices) along every axis', () => {
  const shape = [4, 6, 5];
  for (const dtype of DTYPES) {
    const x = values(dtype, size(shape));
    for (let axis = 0; axis < 3; axis++) {
      const index = indices(9, shape[axis]);
      const outShape = shape.map((d, i) => (i === axis ? index.length : d));
      const ours = allocate(dtype, size(outShape));
      const reference = allocate(dtype, size(outShape));
      wasm().indexSelect(x, shape, axis, index, ours);
      jsBackend.indexSelect(x, shape, axis, index, reference);
      assertSameValues(ours, reference, `indexSelect ${dtype} axis ${axis}`);
      const acc = values(dtype, size(shape));
      const accReference = acc.slice();
      wasm().indexAdd(ours, outShape, axis, index, acc, shape);
      jsBackend.indexAdd(reference, outShape, axis, index, accReference, shape);
      assertSameValues(acc, accReference, `indexAdd ${dtype} axis ${axis}`);
    }
  }
});

test('gather and scatterAdd along every axis of rank-1 to rank-4 tensors, src larger than index', () => {
  for (const shape of [[11], [4, 7], [3, 5, 6], [2, 3, 4, 5]]) {
    for (let axis = 0; axis < shape.length; axis++) {
      const indexShape = shape.map((d, i) => (i === axis ? 8 : Math.max(1, d - 1)));
      const index = indices(size(indexShape), shape[axis]);
      for (const dtype of DTYPES) {
        const x = values(dtype, size(shape));
        const ours = allocate(dtype, size(indexShape));
        const reference = allocate(dtype, size(indexShape));
        wasm().gather(x, shape, axis, index, indexShape, ours);
        jsBackend.gather(x, shape, axis, index, indexShape, reference);
        assertSameValues(ours, reference, `gather ${dtype} ${JSON.stringify(shape)} axis ${axis}`);
        const srcShape = indexShape.map((d) => d + 1);
        const src = values(dtype, size(srcShape));
        const acc = values(dtype, size(shape));
        const accReference = acc.slice();
        wasm().scatterAdd(src, srcShape, index, indexShape, axis, acc, shape);
        jsBackend.scatterAdd(src, srcShape, index, indexShape, axis, accReference, shape);
        assertSameValues(acc, accReference, `scatterAdd ${dtype} ${JSON.stringify(shape)} axis ${axis}`);
      }
    }
  }
});

test('scatterAdd along the last axis with matching leading dims (max pooling\'s backward), repeated indices', () => {
  for (const [lead, cols, outCols] of [[[2, 16], 169, 676], [[5], 7, 3], [[3, 4], 129, 129]] as [number[], number, number][]) {
    const rows = size(lead);
    const src = randomFloats(rows * cols);
    const index = indices(rows * cols, outCols);
    const ours = randomFloats(rows * outCols);
    const reference = ours.slice();
    wasm().scatterAdd(src, [...lead, cols], index, [...lead, cols], lead.length, ours, [...lead, outCols]);
    jsBackend.scatterAdd(src, [...lead, cols], index, [...lead, cols], lead.length, reference, [...lead, outCols]);
    assertSameValues(ours, reference, `scatterAdd ${JSON.stringify([lead, cols, outCols])}`);
  }
});
