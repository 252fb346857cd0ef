// Recurrent layers as single ops: one layer in one direction over a whole sequence is one node of the
// graph. The input projection x W_ihᵀ + b of every step is one product up front; the backend's recurrent
// kernel then runs the steps (per step, one product with W_hh and a fused cell), and backward runs
// backpropagation through time in one kernel call, followed by one product per weight gradient.
// When the backward itself must be differentiable (createGraph), it recomputes the forward from the
// per-step ops below and pulls the gradients back through that copy (vjp).
import type { Backend, RecurrentGeometry } from '../backend/backend.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { needsGrad, record } from '../autograd/record.js';
import { ownUntilFirstFreed } from '../autograd/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor, zeros } from '../tensor/creation.js';
import { backendOf, emptyTensor } from './util.js';
import { add, mul, relu, sigmoid, sub, tanh } from './elementwise.js';
import { matmul, matmulTransposed } from './linalg.js';
import { cat, chunk, narrow, t as transposed } from './shape.js';
import { indexSelect } from './indexing.js';
import { vjp } from './vjp.js';

export type RecurrentMode = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/**
 * How a layer's rows [rows, features] hold its steps: step t has batchSizes[t] sequences, sequence n of
 * step t is row stepOffsets[t] + n * batchStride.
 */
export interface SequenceLayout {
  steps: number;
  batch: number;
  batchSizes: readonly number[];
  stepOffsets: readonly number[];
  batchStride: number;
}

/** Padded sequences [T, N, *] (or [N, T, *] when batchFirst) seen as rows. */
export function paddedLayout(steps: number, batch: number, batchFirst: boolean): SequenceLayout {
  return {
    steps,
    batch,
    batchSizes: new Array<number>(steps).fill(batch),
    stepOffsets: Array.from({ length: steps }, (_, t) => (batchFirst ? t : t * batch)),
    batchStride: batchFirst ? steps : 1,
  };
}

/** A PackedSequence's data [sum(batchSizes), *]: the steps one after another. */
export function packedLayout(batchSizes: readonly number[]): SequenceLayout {
  const stepOffsets: number[] = [];
  let offset = 0;
  for (const size of batchSizes) {
    stepOffsets.push(offset);
    offset += size;
  }
  return { steps: batchSizes.length, batch: batchSizes[0] ?? 0, batchSizes, stepOffsets, batchStride: 1 };
}

/** The weights of one layer in one direction, as nn.LSTM/GRU/RNN hold them. */
export interface RecurrentWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
  /** LSTM's projSize: h = h_raw W_hrᵀ. */
  weightHr?: Tensor | null;
}

/** The output [rows, P] of every step and, for the LSTM, the last cell state [N, H]. */
export interface RecurrentResult {
  out: Tensor;
  cN: Tensor | null;
}

// ---- one step, from differentiable ops (the cells' functional forms and the createGraph recomputation) ----

// The steps take W_hh already transposed ([hidden, gates * hidden]): a layer transposes it once per sequence, not once per step.
function hiddenGates(h: Tensor, weightHhT: Tensor, biasHh: Tensor | null): Tensor {
  const out = matmul(h, weightHhT);
  return biasHh ? add(out, biasHh) : out;
}

/** h' = act(inputGates + h W_hhᵀ + b_hh), where inputGates = x W_ihᵀ + b_ih. */
export function rnnStep(inputGates: Tensor, h: Tensor, weightHhT: Tensor, biasHh: Tensor | null, nonlinearity: 'tanh' | 'relu'): Tensor {
  const pre = add(inputGates, hiddenGates(h, weightHhT, biasHh));
  return nonlinearity === 'relu' ? relu(pre) : tanh(pre);
}

/** One LSTM step from precomputed input gates; returns [h', c']. */
export function lstmStep(inputGates: Tensor, h: Tensor, c: Tensor, weightHhT: Tensor, biasHh: Tensor | null): [Tensor, Tensor] {
  const [i, f, g, o] = chunk(add(inputGates, hiddenGates(h, weightHhT, biasHh)), 4, -1);
  const cNext = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(cNext)), cNext];
}

