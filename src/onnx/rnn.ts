// RNN, LSTM, GRU and their cells as ONNX's RNN, LSTM and GRU ops, one node per layer (both directions in one);
// an LSTM with projSize step by step.
// PyTorch and ONNX order the gates differently (LSTM: i f g o vs i o f c; GRU: r z n vs z r h), so the
// weights are written reordered; GRU uses linear_before_reset = 1, which is PyTorch's formula.
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import * as nn from '../nn/index.js';
import { attr } from './graph.js';
import type { Emit } from './emit.js';
import type { ModuleEmitter } from './layers.js';

type Mode = 'LSTM' | 'GRU' | 'RNN';

// ONNX gate k reads PyTorch gate ORDER[mode][k].
const ORDER: Record<Mode, number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

interface DirectionWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

// Rows of a [gates * hidden, cols] weight (or a [gates * hidden] bias) with the gate blocks in ONNX's order.
function reordered(t: Tensor, mode: Mode): number[] {
  const data = t.dataSync();
  const gates = ORDER[mode].length;
  const block = data.length / gates;
  const out: number[] = [];
  for (const g of ORDER[mode]) for (let i = 0; i < block; i++) out.push(data[g * block + i]);
  return out;
}

/** One recurrent node over X [T, N, in] for the given directions; returns Y [T, D, N, H], Y_h and (LSTM) Y_c. */
function recurrentNode(e: Emit, mode: Mode, x: string, directions: DirectionWeights[], hidden: number, h0: string, c0: string, nonlinearity: string): string[] {
  const D = directions.length;
  const G = ORDER[mode].length;
  const type = directions[0].wIh.dtype;
  const input = directions[0].wIh.shape[1];
  const w = e.constant(directions.flatMap((d) => reordered(d.wIh, mode)), [D, G * hidden, input], type);
  const r = e.constant(directions.flatMap((d) => reordered(d.wHh, mode)), [D, G * hidden, hidden], type);
  const hasBias = directions[0].bIh !== null;
  const b = hasBias ? e.constant(directions.flatMap((d) => [...reordered(d.bIh!, mode), ...reordered(d.bHh!, mode)]), [D, 2 * G * hidden], type) : '';
  const inputs = [x, w, r, b, '', h0, c0];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const attrs: Record<string, ReturnType<typeof attr.int>> = { hidden_size: attr.int(hidden), direction: attr.string(D === 2 ? 'bidirectional' : 'forward') };
  if (mode === 'GRU') attrs.linear_before_reset = attr.int(1);
  if (mode === 'RNN') attrs.activations = attr.strings(new Array(D).fill(nonlinearity === 'relu' ? 'Relu' : 'Tanh'));
  return e.opN(mode, inputs, mode === 'LSTM' ? 3 : 2, attrs);
}

function modeOf(m: Module): Mode {
  return m instanceof nn.LSTM || m instanceof nn.LSTMCell ? 'LSTM' : m instanceof nn.GRU || m instanceof nn.GRUCell ? 'GRU' : 'RNN';
}

/**
 * One direction of an LSTM layer with a projection (ONNX's LSTM has none), step by step: X [T, N, in] and the
 * direction's initial h [1, N, proj] and c [1, N, hidden] (or '' for zeros); returns Y [T, N, proj], h_T [1, N, proj]
 * and c_T [1, N, hidden]. The reverse direction (dir 1) walks t from T - 1 to 0.
 */
function projectedLstm(e: Emit, x: string, T: number, N: number, w: DirectionWeights & { wHr: Tensor }, h0: string, c0: string, dir: number): [string, string, string] {
  const [H, P] = [w.wHr.shape[1], w.wHr.shape[0]];
  const type = w.wIh.dtype;
  const initial = (given: string, size: number) => (given ? e.squeeze(e.slice(given, [dir], [dir + 1], [0]), [0]) : e.constant(new Array(N * size).fill(0), [N, size], type));
  let [h, c] = [initial(h0, P), initial(c0, H)];
  const [wIh, wHh, wHr] = [e.value(w.wIh), e.value(w.wHh), e.value(w.wHr)];
  const [bIh, bHh] = [w.bIh ? e.value(w.bIh) : null, w.bHh ? e.value(w.bHh) : null];
  const outputs = new Array<string>(T);
  for (let step = 0; step < T; step++) {
    const t = dir === 1 ? T - 1 - step : step;
    const xt = e.squeeze(e.slice(x, [t], [t + 1], [0]), [0]);
    const gates = e.op('Add', [e.linear(xt, 2, wIh, bIh), e.linear(h, 2, wHh, bHh)]);
    const [i, f, g, o] = [0, 1, 2, 3].map((k) => e.slice(gates, [k * H], [(k + 1) * H], [1])); // PyTorch's order
    const sigmoid = (v: string) => e.op('Sigmoid', [v]);
    c = e.op('Add', [e.op('Mul', [sigmoid(f), c]), e.op('Mul', [sigmoid(i), e.op('Tanh', [g])])]);
    h = e.linear(e.op('Mul', [sigmoid(o), e.op('Tanh', [c])]), 2, wHr, null);
    outputs[t] = e.unsqueeze(h, [0]);
  }
  return [e.op('Concat', outputs, { axis: attr.int(0) }), e.unsqueeze(h, [0]), e.unsqueeze(c, [0])];
}

