import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkInRange, checkNonNegative, decayedGradient } from './optimizer.js';

export interface AdadeltaOptions extends BaseOptions {
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

interface AdadeltaState {
  [key: string]: Tensor | number;
  step: number;
  squareAvg: Tensor;
  accDelta: Tensor;
}

/**
 * Adadelta (Zeiler, 2012), as torch.optim.Adadelta: steps in the units of θ, from two running averages.
 *   g ← ∇θ + λθ;  v ← ρv + (1-ρ)g²;  Δ = √(u + ε)/√(v + ε) · g;  u ← ρu + (1-ρ)Δ²;  θ ← θ - ηΔ
 * @example const opt = new optim.Adadelta(model.parameters());
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<AdadeltaOptions>): void {
    checkNonNegative('Adadelta', 'lr', g.lr);
    checkInRange('Adadelta', 'rho', g.rho, 0, 1, true);
    checkNonNegative('Adadelta', 'eps', g.eps);
    checkNonNegative('Adadelta', 'weightDecay', g.weightDecay);
  }

  protected initState(p: Tensor): AdadeltaState {
    return { step: 0, squareAvg: zerosLike(p), accDelta: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: AdadeltaState, g: ParamGroup<AdadeltaOptions>): void {
    s.step += 1;
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    s.squareAvg.mul_(g.rho).addcmul_(d, d, 1 - g.rho);
    const std = s.squareAvg.add(g.eps).sqrt_();
    const delta = s.accDelta.add(g.eps).sqrt_().div_(std).mul_(d);
    s.accDelta.mul_(g.rho).addcmul_(delta, delta, 1 - g.rho);
    p.add_(delta, -g.lr);
  }
}
