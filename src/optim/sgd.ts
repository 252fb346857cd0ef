import type { Tensor } from '../tensor/tensor.js';
import type { SparseTensor } from '../tensor/sparse.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkNonNegative, decayedGradient } from './optimizer.js';
import { fusedSgd } from './fused.js';

export interface SGDOptions extends BaseOptions {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

interface SGDState {
  [key: string]: Tensor | null;
  momentumBuffer: Tensor | null;
}

/**
 * Stochastic gradient descent with optional momentum, as torch.optim.SGD:
 *   g ← ∇θ + λθ;  b ← μb + (1 - τ)g  (b ← g on the first step);  g ← nesterov ? g + μb : b;  θ ← θ - ηg
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, { lr: undefined as unknown as number, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<SGDOptions>): void {
    if (g.lr === undefined) throw new Error('SGD: lr is required (there is no default), e.g. { lr: 0.1 }');
    checkNonNegative('SGD', 'lr', g.lr);
    checkNonNegative('SGD', 'momentum', g.momentum);
    checkNonNegative('SGD', 'weightDecay', g.weightDecay);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum=${g.momentum}, dampening=${g.dampening}`);
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(p: Tensor, grad: Tensor, state: SGDState, g: ParamGroup<SGDOptions>): void {
    const initBuffer = g.momentum !== 0 && state.momentumBuffer === null;
    if (initBuffer) state.momentumBuffer = zerosLike(p);
    if (fusedSgd(p, grad, state.momentumBuffer, { ...g, initBuffer })) return;
    let d = decayedGradient(p, grad, g.weightDecay, g.maximize);
    if (g.momentum !== 0) {
      const buf = state.momentumBuffer!;
      if (initBuffer) buf.copy_(d);
      else buf.mul_(g.momentum).add_(d, 1 - g.dampening);
      d = g.nesterov ? d.add(buf, g.momentum) : buf;
    }
    p.add_(d, -g.lr);
  }

  /**
   * A sparse gradient moves only its rows; with momentum the buffer is dense (PyTorch keeps a sparse one
   * holding every row it has seen: the same numbers). Weight decay is refused, as in PyTorch.
   */
  protected override updateSparse(p: Tensor, grad: SparseTensor, state: SGDState, g: ParamGroup<SGDOptions>): void {
    if (g.weightDecay !== 0) throw new Error('SGD: weightDecay is not supported with sparse gradients (as in PyTorch); use SparseAdam or set weightDecay: 0');
    const rows = grad.rawIndices.reshape(-1);
    const d = g.maximize ? grad.rawValues.neg() : grad.rawValues;
    if (g.momentum === 0) {
      p.indexAdd_(0, rows, d.mul(-g.lr));
      return;
    }
    if (state.momentumBuffer === null) state.momentumBuffer = zerosLike(p).indexAdd_(0, rows, d);
    else state.momentumBuffer.mul_(g.momentum).indexAdd_(0, rows, d.mul(1 - g.dampening));
    if (g.nesterov) {
      p.add_(state.momentumBuffer, -g.lr * g.momentum);
      p.indexAdd_(0, rows, d.mul(-g.lr));
    } else {
      p.add_(state.momentumBuffer, -g.lr);
    }
  }
}
