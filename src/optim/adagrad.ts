import type { Tensor } from '../tensor/tensor.js';
import type { SparseTensor } from '../tensor/sparse.js';
import { fullLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkNonNegative, decayedGradient } from './optimizer.js';

export interface AdagradOptions extends BaseOptions {
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

interface AdagradState {
  [key: string]: Tensor | number;
  step: number;
  sum: Tensor;
}

/**
 * Adagrad (Duchi et al., 2011), as torch.optim.Adagrad: each coordinate's step shrinks with its history.
 *   g ← ∇θ + λθ;  η_t = η / (1 + (t-1)·lrDecay);  s ← s + g²;  θ ← θ - η_t g / (√s + ε)
 * @example const opt = new optim.Adagrad(model.parameters(), { lr: 0.01 });
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<AdagradOptions>): void {
    for (const k of ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const) checkNonNegative('Adagrad', k, g[k]);
  }

  protected initState(p: Tensor, g: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: fullLike(p, g.initialAccumulatorValue) };
  }

  protected update(p: Tensor, grad: Tensor, s: AdagradState, g: ParamGroup<AdagradOptions>): void {
    s.step += 1;
    const d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    const clr = g.lr / (1 + (s.step - 1) * g.lrDecay);
    s.sum.addcmul_(d, d, 1);
    p.addcdiv_(d, s.sum.sqrt().add_(g.eps), -clr);
  }

  /** PyTorch's sparse Adagrad: the accumulated squares and the step touch only the gradient's (coalesced) rows. */
  protected override updateSparse(p: Tensor, grad: SparseTensor, s: AdagradState, g: ParamGroup<AdagradOptions>): void {
    if (g.weightDecay !== 0) throw new Error('Adagrad: weightDecay is not supported with sparse gradients (as in PyTorch)');
    s.step += 1;
    const clr = g.lr / (1 + (s.step - 1) * g.lrDecay);
    const coalesced = grad.coalesce();
    const rows = coalesced.indices().reshape(-1);
    const values = g.maximize ? coalesced.values().neg() : coalesced.values();
    s.sum.indexAdd_(0, rows, values.square());
    const std = s.sum.indexSelect(0, rows).sqrt().add(g.eps);
    p.indexAdd_(0, rows, values.div(std).mul(-clr));
  }
}
