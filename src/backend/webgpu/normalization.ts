// Batch and group normalization (layer normalization is one group), forward and backward, as the
// reference's (src/backend/js/normalization.ts): one workgroup per channel (batch norm) or per sample and
// group (group norm) sums its elements in float32 through workgroup memory, then writes them.
import type { Storage } from '../../tensor/storage.js';
import { f32bits, grid, HEADER, launch } from './wgsl.js';
import { MATH } from './math.js';
import { bindPresent, ROW_REDUCE, ROW_THREADS, rowMain } from './rows.js';

// a loop over the row's elements r < P(1) (the thread's share); batch norm's element r of channel `row` is at(row, r)
const each = (body: string) => `for (var r = l; r < P(1); r = r + ${ROW_THREADS}u) { ${body} }`;
const CHANNEL_AT = 'fn at(c: u32, r: u32) -> u32 { return ((r / P(2)) * P(3) + c) * P(2) + r % P(2); }';

export function batchNorm(
  x: Storage, batch: number, channels: number, inner: number, weight: Storage | null, bias: Storage | null,
  runningMean: Storage | null, runningVar: Storage | null, training: boolean, momentum: number, eps: number,
  out: Storage, mean: Storage, invstd: Storage,
): void {
  const count = batch * inner;
  if (channels === 0) return;
  const b = bindPresent([
    ['x', x], ['weight', weight], ['bias', bias], ['runningMean', runningMean, true], ['runningVar', runningVar, true],
    ['out', out, true], ['mean', mean, true], ['invstd', invstd, true],
  ]);
  const statistics = training
    ? `var s = 0.0;
  ${each('s = s + x[at(row, r)];')}
  let m = wgSum(l, s) / f32(P(1));
  var q = 0.0;
  ${each('let d = x[at(row, r)] - m; q = q + d * d;')}
  let sq = wgSum(l, q);
  let v = sq / f32(P(1));
  let momentum = PF(4u);
  if (l == 0u) {
    ${runningMean ? 'runningMean[row] = (1.0 - momentum) * runningMean[row] + momentum * m;' : ''}
    ${runningVar ? 'runningVar[row] = (1.0 - momentum) * runningVar[row] + momentum * (sq / f32(P(1) - 1u));' : ''}
  }`
    : 'let m = runningMean[row]; let v = runningVar[row];';
  const code = `${HEADER}${MATH}${ROW_REDUCE}${b.code}
${CHANNEL_AT}
${rowMain(`${statistics}
  let is = 1.0 / sqrt(v + PF(5u));
  if (l == 0u) { mean[row] = m; invstd[row] = is; }
  let scale = is${weight ? ' * weight[row]' : ''};
  let shift = ${bias ? 'bias[row]' : '0.0'};
  ${each('let k = at(row, r); out[k] = (x[k] - m) * scale + shift;')}`)}`;
  launch(code, [channels, count, inner, channels, f32bits(momentum), f32bits(eps)], b.operands, b.writes, grid(channels));
}

export function batchNormBackward(
  x: Storage, grad: Storage, batch: number, channels: number, inner: number, weight: Storage | null,
  mean: Storage, invstd: Storage, training: boolean, gradInput: Storage | null, gradWeight: Storage | null, gradBias: Storage | null,
): void {
  const count = batch * inner;
  if (channels === 0) return;
  const b = bindPresent([
    ['x', x], ['grad', grad], ['weight', weight], ['mean', mean], ['invstd', invstd],
    ['gradInput', gradInput, true], ['gradWeight', gradWeight, true], ['gradBias', gradBias, true],
  ]);
  const code = `${HEADER}${ROW_REDUCE}${b.code}
${CHANNEL_AT}
${rowMain(`let m = mean[row];
  let is = invstd[row];
  var sg = 0.0;
  var sgc = 0.0;
  ${each('let k = at(row, r); sg = sg + grad[k]; sgc = sgc + grad[k] * (x[k] - m);')}
  let sumGrad = wgSum(l, sg);
  let sumGradCentered = wgSum(l, sgc);
  if (l == 0u) {
    ${gradBias ? 'gradBias[row] = sumGrad;' : ''}
    ${gradWeight ? 'gradWeight[row] = sumGradCentered * is;' : ''}
  }
  ${gradInput ? `let scale = is${weight ? ' * weight[row]' : ''};
  // training: dx = w * invstd * (g - mean(g) - xhat * mean(g * xhat))
  let meanGrad = select(0.0, sumGrad / f32(P(1)), P(4) == 1u);
  let slope = select(0.0, sumGradCentered * is * is / f32(P(1)), P(4) == 1u);
  ${each('let k = at(row, r); gradInput[k] = scale * (grad[k] - meanGrad - (x[k] - m) * slope);')}` : ''}`)}`;
  launch(code, [channels, count, inner, channels, training ? 1 : 0], b.operands, b.writes, grid(channels));
}

