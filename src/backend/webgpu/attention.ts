// Attention on strided heads, as the reference's (src/backend/js/attention.ts): one thread per query row
// computes its scores, mask and softmax into `weights`; one thread per output element multiplies the
// (dropped) weights by v. The backward forms dS = P * (dP - sum(dP * P)) / sqrt(E) per query row into a
// scratch, then one thread per element of gradQ, gradK and gradV sums its products; each gradient has a
// kernel of its own, so that they may be one storage (a packed q, k, v projection).
import type { AttentionGeometry, HeadStrides } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { elementwise, gridFor, HEADER, launch } from './wgsl.js';
import { MATH } from './math.js';
import { releaseStorage } from './memory.js';
import { bindPresent, temporary } from './rows.js';

// parameters: P(0) the threads, then sizes (1-6), the strides of q, k, v, out (7-22), the mask's (23-25), maskKeeps, causal
const GEOMETRY = `
fn heads() -> u32 { return P(2); }
fn queries() -> u32 { return P(3); }
fn keys() -> u32 { return P(4); }
fn headDim() -> u32 { return P(5); }
fn valueDim() -> u32 { return P(6); }
fn qAt(b: u32, h: u32, r: u32) -> u32 { return P(7) + b * P(8) + h * P(9) + r * P(10); }
fn kAt(b: u32, h: u32, r: u32) -> u32 { return P(11) + b * P(12) + h * P(13) + r * P(14); }
fn vAt(b: u32, h: u32, r: u32) -> u32 { return P(15) + b * P(16) + h * P(17) + r * P(18); }
fn oAt(b: u32, h: u32, r: u32) -> u32 { return P(19) + b * P(20) + h * P(21) + r * P(22); }
fn mAt(b: u32, h: u32, r: u32) -> u32 { return b * P(23) + h * P(24) + r * P(25); }
`;

function params(threads: number, g: AttentionGeometry): number[] {
  const strides = (s: HeadStrides) => [...s];
  return [
    threads, g.batch, g.heads, g.queries, g.keys, g.headDim, g.valueDim,
    ...strides(g.q), ...strides(g.k), ...strides(g.v), ...strides(g.out), ...(g.mask ?? [0, 0, 0]), g.maskKeeps ? 1 : 0, g.causal ? 1 : 0,
  ];
}

// thread t of `rows` rows per (batch, head) unit: its unit, batch, head and row
const unitOf = (perUnit: string) => `let unit = t / (${perUnit}); let bb = unit / heads(); let hh = unit % heads(); let rest = t % (${perUnit});`;

export function attention(
  q: Storage, k: Storage, v: Storage, mask: Storage | null, dropout: Storage | null,
  g: AttentionGeometry, out: Storage, weights: Storage,
): void {
  const units = g.batch * g.heads;
  if (units * g.queries === 0) return;
  const scores = bindPresent([['q', q], ['k', k], ['mask', mask], ['weights', weights, true]]);
  const masked = mask === null ? '' : mask.dtype === 'bool'
    ? 'if ((mask[mo + j] != 0u) != (P(26) == 1u)) { s = -infF(); }'
    : 's = s + mask[mo + j];';
  const rows = g.batch * g.heads * g.queries;
  launch(`${HEADER}${MATH}${GEOMETRY}${scores.code}
${elementwise(`let t = i; ${unitOf('queries()')}
  let r = rest;
  let S = keys();
  let E = headDim();
  let scale = sqrt(f32(E));
  let w = (unit * queries() + r) * S;
  let qo = qAt(bb, hh, r);
  let mo = mAt(bb, hh, r);
  var m = -infF();
  for (var j = 0u; j < S; j = j + 1u) {
    let ko = kAt(bb, hh, j);
    var s = 0.0;
    for (var d = 0u; d < E; d = d + 1u) { s = s + (q[qo + d] / scale) * k[ko + d]; }
    ${masked}
    if (P(27) == 1u && j > r) { s = -infF(); }
    weights[w + j] = s;
    m = select(m, s, s > m);
  }
  if (isInf(m) && m < 0.0) { m = 0.0; }
  var sum = 0.0;
  for (var j = 0u; j < S; j = j + 1u) { sum = sum + expF(weights[w + j] - m); }
  for (var j = 0u; j < S; j = j + 1u) { weights[w + j] = expF(weights[w + j] - m) / sum; }`)}`, params(rows, g), scores.operands, scores.writes, gridFor(rows));

  const product = bindPresent([['weights', weights], ['dropout', dropout], ['v', v], ['out', out, true]]);
  const n = rows * g.valueDim;
  launch(`${HEADER}${GEOMETRY}${product.code}
${elementwise(`let t = i / valueDim(); let e = i % valueDim(); ${unitOf('queries()')}
  let r = rest;
  let S = keys();
  let w = (unit * queries() + r) * S;
  var s = 0.0;
  for (var j = 0u; j < S; j = j + 1u) { s = s + weights[w + j]${dropout ? ' * dropout[w + j]' : ''} * v[vAt(bb, hh, j) + e]; }
  out[oAt(bb, hh, r) + e] = s;`)}`, params(n, g), product.operands, product.writes, gridFor(n));
}

