// Cross-entropy of class indices and binary cross-entropy in wasm for float32 (assembly/loss.ts): one
// pass for the elementwise losses, one for the input gradient.
import type { Storage } from '../../tensor/storage.js';
import { runtime } from './state.js';
import { NONE, beginCall, endCall, input, output, viewAt } from './memory.js';
import { fallback } from './fallback.js';

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');

export function crossEntropy(
  x: Storage, target: Storage, weight: Storage | null, outer: number, classes: number, inner: number,
  ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, losses: Storage, weights: Storage, logSumExp: Storage,
): number | null {
  if (!f32(x, weight, losses, weights, logSumExp) || target.dtype !== 'int32' || target.length === 0) {
    return fallback.crossEntropy(x, target, weight, outer, classes, inner, ignoreIndex, labelSmoothing, fromLogits, losses, weights, logSumExp);
  }
  beginCall();
  try {
    const targetAt = input(target);
    const bad = runtime!.kernels.crossEntropy(input(x), targetAt, weight ? input(weight) : NONE, outer, classes, inner, ignoreIndex,
      labelSmoothing, fromLogits, output(losses), output(weights), output(logSumExp));
    return bad < 0 ? null : viewAt('int32', targetAt + 4 * bad, 1)[0];
  } finally {
    endCall();
  }
}

export function crossEntropyBackward(
  x: Storage, logSumExp: Storage, target: Storage, weight: Storage | null, outer: number, classes: number, inner: number,
  ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, grad: Storage, scale: number, out: Storage,
): void {
  if (!f32(x, logSumExp, weight, grad, out) || target.dtype !== 'int32' || target.length === 0) {
    fallback.crossEntropyBackward(x, logSumExp, target, weight, outer, classes, inner, ignoreIndex, labelSmoothing, fromLogits, grad, scale, out);
    return;
  }
  beginCall();
  runtime!.kernels.crossEntropyBackward(input(x), input(logSumExp), input(target), weight ? input(weight) : NONE, outer, classes, inner,
    ignoreIndex, labelSmoothing, fromLogits, input(grad), grad.length !== 1, scale, output(out));
  endCall();
}

export function binaryCrossEntropy(x: Storage, y: Storage, out: Storage): number | null {
  if (!f32(x, y, out) || x.length === 0) return fallback.binaryCrossEntropy(x, y, out);
  beginCall();
  const bad = runtime!.kernels.binaryCrossEntropy(input(x), input(y), output(out), x.length);
  endCall();
  return bad < 0 ? null : bad;
}

export function binaryCrossEntropyBackward(x: Storage, y: Storage, grad: Storage, scale: number, out: Storage): void {
  if (!f32(x, y, grad, out) || x.length === 0) {
    fallback.binaryCrossEntropyBackward(x, y, grad, scale, out);
    return;
  }
  beginCall();
  runtime!.kernels.binaryCrossEntropyBackward(input(x), input(y), input(grad), grad.length !== 1, scale, output(out), x.length);
  endCall();
}
