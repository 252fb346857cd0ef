import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/**
 * A metric accumulated over batches: `update` with each batch's model output and target, `compute` for the
 * value over everything since `reset`. Metrics read the numbers only (no autograd) and are cheap.
 * `higherIsBetter` tells early stopping and reports which way is good.
 */
export interface Metric {
  readonly name: string;
  readonly higherIsBetter: boolean;
  reset(): void;
  update(output: Tensor, target: Tensor): void;
  compute(): number;
}

/**
 * Class predictions from a model output: `[N, C, ...]` scores with `[N, ...]` int32 targets (the class at dim 1,
 * as crossEntropy) give the argmax; an output shaped like the target is a binary probability, thresholded.
 */
function classify(metric: string, output: Tensor, target: Tensor, threshold: number, k = 1): { hits: (i: number) => boolean; pred: Int32Array; truth: Int32Array; classes: number } {
  if (!(output instanceof Tensor) || !(target instanceof Tensor)) throw new Error(`${metric}: expected output and target tensors`);
  const truth = Int32Array.from(target.dataSync());
  if (output.ndim === target.ndim) {
    if (output.numel !== target.numel) throw new Error(`${metric}: output ${formatShape(output.shape)} and target ${formatShape(target.shape)} must have the same shape for binary predictions`);
    if (k !== 1) throw new Error(`${metric}: top-k needs class scores [N, C, ...], got output ${formatShape(output.shape)} for target ${formatShape(target.shape)}`);
    const pred = Int32Array.from(output.dataSync(), (v) => (v >= threshold ? 1 : 0));
    return { hits: (i) => pred[i] === truth[i], pred, truth, classes: 2 };
  }
  const expected = [target.shape[0], -1, ...target.shape.slice(1)];
  if (output.ndim !== target.ndim + 1 || output.shape[0] !== target.shape[0] || output.shape.slice(2).some((s, i) => s !== target.shape[i + 1])) {
    throw new Error(`${metric}: expected output [N, C, ...] for target ${formatShape(target.shape)} (i.e. ${formatShape(expected).replace('-1', 'C')}), got ${formatShape(output.shape)}`);
  }
  const classes = output.shape[1];
  if (k > classes) throw new Error(`${metric}: k=${k} is larger than the number of classes ${classes}`);
  const inner = output.shape.slice(2).reduce((a, b) => a * b, 1);
  const data = output.dataSync();
  const pred = new Int32Array(truth.length);
  const rank = new Int32Array(truth.length); // how many classes score strictly above the true one
  for (let i = 0; i < truth.length; i++) {
    const n = Math.floor(i / inner);
    const base = n * classes * inner + (i % inner);
    let best = 0;
    let bestValue = -Infinity;
    const t = truth[i];
    if (t < 0 || t >= classes) throw new Error(`${metric}: target ${t} is out of range for ${classes} classes`);
    const trueScore = data[base + t * inner];
    let above = 0;
    for (let c = 0; c < classes; c++) {
      const v = data[base + c * inner];
      if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) { bestValue = v; best = c; }
      if (v > trueScore || (v === trueScore && c < t)) above++; // ties go to the lower index, as topk/argmax
    }
    pred[i] = best;
    rank[i] = above;
  }
  return { hits: (i) => rank[i] < k, pred, truth, classes };
}

/**
 * The fraction of correct predictions (argmax over the class dim 1, or probability >= threshold for binary outputs).
 * @example const acc = new Accuracy(); acc.update(logits, labels); acc.compute(); // 0.93
 */
export class Accuracy implements Metric {
  readonly name: string;
  readonly higherIsBetter = true;
  private correct = 0;
  private total = 0;

  constructor({ threshold = 0.5, name = 'accuracy' }: { threshold?: number; name?: string } = {}) {
    this.name = name;
    this.threshold = threshold;
  }

  private readonly threshold: number;

  reset(): void { this.correct = 0; this.total = 0; }

  update(output: Tensor, target: Tensor): void {
    const { hits, truth } = classify(this.name, output, target, this.threshold);
    for (let i = 0; i < truth.length; i++) if (hits(i)) this.correct++;
    this.total += truth.length;
  }

  compute(): number { return this.total === 0 ? NaN : this.correct / this.total; }
}

/**
 * The fraction of samples whose true class is among the k highest scores (ties resolved toward lower class indices).
 * @example const top5 = new TopKAccuracy(5);
 */
export class TopKAccuracy implements Metric {
  readonly name: string;
  readonly higherIsBetter = true;
  private correct = 0;
  private total = 0;

