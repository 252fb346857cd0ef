import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type AdamFamilyOptions, type ParamGroup, type Params, Optimizer, checkAdamOptions } from './optimizer.js';
import { adamReference, fusedAdam } from './fused.js';

export interface AdamOptions extends AdamFamilyOptions {
  amsgrad: boolean;
}

export interface AdamState {
  [key: string]: Tensor | number | null;
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq: Tensor | null;
}

/** Adam's machinery, shared with AdamW, which differs only in how weight decay enters. */
export abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  protected abstract readonly decoupled: boolean;

  protected override validate(g: ParamGroup<AdamOptions>): void {
    checkAdamOptions(this.name, g);
  }

  protected initState(p: Tensor, g: ParamGroup<AdamOptions>): AdamState {
    return { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p), maxExpAvgSq: g.amsgrad ? zerosLike(p) : null };
  }

  protected update(p: Tensor, grad: Tensor, s: AdamState, g: ParamGroup<AdamOptions>): void {
    s.step += 1;
    if (g.amsgrad && s.maxExpAvgSq === null) s.maxExpAvgSq = zerosLike(p);
    const o = {
      lr: g.lr,
      beta1: g.betas[0],
      beta2: g.betas[1],
      eps: g.eps,
      weightDecay: this.decoupled ? 0 : g.weightDecay,
      decoupledDecay: this.decoupled ? g.weightDecay : 0,
      maximize: g.maximize,
      step: s.step,
    };
    const vMax = g.amsgrad ? s.maxExpAvgSq : null;
    if (!fusedAdam(p, grad, s.expAvg, s.expAvgSq, vMax, o)) adamReference(p, grad, s.expAvg, s.expAvgSq, vMax, o);
  }
}

/**
 * Adam (Kingma & Ba, 2015), as torch.optim.Adam, weight decay as L2 added to the gradient:
 *   g ← ∇θ + λθ;  m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;
 *   θ ← θ - η/(1-β1ᵗ) · m / (√v / √(1-β2ᵗ) + ε)     (AMSGrad: v replaced by its running max)
 * @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }
}
