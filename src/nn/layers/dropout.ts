import { Tensor } from '../../tensor/tensor.js';
import type { Generator } from '../../tensor/random.js';
import { checkKnownOptions } from '../../tensor/options.js';
import { Module } from '../module.js';
import { dropout } from '../functional/dropout.js';

/**
 * Zeroes elements with probability `p` in training mode and scales the rest by 1 / (1 - p); the identity
 * in eval mode, as torch.nn.Dropout. Give a `generator` for a reproducible mask stream.
 * @example const drop = new Dropout(0.1, { generator: new Generator(0) }); drop.eval(); drop(x) === x
 */
export class Dropout extends Module<[Tensor], Tensor> {
  readonly generator: Generator | undefined;

  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    checkKnownOptions('Dropout', options, ['generator']);
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: dropout probability has to be between 0 and 1, but got ${p}`);
    this.generator = options.generator;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, this.generator);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
