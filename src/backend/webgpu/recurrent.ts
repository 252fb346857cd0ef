// The recurrent layers on the GPU, as the reference's (src/backend/js/recurrent.ts): one layer in one
// direction per call. The op has already projected every step's input in one product (xGates); here each
// step is two dispatches: the product of the running h with W_hh (the tiled GEMM of gemm.ts, reading the
// step's rows at their stride) and one fused cell kernel (a thread per state element: gates, activations,
// c and h, and what backward reads). Backward through time mirrors it: a fused cell-backward kernel, then
// the product that carries the gradient to h_{t-1}. An LSTM with a projection adds the product with W_hr
// to each step (and, backward, one kernel that adds the step's output gradient). The weight gradients are
// the op's: one product over all steps at the end.
import type { RecurrentGeometry } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { forEachStep } from '../js/recurrent.js';
import { GEMM_PARAMS, gemm } from './gemm.js';
import { checkFloat32 } from './matmul.js';
import { MATH } from './math.js';
import { bindPresent, temporary } from './rows.js';
import { binding, elementwise, gridFor, HEADER, launch } from './wgsl.js';
import { bufferOf, releaseStorage } from './memory.js';
import { clearBuffer, copyBuffer } from './commands.js';

/** Rows first + i * stride of a row-major matrix (a step's rows of a layer's [rows, width] tensors). */
interface Rows {
  storage: Storage;
  first: number;
  stride: number;
}
const allRows = (storage: Storage): Rows => ({ storage, first: 0, stride: 1 });

/**
 * C (m x n, rows 0..m-1) = A's rows (k wide) @ B, or C += it with `accumulate`, where B is [n, k] when
 * transB (a weight applied as xWᵀ), else [k, n]. With `copyTo`, each result is also stored at those rows
 * of a matrix n wide.
 */
function rowsProduct(what: string, a: Rows, b: Storage, transB: boolean, c: Storage, m: number, k: number, n: number, accumulate = false, copyTo: Rows | null = null): void {
  const [aFirst, aStride, dFirst, dStride] = [GEMM_PARAMS, GEMM_PARAMS + 1, GEMM_PARAMS + 2, GEMM_PARAMS + 3];
  const copy = copyTo ? ` D[(P(${dFirst}u) + i * P(${dStride}u)) * P(1) + j] = v;` : '';
  gemm({
    bindings: `${binding(1, 'A', 'f32')}${binding(2, 'B', 'f32')}${binding(3, 'C', 'f32', true)}${copyTo ? binding(4, 'D', 'f32', true) : ''}`,
    loadA: `fn loadA(t: u32, i: u32, p: u32) -> f32 { return A[(P(${aFirst}u) + i * P(${aStride}u)) * P(2) + p]; }`,
    loadB: `fn loadB(t: u32, p: u32, j: u32) -> f32 { return B[${transB ? 'j * P(2) + p' : 'p * P(1) + j'}]; }`,
    store: `fn store(t: u32, i: u32, j: u32, v: f32) { C[i * P(1) + j] = ${accumulate ? 'C[i * P(1) + j] + v' : 'v'};${copy} }`,
    aAlongK: true,
    bAlongK: transB,
  }, what, m, n, k, 1, [a.first, a.stride, copyTo?.first ?? 0, copyTo?.stride ?? 0], copyTo ? [a.storage, b, c, copyTo.storage] : [a.storage, b, c], copyTo ? [2, 3] : [2]);
}

/** Sets the first `length` elements of `state` to init's, or to zeros. */
function startState(state: Storage, init: Storage | null, length: number): void {
  if (init) copyBuffer(bufferOf(init), bufferOf(state), 4 * length);
  else clearBuffer(bufferOf(state), 4 * length);
}

type Operand = readonly [name: string, storage: Storage | null, write?: boolean];

/**
 * A cell kernel over the n x `width` elements of a step, compiled once per layer call and launched as
 * cell(n, first) per step: `body` sees r (the state's row), j (the column), row (the layer's row:
 * first + r * batchStride), H (hidden) and S (the state size P).
 */
function cellKernel(operands: Operand[], body: string, width: number, g: RecurrentGeometry): (n: number, first: number) => void {
  const b = bindPresent(operands);
  const code = `${HEADER}${MATH}${b.code}
${elementwise(`let width = P(1); let r = i / width; let j = i % width; let row = P(2) + r * P(3); let H = P(4); let S = P(5);
  ${body}`)}`;
  return (n, first) => launch(code, [n * width, width, first, g.batchStride, g.hidden, g.stateSize], b.operands, b.writes, gridFor(n * width));
}

