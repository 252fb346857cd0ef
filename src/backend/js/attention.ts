// Reference attention per (batch, head) on strided operands (see AttentionGeometry in backend.ts):
// scores = (q / sqrt(E)) kᵀ, then the mask, softmax, dropout scale factors and the product with v.
import type { AttentionGeometry, HeadStrides } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { stridedProduct } from './matmul.js';

const at = (s: HeadStrides, b: number, h: number) => s[0] + b * s[1] + h * s[2];

/** Calls f for every (batch, head) with its index among them. */
function forEachHead(g: AttentionGeometry, f: (b: number, h: number, unit: number) => void): void {
  for (let b = 0; b < g.batch; b++) for (let h = 0; h < g.heads; h++) f(b, h, b * g.heads + h);
}

export function attention(
  q: TypedArray, k: TypedArray, v: TypedArray, mask: TypedArray | null, dropout: TypedArray | null,
  g: AttentionGeometry, out: TypedArray, weights: TypedArray,
): void {
  const { queries: L, keys: S, headDim: E, valueDim: Ev } = g;
  const scale = Math.sqrt(E);
  const qs = new (weights.constructor as new (n: number) => TypedArray)(L * E);
  const pd = new (weights.constructor as new (n: number) => TypedArray)(L * S);
  const boolMask = mask !== null && mask instanceof Uint8Array;
  forEachHead(g, (b, h, unit) => {
    const qo = at(g.q, b, h);
    for (let i = 0; i < L; i++) for (let j = 0; j < E; j++) qs[i * E + j] = q[qo + i * g.q[3] + j] / scale;
    const w = unit * L * S;
    stridedProduct(qs, 0, E, 1, k, at(g.k, b, h), 1, g.k[3], weights, w, S, L, E, S, false);
    for (let i = 0; i < L; i++) {
      const row = w + i * S;
      if (mask && g.mask) {
        const m = b * g.mask[0] + h * g.mask[1] + i * g.mask[2];
        for (let j = 0; j < S; j++) {
          if (!boolMask) weights[row + j] += mask[m + j];
          else if ((mask[m + j] !== 0) !== g.maskKeeps) weights[row + j] = -Infinity;
        }
      }
      if (g.causal) for (let j = i + 1; j < S; j++) weights[row + j] = -Infinity;
      let max = -Infinity;
      for (let j = 0; j < S; j++) if (weights[row + j] > max) max = weights[row + j];
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let j = 0; j < S; j++) sum += Math.exp(weights[row + j] - max);
      for (let j = 0; j < S; j++) weights[row + j] = Math.exp(weights[row + j] - max) / sum;
    }
    let p = weights;
    let po = w;
    if (dropout) {
      for (let j = 0; j < L * S; j++) pd[j] = weights[w + j] * dropout[w + j];
      p = pd;
      po = 0;
    }
    stridedProduct(p, po, S, 1, v, at(g.v, b, h), g.v[3], 1, out, at(g.out, b, h), g.out[3], L, S, Ev, false);
  });
}

export function attentionBackward(
  q: TypedArray, k: TypedArray, v: TypedArray, weights: TypedArray, dropout: TypedArray | null,
  gradOut: TypedArray | null, gradWeights: TypedArray | null, g: AttentionGeometry,
  gradQ: TypedArray, gradK: TypedArray, gradV: TypedArray,
): void {
  const { queries: L, keys: S, headDim: E, valueDim: Ev } = g;
  const scale = Math.sqrt(E);
  const make = (n: number) => new (weights.constructor as new (n: number) => TypedArray)(n);
  const ds = make(L * S);
  const pd = make(L * S);
  forEachHead(g, (b, h, unit) => {
    const w = unit * L * S;
    const go = at(g.out, b, h);
    if (gradOut) stridedProduct(gradOut, go, g.out[3], 1, v, at(g.v, b, h), 1, g.v[3], ds, 0, S, L, Ev, S, false);
    else ds.fill(0);
    if (gradWeights) for (let j = 0; j < L * S; j++) ds[j] += gradWeights[w + j];
    for (let j = 0; j < L * S; j++) pd[j] = dropout ? weights[w + j] * dropout[w + j] : weights[w + j];
    if (dropout) for (let j = 0; j < L * S; j++) ds[j] *= dropout[w + j];
    for (let i = 0; i < L; i++) {
      let dot = 0;
      for (let j = 0; j < S; j++) dot += ds[i * S + j] * weights[w + i * S + j];
      for (let j = 0; j < S; j++) ds[i * S + j] = (weights[w + i * S + j] * (ds[i * S + j] - dot)) / scale;
    }
    const qo = at(g.q, b, h);
    const ko = at(g.k, b, h);
    stridedProduct(ds, 0, S, 1, k, ko, g.k[3], 1, gradQ, qo, g.q[3], L, S, E, true);
    stridedProduct(ds, 0, 1, S, q, qo, g.q[3], 1, gradK, ko, g.k[3], S, L, E, true);
    if (gradOut) stridedProduct(pd, 0, 1, S, gradOut, go, g.out[3], 1, gradV, at(g.v, b, h), g.v[3], S, L, Ev, true);
  });
}
