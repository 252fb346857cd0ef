import type { Tensor } from '../tensor/tensor.js';
import { scalar } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad-mode.js';
import { denseEntries } from '../ops/sparse.js';
import { mul, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { cat, stack } from '../ops/shape.js';
import { readsSync } from '../ops/util.js';
import type { Callback } from './callbacks.js';
import type { Trainer } from './trainer.js';

export interface LayerHealth {
  /** L2 norm of the parameter's gradient (before clipping). */
  gradNorm: number;
  /** ||update|| / ||weight|| of the step: around 1e-3 is healthy for SGD-like training. */
  updateRatio: number;
}

export interface GradientRecord {
  step: number;
  layers: Record<string, LayerHealth>;
}

export interface GradientWarning {
  step: number;
  layer: string;
  kind: 'vanishing' | 'exploding' | 'nonFinite';
  message: string;
}

export interface GradientMonitorOptions {
  /** Measure every this many optimizer steps (default 10; the first step is always measured). */
  every?: number;
  /** A gradient norm below this is flagged as vanishing (default 1e-7). */
  vanishingThreshold?: number;
  /** A gradient norm above this is flagged as exploding (default 1e3). */
  explodingThreshold?: number;
  /** Also flag an update larger than this fraction of the weight as exploding (default 1: the step doubles or wipes the weight). */
  maxUpdateRatio?: number;
}

function l2(data: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * data[i];
  return Math.sqrt(s);
}

const sumOfSquares = (t: Tensor) => sum(mul(t, t));

// A monitored step between onAfterBackward and onStepEnd: on a device that reads synchronously, gradient
// norms and weights copied to the host (float64 sums); else squared norms and weight copies on the device.
interface HostMeasure { names: string[]; params: Tensor[]; gradNorms: number[]; before: Float64Array[] }
interface DeviceMeasure { names: string[]; params: Tensor[]; gradSquares: Tensor; before: Tensor[] }

const health = (gradNorm: number, update: number, weight: number): LayerHealth => ({ gradNorm, updateRatio: weight > 0 ? update / weight : update });

function measureOnHost(m: HostMeasure): LayerHealth[] {
  return m.params.map((p, i) => {
    const before = m.before[i];
    const after = p.dataSync();
    let diff = 0;
    for (let j = 0; j < before.length; j++) {
      const d = after[j] - before[j];
      diff += d * d;
    }
    return health(m.gradNorms[i], Math.sqrt(diff), l2(before));
  });
}

// The update and weight norms summed on the device beside the gradients', all read at once.
async function measureOnDevice(m: DeviceMeasure): Promise<LayerHealth[]> {
  const squares = noGrad(() => cat([
    m.gradSquares,
    stack(m.params.map((p, i) => sumOfSquares(sub(p, m.before[i])))),
    stack(m.before.map(sumOfSquares)),
  ]));
  const v = await squares.data();
  const n = m.params.length;
  return m.params.map((_, i) => health(Math.sqrt(v[i]), Math.sqrt(v[n + i]), Math.sqrt(v[2 * n + i])));
}

/**
 * Watches gradient health by layer: per-parameter gradient norms and update-to-weight ratios over time, and
 * warnings naming the layer when gradients vanish (norm below `vanishingThreshold`), explode (above
 * `explodingThreshold`, or updates larger than `maxUpdateRatio` of the weight) or turn non-finite.
 * Use it as a callback; its `records` and `warnings` go into reports. On a device that reads only
 * asynchronously (webgpu) the norms are summed there (float32) and read once per measured step, with await.
 * @example
 * const monitor = new GradientMonitor({ every: 20 });
 * await fit(model, { ..., callbacks: [monitor] });
 * console.log(monitor.summary());
 */
export class GradientMonitor implements Callback {
  readonly name = 'gradientMonitor';
  /** Its hooks only read, so the trainer may pipeline batches on webgpu (see Callback.readsOnly). */
  readonly readsOnly = true;
  readonly every: number;
  readonly vanishingThreshold: number;
  readonly explodingThreshold: number;
  readonly maxUpdateRatio: number;
  records: GradientRecord[] = [];
  warnings: GradientWarning[] = [];
  private pending: HostMeasure | DeviceMeasure | null = null;
  private flagged = new Set<string>();

  constructor({ every = 10, vanishingThreshold = 1e-7, explodingThreshold = 1e3, maxUpdateRatio = 1 }: GradientMonitorOptions = {}) {
    if (!Number.isInteger(every) || every < 1) throw new Error(`GradientMonitor: every must be a positive integer, got ${every}`);
    this.every = every;
    this.vanishingThreshold = vanishingThreshold;
    this.explodingThreshold = explodingThreshold;
    this.maxUpdateRatio = maxUpdateRatio;
  }

  onAfterBackward(trainer: Trainer): void {
    const next = trainer.step + 1;
    if (next !== 1 && next % this.every !== 0) return;
    const names: string[] = [];
    const params: Tensor[] = [];
    for (const [name, p] of trainer.model.namedParameters()) {
      if (!p.requiresGrad) continue;
      names.push(name);
      params.push(p);
    }
    if (params.length > 0 && !readsSync(params[0])) {
      // a device that reads only asynchronously: squared norms and copies stay on it until onStepEnd reads them once
      this.pending = noGrad(() => ({
        names,
        params,
        gradSquares: stack(params.map((p) => {
          const g = p.peekGrad();
          return g ? sumOfSquares(denseEntries(g)) : scalar(0, p.dtype, p.storage.device);
        })),
        before: params.map((p) => p.detach().clone()),
      }));
      return;
    }
    this.pending = {
      names,
      params,
      gradNorms: params.map((p) => {
        const g = p.peekGrad();
        return g ? l2(denseEntries(g).dataSync()) : 0;
      }),
      before: params.map((p) => Float64Array.from(p.dataSync())),
    };
  }

  async onStepEnd(trainer: Trainer): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    const measured = 'gradSquares' in pending ? await measureOnDevice(pending) : measureOnHost(pending);
    const layers: Record<string, LayerHealth> = {};
    pending.names.forEach((name, i) => {
      layers[name] = measured[i];
      this.check(trainer.step, name, measured[i]);
    });
    this.records.push({ step: trainer.step, layers });
  }

  private check(step: number, layer: string, h: LayerHealth): void {
    const warn = (kind: GradientWarning['kind'], message: string) => {
      const key = `${layer}:${kind}`;
      if (this.flagged.has(key)) return; // once per layer and kind
      this.flagged.add(key);
      this.warnings.push({ step, layer, kind, message: `step ${step}: ${layer}: ${message}` });
    };
    if (!Number.isFinite(h.gradNorm)) warn('nonFinite', `gradient norm is ${h.gradNorm}`);
    else if (h.gradNorm < this.vanishingThreshold) warn('vanishing', `vanishing gradient (norm ${h.gradNorm.toExponential(2)} < ${this.vanishingThreshold})`);
    else if (h.gradNorm > this.explodingThreshold) warn('exploding', `exploding gradient (norm ${h.gradNorm.toExponential(2)} > ${this.explodingThreshold})`);
    else if (h.updateRatio > this.maxUpdateRatio) warn('exploding', `update is ${h.updateRatio.toFixed(2)}x the weight (> ${this.maxUpdateRatio}); lower the learning rate`);
  }

  /** Per layer: the last and mean gradient norm and update ratio over the records, and the warnings raised. */
  summary(): Record<string, { lastGradNorm: number; meanGradNorm: number; meanUpdateRatio: number; warnings: string[] }> {
    const out: Record<string, { lastGradNorm: number; meanGradNorm: number; meanUpdateRatio: number; warnings: string[] }> = {};
    for (const r of this.records) {
      for (const [name, h] of Object.entries(r.layers)) {
        const o = (out[name] ??= { lastGradNorm: 0, meanGradNorm: 0, meanUpdateRatio: 0, warnings: [] });
        o.lastGradNorm = h.gradNorm;
        o.meanGradNorm += h.gradNorm / this.records.length;
        o.meanUpdateRatio += h.updateRatio / this.records.length;
      }
    }
    for (const w of this.warnings) out[w.layer]?.warnings.push(w.message);
    return out;
  }

  stateDict(): Record<string, unknown> {
    return { records: this.records, warnings: this.warnings, flagged: [...this.flagged] };
  }

  loadStateDict(state: Record<string, unknown>): void {
    this.records = state.records as GradientRecord[];
    this.warnings = state.warnings as GradientWarning[];
    this.flagged = new Set(state.flagged as string[]);
  }
}