/** The running h [N, P] (h0's rows, or zeros) and the scratch for h W_hhᵀ [N, gates * H] of a forward walk. */
function forwardScratch(xGates: Storage, h0: Storage | null, g: RecurrentGeometry, gates: number): [h: Storage, pre: Storage] {
  const h = temporary(xGates, 'float32', g.batch * g.stateSize);
  startState(h, h0, g.batch * g.stateSize);
  return [h, temporary(xGates, 'float32', g.batch * gates * g.hidden)];
}

/** The forward walk: per step, pre = h W_hhᵀ for the step's rows of the running h, then `cell`; frees h and pre after. */
function forwardSteps(what: string, g: RecurrentGeometry, weightHh: Storage, h: Storage, pre: Storage, gates: number, cell: (n: number, first: number) => void): void {
  forEachStep(g, false, (_t, n, first) => {
    rowsProduct(what, allRows(h), weightHh, true, pre, n, g.stateSize, gates * g.hidden);
    cell(n, first);
  });
  releaseStorage(h);
  releaseStorage(pre);
}

export function lstmForward(
  xGates: Storage, h0: Storage | null, c0: Storage | null, weightHh: Storage, weightHr: Storage | null,
  g: RecurrentGeometry, out: Storage, cN: Storage,
  gates: Storage | null, cells: Storage | null, hPrev: Storage | null, hRaw: Storage | null,
): void {
  checkFloat32('lstmForward', xGates, h0, c0, weightHh, weightHr, out, cN, gates, cells, hPrev, hRaw);
  const { batch: N, hidden: H, stateSize: P } = g;
  const [h, pre] = forwardScratch(xGates, h0, g, 4);
  const raw = weightHr ? temporary(xGates, 'float32', N * H) : null;
  startState(cN, c0, N * H); // cN is the running c
  const save = gates !== null && cells !== null;
  const body = `let G = 4u * H; let x = row * G; let q = r * G;
  let ig = sigmoidF(xg[x + j] + pre[q + j]);
  let fg = sigmoidF(xg[x + H + j] + pre[q + H + j]);
  let cg = tanhF(xg[x + 2u * H + j] + pre[q + 2u * H + j]);
  let og = sigmoidF(xg[x + 3u * H + j] + pre[q + 3u * H + j]);
  let cp = c[r * H + j];
  let cNew = fg * cp + ig * cg;
  c[r * H + j] = cNew;
  let tc = tanhF(cNew);
  let hNew = og * tc;
  ${save ? `gates[x + j] = ig; gates[x + H + j] = fg; gates[x + 2u * H + j] = cg; gates[x + 3u * H + j] = og;
  cells[row * 2u * H + j] = tc; cells[row * 2u * H + H + j] = cp;` : ''}
  ${hPrev ? 'for (var p = j; p < S; p = p + H) { hPrev[row * S + p] = h[r * S + p]; }' : ''}
  ${weightHr ? `raw[r * H + j] = hNew;${hRaw ? ' hRaw[row * H + j] = hNew;' : ''}` : 'h[r * H + j] = hNew; out[row * H + j] = hNew;'}`;
  const operands: Operand[] = [
    ['xg', xGates], ['pre', pre], ['c', cN, true], ['gates', save ? gates : null, true], ['cells', save ? cells : null, true],
    ['hPrev', hPrev, true], ['h', weightHr && !hPrev ? null : h, !weightHr], ['raw', raw, true], ['hRaw', weightHr ? hRaw : null, true],
    ['out', weightHr ? null : out, true],
  ];
  const cell = cellKernel(operands, body, H, g);
  forwardSteps('lstmForward', g, weightHh, h, pre, 4, (n, first) => {
    cell(n, first);
    if (weightHr && raw) rowsProduct('lstmForward', allRows(raw), weightHr, true, h, n, H, P, false, { storage: out, first, stride: g.batchStride });
  });
  if (raw) releaseStorage(raw);
}