  constructor(readonly k: number, { name }: { name?: string } = {}) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`TopKAccuracy: k must be a positive integer, got ${k}`);
    this.name = name ?? `top${k}Accuracy`;
  }

  reset(): void { this.correct = 0; this.total = 0; }

  update(output: Tensor, target: Tensor): void {
    const { hits, truth } = classify(this.name, output, target, 0.5, this.k);
    for (let i = 0; i < truth.length; i++) if (hits(i)) this.correct++;
    this.total += truth.length;
  }

  compute(): number { return this.total === 0 ? NaN : this.correct / this.total; }
}

type Averaged = 'precision' | 'recall' | 'f1';

/**
 * Macro-averaged precision, recall or F1 from a confusion count: per class, then the unweighted mean. With
 * `numClasses` every class counts; without, the classes seen in targets or predictions (scikit-learn's
 * default). A class with no predictions (or no samples) scores 0 (scikit-learn's zero_division=0).
 */
class MacroScore implements Metric {
  readonly higherIsBetter = true;
  private tp = new Map<number, number>();
  private fp = new Map<number, number>();
  private fn = new Map<number, number>();

  constructor(readonly name: string, private readonly kind: Averaged, private readonly numClasses?: number, private readonly threshold = 0.5) {}

  reset(): void { this.tp = new Map(); this.fp = new Map(); this.fn = new Map(); }

  update(output: Tensor, target: Tensor): void {
    const { pred, truth } = classify(this.name, output, target, this.threshold);
    const bump = (m: Map<number, number>, c: number) => m.set(c, (m.get(c) ?? 0) + 1);
    for (let i = 0; i < truth.length; i++) {
      if (pred[i] === truth[i]) bump(this.tp, truth[i]);
      else { bump(this.fp, pred[i]); bump(this.fn, truth[i]); }
    }
  }

  compute(): number {
    const classes = this.numClasses !== undefined
      ? Array.from({ length: this.numClasses }, (_, c) => c)
      : [...new Set([...this.tp.keys(), ...this.fp.keys(), ...this.fn.keys()])];
    if (classes.length === 0) return NaN;
    let sum = 0;
    for (const c of classes) {
      const tp = this.tp.get(c) ?? 0;
      const p = tp + (this.fp.get(c) ?? 0) === 0 ? 0 : tp / (tp + (this.fp.get(c) ?? 0));
      const r = tp + (this.fn.get(c) ?? 0) === 0 ? 0 : tp / (tp + (this.fn.get(c) ?? 0));
      sum += this.kind === 'precision' ? p : this.kind === 'recall' ? r : p + r === 0 ? 0 : (2 * p * r) / (p + r);
    }
    return sum / classes.length;
  }
}

/** Macro precision. @example new Precision({ numClasses: 10 }) */
export class Precision extends MacroScore {
  constructor({ numClasses, threshold, name = 'precision' }: { numClasses?: number; threshold?: number; name?: string } = {}) { super(name, 'precision', numClasses, threshold); }
}

/** Macro recall. @example new Recall({ numClasses: 10 }) */
export class Recall extends MacroScore {
  constructor({ numClasses, threshold, name = 'recall' }: { numClasses?: number; threshold?: number; name?: string } = {}) { super(name, 'recall', numClasses, threshold); }
}

/** Macro F1 (the mean of the per-class harmonic means of precision and recall). @example new F1Score({ numClasses: 10 }) */
export class F1Score extends MacroScore {
  constructor({ numClasses, threshold, name = 'f1' }: { numClasses?: number; threshold?: number; name?: string } = {}) { super(name, 'f1', numClasses, threshold); }
}

function checkSameSize(metric: string, output: Tensor, target: Tensor): void {
  if (output.numel !== target.numel) throw new Error(`${metric}: output ${formatShape(output.shape)} and target ${formatShape(target.shape)} must have the same number of elements`);
}

// The mean of term(output - target) over every element, then finish(mean): MAE and RMSE.
class ElementwiseError implements Metric {
  readonly higherIsBetter = false;
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, private readonly term: (d: number) => number, private readonly finish: (mean: number) => number) {}
  reset(): void { this.sum = 0; this.count = 0; }
  update(output: Tensor, target: Tensor): void {
    checkSameSize(this.name, output, target);
    const [o, t] = [output.dataSync(), target.dataSync()];
    for (let i = 0; i < o.length; i++) this.sum += this.term(o[i] - t[i]);
    this.count += output.numel;
  }
  compute(): number { return this.count === 0 ? NaN : this.finish(this.sum / this.count); }
}