export function groupNorm(
  x: Storage, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: Storage | null,
  bias: Storage | null, eps: number, out: Storage, mean: Storage, rstd: Storage,
): void {
  const rows = batch * groups;
  const size = channelsPerGroup * inner; // a group's values are contiguous
  if (rows === 0) return;
  const b = bindPresent([['x', x], ['weight', weight], ['bias', bias], ['out', out, true], ['mean', mean, true], ['rstd', rstd, true]]);
  const channel = '(row % P(3)) * P(4) + r / P(2)';
  const code = `${HEADER}${ROW_REDUCE}${b.code}
${rowMain(`let start = row * P(1);
  var s = 0.0;
  ${each('s = s + x[start + r];')}
  let m = wgSum(l, s) / f32(P(1));
  var q = 0.0;
  ${each('let d = x[start + r] - m; q = q + d * d;')}
  let rs = 1.0 / sqrt(wgSum(l, q) / f32(P(1)) + PF(5u));
  if (l == 0u) { mean[row] = m; rstd[row] = rs; }
  ${each(`let c = ${channel}; out[start + r] = (x[start + r] - m) * rs${weight ? ' * weight[c]' : ''} + ${bias ? 'bias[c]' : '0.0'};`)}`)}`;
  launch(code, [rows, size, Math.max(inner, 1), groups, channelsPerGroup, f32bits(eps)], b.operands, b.writes, grid(rows));
}

export function groupNormBackward(
  x: Storage, grad: Storage, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: Storage | null,
  mean: Storage, rstd: Storage, gradInput: Storage | null, gradWeight: Storage | null, gradBias: Storage | null,
): void {
  const rows = batch * groups;
  const size = channelsPerGroup * inner;
  const channels = groups * channelsPerGroup;
  if (gradInput && rows > 0) {
    // dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = g * w, per sample and group
    const b = bindPresent([['x', x], ['grad', grad], ['weight', weight], ['mean', mean], ['rstd', rstd], ['gradInput', gradInput, true]]);
    const w = weight ? 'weight[(row % P(3)) * P(4) + r / P(2)]' : '1.0';
    const code = `${HEADER}${ROW_REDUCE}${b.code}
${rowMain(`let start = row * P(1);
  let m = mean[row];
  let rs = rstd[row];
  var sgw = 0.0;
  var sgwc = 0.0;
  ${each(`let gw = grad[start + r] * ${w}; sgw = sgw + gw; sgwc = sgwc + gw * (x[start + r] - m);`)}
  let meanGw = wgSum(l, sgw) / f32(P(1));
  let slope = wgSum(l, sgwc) * rs * rs / f32(P(1));
  ${each(`gradInput[start + r] = rs * (grad[start + r] * ${w} - meanGw - (x[start + r] - m) * slope);`)}`)}`;
    launch(code, [rows, size, Math.max(inner, 1), groups, channelsPerGroup], b.operands, b.writes, grid(rows));
  }
  if ((gradWeight || gradBias) && channels > 0) {
    // per channel, over samples and positions: sums of g * xhat and of g
    const b = bindPresent([['x', x], ['grad', grad], ['mean', mean], ['rstd', rstd], ['gradWeight', gradWeight, true], ['gradBias', gradBias, true]]);
    const code = `${HEADER}${ROW_REDUCE}${b.code}
${CHANNEL_AT}
${rowMain(`var sgx = 0.0;
  var sg = 0.0;
  let group = row / P(4);
  ${each('let k = at(row, r); let n = r / P(2); let gi = n * (P(3) / P(4)) + group; sg = sg + grad[k]; sgx = sgx + grad[k] * (x[k] - mean[gi]) * rstd[gi];')}
  let sumGx = wgSum(l, sgx);
  let sumG = wgSum(l, sg);
  if (l == 0u) {
    ${gradWeight ? 'gradWeight[row] = sumGx;' : ''}
    ${gradBias ? 'gradBias[row] = sumG;' : ''}
  }`)}`;
    launch(code, [channels, batch * inner, Math.max(inner, 1), channels, channelsPerGroup], b.operands, b.writes, grid(channels));
  }
}
