import { type AnyOptimizer, LRScheduler, groupsOf, perGroup } from './scheduler.js';

export interface CyclicLROptions {
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'expRange';
  gamma?: number;
  /** A custom amplitude scale; replaces `mode`. */
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  lastEpoch?: number;
}

/**
 * Cyclical learning rates (Smith, 2017), as torch's CyclicLR: lr runs between baseLr and maxLr in
 * triangles of stepSizeUp + stepSizeDown iterations (step it every batch); momentum cycles inversely.
 * @example const s = new optim.lrScheduler.CyclicLR(opt, 0.001, 0.1, { stepSizeUp: 200 });
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: AnyOptimizer, baseLr: number | number[], maxLr: number | number[], options: CyclicLROptions = {}) {
    const { stepSizeUp = 2000, stepSizeDown = null, mode = 'triangular', gamma = 1, scaleFn = null, scaleMode = 'cycle' } = options;
    const { cycleMomentum = true, baseMomentum = 0.8, maxMomentum = 0.9, lastEpoch = -1 } = options;
    const baseLrs = perGroup('baseLr', optimizer, baseLr, 'CyclicLR');
    const groups = groupsOf(optimizer);
    if (lastEpoch === -1) baseLrs.forEach((lr, i) => (groups[i].lr = lr));
    super(optimizer, lastEpoch, 'CyclicLR');
    this.maxLrs = perGroup('maxLr', optimizer, maxLr, 'CyclicLR');
    const down = stepSizeDown ?? stepSizeUp;
    this.totalSize = stepSizeUp + down;
    this.stepRatio = stepSizeUp / this.totalSize;
    if (!['triangular', 'triangular2', 'expRange'].includes(mode) && scaleFn === null) throw new Error(`CyclicLR: unknown mode '${mode}' and no scaleFn`);
    this.mode = mode;
    this.gamma = gamma;
    this.scaleFnCustom = scaleFn;
    this.scaleMode = scaleFn ? scaleMode : mode === 'expRange' ? 'iterations' : 'cycle';
    this.cycleMomentum = cycleMomentum;
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults)) throw new Error('CyclicLR: cycleMomentum needs an optimizer with a momentum option (or pass cycleMomentum: false)');
      const base = perGroup('baseMomentum', optimizer, baseMomentum, 'CyclicLR');
      if (lastEpoch === -1) base.forEach((m, i) => (groups[i].momentum = m));
      this.baseMomentums = groups.map((g) => g.momentum as number);
      this.maxMomentums = perGroup('maxMomentum', optimizer, maxMomentum, 'CyclicLR');
    }
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  private scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    if (this.mode === 'expRange') return this.gamma ** x;
    return 1;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * scale);
    if (this.cycleMomentum) {
      groupsOf(this.optimizer).forEach((g, i) => {
        g.momentum = this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * scaleFactor * scale;
      });
    }
    return lrs;
  }
}

export interface OneCycleLROptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (Smith & Topin, 2019), as torch's OneCycleLR: lr warms from maxLr/divFactor up to maxLr
 * over pctStart of the run, then anneals to maxLr/(divFactor·finalDivFactor); momentum (or Adam's β1)
 * moves the opposite way. Step it every batch, totalSteps times.
 * @example const s = new optim.lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 1000 });
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;
  private phases: Phase[];

  constructor(optimizer: AnyOptimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    const { totalSteps = null, epochs = null, stepsPerEpoch = null, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true } = options;
    const { baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false, lastEpoch = -1 } = options;
    let total: number;
    if (totalSteps !== null) {
      if (!Number.isInteger(totalSteps) || totalSteps <= 0) throw new Error(`OneCycleLR: expected a positive integer totalSteps, got ${totalSteps}`);
      total = totalSteps;
    } else if (epochs !== null && stepsPerEpoch !== null) {
      if (!Number.isInteger(epochs) || epochs <= 0) throw new Error(`OneCycleLR: expected a positive integer epochs, got ${epochs}`);
      if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch <= 0) throw new Error(`OneCycleLR: expected a positive integer stepsPerEpoch, got ${stepsPerEpoch}`);
      total = epochs * stepsPerEpoch;
    } else throw new Error('OneCycleLR: define either totalSteps or (epochs and stepsPerEpoch)');
    if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`OneCycleLR: expected pctStart in [0, 1], got ${pctStart}`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') throw new Error(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got '${String(annealStrategy)}'`);
    const groups = groupsOf(optimizer);
    const maxLrs = perGroup('maxLr', optimizer, maxLr, 'OneCycleLR');
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new Error('OneCycleLR: cycleMomentum needs an optimizer with momentum or betas (or pass cycleMomentum: false)');
      }
      useBeta1 = 'betas' in optimizer.defaults;
      const maxM = perGroup('maxMomentum', optimizer, maxMomentum, 'OneCycleLR');
      const baseM = perGroup('baseMomentum', optimizer, baseMomentum, 'OneCycleLR');
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxM[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    super(optimizer, lastEpoch, 'OneCycleLR');
    this.totalSteps = total;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    const phase = (endStep: number, startLr: string, endLr: string, startMomentum: string, endMomentum: string): Phase => ({ endStep, startLr, endLr, startMomentum, endMomentum });
    this.phases = threePhase
      ? [
          phase(pctStart * total - 1, 'initialLr', 'maxLr', 'maxMomentum', 'baseMomentum'),
          phase(2 * pctStart * total - 2, 'maxLr', 'initialLr', 'baseMomentum', 'maxMomentum'),
          phase(total - 1, 'initialLr', 'minLr', 'maxMomentum', 'maxMomentum'),
        ]
      : [phase(pctStart * total - 1, 'initialLr', 'maxLr', 'maxMomentum', 'baseMomentum'), phase(total - 1, 'maxLr', 'minLr', 'baseMomentum', 'maxMomentum')];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    return this.annealStrategy === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) throw new Error(`OneCycleLR: tried to step ${stepNum + 1} times; the specified number of total steps is ${this.totalSteps}`);
    return groupsOf(this.optimizer).map((g) => {
      let startStep = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const p = this.phases[i];
        if (stepNum <= p.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (p.endStep - startStep);
          lr = this.anneal(g[p.startLr] as number, g[p.endLr] as number, pct);
          if (this.cycleMomentum) {
            const m = this.anneal(g[p.startMomentum] as number, g[p.endMomentum] as number, pct);
            if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
            else g.momentum = m;
          }
          break;
        }
        startStep = p.endStep;
      }
      return lr;
    });
  }
}
