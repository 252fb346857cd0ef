import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type AdamFamilyOptions, type ParamGroup, type Params, Optimizer, checkAdamOptions, decayedGradient } from './optimizer.js';

export interface AdamaxOptions extends AdamFamilyOptions {}

interface AdamaxState {
  [key: string]: Tensor | number;
  step: number;
  expAvg: Tensor;
  expInf: Tensor;
}

/**
 * Adamax (Kingma & Ba, 2015, §7.1), as torch.optim.Adamax: Adam with the infinity norm.
 *   g ← ∇θ + λθ;  m ← β1 m + (1-β1)g;  u ← max(β2 u, |g| + ε);  θ ← θ - η/(1-β1ᵗ) · m/u
 * @example const opt = new optim.Adamax(model.parameters(), { lr: 2e-3 });
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<AdamaxOptions>): void {
    checkAdamOptions('Adamax', g);
  }

  protected initState(p: Tensor): AdamaxState {
    return { step: 0, expAvg: zerosLike(p), expInf: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: AdamaxState, g: ParamGroup<AdamaxOptions>): void {
    const [beta1, beta2] = g.betas;
    s.step += 1;
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    s.expAvg.mul_(beta1).add_(d, 1 - beta1);
    s.expInf.mul_(beta2).maximum_(d.abs().add_(g.eps));
    p.addcdiv_(s.expAvg, s.expInf, -g.lr / (1 - beta1 ** s.step));
  }
}