/** One GRU step from precomputed input gates: n = tanh(x_n + r * (W_hn h + b_hn)), h' = (h - n) z + n. */
export function gruStep(inputGates: Tensor, h: Tensor, weightHhT: Tensor, biasHh: Tensor | null): Tensor {
  const [ir, iz, inNew] = chunk(inputGates, 3, -1);
  const [hr, hz, hn] = chunk(hiddenGates(h, weightHhT, biasHh), 3, -1);
  const r = sigmoid(add(hr, ir));
  const z = sigmoid(add(hz, iz));
  const n = tanh(add(inNew, mul(hn, r)));
  return add(mul(sub(h, n), z), n);
}

// ---- the fused layer ----

const GATES: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };
const FORWARD_KERNEL: Record<RecurrentMode, string> = { lstm: 'lstmForward', gru: 'gruForward', rnnTanh: 'rnnForward', rnnRelu: 'rnnForward' };

/**
 * One recurrent layer in one direction over the rows `x` [rows, input] laid out as `layout`: the output
 * [rows, P] (h at every step; P = projSize when the LSTM projects) and, for the LSTM, cN [N, H]. h0 [N, P]
 * and c0 [N, H] default to zeros. The last h of each sequence is a row of the output (see lastStates).
 * @example
 * const { out } = recurrentLayer('gru', x, { weightIh, weightHh, biasIh, biasHh }, paddedLayout(T, N, false), false);
 */
export function recurrentLayer(
  mode: RecurrentMode, x: Tensor, weights: RecurrentWeights, layout: SequenceLayout, reverse: boolean,
  h0: Tensor | null = null, c0: Tensor | null = null, name = 'recurrentLayer',
): RecurrentResult {
  const { weightIh, weightHh, biasIh, biasHh } = weights;
  const weightHr = mode === 'lstm' ? weights.weightHr ?? null : null;
  const b = backendOf(name, x, weightIh, weightHh);
  const H = weightHh.shape[0] / GATES[mode];
  const P = weightHr ? weightHr.shape[0] : H;
  const rows = x.shape[0];
  const N = layout.batch;
  const g: RecurrentGeometry = { ...layout, hidden: H, stateSize: P, reverse };
  const dtype = x.dtype;
  const named = namedInputs(x, weights, weightHr, h0, c0);
  for (const [what, t] of named) {
    backendOf(name, x, t);
    if (t.dtype !== dtype) throw new Error(`${name}: expected ${what === 'x' ? 'the input' : what} of dtype ${dtype} (the input's), got ${t.dtype}`);
  }
  const inputs = named.map(([, t]) => t);
  // a backend without the fused kernels runs the per-step composition of its other kernels
  if (b.missingKernels?.has(FORWARD_KERNEL[mode])) return composedLayer(mode, x, weights, layout, reverse, h0, c0);
  const train = isGradEnabled() && inputs.some((t) => t.requiresGrad);

  const bias = mode === 'gru' ? biasIh : combinedBias(b, biasIh, biasHh);
  const xGates = inputProjection(b, x, weightIh, bias);
  if (bias && bias !== biasIh && bias !== biasHh) b.release(bias.storage);
  const out = emptyTensor([rows, P], dtype, b);
  const saved: Tensor[] = [];
  const keep = (shape: number[]) => {
    const t = emptyTensor(shape, dtype, b);
    saved.push(t);
    return t;
  };
  let cN: Tensor | null = null;
  if (mode === 'lstm') {
    cN = emptyTensor([N, H], dtype, b);
    const [gates, cells, hPrev, hRaw] = train ? [keep([rows, 4 * H]), keep([rows, 2 * H]), keep([rows, P]), weightHr ? keep([rows, H]) : null] : [null, null, null, null];
    b.lstmForward(xGates.storage, h0?.storage ?? null, c0?.storage ?? null, weightHh.storage, weightHr?.storage ?? null, g, out.storage, cN.storage,
      gates?.storage ?? null, cells?.storage ?? null, hPrev?.storage ?? null, hRaw?.storage ?? null);
  } else if (mode === 'gru') {
    const [gates, hPrev] = train ? [keep([rows, 4 * H]), keep([rows, H])] : [null, null];
    b.gruForward(xGates.storage, h0?.storage ?? null, weightHh.storage, biasHh?.storage ?? null, g, out.storage, gates?.storage ?? null, hPrev?.storage ?? null);
  } else {
    const hPrev = train ? keep([rows, H]) : null;
    b.rnnForward(xGates.storage, h0?.storage ?? null, weightHh.storage, mode === 'rnnRelu', g, out.storage, hPrev?.storage ?? null);
  }
  b.release(xGates.storage); // nothing reads the projection again: backward works from the gates' gradients
  if (!train) return { out, cN };

  // out and cN are two nodes over the same saved buffers; each backpropagates through time from its own gradient
  let ownership: { released(): boolean } | null = null;
  const backward = (gradOut: Tensor | null, gradCN: Tensor | null): (Tensor | null)[] => {
    if (ownership?.released()) {
      throw new Error(`backward: trying to backward through the ${mode} layer's graph a second time (or after its other output's backward freed it); pass { retainGraph: true } to the first backward`);
    }
    if (isGradEnabled()) return composedGrads(mode, named, layout, reverse, gradOut, gradCN);
    const need = named.map(([, t]) => t.requiresGrad);
    return fusedGrads(mode, b, named, need, g, saved, out, gradOut, gradCN);
  };
  record(out, `${mode === 'lstm' ? 'Lstm' : mode === 'gru' ? 'Gru' : 'Rnn'}Backward`, inputs, (grad) => backward(grad, null), inputs);
  if (cN) record(cN, 'LstmCellStateBackward', inputs, (grad) => backward(null, grad), inputs);
  ownership = ownUntilFirstFreed(cN ? [out, cN] : [out], saved.map((t) => t.storage));
  return { out, cN };
}