const recurrent: ModuleEmitter = (e, m, args, out) => {
  const rnn = m as nn.LSTM;
  const mode = modeOf(m);
  const x = args[0] as Tensor;
  const batched = x.ndim === 3;
  const D = rnn.bidirectional ? 2 : 1;
  const H = rnn.hiddenSize;
  let seq = !batched ? e.unsqueeze(e.value(x), [1]) : rnn.batchFirst ? e.transpose(e.value(x), [1, 0, 2]) : e.value(x);
  const [T, N] = !batched ? [x.shape[0], 1] : rnn.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const given = args[1] == null ? [] : mode === 'LSTM' ? (args[1] as Tensor[]) : [args[1] as Tensor];
  const states = given.map((s) => (batched ? e.value(s) : e.unsqueeze(e.value(s), [1])));
  const fields = rnn as unknown as Record<string, Tensor | null>;
  const finals: string[][] = [[], []];
  for (let layer = 0; layer < rnn.numLayers; layer++) {
    const directions = Array.from({ length: D }, (_, dir) => {
      const suffix = `L${layer}${dir === 1 ? 'Reverse' : ''}`;
      return { wIh: fields[`weightIh${suffix}`]!, wHh: fields[`weightHh${suffix}`]!, bIh: fields[`biasIh${suffix}`] ?? null, bHh: fields[`biasHh${suffix}`] ?? null };
    });
    const [h0, c0] = [0, 1].map((k) => (states[k] ? e.slice(states[k], [layer * D], [(layer + 1) * D], [0]) : ''));
    if (rnn.projSize > 0) {
      const steps = directions.map((d, dir) => projectedLstm(e, seq, T, N, { ...d, wHr: fields[`weightHrL${layer}${dir === 1 ? 'Reverse' : ''}`]! }, h0, c0, dir));
      seq = steps.length === 1 ? steps[0][0] : e.op('Concat', steps.map((st) => st[0]), { axis: attr.int(2) });
      finals[0].push(...steps.map((st) => st[1]));
      finals[1].push(...steps.map((st) => st[2]));
      continue;
    }
    const [y, yh, yc] = recurrentNode(e, mode, seq, directions, H, h0, c0, (rnn as unknown as nn.RNN).nonlinearity);
    seq = e.reshape(e.transpose(y, [0, 2, 1, 3]), [T, N, D * H]);
    finals[0].push(yh);
    if (yc) finals[1].push(yc);
  }
  const joined = finals.filter((f) => f.length > 0).map((f) => (f.length === 1 ? f[0] : e.op('Concat', f, { axis: attr.int(0) })));
  const output = !batched ? e.squeeze(seq, [1]) : rnn.batchFirst ? e.transpose(seq, [1, 0, 2]) : seq;
  const [outTensor, stateOut] = out as [Tensor, Tensor | [Tensor, Tensor]];
  e.bind(outTensor, output);
  const stateTensors = mode === 'LSTM' ? (stateOut as Tensor[]) : [stateOut as Tensor];
  stateTensors.forEach((s, k) => e.bind(s, batched ? joined[k] : e.squeeze(joined[k], [1])));
};

const cell: ModuleEmitter = (e, m, args, out) => {
  const c = m as nn.LSTMCell;
  const mode = modeOf(m);
  const x = args[0] as Tensor;
  const batched = x.ndim === 2;
  const asSequence = (t: Tensor) => e.unsqueeze(e.value(t), batched ? [0] : [0, 1]); // [1, N, features]
  const given = args[1] == null ? [] : mode === 'LSTM' ? (args[1] as Tensor[]) : [args[1] as Tensor];
  const [h0, c0] = [0, 1].map((k) => (given[k] ? asSequence(given[k]) : ''));
  const weights = { wIh: c.weightIh, wHh: c.weightHh, bIh: c.biasIh, bHh: c.biasHh };
  const [, yh, yc] = recurrentNode(e, mode, asSequence(x), [weights], c.hiddenSize, h0, c0, (m as unknown as nn.RNNCell).nonlinearity);
  const unsequence = (v: string) => e.squeeze(v, batched ? [0] : [0, 1]);
  if (mode === 'LSTM') {
    const [h, cs] = out as [Tensor, Tensor];
    e.bind(h, unsequence(yh));
    e.bind(cs, unsequence(yc));
  } else e.bind(out as Tensor, unsequence(yh));
};

/** The recurrent layers and cells, by their forward method. */
export const RECURRENT_LAYERS = new Map<unknown, ModuleEmitter>([
  [nn.RNNBase.prototype.forward, recurrent],
  [nn.RNNCell.prototype.forward, cell],
  [nn.LSTMCell.prototype.forward, cell],
  [nn.GRUCell.prototype.forward, cell],
]);
