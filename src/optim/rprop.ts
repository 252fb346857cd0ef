import type { Tensor } from '../tensor/tensor.js';
import { fullLike, zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkNonNegative, decayedGradient } from './optimizer.js';

export interface RpropOptions extends BaseOptions {
  /** [η−, η+]: how a coordinate's step shrinks when its gradient flips sign, and grows when it keeps it. */
  etas: [number, number];
  /** [min, max] of the per-coordinate step. */
  stepSizes: [number, number];
  maximize: boolean;
}

interface RpropState {
  [key: string]: Tensor | number;
  step: number;
  prev: Tensor;
  stepSize: Tensor;
}

/**
 * Rprop (Riedmiller & Braun, 1993), as torch.optim.Rprop: only the sign of the gradient is used; each
 * coordinate has its own step Δ, multiplied by η+ while the sign holds and by η− when it flips (and
 * that step is skipped):  Δ ← clamp(Δ·η±, min, max);  θ ← θ - sign(g)·Δ
 * Meant for full-batch training.
 * @example const opt = new optim.Rprop(model.parameters(), { lr: 0.01 });
 */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  constructor(params: Params<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super('Rprop', params, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false }, options);
  }

  protected override validate(g: ParamGroup<RpropOptions>): void {
    checkNonNegative('Rprop', 'lr', g.lr);
    const [minus, plus] = g.etas;
    if (!(0 < minus && minus < 1 && 1 < plus)) throw new Error(`Rprop: etas must satisfy 0 < etas[0] < 1 < etas[1], got [${minus}, ${plus}]`);
    if (!(g.stepSizes[0] <= g.stepSizes[1])) throw new Error(`Rprop: stepSizes must be [min, max] with min <= max, got [${g.stepSizes}]`);
  }

  protected initState(p: Tensor, g: ParamGroup<RpropOptions>): RpropState {
    return { step: 0, prev: zerosLike(p), stepSize: fullLike(p, g.lr) };
  }

  protected update(p: Tensor, grad: Tensor, s: RpropState, g: ParamGroup<RpropOptions>): void {
    const [etaMinus, etaPlus] = g.etas;
    s.step += 1;
    const d = decayedGradient(p, grad, 0, g.maximize);
    const agreement = d.mul(s.prev).sign();
    const flipped = agreement.lt(0);
    const factor = fullLike(p, 1).maskedFill(agreement.gt(0), etaPlus).maskedFill(flipped, etaMinus);
    s.stepSize.mul_(factor).clamp_(g.stepSizes[0], g.stepSizes[1]);
    const kept = d.maskedFill(flipped, 0);
    p.addcmul_(kept.sign(), s.stepSize, -1);
    s.prev.copy_(kept);
  }
}