type Named = [name: 'x' | 'weightIh' | 'biasIh' | 'biasHh' | 'weightHh' | 'weightHr' | 'h0' | 'c0', t: Tensor][];

function namedInputs(x: Tensor, w: RecurrentWeights, weightHr: Tensor | null, h0: Tensor | null, c0: Tensor | null): Named {
  const all: [Named[number][0], Tensor | null][] = [
    ['x', x], ['weightIh', w.weightIh], ['biasIh', w.biasIh], ['biasHh', w.biasHh], ['weightHh', w.weightHh],
    ['weightHr', weightHr], ['h0', h0], ['c0', c0],
  ];
  return all.filter((e): e is Named[number] => e[1] !== null);
}

/** b_ih + b_hh (the LSTM and Elman RNN add both to every step's gates), or whichever exists. */
function combinedBias(b: Backend, biasIh: Tensor | null, biasHh: Tensor | null): Tensor | null {
  if (!biasIh || !biasHh) return biasIh ?? biasHh;
  const sum = emptyTensor(biasIh.shape, biasIh.dtype, b);
  b.binary('add', biasIh.storage, biasIh.shape, biasHh.storage, biasHh.shape, sum.storage, sum.shape);
  return sum;
}

/** x W_ihᵀ + bias for every row at once, outside the graph (the layer's node covers it). */
function inputProjection(b: Backend, x: Tensor, weightIh: Tensor, bias: Tensor | null): Tensor {
  const [rows, k] = x.shape;
  const n = weightIh.shape[0];
  const out = emptyTensor([rows, n], x.dtype, b);
  b.matmul(x.storage, weightIh.storage, out.storage, 1, rows, k, n, false, true, 0, 0);
  if (bias) b.binary('add', out.storage, out.shape, bias.storage, bias.shape, out.storage, out.shape);
  return out;
}

/** a (m x k) @ b (k x n) as a new tensor, with transpose flags as matmul's kernel. */
function product(be: Backend, a: Tensor, b: Tensor, m: number, k: number, n: number, transA: boolean, transB: boolean): Tensor {
  const out = emptyTensor([m, n], a.dtype, be);
  be.matmul(a.storage, b.storage, out.storage, 1, m, k, n, transA, transB, 0, 0);
  return out;
}