export function attentionBackward(
  q: Storage, k: Storage, v: Storage, weights: Storage, dropout: Storage | null,
  gradOut: Storage | null, gradWeights: Storage | null, g: AttentionGeometry,
  gradQ: Storage, gradK: Storage, gradV: Storage,
): void {
  const { batch, heads, queries: L, keys: S, headDim: E, valueDim: Ev } = g;
  if (batch * heads * L * S === 0) return;
  const ds = temporary(weights, 'float32', batch * heads * L * S);
  // dS per query row: dP = (gradOut vᵀ + gradWeights) * dropout, then P * (dP - sum(dP * P)) / sqrt(E)
  const rowsBind = bindPresent([['gradOut', gradOut], ['v', gradOut ? v : null], ['gradWeights', gradWeights], ['dropout', dropout], ['weights', weights], ['ds', ds, true]]);
  const rows = batch * heads * L;
  launch(`${HEADER}${GEOMETRY}${rowsBind.code}
${elementwise(`let t = i; ${unitOf('queries()')}
  let r = rest;
  let S = keys();
  let w = (unit * queries() + r) * S;
  var dot = 0.0;
  for (var j = 0u; j < S; j = j + 1u) {
    var d = 0.0;
    ${gradOut ? 'let go = oAt(bb, hh, r); let vo = vAt(bb, hh, j); for (var e = 0u; e < valueDim(); e = e + 1u) { d = d + gradOut[go + e] * v[vo + e]; }' : ''}
    ${gradWeights ? 'd = d + gradWeights[w + j];' : ''}
    ${dropout ? 'd = d * dropout[w + j];' : ''}
    ds[w + j] = d;
    dot = dot + d * weights[w + j];
  }
  let scale = sqrt(f32(headDim()));
  for (var j = 0u; j < S; j = j + 1u) { ds[w + j] = weights[w + j] * (ds[w + j] - dot) / scale; }`)}`, params(rows, g), rowsBind.operands, rowsBind.writes, gridFor(rows));

  // gradQ[r] += dS[r, :] k; gradK[j] += dS[:, j]ᵀ q
  const nq = rows * E;
  const qBind = bindPresent([['ds', ds], ['k', k], ['gradQ', gradQ, true]]);
  launch(`${HEADER}${GEOMETRY}${qBind.code}
${elementwise(`let t = i / headDim(); let d = i % headDim(); ${unitOf('queries()')}
  let r = rest;
  let w = (unit * queries() + r) * keys();
  var s = 0.0;
  for (var j = 0u; j < keys(); j = j + 1u) { s = s + ds[w + j] * k[kAt(bb, hh, j) + d]; }
  let at = qAt(bb, hh, r) + d;
  gradQ[at] = gradQ[at] + s;`)}`, params(nq, g), qBind.operands, qBind.writes, gridFor(nq));

  const nk = batch * heads * S * E;
  const kBind = bindPresent([['ds', ds], ['q', q], ['gradK', gradK, true]]);
  launch(`${HEADER}${GEOMETRY}${kBind.code}
${elementwise(`let t = i / headDim(); let d = i % headDim(); ${unitOf('keys()')}
  let j = rest;
  var s = 0.0;
  for (var r = 0u; r < queries(); r = r + 1u) { s = s + ds[(unit * queries() + r) * keys() + j] * q[qAt(bb, hh, r) + d]; }
  let at = kAt(bb, hh, j) + d;
  gradK[at] = gradK[at] + s;`)}`, params(nk, g), kBind.operands, kBind.writes, gridFor(nk));
  releaseStorage(ds);

  if (!gradOut) return;
  // gradV[j] += (P * dropout)[:, j]ᵀ gradOut
  const nv = batch * heads * S * Ev;
  const vBind = bindPresent([['weights', weights], ['dropout', dropout], ['gradOut', gradOut], ['gradV', gradV, true]]);
  launch(`${HEADER}${GEOMETRY}${vBind.code}
${elementwise(`let t = i / valueDim(); let e = i % valueDim(); ${unitOf('keys()')}
  let j = rest;
  var s = 0.0;
  for (var r = 0u; r < queries(); r = r + 1u) {
    let w = (unit * queries() + r) * keys() + j;
    s = s + weights[w]${dropout ? ' * dropout[w]' : ''} * gradOut[oAt(bb, hh, r) + e];
  }
  let at = vAt(bb, hh, j) + e;
  gradV[at] = gradV[at] + s;`)}`, params(nv, g), vBind.operands, vBind.writes, gridFor(nv));
}
