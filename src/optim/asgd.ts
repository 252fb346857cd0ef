import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkNonNegative, decayedGradient } from './optimizer.js';

export interface ASGDOptions extends BaseOptions {
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

interface ASGDState {
  [key: string]: Tensor | number;
  step: number;
  eta: number;
  mu: number;
  ax: Tensor;
}

/**
 * Averaged SGD (Polyak & Juditsky, 1992), as torch.optim.ASGD: SGD with a decaying step, plus a running
 * average ā of the iterates (state `ax`) that starts averaging after step t0.
 *   g ← ∇θ + λθ;  θ ← θ(1 - λ_d η_t) - η_t g;  ā ← ā + μ_t(θ - ā);
 *   η_{t} = η / (1 + λ_d η t)^α;  μ_t = 1 / max(1, t - t0)
 * @example const opt = new optim.ASGD(model.parameters(), { lr: 0.01, t0: 100 });
 */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  constructor(params: Params<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super('ASGD', params, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<ASGDOptions>): void {
    checkNonNegative('ASGD', 'lr', g.lr);
    checkNonNegative('ASGD', 'weightDecay', g.weightDecay);
  }

  // PyTorch keeps eta and mu in float32 tensors; Math.fround reproduces their rounding.
  protected initState(p: Tensor, g: ParamGroup<ASGDOptions>): ASGDState {
    return { step: 0, eta: Math.fround(g.lr), mu: 1, ax: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: ASGDState, g: ParamGroup<ASGDOptions>): void {
    const t = (s.step += 1);
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    p.mul_(1 - g.lambd * s.eta).add_(d, -s.eta);
    if (s.mu !== 1) s.ax.add_(p.sub(s.ax).mul(s.mu));
    else s.ax.copy_(p);
    s.eta = Math.fround(g.lr / (1 + g.lambd * g.lr * t) ** g.alpha);
    s.mu = Math.fround(1 / Math.max(1, t - g.t0));
  }
}
