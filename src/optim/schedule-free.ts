import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad-mode.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkBetas, checkInRange, checkNonNegative, decayedGradient } from './optimizer.js';

/** Options shared by the schedule-free rules; `k`, `lrMax`, `weightSum` and `trainMode` are the group's running state. */
export interface ScheduleFreeOptions extends BaseOptions {
  weightDecay: number;
  /** Linear warmup of the learning rate over this many steps. */
  warmupSteps: number;
  /** Polynomial weighting of the average: c_t ∝ t^r · lrMax^weightLrPower. */
  r: number;
  weightLrPower: number;
  maximize: boolean;
  k: number;
  lrMax: number;
  weightSum: number;
  trainMode: boolean;
}

interface ScheduleFreeState {
  [key: string]: Tensor | null;
  z: Tensor;
  expAvgSq: Tensor | null;
}

/**
 * Schedule-free learning (Defazio et al., 2024, "The Road Less Scheduled", arXiv:2405.15682): no learning-rate
 * schedule is needed because the iterate is an online average. Three sequences: z (plain SGD/Adam steps),
 * x (the average, the weights to evaluate), and y = (1-β)z + βx where gradients are taken:
 *   z ← z - γ g(y);  x ← (1-c)x + c z with c = w_t / Σw;  y ← (1-β)z + βx
 * The parameters hold y while training and x after `eval()`; call `train()` before training resumes.
 */
export abstract class ScheduleFree<O extends ScheduleFreeOptions> extends Optimizer<O, ScheduleFreeState> {
  private ckp1 = 0;
  private lr = 0;

  protected abstract momentum(group: ParamGroup<O>): number;
  /** The step direction from the gradient (the Adam variant divides by √v + ε). */
  protected abstract direction(p: Tensor, grad: Tensor, state: ScheduleFreeState, group: ParamGroup<O>): Tensor;
  /** The effective learning rate of step k (the Adam variant folds in its bias correction). */
  protected abstract stepLr(group: ParamGroup<O>, scheduled: number): number;

  protected initState(p: Tensor): ScheduleFreeState {
    return { z: p.clone(), expAvgSq: null };
  }

  protected override stepGroup(group: ParamGroup<O>): void {
    if (!group.trainMode) throw new Error(`${this.name}: step() called in eval mode; call optimizer.train() first`);
    const k = group.k;
    const warmup = k < group.warmupSteps ? (k + 1) / group.warmupSteps : 1;
    this.lr = this.stepLr(group, group.lr * warmup);
    group.lrMax = Math.max(this.lr, group.lrMax);
    const weight = (k + 1) ** group.r * group.lrMax ** group.weightLrPower;
    group.weightSum += weight;
    this.ckp1 = group.weightSum === 0 ? 0 : weight / group.weightSum;
    super.stepGroup(group);
    group.k = k + 1;
  }

  protected update(y: Tensor, grad: Tensor, s: ScheduleFreeState, g: ParamGroup<O>): void {
    const beta = this.momentum(g);
    const d = this.direction(y, grad, s, g);
    // y and x are never stored apart: y ← lerp(y, z, c), then the gradient step of y, then z's SGD step.
    y.add_(s.z.sub(y), this.ckp1);
    y.add_(d, this.lr * (beta * (1 - this.ckp1) - 1));
    s.z.sub_(d, this.lr);
  }

  /** Swaps the parameters to x, the averaged weights to evaluate and save. */
  eval(): void {
    this.swap(false, (beta) => 1 - 1 / beta);
  }

  /** Swaps the parameters back to y, where training takes gradients. */
  train(): void {
    this.swap(true, (beta) => 1 - beta);
  }

  private swap(toTrain: boolean, weight: (beta: number) => number): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        if (group.trainMode === toTrain) continue;
        const w = weight(this.momentum(group));
        for (const p of group.params) {
          const s = this.state.get(p);
          if (s) p.add_(s.z.sub(p), w);
        }
        group.trainMode = toTrain;
      }
    });
  }
}

