// Fused losses, as the reference's (src/backend/js/loss.ts): cross-entropy of class indices with one thread
// per target (its log-sum-exp, pick and label smoothing over the classes), its gradient with one thread per
// target writing the target's classes, and binary cross-entropy elementwise. The range checks that return a
// value to the op are reads: skipped here (null), as CUDA's device asserts are.
import type { Storage } from '../../tensor/storage.js';
import { elementwise, f32bits, gridFor, HEADER, i32bits, launch } from './wgsl.js';
import { MATH } from './math.js';
import { bindPresent } from './rows.js';

// the log-sum-exp of a target's classes x[at + c * inner], shifted by their maximum (0 for a row of -inf)
const LOG_SUM_EXP = `
fn logSumExp(at: u32, classes: u32, inner: u32) -> f32 {
  var m = -infF();
  for (var c = 0u; c < classes; c = c + 1u) { let v = input[at + c * inner]; m = select(m, v, v > m); }
  if (isInf(m) && m < 0.0) { m = 0.0; }
  var s = 0.0;
  for (var c = 0u; c < classes; c = c + 1u) { s = s + expF(input[at + c * inner] - m); }
  return m + logF(s);
}`;

export function crossEntropy(
  input: Storage, target: Storage, weight: Storage | null, outer: number, classes: number, inner: number,
  ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, losses: Storage, weights: Storage, logSumExp: Storage,
): number | null {
  const n = outer * inner;
  if (n === 0) return null;
  const w = (c: string) => (weight ? `weight[${c}]` : '1.0');
  const b = bindPresent([['input', input], ['labels', target], ['weight', weight], ['losses', losses, true], ['weights', weights, true], ['lse', logSumExp, true]]);
  const code = `${HEADER}${MATH}${b.code}${LOG_SUM_EXP}
${elementwise(`let classes = P(1); let inner = P(2); let smoothing = PF(4u);
  let at = (i / inner) * classes * inner + i % inner;
  let y = labels[i];
  losses[i] = 0.0; weights[i] = 0.0; lse[i] = 0.0;
  if (y == PI(3u) || y < 0 || y >= i32(classes)) { return; }
  var l = 0.0;
  if (P(5) == 1u) { l = logSumExp(at, classes, inner); }
  let wy = ${w('y')};
  var loss = -wy * (input[at + u32(y) * inner] - l);
  if (smoothing > 0.0) {
    var smoothed = 0.0;
    for (var c = 0u; c < classes; c = c + 1u) { smoothed = smoothed - ${w('c')} * (input[at + c * inner] - l); }
    loss = (1.0 - smoothing) * loss + (smoothing / f32(classes)) * smoothed;
  }
  losses[i] = loss; weights[i] = wy; lse[i] = l;`)}`;
  launch(code, [n, classes, inner, i32bits(ignoreIndex), f32bits(labelSmoothing), fromLogits ? 1 : 0], b.operands, b.writes, gridFor(n));
  return null;
}

export function crossEntropyBackward(
  input: Storage, logSumExp: Storage, target: Storage, weight: Storage | null, outer: number, classes: number,
  inner: number, ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, grad: Storage, scale: number, out: Storage,
): void {
  const n = outer * inner;
  if (n === 0 || classes === 0) return;
  const w = (c: string) => (weight ? `weight[${c}]` : '1.0');
  const b = bindPresent([['input', input], ['lse', logSumExp], ['labels', target], ['weight', weight], ['grad', grad], ['out', out, true]]);
  const code = `${HEADER}${MATH}${b.code}
${elementwise(`let classes = P(1); let inner = P(2); let smoothing = PF(4u); let logits = P(5) == 1u;
  let at = (i / inner) * classes * inner + i % inner;
  let y = labels[i];
  if (y == PI(3u) || y < 0 || y >= i32(classes)) {
    for (var c = 0u; c < classes; c = c + 1u) { out[at + c * inner] = 0.0; }
    return;
  }
  var weightSum = 0.0;
  for (var c = 0u; c < classes; c = c + 1u) { weightSum = weightSum + ${w('c')}; }
  let g = grad[select(i, 0u, P(7) == 1u)] * PF(6u);
  let pick = (1.0 - smoothing) * ${w('y')};
  let share = smoothing / f32(classes);
  let l = lse[i];
  for (var c = 0u; c < classes; c = c + 1u) {
    // d(-logp[k]) / dx[c] = p[c] - [c = k] from logits, -[c = k] from log-probabilities
    var p = 0.0;
    if (logits) { p = expF(input[at + c * inner] - l); }
    var d = pick * select(p, p - 1.0, i32(c) == y);
    if (smoothing > 0.0) { d = d + share * (p * select(0.0, weightSum, logits) - ${w('c')}); }
    out[at + c * inner] = g * d;
  }`)}`;
  const params = [n, classes, inner, i32bits(ignoreIndex), f32bits(labelSmoothing), fromLogits ? 1 : 0, f32bits(scale), grad.length === 1 ? 1 : 0];
  launch(code, params, b.operands, b.writes, gridFor(n));
}

export function binaryCrossEntropy(x: Storage, y: Storage, out: Storage): number | null {
  const n = out.length;
  if (n === 0) return null;
  const b = bindPresent([['x', x], ['y', y], ['out', out, true]]);
  // each log clamped to >= -100 (NaN stays NaN)
  const code = `${HEADER}${MATH}${b.code}
fn clampedLog(v: f32) -> f32 { let l = logF(v); return select(max(l, -100.0), l, isNan(l)); }
${elementwise('out[i] = -(y[i] * clampedLog(x[i]) + (1.0 - y[i]) * clampedLog(1.0 - x[i]));')}`;
  launch(code, [n], b.operands, b.writes, gridFor(n));
  return null;
}

export function binaryCrossEntropyBackward(x: Storage, y: Storage, grad: Storage, scale: number, out: Storage): void {
  const n = out.length;
  if (n === 0) return;
  const b = bindPresent([['x', x], ['y', y], ['grad', grad], ['out', out, true]]);
  const code = `${HEADER}${b.code}
${elementwise(`let g = grad[select(i, 0u, P(2) == 1u)] * PF(1u);
  out[i] = g * ((x[i] - y[i]) / max((1.0 - x[i]) * x[i], 1e-12));`)}`;
  launch(code, [n, f32bits(scale), grad.length === 1 ? 1 : 0], b.operands, b.writes, gridFor(n));
}
