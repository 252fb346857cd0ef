// Reference recurrent layers over a whole sequence (one layer, one direction): per step, the running h
// times W_hh, then the cell; backward walks the steps in the opposite order. See RecurrentGeometry
// (backend.ts) for the rows: only the first batchSizes[t] rows of the state buffers take part in step t,
// so a sequence that ended keeps its last state and one that starts late starts from h0.
import type { RecurrentGeometry } from '../backend.js';
import { type TypedArray } from '../../tensor/dtype.js';
import { stridedProduct } from './matmul.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A state buffer [n, width] of out's array type: h0's rows, or zeros. */
function startState(like: TypedArray, init: TypedArray | null, n: number, width: number): TypedArray {
  const state = new (like.constructor as new (n: number) => TypedArray)(n * width);
  if (init) state.set(init.subarray(0, n * width));
  return state;
}

/** Calls step(t, n, first) for the steps in the order the forward pass (or its backward) walks them. */
export function forEachStep(g: RecurrentGeometry, backward: boolean, step: (t: number, n: number, first: number) => void): void {
  const T = g.steps;
  const ascending = g.reverse === backward;
  for (let s = 0; s < T; s++) {
    const t = ascending ? s : T - 1 - s;
    if (g.batchSizes[t] > 0) step(t, g.batchSizes[t], g.stepOffsets[t]);
  }
}

function copyRows(src: TypedArray, srcRow: (r: number) => number, dst: TypedArray, dstRow: (r: number) => number, n: number, width: number): void {
  for (let r = 0; r < n; r++) dst.set(src.subarray(srcRow(r) * width, srcRow(r) * width + width), dstRow(r) * width);
}

export function lstmForward(
  xGates: TypedArray, h0: TypedArray | null, c0: TypedArray | null, weightHh: TypedArray, weightHr: TypedArray | null,
  g: RecurrentGeometry, out: TypedArray, cN: TypedArray,
  gates: TypedArray | null, cells: TypedArray | null, hPrev: TypedArray | null, hRaw: TypedArray | null,
): void {
  const { batch: N, hidden: H, stateSize: P, batchStride } = g;
  const G = 4 * H;
  const h = startState(out, h0, N, P);
  cN.set(c0 ? c0.subarray(0, N * H) : new Float64Array(N * H));
  const pre = startState(out, null, N, G);
  const raw = startState(out, null, N, H);
  forEachStep(g, false, (t, n, first) => {
    const row = (r: number) => first + r * batchStride;
    stridedProduct(h, 0, P, 1, weightHh, 0, 1, P, pre, 0, G, n, P, G, false);
    if (hPrev) copyRows(h, (r) => r, hPrev, row, n, P);
    for (let r = 0; r < n; r++) {
      const x = row(r) * G;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(xGates[x + j] + pre[r * G + j]);
        const f = sigmoid(xGates[x + H + j] + pre[r * G + H + j]);
        const cg = Math.tanh(xGates[x + 2 * H + j] + pre[r * G + 2 * H + j]);
        const o = sigmoid(xGates[x + 3 * H + j] + pre[r * G + 3 * H + j]);
        const cp = cN[r * H + j];
        const c = f * cp + i * cg;
        cN[r * H + j] = c;
        const tc = Math.tanh(cN[r * H + j]);
        raw[r * H + j] = o * tc;
        if (gates && cells) {
          gates[x + j] = i;
          gates[x + H + j] = f;
          gates[x + 2 * H + j] = cg;
          gates[x + 3 * H + j] = o;
          cells[row(r) * 2 * H + j] = tc;
          cells[row(r) * 2 * H + H + j] = cp;
        }
      }
    }
    if (weightHr) {
      if (hRaw) copyRows(raw, (r) => r, hRaw, row, n, H);
      stridedProduct(raw, 0, H, 1, weightHr, 0, 1, H, h, 0, P, n, H, P, false);
    } else {
      h.set(raw.subarray(0, n * H));
    }
    copyRows(h, (r) => r, out, row, n, P);
  });
}

export function lstmBackward(
  gates: TypedArray, cells: TypedArray, weightHh: TypedArray, weightHr: TypedArray | null,
  gradOut: TypedArray | null, gradCN: TypedArray | null, g: RecurrentGeometry,
  gradGates: TypedArray, gradH0: TypedArray, gradC0: TypedArray, gradHAll: TypedArray | null,
): void {
  const { batch: N, hidden: H, stateSize: P, batchStride } = g;
  const G = 4 * H;
  const dh = gradH0;
  const dc = gradC0;
  dh.fill(0);
  if (gradCN) dc.set(gradCN.subarray(0, N * H));
  else dc.fill(0);
  const dRaw = startState(gradH0, null, N, H);
  forEachStep(g, true, (t, n, first) => {
    const row = (r: number) => first + r * batchStride;
    if (gradOut) for (let r = 0; r < n; r++) for (let j = 0; j < P; j++) dh[r * P + j] += gradOut[row(r) * P + j];
    let dhr = dh;
    if (weightHr) {
      if (gradHAll) copyRows(dh, (r) => r, gradHAll, row, n, P);
      stridedProduct(dh, 0, P, 1, weightHr, 0, H, 1, dRaw, 0, H, n, P, H, false);
      dhr = dRaw;
    }
    for (let r = 0; r < n; r++) {
      const x = row(r) * G;
      const cs = row(r) * 2 * H;
      for (let j = 0; j < H; j++) {
        const i = gates[x + j];
        const f = gates[x + H + j];
        const cg = gates[x + 2 * H + j];
        const o = gates[x + 3 * H + j];
        const tc = cells[cs + j];
        const cp = cells[cs + H + j];
        const d = dhr[r * H + j];
        const dcj = dc[r * H + j] + d * o * (1 - tc * tc);
        gradGates[x + j] = dcj * cg * (i * (1 - i));
        gradGates[x + H + j] = dcj * cp * (f * (1 - f));
        gradGates[x + 2 * H + j] = dcj * i * (1 - cg * cg);
        gradGates[x + 3 * H + j] = d * tc * (o * (1 - o));
        dc[r * H + j] = dcj * f;
      }
    }
    stridedProduct(gradGates, first * G, batchStride * G, 1, weightHh, 0, P, 1, dh, 0, P, n, G, P, false);
  });
}

