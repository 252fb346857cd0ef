// Batch, group and layer normalization in wasm for float32 (assembly/normalization.ts): statistics and the
// gradients' sums in float64, so results stay within float32 rounding of the reference.
import type { Storage } from '../../tensor/storage.js';
import { arena, runtime } from './state.js';
import { NONE, beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');
const read = (s: Storage | null) => (s ? input(s) : NONE);
const write = (s: Storage | null) => (s ? output(s) : NONE);

export function batchNorm(
  x: Storage, batch: number, channels: number, inner: number, weight: Storage | null, bias: Storage | null,
  runningMean: Storage | null, runningVar: Storage | null, training: boolean, momentum: number, eps: number,
  out: Storage, mean: Storage, invstd: Storage,
): void {
  if (!f32(x, weight, bias, runningMean, runningVar, out, mean, invstd) || x.length === 0) {
    fallback.batchNorm(x, batch, channels, inner, weight, bias, runningMean, runningVar, training, momentum, eps, out, mean, invstd);
    return;
  }
  beginCall();
  runtime!.kernels.batchNorm(input(x), batch, channels, inner, read(weight), read(bias), write(runningMean), write(runningVar),
    training, momentum, eps, output(out), output(mean), output(invstd), arena!.allocBytes(16));
  endCall();
}

export function batchNormBackward(
  x: Storage, grad: Storage, batch: number, channels: number, inner: number, weight: Storage | null, mean: Storage,
  invstd: Storage, training: boolean, gradInput: Storage | null, gradWeight: Storage | null, gradBias: Storage | null,
): void {
  if (!f32(x, grad, weight, mean, invstd, gradInput, gradWeight, gradBias) || x.length === 0) {
    fallback.batchNormBackward(x, grad, batch, channels, inner, weight, mean, invstd, training, gradInput, gradWeight, gradBias);
    return;
  }
  beginCall();
  runtime!.kernels.batchNormBackward(input(x), input(grad), batch, channels, inner, read(weight), input(mean), input(invstd),
    training, write(gradInput), write(gradWeight), write(gradBias), arena!.allocBytes(16));
  endCall();
}

export function groupNorm(
  x: Storage, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: Storage | null,
  bias: Storage | null, eps: number, out: Storage, mean: Storage, rstd: Storage,
): void {
  if (!f32(x, weight, bias, out, mean, rstd) || x.length === 0) {
    fallback.groupNorm(x, batch, groups, channelsPerGroup, inner, weight, bias, eps, out, mean, rstd);
    return;
  }
  beginCall();
  runtime!.kernels.groupNorm(input(x), batch, groups, channelsPerGroup, inner, read(weight), read(bias), eps,
    output(out), output(mean), output(rstd));
  endCall();
}

export function groupNormBackward(
  x: Storage, grad: Storage, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: Storage | null,
  mean: Storage, rstd: Storage, gradInput: Storage | null, gradWeight: Storage | null, gradBias: Storage | null,
): void {
  if (!f32(x, grad, weight, mean, rstd, gradInput, gradWeight, gradBias) || x.length === 0) {
    fallback.groupNormBackward(x, grad, batch, groups, channelsPerGroup, inner, weight, mean, rstd, gradInput, gradWeight, gradBias);
    return;
  }
  const channels = groups * channelsPerGroup;
  beginCall();
  runtime!.kernels.groupNormBackward(input(x), input(grad), batch, groups, channelsPerGroup, inner, read(weight), input(mean),
    input(rstd), write(gradInput), write(gradWeight), write(gradBias), arena!.allocBytes((2 * channels + 2) * 8));
  endCall();
}
