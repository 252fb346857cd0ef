import type { Tensor } from '../tensor/tensor.js';
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
}
