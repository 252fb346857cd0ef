import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { matmul } from '../ops/linalg.js';
import { type AdamStepOptions } from '../backend/backend.js';
import { type BaseOptions, type ParamGroup, type Params, Optimizer, checkBetas, checkInRange, checkNonNegative, checkPositive, decayWeights } from './optimizer.js';
import { adamReference, fusedAdam } from './fused.js';

export interface MuonOptions extends BaseOptions {
  momentum: number;
  nesterov: boolean;
  /** Newton–Schulz iterations (5 is enough with the quintic below). */
  nsSteps: number;
  weightDecay: number;
  /** Whether this group uses Muon; by default matrices (ndim >= 2) do and the rest fall back to AdamW. */
  useMuon: boolean | null;
  adamwLr: number;
  adamwBetas: [number, number];
  adamwEps: number;
  adamwWeightDecay: number;
}

interface MuonState {
  [key: string]: Tensor | number | null;
  step: number;
  momentumBuffer: Tensor | null;
  expAvg: Tensor | null;
  expAvgSq: Tensor | null;
}

// Coefficients of the quintic iteration chosen by Jordan et al. to push singular values towards 1 quickly.
const [NS_A, NS_B, NS_C] = [3.4445, -4.775, 2.0315];

/**
 * The orthogonal factor U Vᵀ of G = U S Vᵀ, approximately, by the quintic Newton–Schulz iteration
 *   X ← aX + b(XXᵀ)X + c(XXᵀ)²X,  starting from X = G/‖G‖_F (on the wide orientation of G).
 * Singular values land in roughly [0.7, 1.2], which is all Muon needs.
 * @example const o = zeropowerViaNewtonSchulz(randn([4, 3]), 5);
 */
export function zeropowerViaNewtonSchulz(g: Tensor, steps: number): Tensor {
  if (g.ndim !== 2) throw new Error(`zeropowerViaNewtonSchulz: expected a matrix, got shape [${g.shape}]`);
  const tall = g.shape[0] > g.shape[1];
  let x = tall ? g.t() : g;
  x = x.div(x.norm().add(1e-7)); // a tensor, so no read: the same on a GPU
  for (let i = 0; i < steps; i++) {
    const a = matmul(x, x.t());
    const b = a.mul(NS_B).add(matmul(a, a), NS_C);
    x = x.mul(NS_A).add(matmul(b, x));
  }
  return tall ? x.t().contiguous() : x;
}

/**
 * Muon, MomentUm Orthogonalized by Newton–Schulz (Jordan et al., 2024, kellerjordan.github.io/posts/muon;
 * Liu et al., 2025, arXiv:2502.16982): for a weight matrix, SGD-momentum whose update is replaced by its
 * nearest semi-orthogonal matrix, so every direction of the layer moves at the same rate:
 *   b ← μb + (1-μ)g;  u = nesterov ? (1-μ)g + μb : b;  O = NewtonSchulz(u);  θ ← θ(1-ηλ) - η √max(1, rows/cols) O
 * Conv weights are flattened to [out, in·k·k]. Parameters that are not matrices (biases, gains), or groups
 * with `useMuon: false` (embeddings, the output layer), are trained by AdamW with the `adamw*` options.
 * @example
 * const opt = new optim.Muon(model.parameters(), { lr: 0.02, adamwLr: 3e-4 });
 */
export class Muon extends Optimizer<MuonOptions, MuonState> {
  constructor(params: Params<MuonOptions>, options: Partial<MuonOptions> = {}) {
    super('Muon', params, {
      lr: 0.02, momentum: 0.95, nesterov: true, nsSteps: 5, weightDecay: 0, useMuon: null,
      adamwLr: 3e-4, adamwBetas: [0.9, 0.95], adamwEps: 1e-10, adamwWeightDecay: 0,
    }, options);
  }

  protected override validate(g: ParamGroup<MuonOptions>): void {
    checkNonNegative('Muon', 'lr', g.lr);
    checkInRange('Muon', 'momentum', g.momentum, 0, 1);
    checkPositive('Muon', 'nsSteps', g.nsSteps);
    checkNonNegative('Muon', 'weightDecay', g.weightDecay);
    checkNonNegative('Muon', 'adamwLr', g.adamwLr);
    checkBetas('Muon', g.adamwBetas);
    if (g.useMuon === true) {
      const bad = g.params.find((p) => p.ndim < 2);
      if (bad) throw new Error(`Muon: useMuon needs parameters with at least 2 dimensions, got shape [${bad.shape}]`);
    }
  }

  private usesMuon(p: Tensor, g: ParamGroup<MuonOptions>): boolean {
    return g.useMuon ?? p.ndim >= 2;
  }

  protected initState(p: Tensor, g: ParamGroup<MuonOptions>): MuonState {
    const muon = this.usesMuon(p, g);
    return { step: 0, momentumBuffer: muon ? zerosLike(p) : null, expAvg: muon ? null : zerosLike(p), expAvgSq: muon ? null : zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, s: MuonState, g: ParamGroup<MuonOptions>): void {
    s.step += 1;
    if (!this.usesMuon(p, g)) {
      const o: AdamStepOptions = {
        lr: g.adamwLr, beta1: g.adamwBetas[0], beta2: g.adamwBetas[1], eps: g.adamwEps, weightDecay: 0, decoupledDecay: g.adamwWeightDecay, maximize: false, step: s.step,
      };
      if (!fusedAdam(p, grad, s.expAvg!, s.expAvgSq!, null, o)) adamReference(p, grad, s.expAvg!, s.expAvgSq!, null, o);
      return;
    }
    const buf = s.momentumBuffer!.mul_(g.momentum).add_(grad, 1 - g.momentum);
    const u = g.nesterov ? grad.mul(1 - g.momentum).add_(buf, g.momentum) : buf;
    const [rows, cols] = [p.shape[0], p.numel / p.shape[0]];
    const o = zeropowerViaNewtonSchulz(u.reshape(rows, cols), g.nsSteps);
    decayWeights(p, g.lr, g.weightDecay);
    p.add_(o.reshape(p.shape), -g.lr * Math.sqrt(Math.max(1, rows / cols)));
  }
}
