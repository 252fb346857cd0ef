import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkNonNegative, decayedGradient } from './optimizer.js';

export interface RMSpropOptions extends BaseOptions {
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

interface RMSpropState {
  [key: string]: Tensor | number | null;
  step: number;
  squareAvg: Tensor;
  momentumBuffer: Tensor | null;
  gradAvg: Tensor | null;
}

/**
 * RMSprop (Hinton, 2012), as torch.optim.RMSprop:
 *   g ← ∇θ + λθ;  v ← αv + (1-α)g²;  centered: m ← αm + (1-α)g, v̄ = v - m², else v̄ = v;
 *   momentum: b ← μb + g/(√v̄ + ε), θ ← θ - ηb;  else θ ← θ - η g/(√v̄ + ε)
 * @example const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9 });
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<RMSpropOptions>): void {
    for (const k of ['lr', 'eps', 'momentum', 'weightDecay', 'alpha'] as const) checkNonNegative('RMSprop', k, g[k]);
  }

  protected initState(p: Tensor, g: ParamGroup<RMSpropOptions>): RMSpropState {
    return {
      step: 0,
      squareAvg: zerosLike(p),
      momentumBuffer: g.momentum > 0 ? zerosLike(p) : null,
      gradAvg: g.centered ? zerosLike(p) : null,
    };
  }

  protected update(p: Tensor, grad: Tensor, s: RMSpropState, g: ParamGroup<RMSpropOptions>): void {
    s.step += 1;
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    s.squareAvg.mul_(g.alpha).addcmul_(d, d, 1 - g.alpha);
    let avg: Tensor;
    if (g.centered) {
      const m = (s.gradAvg ??= zerosLike(p)).mul_(g.alpha).add_(d, 1 - g.alpha);
      avg = s.squareAvg.clone().addcmul_(m, m, -1).sqrt_();
    } else {
      avg = s.squareAvg.sqrt();
    }
    avg.add_(g.eps);
    if (g.momentum > 0) {
      const buf = (s.momentumBuffer ??= zerosLike(p)).mul_(g.momentum).addcdiv_(d, avg);
      p.add_(buf, -g.lr);
    } else {
      p.addcdiv_(d, avg, -g.lr);
    }
  }
}
