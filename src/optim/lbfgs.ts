import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { cat } from '../ops/shape.js';
import { dot } from '../ops/linalg.js';
import { type BaseOptions, type Closure, type ParamGroup, type Params, Optimizer, checkNonNegative, checkPositive, sparseRefusal } from './optimizer.js';
import { SparseTensor } from '../tensor/sparse.js';

export interface LBFGSOptions extends BaseOptions {
  maxIter: number;
  /** Most function evaluations per step (default maxIter * 5/4). */
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strongWolfe' | null;
}

interface LBFGSState {
  [key: string]: Tensor | number | null | Tensor[] | number[];
  funcEvals: number;
  nIter: number;
  d: Tensor | null;
  t: number;
  oldDirs: Tensor[];
  oldStps: Tensor[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Tensor | null;
  prevLoss: number;
}

const num = (x: Tensor | number): number => (x instanceof Tensor ? x.item() : x);
const maxAbs = (x: Tensor): number => x.abs().max().item();

/** Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`. */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

type Evaluate = (t: number) => [number, Tensor];

/** Line search for a step t satisfying the strong Wolfe conditions (PyTorch's port of minFunc). */
function strongWolfe(evaluate: Evaluate, tIn: number, d: Tensor, f: number, g: Tensor, gtd: number, c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25): [number, Tensor, number, number] {
  let t = tIn;
  const dNorm = maxAbs(d);
  let [fNew, gNew] = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d).item();
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: number[] = [];
  // Bracketing phase: grow t until an interval containing a good point is found.
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew, gtdNew];
    [fNew, gNew] = evaluate(t);
    evals += 1;
    gtdNew = dot(gNew, d).item();
    lsIter += 1;
  }
  if (lsIter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];

  // Zoom phase: shrink the bracket until the strong Wolfe conditions hold.
  let insufProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    const hi = Math.max(...bracket);
    const lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = evaluate(t);
    evals += 1;
    gtdNew = dot(gNew, d).item();
    lsIter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]];
      }
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return [bracketF[low], bracketG[low], bracket[low], evals];
}

/**
 * L-BFGS (Liu & Nocedal, 1989), as torch.optim.LBFGS: a quasi-Newton method that builds the inverse
 * Hessian's action from the last `historySize` steps s = Δθ and gradient changes y = Δg (two-loop
 * recursion), with an optional strong Wolfe line search. `step(closure)` runs up to `maxIter` iterations
 * and needs a closure that zeroes the gradients, computes the loss, calls backward and returns the loss.
 * One parameter group only; all parameters are treated as one flat vector.
 * @example
 * const opt = new optim.LBFGS([x], { lineSearchFn: 'strongWolfe' });
 * opt.step(() => { opt.zeroGrad(); const loss = f(x); loss.backward(); return loss; });
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  constructor(params: Params<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    const maxIter = options.maxIter ?? 20;
    super('LBFGS', params, {
      lr: 1, maxIter, maxEval: Math.floor((maxIter * 5) / 4), toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null,
    }, options);
    if (this.paramGroups.length !== 1) throw new Error("LBFGS: doesn't support per-parameter options (parameter groups)");
  }

  protected override validate(g: ParamGroup<LBFGSOptions>): void {
    checkNonNegative('LBFGS', 'lr', g.lr);
    checkPositive('LBFGS', 'maxIter', g.maxIter);
    checkPositive('LBFGS', 'historySize', g.historySize);
    if (g.lineSearchFn !== null && g.lineSearchFn !== 'strongWolfe') {
      throw new Error(`LBFGS: lineSearchFn must be 'strongWolfe' or null, got '${String(g.lineSearchFn)}'`);
    }
  }

  // LBFGS keeps its directions and gradients as flat vectors over all parameters.
  protected override stateShape(): readonly number[] {
    return [this.params.reduce((n, p) => n + p.numel, 0)];
  }

  protected initState(): LBFGSState {
    return { funcEvals: 0, nIter: 0, d: null, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: 0 };
  }

  protected update(): void {
    throw new Error('LBFGS: step() needs a closure');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private flatGrad(): Tensor {
    if (this.params.some((p) => p.peekGrad() instanceof SparseTensor)) throw new Error(sparseRefusal('LBFGS'));
    return cat(this.params.map((p) => (p.peekGrad() ?? zeros(p.shape, { dtype: p.dtype, device: p.device })).reshape(-1)));
  }

  /** θ += step · update, with `update` the flat direction. */
  private addGrad(step: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      p.add_(update.slice(0, offset, offset + p.numel).reshape(p.shape), step);
      offset += p.numel;
    }
  }

  override step(closure?: Closure): Tensor | number {
    if (!closure) throw new Error('LBFGS: step() needs a closure that re-evaluates the model and returns the loss');
    const evaluateLoss = () => num(enableGrad(closure));
    const loss = noGrad(() => this.run(closure, evaluateLoss));
    this.endStep();
    return loss;
  }

  private run(closure: Closure, evaluateLoss: () => number): Tensor | number {
    const group = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const state = this.stateOf(this.params[0], group);

    const origLoss = enableGrad(closure);
    let loss = num(origLoss);
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.flatGrad();
    let optCond = maxAbs(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;
      // The direction: steepest descent first, then the two-loop recursion over the history.
      if (state.nIter === 1) {
        d = flatGrad.neg();
        [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t);
        const ys = dot(y, s).item();
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / dot(y, y).item();
        }
        const al: number[] = new Array(oldDirs.length);
        const q = flatGrad.neg();
        for (let i = oldDirs.length - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i], q).item() * ro[i];
          q.add_(oldDirs[i], -al[i]);
        }
        d = q.mul(hDiag);
        for (let i = 0; i < oldDirs.length; i++) {
          const be = dot(oldDirs[i], d).item() * ro[i];
          d.add_(oldStps[i], al[i] - be);
        }
      }
      prevFlatGrad = flatGrad.clone();
      prevLoss = loss;
      t = state.nIter === 1 ? Math.min(1, 1 / flatGrad.abs().sum().item()) * lr : lr;
      const gtd = dot(flatGrad, d).item();
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      if (lineSearchFn === 'strongWolfe') {
        const x0 = this.params.map((p) => p.clone());
        const dir = d;
        const evaluate: Evaluate = (step) => {
          this.addGrad(step, dir);
          const f = evaluateLoss();
          const g = this.flatGrad();
          this.params.forEach((p, i) => p.copy_(x0[i]));
          return [f, g];
        };
        [loss, flatGrad, t, lsEvals] = strongWolfe(evaluate, t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = evaluateLoss();
          flatGrad = this.flatGrad();
          optCond = maxAbs(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.funcEvals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if (maxAbs(d.mul(t)) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }
}