function columnSums(be: Backend, x: Tensor): Tensor {
  const out = emptyTensor([x.shape[1]], x.dtype, be);
  be.reduce('sum', x.storage, x.shape, [0], out.storage);
  return out;
}

// The gradients from the backend's backward-through-time kernel, then one product per weight.
function fusedGrads(
  mode: RecurrentMode, b: Backend, named: Named, need: boolean[], g: RecurrentGeometry, saved: Tensor[],
  out: Tensor, gradOut: Tensor | null, gradCN: Tensor | null,
): (Tensor | null)[] {
  const input = (name: Named[number][0]) => named.find(([n]) => n === name)?.[1] ?? null;
  const x = input('x')!;
  const weightIh = input('weightIh')!;
  const weightHh = input('weightHh')!;
  const weightHr = input('weightHr');
  const { hidden: H, stateSize: P, batch: N } = g;
  const rows = x.shape[0];
  const G = GATES[mode] * H;
  const gradX = emptyTensor([rows, G], x.dtype, b); // of x W_ihᵀ + b_ih
  let gradHGates = gradX; // of h W_hhᵀ (+ b_hh): the same but for the GRU
  let hPrev: Tensor;
  const gradH0 = emptyTensor([N, P], x.dtype, b);
  let gradC0: Tensor | null = null;
  let gradHr: Tensor | null = null;
  if (mode === 'lstm') {
    const [gates, cells, prev, hRaw] = saved;
    hPrev = prev;
    gradC0 = emptyTensor([N, H], x.dtype, b);
    const gradHAll = weightHr ? emptyTensor([rows, P], x.dtype, b) : null;
    b.lstmBackward(gates.storage, cells.storage, weightHh.storage, weightHr?.storage ?? null, gradOut?.storage ?? null, gradCN?.storage ?? null, g,
      gradX.storage, gradH0.storage, gradC0.storage, gradHAll?.storage ?? null);
    if (weightHr && gradHAll) gradHr = product(b, gradHAll, hRaw, P, rows, H, true, false);
  } else if (mode === 'gru') {
    const [gates, prev] = saved;
    hPrev = prev;
    gradHGates = emptyTensor([rows, G], x.dtype, b);
    b.gruBackward(gates.storage, hPrev.storage, weightHh.storage, gradOut?.storage ?? null, g, gradX.storage, gradHGates.storage, gradH0.storage);
  } else {
    hPrev = saved[0];
    b.rnnBackward(out.storage, weightHh.storage, mode === 'rnnRelu', gradOut?.storage ?? null, g, gradX.storage, gradH0.storage);
  }
  let biasGrad: Tensor | null = null; // b_ih's and b_hh's are the same but for the GRU
  const grads: Record<Named[number][0], () => Tensor | null> = {
    x: () => product(b, gradX, weightIh, rows, G, x.shape[1], false, false),
    weightIh: () => product(b, gradX, x, G, rows, x.shape[1], true, false),
    biasIh: () => (biasGrad ??= columnSums(b, gradX)),
    biasHh: () => (gradHGates === gradX ? (biasGrad ??= columnSums(b, gradX)) : columnSums(b, gradHGates)),
    weightHh: () => product(b, gradHGates, hPrev, G, rows, P, true, false),
    weightHr: () => gradHr,
    h0: () => gradH0,
    c0: () => gradC0,
  };
  return named.map(([name], i) => (need[i] ? grads[name]() : null));
}

// ---- the same layer from per-step differentiable ops (double backward) ----

