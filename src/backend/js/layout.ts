import type { TypedArray } from '../../tensor/dtype.js';
import { type Shape, stridesOf } from '../../tensor/shape.js';
import { broadcastLoop, broadcastStrides } from './elementwise.js';
import { splitAxis } from './reduce.js';

export function permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]);
  broadcastLoop(outShape, [strides], (o, [i]) => {
    out[o] = x[i];
  });
}

export function expand(x: TypedArray, shape: Shape, out: TypedArray, outShape: Shape): void {
  if (x.length === 1) {
    out.fill(x[0]);
    return;
  }
  broadcastLoop(outShape, [broadcastStrides(shape, outShape)], (o, [i]) => {
    out[o] = x[i];
  });
}

export function slice(x: TypedArray, shape: Shape, axis: number, start: number, length: number, step: number, out: TypedArray): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < length; j++) {
      const src = (o * size + start + j * step) * inner;
      const dst = (o * length + j) * inner;
      if (inner === 1) out[dst] = x[src];
      else out.set(x.subarray(src, src + inner), dst);
    }
  }
}

export function sliceAssign(src: TypedArray, srcShape: Shape, axis: number, offset: number, step: number, out: TypedArray, outShape: Shape): void {
  const [outer, length, inner] = splitAxis(srcShape, axis);
  const size = outShape[axis];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < length; j++) {
      const from = (o * length + j) * inner;
      const to = (o * size + offset + j * step) * inner;
      if (inner === 1) out[to] = src[from];
      else out.set(src.subarray(from, from + inner), to);
    }
  }
}

export function indexSelect(x: TypedArray, shape: Shape, axis: number, index: Int32Array, out: TypedArray): void {
  const [outer, size, inner] = splitAxis(shape, axis);
  const count = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const src = (o * size + index[j]) * inner;
      const dst = (o * count + j) * inner;
      if (inner === 1) out[dst] = x[src];
      else out.set(x.subarray(src, src + inner), dst);
    }
  }
}

export function indexAdd(src: TypedArray, srcShape: Shape, axis: number, index: Int32Array, out: TypedArray, outShape: Shape): void {
  const [outer, count, inner] = splitAxis(srcShape, axis);
  const size = outShape[axis];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const from = (o * count + j) * inner;
      const to = (o * size + index[j]) * inner;
      for (let i = 0; i < inner; i++) out[to + i] += src[from + i];
    }
  }
}

export function gather(x: TypedArray, shape: Shape, axis: number, index: Int32Array, indexShape: Shape, out: TypedArray): void {
  const xStrides = stridesOf(shape);
  const strides = xStrides.slice();
  strides[axis] = 0; // the index supplies the position along `axis`
  const axisStride = xStrides[axis];
  broadcastLoop(indexShape, [strides], (o, [i]) => {
    out[o] = x[i + index[o] * axisStride];
  });
}

export function scatterAdd(src: TypedArray, srcShape: Shape, index: Int32Array, indexShape: Shape, axis: number, out: TypedArray, outShape: Shape): void {
  const outStrides = stridesOf(outShape);
  const strides = outStrides.slice();
  strides[axis] = 0;
  const axisStride = outStrides[axis];
  const srcStrides = stridesOf(srcShape); // src may be larger than index; it is read at index's coordinates
  broadcastLoop(indexShape, [strides, srcStrides], (o, [i, s]) => {
    out[i + index[o] * axisStride] += src[s];
  });
}
