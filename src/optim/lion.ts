import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkBetas, checkNonNegative, decayWeights, decayedGradient } from './optimizer.js';

export interface LionOptions extends BaseOptions {
  betas: [number, number];
  weightDecay: number;
  maximize: boolean;
}

interface LionState {
  [key: string]: Tensor | number;
  step: number;
  expAvg: Tensor;
}

/**
 * Lion, EvoLved Sign Momentum (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms",
 * arXiv:2302.06675): every coordinate moves by ±η, the sign of an interpolation of momentum and gradient.
 *   θ ← θ(1 - ηλ);  c = β1 m + (1-β1)g;  θ ← θ - η sign(c);  m ← β2 m + (1-β2)g
 * Use a learning rate 3-10x smaller than AdamW's and a weight decay 3-10x larger.
 * @example const opt = new optim.Lion(model.parameters(), { lr: 1e-4, weightDecay: 0.1 });
 */
export class Lion extends Optimizer<LionOptions, LionState> {
  constructor(params: Params<LionOptions>, options: Partial<LionOptions> = {}) {
    super('Lion', params, { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<LionOptions>): void {
    checkNonNegative('Lion', 'lr', g.lr);
    checkBetas('Lion', g.betas);
    checkNonNegative('Lion', 'weightDecay', g.weightDecay);
  }

  protected initState(p: Tensor): LionState {
    return { step: 0, expAvg: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: LionState, g: ParamGroup<LionOptions>): void {
    const [beta1, beta2] = g.betas;
    s.step += 1;
    const d = decayedGradient(p, grad, 0, g.maximize);
    decayWeights(p, g.lr, g.weightDecay);
    const c = s.expAvg.mul(beta1).add_(d, 1 - beta1);
    p.add_(c.sign(), -g.lr);
    s.expAvg.mul_(beta2).add_(d, 1 - beta2);
  }
}
