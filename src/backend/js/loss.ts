// Fused losses: cross-entropy of class indices (log-softmax, pick, label smoothing in one pass per row) and
// binary cross-entropy, each with its gradient in one pass.
import type { TypedArray } from '../../tensor/dtype.js';

/** log(sum(exp(x))) of the `n` values x[at + j * stride], shifted by their maximum (0 for a row of -inf). */
function logSumExp(x: TypedArray, at: number, n: number, stride: number): number {
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (x[at + j * stride] > max) max = x[at + j * stride];
  if (max === -Infinity) max = 0;
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp(x[at + j * stride] - max);
  return max + Math.log(sum);
}

export function crossEntropy(
  input: TypedArray, target: Int32Array, weight: TypedArray | null, outer: number, classes: number, inner: number,
  ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, losses: TypedArray, weights: TypedArray, logSumExps: TypedArray,
): number | null {
  let bad: number | null = null;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const e = o * inner + i;
      const y = target[e];
      losses[e] = 0;
      weights[e] = 0;
      logSumExps[e] = 0;
      if (y === ignoreIndex) continue;
      if (y < 0 || y >= classes) {
        bad ??= y;
        continue;
      }
      const at = o * classes * inner + i;
      const lse = fromLogits ? logSumExp(input, at, classes, inner) : 0;
      const wy = weight ? weight[y] : 1;
      let loss = -wy * (input[at + y * inner] - lse);
      if (labelSmoothing > 0) {
        let smooth = 0;
        for (let c = 0; c < classes; c++) smooth -= (weight ? weight[c] : 1) * (input[at + c * inner] - lse);
        loss = (1 - labelSmoothing) * loss + (labelSmoothing / classes) * smooth;
      }
      losses[e] = loss;
      weights[e] = wy;
      logSumExps[e] = lse;
    }
  }
  return bad;
}

export function crossEntropyBackward(
  input: TypedArray, logSumExps: TypedArray, target: Int32Array, weight: TypedArray | null, outer: number, classes: number,
  inner: number, ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, grad: TypedArray, scale: number, out: TypedArray,
): void {
  let weightSum = classes;
  if (weight) {
    weightSum = 0;
    for (let c = 0; c < classes; c++) weightSum += weight[c];
  }
  const smooth = labelSmoothing / classes;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const e = o * inner + i;
      const y = target[e];
      const at = o * classes * inner + i;
      if (y === ignoreIndex || y < 0 || y >= classes) {
        for (let c = 0; c < classes; c++) out[at + c * inner] = 0;
        continue;
      }
      const g = (grad.length === 1 ? grad[0] : grad[e]) * scale;
      const pick = (1 - labelSmoothing) * (weight ? weight[y] : 1);
      const lse = logSumExps[e];
      for (let c = 0; c < classes; c++) {
        // d(-logp[k]) / dx[c] = p[c] - [c = k] from logits, -[c = k] from log-probabilities
        const p = fromLogits ? Math.exp(input[at + c * inner] - lse) : 0;
        let d = pick * (c === y ? p - 1 : p);
        if (labelSmoothing > 0) d += smooth * (p * (fromLogits ? weightSum : 0) - (weight ? weight[c] : 1));
        out[at + c * inner] = g * d;
      }
    }
  }
}

export function binaryCrossEntropy(x: TypedArray, y: TypedArray, out: TypedArray): number | null {
  let bad: number | null = null;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!(v >= 0 && v <= 1)) bad ??= i;
    out[i] = -(y[i] * Math.max(Math.log(v), -100) + (1 - y[i]) * Math.max(Math.log(1 - v), -100));
  }
  return bad;
}

export function binaryCrossEntropyBackward(x: TypedArray, y: TypedArray, grad: TypedArray, scale: number, out: TypedArray): void {
  for (let i = 0; i < x.length; i++) {
    const g = (grad.length === 1 ? grad[0] : grad[i]) * scale;
    out[i] = g * ((x[i] - y[i]) / Math.max((1 - x[i]) * x[i], 1e-12));
  }
}