export function gruForward(
  xGates: TypedArray, h0: TypedArray | null, weightHh: TypedArray, biasHh: TypedArray | null, g: RecurrentGeometry,
  out: TypedArray, gates: TypedArray | null, hPrev: TypedArray | null,
): void {
  const { batch: N, hidden: H, batchStride } = g;
  const G = 3 * H;
  const h = startState(out, h0, N, H);
  const pre = startState(out, null, N, G);
  forEachStep(g, false, (t, n, first) => {
    const row = (r: number) => first + r * batchStride;
    stridedProduct(h, 0, H, 1, weightHh, 0, 1, H, pre, 0, G, n, H, G, false);
    if (hPrev) copyRows(h, (r) => r, hPrev, row, n, H);
    for (let r = 0; r < n; r++) {
      const x = row(r) * G;
      for (let j = 0; j < H; j++) {
        const b = (k: number) => (biasHh ? biasHh[k * H + j] : 0);
        pre[r * G + j] += b(0);
        pre[r * G + H + j] += b(1);
        pre[r * G + 2 * H + j] += b(2);
        const hn = pre[r * G + 2 * H + j];
        const rg = sigmoid(pre[r * G + j] + xGates[x + j]);
        const z = sigmoid(pre[r * G + H + j] + xGates[x + H + j]);
        const nv = Math.tanh(xGates[x + 2 * H + j] + hn * rg);
        const hp = h[r * H + j];
        h[r * H + j] = (hp - nv) * z + nv;
        if (gates) {
          const s = row(r) * 4 * H;
          gates[s + j] = rg;
          gates[s + H + j] = z;
          gates[s + 2 * H + j] = nv;
          gates[s + 3 * H + j] = hn;
        }
      }
    }
    copyRows(h, (r) => r, out, row, n, H);
  });
}

export function gruBackward(
  gates: TypedArray, hPrev: TypedArray, weightHh: TypedArray, gradOut: TypedArray | null, g: RecurrentGeometry,
  gradXGates: TypedArray, gradHGates: TypedArray, gradH0: TypedArray,
): void {
  const { hidden: H, batchStride } = g;
  const G = 3 * H;
  const dh = gradH0;
  dh.fill(0);
  forEachStep(g, true, (t, n, first) => {
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      const s = row * 4 * H;
      for (let j = 0; j < H; j++) {
        const rg = gates[s + j];
        const z = gates[s + H + j];
        const nv = gates[s + 2 * H + j];
        const hn = gates[s + 3 * H + j];
        const d = dh[r * H + j] + (gradOut ? gradOut[row * H + j] : 0);
        const dz = d * (hPrev[row * H + j] - nv) * (z * (1 - z));
        const dn = d * (1 - z) * (1 - nv * nv);
        const dr = dn * hn * (rg * (1 - rg));
        gradXGates[row * G + j] = dr;
        gradXGates[row * G + H + j] = dz;
        gradXGates[row * G + 2 * H + j] = dn;
        gradHGates[row * G + j] = dr;
        gradHGates[row * G + H + j] = dz;
        gradHGates[row * G + 2 * H + j] = dn * rg;
        dh[r * H + j] = d * z;
      }
    }
    stridedProduct(gradHGates, first * G, batchStride * G, 1, weightHh, 0, H, 1, dh, 0, H, n, G, H, true);
  });
}

export function rnnForward(xGates: TypedArray, h0: TypedArray | null, weightHh: TypedArray, relu: boolean, g: RecurrentGeometry, out: TypedArray, hPrev: TypedArray | null): void {
  const { batch: N, hidden: H, batchStride } = g;
  const h = startState(out, h0, N, H);
  const pre = startState(out, null, N, H);
  forEachStep(g, false, (t, n, first) => {
    const row = (r: number) => first + r * batchStride;
    stridedProduct(h, 0, H, 1, weightHh, 0, 1, H, pre, 0, H, n, H, H, false);
    if (hPrev) copyRows(h, (r) => r, hPrev, row, n, H);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < H; j++) {
        const v = xGates[row(r) * H + j] + pre[r * H + j];
        h[r * H + j] = relu ? (v > 0 ? v : 0) : Math.tanh(v);
      }
    }
    copyRows(h, (r) => r, out, row, n, H);
  });
}

export function rnnBackward(out: TypedArray, weightHh: TypedArray, relu: boolean, gradOut: TypedArray | null, g: RecurrentGeometry, gradXGates: TypedArray, gradH0: TypedArray): void {
  const { hidden: H, batchStride } = g;
  const dh = gradH0;
  dh.fill(0);
  forEachStep(g, true, (t, n, first) => {
    for (let r = 0; r < n; r++) {
      const row = first + r * batchStride;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j] + (gradOut ? gradOut[row * H + j] : 0);
        const y = out[row * H + j];
        gradXGates[row * H + j] = relu ? (y > 0 ? d : 0) : d * (1 - y * y);
      }
    }
    stridedProduct(gradXGates, first * H, batchStride * H, 1, weightHh, 0, H, 1, dh, 0, H, n, H, H, false);
  });
}