export function lstmBackward(
  gates: Storage, cells: Storage, weightHh: Storage, weightHr: Storage | null,
  gradOut: Storage | null, gradCN: Storage | null, g: RecurrentGeometry,
  gradGates: Storage, gradH0: Storage, gradC0: Storage, gradHAll: Storage | null,
): void {
  checkFloat32('lstmBackward', gates, cells, weightHh, weightHr, gradOut, gradCN, gradGates, gradH0, gradC0, gradHAll);
  const { batch: N, hidden: H, stateSize: P } = g;
  const G = 4 * H;
  const dh = gradH0; // the running gradient of h, as the reference's
  startState(dh, null, N * P);
  startState(gradC0, gradCN, N * H);
  const dRaw = weightHr ? temporary(gates, 'float32', N * H) : null;
  // with a projection, the output's gradient joins dh before the product with W_hr; without, in the cell kernel
  const joinGradOut = weightHr && (gradOut || gradHAll);
  const join = `${gradOut ? 'let v = dh[r * S + j] + gradOut[row * S + j]; dh[r * S + j] = v;' : 'let v = dh[r * S + j];'}${gradHAll ? ' gradHAll[row * S + j] = v;' : ''}`;
  const dOfH = weightHr ? 'dRaw[r * H + j]' : `dh[r * S + j]${gradOut ? ' + gradOut[row * S + j]' : ''}`;
  const body = `let G = 4u * H; let x = row * G; let cs = row * 2u * H;
  let ig = gates[x + j]; let fg = gates[x + H + j]; let cg = gates[x + 2u * H + j]; let og = gates[x + 3u * H + j];
  let tc = cells[cs + j]; let cp = cells[cs + H + j];
  let d = ${dOfH};
  let dcj = dc[r * H + j] + d * og * (1.0 - tc * tc);
  gradGates[x + j] = dcj * cg * (ig * (1.0 - ig));
  gradGates[x + H + j] = dcj * cp * (fg * (1.0 - fg));
  gradGates[x + 2u * H + j] = dcj * ig * (1.0 - cg * cg);
  gradGates[x + 3u * H + j] = d * tc * (og * (1.0 - og));
  dc[r * H + j] = dcj * fg;`;
  const operands: Operand[] = [
    ['gates', gates], ['cells', cells], ['dRaw', dRaw], ['dh', weightHr ? null : dh], ['gradOut', weightHr ? null : gradOut],
    ['dc', gradC0, true], ['gradGates', gradGates, true],
  ];
  const cell = cellKernel(operands, body, H, g);
  const joinKernel = joinGradOut ? cellKernel([['dh', dh, true], ['gradOut', gradOut], ['gradHAll', gradHAll, true]], join, P, g) : null;
  forEachStep(g, true, (_t, n, first) => {
    if (weightHr && dRaw) {
      joinKernel?.(n, first);
      rowsProduct('lstmBackward', allRows(dh), weightHr, false, dRaw, n, P, H);
    }
    cell(n, first);
    rowsProduct('lstmBackward', { storage: gradGates, first, stride: g.batchStride }, weightHh, false, dh, n, G, P);
  });
  if (dRaw) releaseStorage(dRaw);
}

export function gruForward(
  xGates: Storage, h0: Storage | null, weightHh: Storage, biasHh: Storage | null, g: RecurrentGeometry,
  out: Storage, gates: Storage | null, hPrev: Storage | null,
): void {
  checkFloat32('gruForward', xGates, h0, weightHh, biasHh, out, gates, hPrev);
  const H = g.hidden;
  const [h, pre] = forwardScratch(xGates, h0, g, 3);
  const bias = (k: number) => (biasHh ? ` + bHh[${k}u * H + j]` : '');
  const body = `let G = 3u * H; let x = row * G; let q = r * G;
  let hn = pre[q + 2u * H + j]${bias(2)};
  let rg = sigmoidF(pre[q + j]${bias(0)} + xg[x + j]);
  let z = sigmoidF(pre[q + H + j]${bias(1)} + xg[x + H + j]);
  let nv = tanhF(xg[x + 2u * H + j] + hn * rg);
  let hp = h[r * H + j];
  let hNew = (hp - nv) * z + nv;
  h[r * H + j] = hNew;
  out[row * H + j] = hNew;
  ${gates ? 'let s = row * 4u * H; gates[s + j] = rg; gates[s + H + j] = z; gates[s + 2u * H + j] = nv; gates[s + 3u * H + j] = hn;' : ''}
  ${hPrev ? 'hPrev[row * H + j] = hp;' : ''}`;
  const operands: Operand[] = [['xg', xGates], ['pre', pre], ['bHh', biasHh], ['h', h, true], ['out', out, true], ['gates', gates, true], ['hPrev', hPrev, true]];
  forwardSteps('gruForward', g, weightHh, h, pre, 3, cellKernel(operands, body, H, g));
}

