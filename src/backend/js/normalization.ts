// Batch and group normalization (layer normalization is group normalization with one group of every
// feature), forward and backward in one pass each over x; statistics in float64.
import type { TypedArray } from '../../tensor/dtype.js';

export function batchNorm(
  x: TypedArray, batch: number, channels: number, inner: number, weight: TypedArray | null, bias: TypedArray | null,
  runningMean: TypedArray | null, runningVar: TypedArray | null, training: boolean, momentum: number, eps: number,
  out: TypedArray, mean: TypedArray, invstd: TypedArray,
): void {
  const count = batch * inner;
  const stride = channels * inner;
  for (let c = 0; c < channels; c++) {
    let m: number;
    let v: number;
    if (training) {
      let s = 0;
      for (let n = 0; n < batch; n++) for (let i = 0, at = n * stride + c * inner; i < inner; i++) s += x[at + i];
      m = s / count;
      let q = 0;
      for (let n = 0; n < batch; n++) {
        for (let i = 0, at = n * stride + c * inner; i < inner; i++) {
          const d = x[at + i] - m;
          q += d * d;
        }
      }
      v = q / count;
      if (runningMean) runningMean[c] = (1 - momentum) * runningMean[c] + momentum * m;
      if (runningVar) runningVar[c] = (1 - momentum) * runningVar[c] + momentum * (q / (count - 1));
    } else {
      m = runningMean![c];
      v = runningVar![c];
    }
    const is = 1 / Math.sqrt(v + eps);
    mean[c] = m;
    invstd[c] = is;
    const scale = weight ? is * weight[c] : is;
    const shift = bias ? bias[c] : 0;
    for (let n = 0; n < batch; n++) {
      for (let i = 0, at = n * stride + c * inner; i < inner; i++) out[at + i] = (x[at + i] - m) * scale + shift;
    }
  }
}

export function batchNormBackward(
  x: TypedArray, grad: TypedArray, batch: number, channels: number, inner: number, weight: TypedArray | null,
  mean: TypedArray, invstd: TypedArray, training: boolean, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
): void {
  const count = batch * inner;
  const stride = channels * inner;
  for (let c = 0; c < channels; c++) {
    const m = mean[c];
    const is = invstd[c];
    let sumGrad = 0;
    let sumGradCentered = 0; // sum of grad * (x - mean)
    for (let n = 0; n < batch; n++) {
      for (let i = 0, at = n * stride + c * inner; i < inner; i++) {
        sumGrad += grad[at + i];
        sumGradCentered += grad[at + i] * (x[at + i] - m);
      }
    }
    if (gradBias) gradBias[c] = sumGrad;
    if (gradWeight) gradWeight[c] = sumGradCentered * is;
    if (!gradInput) continue;
    const scale = weight ? is * weight[c] : is;
    // training: dx = w * invstd * (g - mean(g) - xhat * mean(g * xhat)), xhat = (x - mean) * invstd
    const meanGrad = training ? sumGrad / count : 0;
    const slope = training ? (sumGradCentered * is * is) / count : 0;
    for (let n = 0; n < batch; n++) {
      for (let i = 0, at = n * stride + c * inner; i < inner; i++) {
        gradInput[at + i] = scale * (grad[at + i] - meanGrad - (x[at + i] - m) * slope);
      }
    }
  }
}

export function groupNorm(
  x: TypedArray, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: TypedArray | null,
  bias: TypedArray | null, eps: number, out: TypedArray, mean: TypedArray, rstd: TypedArray,
): void {
  const size = channelsPerGroup * inner; // a group's values are contiguous
  for (let row = 0; row < batch * groups; row++) {
    const start = row * size;
    let s = 0;
    for (let j = 0; j < size; j++) s += x[start + j];
    const m = s / size;
    let q = 0;
    for (let j = 0; j < size; j++) {
      const d = x[start + j] - m;
      q += d * d;
    }
    const r = 1 / Math.sqrt(q / size + eps);
    mean[row] = m;
    rstd[row] = r;
    const firstChannel = (row % groups) * channelsPerGroup;
    for (let k = 0; k < channelsPerGroup; k++) {
      const c = firstChannel + k;
      const scale = weight ? r * weight[c] : r;
      const shift = bias ? bias[c] : 0;
      for (let i = 0, at = start + k * inner; i < inner; i++) out[at + i] = (x[at + i] - m) * scale + shift;
    }
  }
}

export function groupNormBackward(
  x: TypedArray, grad: TypedArray, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: TypedArray | null,
  mean: TypedArray, rstd: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
): void {
  const size = channelsPerGroup * inner;
  const channels = groups * channelsPerGroup;
  const sumGradXhat = new Float64Array(channels);
  const sumGrad = new Float64Array(channels);
  for (let row = 0; row < batch * groups; row++) {
    const start = row * size;
    const m = mean[row];
    const r = rstd[row];
    const firstChannel = (row % groups) * channelsPerGroup;
    // per channel: sums of g and g * (x - mean); over the group: of gw = g * w and gw * (x - mean)
    let sumGw = 0;
    let sumGwCentered = 0;
    for (let k = 0; k < channelsPerGroup; k++) {
      const c = firstChannel + k;
      let sg = 0;
      let sgc = 0;
      for (let i = 0, at = start + k * inner; i < inner; i++) {
        sg += grad[at + i];
        sgc += grad[at + i] * (x[at + i] - m);
      }
      sumGrad[c] += sg;
      sumGradXhat[c] += sgc * r;
      const w = weight ? weight[c] : 1;
      sumGw += sg * w;
      sumGwCentered += sgc * w;
    }
    if (!gradInput) continue;
    // dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))
    const meanGw = sumGw / size;
    const slope = (sumGwCentered * r * r) / size;
    for (let k = 0; k < channelsPerGroup; k++) {
      const w = weight ? weight[firstChannel + k] : 1;
      for (let i = 0, at = start + k * inner; i < inner; i++) {
        gradInput[at + i] = r * (grad[at + i] * w - meanGw - (x[at + i] - m) * slope);
      }
    }
  }
  if (gradWeight) for (let c = 0; c < channels; c++) gradWeight[c] = sumGradXhat[c];
  if (gradBias) for (let c = 0; c < channels; c++) gradBias[c] = sumGrad[c];
}