const scheduleDefaults = { weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2, maximize: false, k: 0, lrMax: -1, weightSum: 0, trainMode: true };

export interface SGDScheduleFreeOptions extends ScheduleFreeOptions {
  momentum: number;
}

/**
 * Schedule-free SGD (Defazio et al., 2024): the direction is g + λy, β = momentum.
 * @example
 * const opt = new optim.SGDScheduleFree(model.parameters(), { lr: 1.0, momentum: 0.9 });
 * // ... train with opt.step() ...; then before evaluating or saving:
 * opt.eval(); model.eval();
 */
export class SGDScheduleFree extends ScheduleFree<SGDScheduleFreeOptions> {
  constructor(params: Params<SGDScheduleFreeOptions>, options: Partial<SGDScheduleFreeOptions> = {}) {
    super('SGDScheduleFree', params, { lr: 1.0, momentum: 0.9, ...scheduleDefaults }, options);
  }

  protected override validate(g: ParamGroup<SGDScheduleFreeOptions>): void {
    checkNonNegative(this.name, 'lr', g.lr);
    checkInRange(this.name, 'momentum', g.momentum, 0, 1);
    if (g.momentum === 0) throw new Error(`${this.name}: momentum must be in (0, 1), got 0`);
    checkNonNegative(this.name, 'weightDecay', g.weightDecay);
  }

  protected momentum(g: ParamGroup<SGDScheduleFreeOptions>): number {
    return g.momentum;
  }

  protected stepLr(_g: ParamGroup<SGDScheduleFreeOptions>, scheduled: number): number {
    return scheduled;
  }

  protected direction(y: Tensor, grad: Tensor, _s: ScheduleFreeState, g: ParamGroup<SGDScheduleFreeOptions>): Tensor {
    return decayedGradient(y, grad, g.weightDecay, g.maximize);
  }
}

export interface AdamWScheduleFreeOptions extends ScheduleFreeOptions {
  betas: [number, number];
  eps: number;
}

/**
 * Schedule-free AdamW (Defazio et al., 2024): the direction is g/(√v + ε) + λy with v ← β2 v + (1-β2)g²,
 * the learning rate carries Adam's bias correction √(1-β2ᵗ), and β = betas[0].
 * @example
 * const opt = new optim.AdamWScheduleFree(model.parameters(), { lr: 2.5e-3, warmupSteps: 100 });
 */
export class AdamWScheduleFree extends ScheduleFree<AdamWScheduleFreeOptions> {
  constructor(params: Params<AdamWScheduleFreeOptions>, options: Partial<AdamWScheduleFreeOptions> = {}) {
    super('AdamWScheduleFree', params, { lr: 2.5e-3, betas: [0.9, 0.999], eps: 1e-8, ...scheduleDefaults }, options);
  }

  protected override validate(g: ParamGroup<AdamWScheduleFreeOptions>): void {
    checkNonNegative(this.name, 'lr', g.lr);
    checkBetas(this.name, g.betas);
    if (g.betas[0] === 0) throw new Error(`${this.name}: betas[0] must be in (0, 1), got 0`);
    checkNonNegative(this.name, 'eps', g.eps);
    checkNonNegative(this.name, 'weightDecay', g.weightDecay);
  }

  protected momentum(g: ParamGroup<AdamWScheduleFreeOptions>): number {
    return g.betas[0];
  }

  protected stepLr(g: ParamGroup<AdamWScheduleFreeOptions>, scheduled: number): number {
    return scheduled * Math.sqrt(1 - g.betas[1] ** (g.k + 1));
  }

  protected direction(y: Tensor, grad: Tensor, s: ScheduleFreeState, g: ParamGroup<AdamWScheduleFreeOptions>): Tensor {
    const d = g.maximize ? grad.neg() : grad;
    const v = (s.expAvgSq ??= zerosLike(y)).mul_(g.betas[1]).addcmul_(d, d, 1 - g.betas[1]);
    const normalized = d.div(v.sqrt().add_(g.eps));
    return g.weightDecay !== 0 ? normalized.add_(y, g.weightDecay) : normalized;
  }
}
