import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type AdamFamilyOptions, type ParamGroup, type Params, Optimizer, checkAdamOptions, checkNonNegative, decayedGradient } from './optimizer.js';

export interface NAdamOptions extends AdamFamilyOptions {
  momentumDecay: number;
}

interface NAdamState {
  [key: string]: Tensor | number;
  step: number;
  muProduct: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/**
 * NAdam (Dozat, 2016), as torch.optim.NAdam: Adam with Nesterov momentum and a warming momentum schedule
 *   μ_t = β1 (1 - ½·0.96^(t·ψ));  g ← ∇θ + λθ;  m ← β1 m + (1-β1)g;  v ← β2 v + (1-β2)g²;  D = √(v/(1-β2ᵗ)) + ε;
 *   θ ← θ - η(1-μ_t)/(1-Πμ_i) · g/D - η μ_{t+1}/(1-Πμ_i·μ_t·μ_{t+1}) · m/D
 * @example const opt = new optim.NAdam(model.parameters(), { lr: 2e-3 });
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<NAdamOptions>): void {
    checkAdamOptions('NAdam', g);
    checkNonNegative('NAdam', 'momentumDecay', g.momentumDecay);
  }

  protected initState(p: Tensor): NAdamState {
    return { step: 0, muProduct: 1, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: NAdamState, g: ParamGroup<NAdamOptions>): void {
    const [beta1, beta2] = g.betas;
    const t = (s.step += 1);
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * g.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * g.momentumDecay));
    // PyTorch 1.13 keeps the product in a float32 tensor and (sic) multiplies μ_t in twice for the next
    // product; both are reproduced so that runs match it.
    s.muProduct = Math.fround(s.muProduct * Math.fround(mu));
    const muProductNext = Math.fround(Math.fround(s.muProduct * Math.fround(mu)) * Math.fround(muNext));
    s.expAvg.mul_(beta1).add_(d, 1 - beta1);
    s.expAvgSq.mul_(beta2).addcmul_(d, d, 1 - beta2);
    const denom = s.expAvgSq.div(1 - beta2 ** t).sqrt_().add_(g.eps);
    p.addcdiv_(d, denom, (-g.lr * (1 - mu)) / (1 - s.muProduct));
    p.addcdiv_(s.expAvg, denom, (-g.lr * muNext) / (1 - muProductNext));
  }
}
