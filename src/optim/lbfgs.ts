import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { enableGrad, isGradEnabled, noGrad, setGradEnabled } from '../autograd/grad-mode.js';
import { cat } from '../ops/shape.js';
import { dot } from '../ops/linalg.js';
import { readsSync } from '../ops/util.js';
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

// The algorithm is a generator that yields what it must read: a 0-d tensor (answered with its value) or
// EVALUATE (answered with the closure's loss). step() answers with item(), stepAsync() with await data(),
// so the one algorithm runs on devices that read only asynchronously (webgpu) too.
const EVALUATE = Symbol('evaluate');
type Request = Tensor | typeof EVALUATE;
type Run<T> = Generator<Request, T, unknown>;

function* read(x: Tensor | number): Run<number> {
  return x instanceof Tensor ? ((yield x) as number) : x;
}
const maxAbs = (x: Tensor): Run<number> => read(x.abs().max());

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

type Evaluate = (t: number) => Run<[number, Tensor]>;

/** Line search for a step t satisfying the strong Wolfe conditions (PyTorch's port of minFunc). */
function* strongWolfe(evaluate: Evaluate, tIn: number, d: Tensor, f: number, g: Tensor, gtd: number, c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25): Run<[number, Tensor, number, number]> {
  let t = tIn;
  const dNorm = yield* maxAbs(d);
  let [fNew, gNew] = yield* evaluate(t);
  let evals = 1;
  let gtdNew = yield* read(dot(gNew, d));
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
    [fNew, gNew] = yield* evaluate(t);
    evals += 1;
    gtdNew = yield* read(dot(gNew, d));
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
    [fNew, gNew] = yield* evaluate(t);
    evals += 1;
    gtdNew = yield* read(dot(gNew, d));
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
    const p = this.params.find((q) => !readsSync(q));
    if (p) throw new Error(`LBFGS: step() reads values synchronously, which ${p.device} cannot: use await opt.stepAsync(closure)`);
    const run = this.run();
    let next = noGrad(() => run.next());
    while (!next.done) {
      const request = next.value;
      const answer = request === EVALUATE ? enableGrad(closure) : request.item();
      next = noGrad(() => run.next(answer));
    }
    this.endStep();
    return next.value;
  }

  /**
   * step() for every device, reading with `await t.data()` (on webgpu, where item() throws); the closure
   * may be async. The same iterations as step(), so the same result.
   * @example await opt.stepAsync(async () => { opt.zeroGrad(); const loss = f(x); loss.backward(); return loss; });
   */
  async stepAsync(closure: () => Tensor | number | Promise<Tensor | number>): Promise<Tensor | number> {
    if (!closure) throw new Error('LBFGS: stepAsync() needs a closure that re-evaluates the model and returns the loss');
    const run = this.run();
    let next = noGrad(() => run.next());
    while (!next.done) {
      const request = next.value;
      const answer = request === EVALUATE ? await this.evaluateAsync(closure) : (await request.data())[0];
      next = noGrad(() => run.next(answer));
    }
    this.endStep();
    return next.value;
  }

  // Grad mode stays on while the closure's promise is pending (the closure's code after an await runs then).
  private async evaluateAsync(closure: () => Tensor | number | Promise<Tensor | number>): Promise<Tensor | number> {
    const previous = isGradEnabled();
    setGradEnabled(true);
    try {
      return await closure();
    } finally {
      setGradEnabled(previous);
    }
  }

  private *run(): Run<Tensor | number> {
    const group = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const state = this.stateOf(this.params[0], group);

    const origLoss = (yield EVALUATE) as Tensor | number;
    let loss = yield* read(origLoss);
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.flatGrad();
    let optCond = (yield* maxAbs(flatGrad)) <= toleranceGrad;
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
        const ys = yield* read(dot(y, s));
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / (yield* read(dot(y, y)));
        }
        const al: number[] = new Array(oldDirs.length);
        const q = flatGrad.neg();
        for (let i = oldDirs.length - 1; i >= 0; i--) {
          al[i] = (yield* read(dot(oldStps[i], q))) * ro[i];
          q.add_(oldDirs[i], -al[i]);
        }
        d = q.mul(hDiag);
        for (let i = 0; i < oldDirs.length; i++) {
          const be = (yield* read(dot(oldDirs[i], d))) * ro[i];
          d.add_(oldStps[i], al[i] - be);
        }
      }
      prevFlatGrad = flatGrad.clone();
      prevLoss = loss;
      t = state.nIter === 1 ? Math.min(1, 1 / (yield* read(flatGrad.abs().sum()))) * lr : lr;
      const gtd = yield* read(dot(flatGrad, d));
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      if (lineSearchFn === 'strongWolfe') {
        const x0 = this.params.map((p) => p.clone());
        const dir = d;
        const evaluate: Evaluate = function* (this: LBFGS, step: number): Run<[number, Tensor]> {
          this.addGrad(step, dir);
          const f = yield* read((yield EVALUATE) as Tensor | number);
          const g = this.flatGrad();
          this.params.forEach((p, i) => p.copy_(x0[i]));
          return [f, g];
        }.bind(this);
        [loss, flatGrad, t, lsEvals] = yield* strongWolfe(evaluate, t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = (yield* maxAbs(flatGrad)) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = yield* read((yield EVALUATE) as Tensor | number);
          flatGrad = this.flatGrad();
          optCond = (yield* maxAbs(flatGrad)) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.funcEvals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if ((yield* maxAbs(d.mul(t))) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }
}
