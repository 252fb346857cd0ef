// Conformance of the sequence kernels (recurrent layers, attention) for any backend: forwards against naive
// loops written here, backwards against central differences of the forward kernels, in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttentionGeometry, RecurrentGeometry } from '../../../src/index.js';
import type { ArrayBackend } from '../array-kernels.js';

function random(n: number, seed: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 * 2 - 1) * scale;
  }
  return out;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol: number): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
    else assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: expected ${e}, got ${a}`);
  }
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number> | null) => {
  let s = 0;
  if (b) for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** d loss / d x[i] by central differences, loss(x) evaluated with x changed in place. */
function numericGrad(x: Float64Array, loss: () => number): Float64Array {
  const out = new Float64Array(x.length);
  const eps = 1e-6;
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = loss();
    x[i] = keep - eps;
    const down = loss();
    x[i] = keep;
    out[i] = (up - down) / (2 * eps);
  }
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

// A packed batch of 3 sequences of lengths 4, 2 and 1 (steps hold 3, 2, 1, 1 of them).
const packed = { steps: 4, batch: 3, batchSizes: [3, 2, 1, 1], stepOffsets: [0, 3, 5, 6], batchStride: 1 };
const ROWS = 7;

/** A naive LSTM (with projection when wHr) over `g`, from states h0, c0. */
function naiveLstm(g: RecurrentGeometry, xg: Float64Array, h0: Float64Array, c0: Float64Array, wHh: Float64Array, wHr: Float64Array | null) {
  const { hidden: H, stateSize: P } = g;
  const h = h0.slice();
  const c = c0.slice();
  const out = new Float64Array(ROWS * P);
  for (let s = 0; s < g.steps; s++) {
    const t = g.reverse ? g.steps - 1 - s : s;
    for (let n = 0; n < g.batchSizes[t]; n++) {
      const row = g.stepOffsets[t] + n * g.batchStride;
      const gate = (k: number, j: number) => {
        let v = xg[row * 4 * H + k * H + j];
        for (let p = 0; p < P; p++) v += h[n * P + p] * wHh[(k * H + j) * P + p];
        return v;
      };
      const raw = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const cj = sigmoid(gate(1, j)) * c[n * H + j] + sigmoid(gate(0, j)) * Math.tanh(gate(2, j));
        raw[j] = sigmoid(gate(3, j)) * Math.tanh(cj);
        c[n * H + j] = cj;
      }
      for (let p = 0; p < P; p++) {
        let v = wHr ? 0 : raw[p];
        if (wHr) for (let j = 0; j < H; j++) v += raw[j] * wHr[p * H + j];
        out[row * P + p] = v;
      }
      for (let p = 0; p < P; p++) h[n * P + p] = out[row * P + p];
    }
  }
  return { out, c };
}

/** A naive attention, one (b, h) at a time, reading operands at the strides of `g`. */
function naiveAttention(g: AttentionGeometry, q: Float64Array, k: Float64Array, v: Float64Array, mask: Float64Array | Uint8Array | null, dropout: Float64Array | null, outLength: number) {
  const { batch: B, heads: Hn, queries: L, keys: S, headDim: E, valueDim: Ev } = g;
  const out = new Float64Array(outLength);
  const weights = new Float64Array(B * Hn * L * S);
  const at = (s: readonly number[], b: number, h: number, r: number) => s[0] + b * s[1] + h * s[2] + r * s[3];
  for (let b = 0; b < B; b++) for (let h = 0; h < Hn; h++) for (let i = 0; i < L; i++) {
    const scores = Array.from({ length: S }, (_, j) => {
      let x = 0;
      for (let e = 0; e < E; e++) x += (q[at(g.q, b, h, i) + e] / Math.sqrt(E)) * k[at(g.k, b, h, j) + e];
      if (mask && g.mask) {
        const m = mask[b * g.mask[0] + h * g.mask[1] + i * g.mask[2] + j];
        if (mask instanceof Uint8Array) x = (m !== 0) === g.maskKeeps ? x : -Infinity;
        else x += m;
      }
      return g.causal && j > i ? -Infinity : x;
    });
    const max = Math.max(...scores);
    const e = scores.map((x) => Math.exp(x - max));
    const sum = e.reduce((a, c) => a + c, 0);
    const w0 = ((b * Hn + h) * L + i) * S;
    for (let j = 0; j < S; j++) weights[w0 + j] = e[j] / sum;
    for (let c = 0; c < Ev; c++) {
      let o = 0;
      for (let j = 0; j < S; j++) o += weights[w0 + j] * (dropout ? dropout[w0 + j] : 1) * v[at(g.v, b, h, j) + c];
      out[at(g.out, b, h, i) + c] = o;
    }
  }
  return { out, weights };
}

export function sequenceConformance(b: ArrayBackend): void {
  test(`${b.name}: lstmForward equals naive steps on a packed batch, both directions, with a projection; lstmBackward equals its central differences`, () => {
    for (const reverse of [false, true]) {
      for (const [H, P] of [[3, 3], [3, 2]]) {
        const g: RecurrentGeometry = { ...packed, hidden: H, stateSize: P, reverse };
        const xg = random(ROWS * 4 * H, 1, 2);
        const h0 = random(3 * P, 2);
        const c0 = random(3 * H, 3);
        const wHh = random(4 * H * P, 4, 0.7);
        const wHr = P < H ? random(P * H, 5) : null;
        const forward = () => {
          const out = new Float64Array(ROWS * P);
          const cN = new Float64Array(3 * H);
          const saved = [new Float64Array(ROWS * 4 * H), new Float64Array(ROWS * 2 * H), new Float64Array(ROWS * P), wHr ? new Float64Array(ROWS * H) : null] as const;
          b.lstmForward(xg, h0, c0, wHh, wHr, g, out, cN, ...saved);
          return { out, cN, saved };
        };
        const { out, cN, saved } = forward();
        const expected = naiveLstm(g, xg, h0, c0, wHh, wHr);
        close(out, expected.out, `lstm out (reverse ${reverse}, P ${P})`, 1e-12);
        close(cN, expected.c, `lstm cN (reverse ${reverse}, P ${P})`, 1e-12);
        const gradOut = random(ROWS * P, 6);
        const gradCN = random(3 * H, 7);
        const loss = () => {
          const r = forward();
          return dot(r.out, gradOut) + dot(r.cN, gradCN);
        };
        const gradGates = new Float64Array(ROWS * 4 * H);
        const gradH0 = new Float64Array(3 * P);
        const gradC0 = new Float64Array(3 * H);
        b.lstmBackward(saved[0], saved[1], wHh, wHr, gradOut, gradCN, g, gradGates, gradH0, gradC0, wHr ? new Float64Array(ROWS * P) : null);
        close(gradGates, numericGrad(xg, loss), 'lstm gradient of the input gates', 1e-6);
        close(gradH0, numericGrad(h0, loss), 'lstm gradient of h0', 1e-6);
        close(gradC0, numericGrad(c0, loss), 'lstm gradient of c0', 1e-6);
      }
    }
  });

  test(`${b.name}: gruBackward and rnnBackward equal central differences of their forwards on a packed batch`, () => {
    const H = 3;
    for (const reverse of [false, true]) {
      const g: RecurrentGeometry = { ...packed, hidden: H, stateSize: H, reverse };
      const h0 = random(3 * H, 8);
      const gradOut = random(ROWS * H, 9);
      const xg = random(ROWS * 3 * H, 10, 2);
      const wHh = random(3 * H * H, 11, 0.7);
      const bHh = random(3 * H, 12);
      const gruLoss = () => {
        const out = new Float64Array(ROWS * H);
        b.gruForward(xg, h0, wHh, bHh, g, out, null, null);
        return dot(out, gradOut);
      };
      const out = new Float64Array(ROWS * H);
      const gates = new Float64Array(ROWS * 4 * H);
      const hPrev = new Float64Array(ROWS * H);
      b.gruForward(xg, h0, wHh, bHh, g, out, gates, hPrev);
      const gradX = new Float64Array(ROWS * 3 * H);
      const gradHGates = new Float64Array(ROWS * 3 * H);
      const gradH0 = new Float64Array(3 * H);
      b.gruBackward(gates, hPrev, wHh, gradOut, g, gradX, gradHGates, gradH0);
      close(gradX, numericGrad(xg, gruLoss), 'gru gradient of the input gates', 1e-6);
      close(gradH0, numericGrad(h0, gruLoss), 'gru gradient of h0', 1e-6);
      // b_hh's gradient is the sum of gradHGates over rows
      const sums = new Float64Array(3 * H);
      for (let r = 0; r < ROWS; r++) for (let j = 0; j < 3 * H; j++) sums[j] += gradHGates[r * 3 * H + j];
      close(sums, numericGrad(bHh, gruLoss), 'gru gradient of b_hh', 1e-6);
      for (const relu of [false, true]) {
        const rx = random(ROWS * H, 13, 2);
        const rw = random(H * H, 14, 0.7);
        const rnnLoss = () => {
          const o = new Float64Array(ROWS * H);
          b.rnnForward(rx, h0, rw, relu, g, o, null);
          return dot(o, gradOut);
        };
        const o = new Float64Array(ROWS * H);
        b.rnnForward(rx, h0, rw, relu, g, o, new Float64Array(ROWS * H));
        const gx = new Float64Array(ROWS * H);
        const gh = new Float64Array(3 * H);
        b.rnnBackward(o, rw, relu, gradOut, g, gx, gh);
        close(gx, numericGrad(rx, rnnLoss), `rnn (${relu ? 'relu' : 'tanh'}) gradient of the input`, 1e-6);
        close(gh, numericGrad(h0, rnnLoss), `rnn (${relu ? 'relu' : 'tanh'}) gradient of h0`, 1e-6);
      }
    }
  });

  test(`${b.name}: attention on strided heads equals naive loops (masks, causal, dropout); attentionBackward equals central differences`, () => {
    // 2 batches, 2 heads of 3 features; queries [L=3, N, 6] sequence-first, keys and values [S=4, N, 6]
    const [N, Hn, L, S, d] = [2, 2, 3, 4, 3];
    const seqFirst = (len: number) => [0, Hn * d, d, N * Hn * d] as const;
    const base: AttentionGeometry = {
      batch: N, heads: Hn, queries: L, keys: S, headDim: d, valueDim: d,
      q: seqFirst(L), k: seqFirst(S), v: seqFirst(S), out: seqFirst(L), mask: null, maskKeeps: false, causal: false,
    };
    const q = random(L * N * Hn * d, 15, 2);
    const k = random(S * N * Hn * d, 16, 2);
    const v = random(S * N * Hn * d, 17);
    const variants: [string, Partial<AttentionGeometry>, Float64Array | Uint8Array | null, boolean][] = [
      ['plain', {}, null, false],
      ['causal', { causal: true }, null, false],
      ['float mask [L, S]', { mask: [0, 0, S] }, random(L * S, 18), false],
      ['bool mask keeping [N, 1, 1, S]', { mask: [S, 0, 0], maskKeeps: true }, Uint8Array.from([1, 0, 1, 1, 0, 1, 1, 1]), false],
      ['bool mask forbidding [N, H, L, S], dropout', { mask: [Hn * L * S, L * S, S] }, Uint8Array.from({ length: N * Hn * L * S }, (_, i) => (i % 5 === 1 ? 1 : 0)), true],
    ];
    for (const [what, change, mask, withDropout] of variants) {
      const g = { ...base, ...change };
      const dropout = withDropout ? Float64Array.from(random(N * Hn * L * S, 19), (x) => (x > -0.5 ? 4 / 3 : 0)) : null;
      const forward = () => {
        const out = new Float64Array(q.length);
        const weights = new Float64Array(N * Hn * L * S);
        b.attention(q, k, v, mask, dropout, g, out, weights);
        return { out, weights };
      };
      const { out, weights } = forward();
      const expected = naiveAttention(g, q, k, v, mask, dropout, q.length);
      close(out, expected.out, `${what}: output`, 1e-12);
      close(weights, expected.weights, `${what}: weights`, 1e-12);
      const gradOut = random(q.length, 20);
      const gradWeights = random(weights.length, 21);
      // the weights' gradient is of the weights after dropout
      const loss = () => {
        const r = forward();
        return dot(r.out, gradOut) + dot(r.weights.map((w, i) => w * (dropout ? dropout[i] : 1)), gradWeights);
      };
      const grads = [q, k, v].map((t) => new Float64Array(t.length));
      b.attentionBackward(q, k, v, weights, dropout, gradOut, gradWeights, g, grads[0], grads[1], grads[2]);
      [q, k, v].forEach((t, i) => close(grads[i], numericGrad(t, loss), `${what}: gradient of ${'qkv'[i]}`, 1e-6));
    }
  });
}