/** Mean absolute error over every element. @example const mae = new MeanAbsoluteError(); */
export class MeanAbsoluteError extends ElementwiseError {
  constructor(name = 'mae') { super(name, Math.abs, (mean) => mean); }
}

/** Root mean squared error over every element. @example const rmse = new RootMeanSquaredError(); */
export class RootMeanSquaredError extends ElementwiseError {
  constructor(name = 'rmse') { super(name, (d) => d * d, Math.sqrt); }
}

/**
 * exp of the mean cross-entropy (natural log) of logits `[N, C, ...]` against int32 targets `[N, ...]`,
 * every predicted token weighted equally.
 * @example const ppl = new Perplexity(); ppl.update(logits, nextChars); ppl.compute();
 */
export class Perplexity implements Metric {
  readonly higherIsBetter = false;
  private nll = 0;
  private count = 0;
  constructor(readonly name = 'perplexity') {}
  reset(): void { this.nll = 0; this.count = 0; }
  update(output: Tensor, target: Tensor): void {
    if (output.ndim !== target.ndim + 1) throw new Error(`${this.name}: expected logits [N, C, ...] for target ${formatShape(target.shape)}, got ${formatShape(output.shape)}`);
    classify(this.name, output, target, 0.5); // shape and range checks
    const classes = output.shape[1];
    const inner = output.shape.slice(2).reduce((a, b) => a * b, 1);
    const data = output.dataSync();
    const labels = target.dataSync();
    for (let i = 0; i < labels.length; i++) {
      const base = Math.floor(i / inner) * classes * inner + (i % inner);
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, data[base + c * inner]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(data[base + c * inner] - max);
      this.nll += max + Math.log(sum) - data[base + labels[i] * inner];
    }
    this.count += target.numel;
  }
  compute(): number { return this.count === 0 ? NaN : Math.exp(this.nll / this.count); }
}

/**
 * A fresh copy of a metric with its own (reset) state, for evaluating the same metrics on validation data
 * without disturbing the training accumulators.
 */
export function freshMetric(m: Metric): Metric {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(m) as object) as Metric, m);
  copy.reset();
  return copy;
}

/**
 * A metric's accumulated state as JSON (its numeric and Map fields), so that a checkpoint taken mid-epoch
 * resumes the epoch's metrics exactly. A metric may define its own `stateDict`/`loadStateDict` instead.
 */
export function metricState(m: Metric): Record<string, unknown> {
  const custom = m as Metric & { stateDict?: () => Record<string, unknown> };
  if (typeof custom.stateDict === 'function') return custom.stateDict();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : String(v);
    else if (v instanceof Map) out[k] = { $map: [...v.entries()] };
  }
  return out;
}

/** Restores what `metricState` saved. */
export function loadMetricState(m: Metric, state: Record<string, unknown>): void {
  const custom = m as Metric & { loadStateDict?: (s: Record<string, unknown>) => void };
  if (typeof custom.loadStateDict === 'function') return custom.loadStateDict(state);
  const rec = m as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(state)) {
    if (typeof v === 'number') rec[k] = v;
    else if (typeof v === 'string') rec[k] = Number(v);
    else if (v && typeof v === 'object' && '$map' in v) rec[k] = new Map((v as { $map: [unknown, unknown][] }).$map);
  }
}

/** The metric names `fit` and the CLI accept, with what they build. */
export const METRICS: Record<string, () => Metric> = {
  accuracy: () => new Accuracy(),
  top5Accuracy: () => new TopKAccuracy(5),
  precision: () => new Precision(),
  recall: () => new Recall(),
  f1: () => new F1Score(),
  mae: () => new MeanAbsoluteError(),
  rmse: () => new RootMeanSquaredError(),
  perplexity: () => new Perplexity(),
};

/** A metric by name ('accuracy', 'top5Accuracy', 'f1', ...) or as given. */
export function toMetric(m: Metric | string): Metric {
  if (typeof m !== 'string') return m;
  const topK = /^top(\d+)Accuracy$/.exec(m);
  if (topK) return new TopKAccuracy(Number(topK[1]));
  const make = METRICS[m];
  if (!make) throw new Error(`metrics: unknown metric '${m}' (expected one of ${Object.keys(METRICS).join(', ')}, topKAccuracy with a number, or a Metric object)`);
  return make();
}

/**
 * One metric over one pair of tensors.
 * @example computeMetric('accuracy', logits, labels) // 0.875
 */
export function computeMetric(metric: Metric | string, output: Tensor, target: Tensor): number {
  const m = toMetric(metric);
  m.reset();
  m.update(output, target);
  return m.compute();
}
