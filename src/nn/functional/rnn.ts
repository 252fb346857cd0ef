// One time step of the recurrent cells, with PyTorch's gate layouts and arithmetic:
// LSTM gates are (input, forget, cell, output), GRU gates (reset, update, new) with b_hn inside the reset product.
import { Tensor } from '../../tensor/tensor.js';
import { t } from '../../ops/shape.js';
import { gruStep, lstmStep, rnnStep } from '../../ops/recurrent.js';
import { linear } from './linear.js';

export type RnnNonlinearity = 'tanh' | 'relu';
export { gruStep, lstmStep, rnnStep };

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