export function gruBackward(
  gates: Storage, hPrev: Storage, weightHh: Storage, gradOut: Storage | null, g: RecurrentGeometry,
  gradXGates: Storage, gradHGates: Storage, gradH0: Storage,
): void {
  checkFloat32('gruBackward', gates, hPrev, weightHh, gradOut, gradXGates, gradHGates, gradH0);
  const { batch: N, hidden: H } = g;
  const G = 3 * H;
  const dh = gradH0;
  startState(dh, null, N * H);
  const body = `let G = 3u * H; let s = row * 4u * H; let x = row * G;
  let rg = gates[s + j]; let z = gates[s + H + j]; let nv = gates[s + 2u * H + j]; let hn = gates[s + 3u * H + j];
  let d = dh[r * H + j]${gradOut ? ' + gradOut[row * H + j]' : ''};
  let dz = d * (hPrev[row * H + j] - nv) * (z * (1.0 - z));
  let dn = d * (1.0 - z) * (1.0 - nv * nv);
  let dr = dn * hn * (rg * (1.0 - rg));
  gradX[x + j] = dr; gradX[x + H + j] = dz; gradX[x + 2u * H + j] = dn;
  gradH[x + j] = dr; gradH[x + H + j] = dz; gradH[x + 2u * H + j] = dn * rg;
  dh[r * H + j] = d * z;`;
  const operands: Operand[] = [['gates', gates], ['hPrev', hPrev], ['gradOut', gradOut], ['dh', dh, true], ['gradX', gradXGates, true], ['gradH', gradHGates, true]];
  const cell = cellKernel(operands, body, H, g);
  forEachStep(g, true, (_t, n, first) => {
    cell(n, first);
    rowsProduct('gruBackward', { storage: gradHGates, first, stride: g.batchStride }, weightHh, false, dh, n, G, H, true);
  });
}

export function rnnForward(xGates: Storage, h0: Storage | null, weightHh: Storage, relu: boolean, g: RecurrentGeometry, out: Storage, hPrev: Storage | null): void {
  checkFloat32('rnnForward', xGates, h0, weightHh, out, hPrev);
  const H = g.hidden;
  const [h, pre] = forwardScratch(xGates, h0, g, 1);
  // relu as the reference's: NaN goes to 0
  const body = `let v = xg[row * H + j] + pre[r * H + j];
  let hNew = ${relu ? 'select(0.0, v, v > 0.0)' : 'tanhF(v)'};
  ${hPrev ? 'hPrev[row * H + j] = h[r * H + j];' : ''}
  h[r * H + j] = hNew;
  out[row * H + j] = hNew;`;
  const operands: Operand[] = [['xg', xGates], ['pre', pre], ['h', h, true], ['out', out, true], ['hPrev', hPrev, true]];
  forwardSteps('rnnForward', g, weightHh, h, pre, 1, cellKernel(operands, body, H, g));
}

export function rnnBackward(out: Storage, weightHh: Storage, relu: boolean, gradOut: Storage | null, g: RecurrentGeometry, gradXGates: Storage, gradH0: Storage): void {
  checkFloat32('rnnBackward', out, weightHh, gradOut, gradXGates, gradH0);
  const { batch: N, hidden: H } = g;
  const dh = gradH0;
  startState(dh, null, N * H);
  const body = `let d = dh[r * H + j]${gradOut ? ' + gradOut[row * H + j]' : ''};
  let y = out[row * H + j];
  gradX[row * H + j] = ${relu ? 'select(0.0, d, y > 0.0)' : 'd * (1.0 - y * y)'};`;
  const operands: Operand[] = [['out', out], ['gradOut', gradOut], ['dh', dh], ['gradX', gradXGates, true]];
  const cell = cellKernel(operands, body, H, g);
  forEachStep(g, true, (_t, n, first) => {
    cell(n, first);
    rowsProduct('rnnBackward', { storage: gradXGates, first, stride: g.batchStride }, weightHh, false, dh, n, H, H);
  });
}
