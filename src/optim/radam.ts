import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type AdamFamilyOptions, type ParamGroup, type Params, Optimizer, checkAdamOptions, decayedGradient } from './optimizer.js';

export interface RAdamOptions extends AdamFamilyOptions {}

interface RAdamState {
  [key: string]: Tensor | number;
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/**
 * RAdam (Liu et al., 2020), as torch.optim.RAdam: Adam whose adaptive step is switched on, and scaled by a
 * rectification r_t, only once the variance of v is tractable (ρ_t > 5); before that it is SGD with momentum.
 *   ρ∞ = 2/(1-β2) - 1;  ρ_t = ρ∞ - 2tβ2ᵗ/(1-β2ᵗ);  m ← β1 m + (1-β1)g;  v ← β2 v + (1-β2)g²;  m̂ = m/(1-β1ᵗ)
 *   ρ_t > 5: θ ← θ - η m̂ · r_t √(1-β2ᵗ)/(√v + ε),  r_t = √((ρ_t-4)(ρ_t-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ_t));  else θ ← θ - η m̂
 * @example const opt = new optim.RAdam(model.parameters(), { lr: 1e-3 });
 */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<RAdamOptions>): void {
    checkAdamOptions('RAdam', g);
  }

  protected initState(p: Tensor): RAdamState {
    return { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: RAdamState, g: ParamGroup<RAdamOptions>): void {
    const [beta1, beta2] = g.betas;
    const t = (s.step += 1);
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    s.expAvg.mul_(beta1).add_(d, 1 - beta1);
    s.expAvgSq.mul_(beta2).addcmul_(d, d, 1 - beta2);
    const mHat = s.expAvg.div(bc1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptiveLr = s.expAvgSq.sqrt().add_(g.eps).reciprocal().mul_(Math.sqrt(bc2));
      p.sub_(mHat.mul_(g.lr).mul_(adaptiveLr).mul_(rect));
    } else {
      p.sub_(mHat.mul_(g.lr));
    }
  }
}
