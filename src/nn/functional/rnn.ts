// One time step of the recurrent cells, with PyTorch's gate layouts and arithmetic:
// LSTM gates are (input, forget, cell, output), GRU gates (reset, update, new) with b_hn inside the reset product.
import { Tensor } from '../../tensor/tensor.js';
import { add, mul, relu, sigmoid, sub, tanh } from '../../ops/elementwise.js';
import { chunk, t } from '../../ops/shape.js';
import { matmul } from '../../ops/linalg.js';
import { linear } from './linear.js';

export type RnnNonlinearity = 'tanh' | 'relu';

// The steps take W_hh already transposed ([hidden, gates * hidden]): a layer transposes it once per sequence, not once per step.
function hiddenGates(h: Tensor, weightHhT: Tensor, biasHh: Tensor | null): Tensor {
  const out = matmul(h, weightHhT);
  return biasHh ? add(out, biasHh) : out;
}

/** h' = act(inputGates + h W_hhᵀ + b_hh), where inputGates = x W_ihᵀ + b_ih was computed for the whole sequence. */
export function rnnStep(inputGates: Tensor, h: Tensor, weightHhT: Tensor, biasHh: Tensor | null, nonlinearity: RnnNonlinearity): Tensor {
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

/**
 * An Elman RNN cell, as torch.rnn_tanh_cell / rnn_relu_cell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).
 * @example const h1 = rnnCell(x, h0, wIh, wHh, bIh, bHh); // x [N, in], h0 [N, hidden]
 */
export function rnnCell(
  input: Tensor, hx: Tensor, weightIh: Tensor, weightHh: Tensor,
  biasIh: Tensor | null = null, biasHh: Tensor | null = null, nonlinearity: RnnNonlinearity = 'tanh',
): Tensor {
  return rnnStep(linear(input, weightIh, biasIh, 'rnnCell'), hx, t(weightHh), biasHh, nonlinearity);
}

/**
 * An LSTM cell, as torch.lstm_cell; weights hold the gates (i, f, g, o) stacked along dim 0. Returns [h', c'].
 * @example const [h1, c1] = lstmCell(x, [h0, c0], wIh, wHh, bIh, bHh);
 */
export function lstmCell(
  input: Tensor, [hx, cx]: readonly [Tensor, Tensor], weightIh: Tensor, weightHh: Tensor,
  biasIh: Tensor | null = null, biasHh: Tensor | null = null,
): [Tensor, Tensor] {
  return lstmStep(linear(input, weightIh, biasIh, 'lstmCell'), hx, cx, t(weightHh), biasHh);
}

/**
 * A GRU cell, as torch.gru_cell; weights hold the gates (r, z, n) stacked along dim 0.
 * @example const h1 = gruCell(x, h0, wIh, wHh, bIh, bHh);
 */
export function gruCell(
  input: Tensor, hx: Tensor, weightIh: Tensor, weightHh: Tensor,
  biasIh: Tensor | null = null, biasHh: Tensor | null = null,
): Tensor {
  return gruStep(linear(input, weightIh, biasIh, 'gruCell'), hx, t(weightHh), biasHh);
}
