// indexSelect and indexAdd in wasm (assembly/rows.ts): an embedding's lookup and the backward of its
// weight, and any gather of rows along one axis. Bit-identical to the reference (it only moves values,
// and adds in the same order).
import type { Shape } from '../../tensor/shape.js';
import type { Storage } from '../../tensor/storage.js';
import { splitAxis } from '../js/reduce.js';
import { runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';

const words = (s: Storage) => s.dtype === 'float32' || s.dtype === 'int32';

export function indexSelect(x: Storage, shape: Shape, axis: number, index: Storage, out: Storage): void {
  if (!words(x) || x.dtype !== out.dtype || out.length === 0 || shape.length === 0) {
    fallback.indexSelect(x, shape, axis, index, out);
    return;
  }
  const [outer, size, inner] = splitAxis(shape, axis);
  beginCall();
  runtime!.kernels.gatherRows(input(x), input(index), outer, size, index.length, inner, output(out));
  endCall();
}

export function indexAdd(src: Storage, srcShape: Shape, axis: number, index: Storage, out: Storage, outShape: Shape): void {
  if (src.dtype !== 'float32' || out.dtype !== 'float32' || src.length === 0 || srcShape.length === 0) {
    fallback.indexAdd(src, srcShape, axis, index, out, outShape);
    return;
  }
  const [outer, count, inner] = splitAxis(srcShape, axis);
  beginCall();
  runtime!.kernels.addRows(input(src), input(index), outer, count, outShape[axis], inner, output(out));
  endCall();
}