// createGraph: the forward again, from differentiable ops on the same inputs, and the gradients through it.
function composedGrads(mode: RecurrentMode, named: Named, layout: SequenceLayout, reverse: boolean, gradOut: Tensor | null, gradCN: Tensor | null): (Tensor | null)[] {
  const w = Object.fromEntries(named) as Partial<Record<Named[number][0], Tensor>>;
  const { out, cN } = composedLayer(mode, w.x!, {
    weightIh: w.weightIh!, weightHh: w.weightHh!, biasIh: w.biasIh ?? null, biasHh: w.biasHh ?? null, weightHr: w.weightHr ?? null,
  }, layout, reverse, w.h0 ?? null, w.c0 ?? null);
  return vjp(cN ? [out, cN] : [out], [gradOut, gradCN], named.map(([, t]) => t));
}

/** recurrentLayer written with per-step ops (slow; its graph is differentiable to any order). */
export function composedLayer(
  mode: RecurrentMode, x: Tensor, weights: RecurrentWeights, layout: SequenceLayout, reverse: boolean,
  h0: Tensor | null, c0: Tensor | null,
): RecurrentResult {
  const { weightIh, weightHh, biasIh, biasHh } = weights;
  const weightHr = mode === 'lstm' ? weights.weightHr ?? null : null;
  const H = weightHh.shape[0] / GATES[mode];
  const P = weightHr ? weightHr.shape[0] : H;
  const N = layout.batch;
  const like = { dtype: x.dtype, device: x.device };
  const inputGates = biasIh ? add(matmulTransposed(x, weightIh), biasIh) : matmulTransposed(x, weightIh);
  const wHhT = transposed(weightHh);
  const wHrT = weightHr ? transposed(weightHr) : null;
  let states = [h0 ?? zeros([N, P], like), ...(mode === 'lstm' ? [c0 ?? zeros([N, H], like)] : [])];
  const hs: Tensor[] = new Array(layout.steps);
  for (let s = 0; s < layout.steps; s++) {
    const t = reverse ? layout.steps - 1 - s : s;
    const n = layout.batchSizes[t];
    const rowsOf = Array.from({ length: n }, (_, r) => layout.stepOffsets[t] + r * layout.batchStride);
    const gates = layout.batchStride === 1 ? narrow(inputGates, 0, rowsOf[0], n) : indexSelect(inputGates, 0, tensor(rowsOf, { dtype: 'int32', device: x.device }));
    const active = states.map((st) => narrow(st, 0, 0, n));
    let next: Tensor[];
    if (mode === 'lstm') {
      const [h, c] = lstmStep(gates, active[0], active[1], wHhT, biasHh);
      next = [wHrT ? matmul(h, wHrT) : h, c];
    } else if (mode === 'gru') {
      next = [gruStep(gates, active[0], wHhT, biasHh)];
    } else {
      next = [rnnStep(gates, active[0], wHhT, biasHh, mode === 'rnnRelu' ? 'relu' : 'tanh')];
    }
    states = states.map((st, i) => (n < N ? cat([next[i], narrow(st, 0, n, N - n)], 0) : next[i]));
    hs[t] = next[0];
  }
  // rows in step order, then where the layout keeps them
  let out = cat(hs, 0);
  if (layout.batchStride !== 1) {
    const position: number[] = new Array(out.shape[0]);
    let at = 0;
    layout.batchSizes.forEach((n, t) => {
      for (let r = 0; r < n; r++) position[layout.stepOffsets[t] + r * layout.batchStride] = at++;
    });
    out = indexSelect(out, 0, tensor(position, { dtype: 'int32', device: x.device }));
  }
  return { out, cN: mode === 'lstm' ? states[1] : null };
}

/** Each sequence's last h [N, P]: the output row of its last step (its first, going in reverse). */
export function lastStates(out: Tensor, layout: SequenceLayout, reverse: boolean): Tensor {
  const N = layout.batch;
  const rows: number[] = [];
  for (let n = 0; n < N; n++) {
    let t = 0;
    if (!reverse) while (t + 1 < layout.steps && layout.batchSizes[t + 1] > n) t++;
    rows.push(layout.stepOffsets[t] + n * layout.batchStride);
  }
  const contiguous = rows.every((r, i) => r === rows[0] + i);
  return contiguous ? narrow(out, 0, rows[0] ?? 0, N) : indexSelect(out, 0, tensor(rows, { dtype: 'int32', device: out.device }));
}

