import type { Tensor } from '../tensor/tensor.js';
import type { SparseTensor } from '../tensor/sparse.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkBetas, checkNonNegative } from './optimizer.js';

export interface SparseAdamOptions extends BaseOptions {
  betas: [number, number];
  eps: number;
  maximize: boolean;
}

interface SparseAdamState {
  [key: string]: Tensor | number;
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/**
 * Adam for sparse gradients (Embedding({ sparse: true })), as torch.optim.SparseAdam: only the rows in the
 * gradient move, and only their moments decay ("lazy" Adam). For the gradient's rows r (coalesced):
 *   m_r ← β1 m_r + (1-β1) g_r;  v_r ← β2 v_r + (1-β2) g_r²;  θ_r ← θ_r - η √(1-β2ᵗ)/(1-β1ᵗ) · m_r / (√v_r + ε)
 * with t this parameter's step count. Dense gradients are refused, as in PyTorch.
 * @example
 * const emb = new nn.Embedding(100000, 32, { sparse: true });
 * const opt = new optim.SparseAdam(emb.parameters(), { lr: 1e-2 });
 */
export class SparseAdam extends Optimizer<SparseAdamOptions, SparseAdamState> {
  constructor(params: Params<SparseAdamOptions>, options: Partial<SparseAdamOptions> = {}) {
    super('SparseAdam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false }, options);
  }

  protected override validate(g: ParamGroup<SparseAdamOptions>): void {
    checkNonNegative('SparseAdam', 'lr', g.lr);
    checkNonNegative('SparseAdam', 'eps', g.eps);
    checkBetas('SparseAdam', g.betas);
  }

  protected initState(p: Tensor): SparseAdamState {
    return { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  }

  protected update(): void {
    throw new Error('SparseAdam does not support dense gradients, please consider Adam instead (or give the Embedding { sparse: true })');
  }

  // The order of PyTorch's operations, so float32 rounds the same: updates are differences scaled by (1 - β).
  protected override updateSparse(p: Tensor, grad: SparseTensor, s: SparseAdamState, g: ParamGroup<SparseAdamOptions>): void {
    s.step += 1;
    const [beta1, beta2] = g.betas;
    const coalesced = grad.coalesce();
    const rows = coalesced.indices().reshape(-1);
    const values = g.maximize ? coalesced.values().neg() : coalesced.values();
    const oldAvg = s.expAvg.indexSelect(0, rows);
    const avgUpdate = values.sub(oldAvg).mul(1 - beta1);
    s.expAvg.indexAdd_(0, rows, avgUpdate);
    const oldSq = s.expAvgSq.indexSelect(0, rows);
    const sqUpdate = values.square().sub(oldSq).mul(1 - beta2);
    s.expAvgSq.indexAdd_(0, rows, sqUpdate);
    const numer = avgUpdate.add(oldAvg);
    const denom = sqUpdate.add(oldSq).sqrt().add(g.eps);
    const stepSize = (g.lr * Math.sqrt(1 - beta2 ** s.step)) / (1 - beta1 ** s.step);
    p.indexAdd_(0, rows, numer.div(denom).mul(-stepSize));
  }
}
