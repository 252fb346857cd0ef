import { toSnakeCase } from '../../nn/module.js';
import { type BaseOptions, Optimizer, type ParamState } from '../optimizer.js';

/** An optimizer as a scheduler sees it: groups whose `lr` (and momentum) it rewrites. */
export type AnyOptimizer = Optimizer<BaseOptions, ParamState>;
export type SchedulerGroup = { lr: number; [option: string]: unknown };

/** What every scheduler offers, including the ones that wrap others. */
export interface Scheduler {
  readonly optimizer: AnyOptimizer;
  step(...args: number[]): void;
  getLastLr(): number[];
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

export function groupsOf(optimizer: AnyOptimizer): SchedulerGroup[] {
  return optimizer.paramGroups as unknown as SchedulerGroup[];
}

/** A scalar option, or one value per parameter group (PyTorch's _format_param). */
export function perGroup<T>(name: string, optimizer: AnyOptimizer, value: T | readonly T[], scheduler: string): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new Error(`${scheduler}: expected ${n} values for ${name} (one per parameter group), got ${value.length}`);
    return [...value];
  }
  return new Array<T>(n).fill(value as T);
}

const toCamelCase = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
// JSON has no infinities (ReduceLROnPlateau starts from best = ±inf): they travel as strings.
const encodeNumber = (v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : Array.isArray(v) ? v.map(encodeNumber) : v);
const decodeNumber = (v: unknown): unknown =>
  v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : Array.isArray(v) ? v.map(decodeNumber) : v;

/** A scheduler's plain fields as JSON (snake_case keys), leaving out the optimizer, functions and `skip`. */
export function packFields(obj: object, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    // Code (LambdaLR's λs, CyclicLR's scaleFn) is not state: it stays with the object.
    const isCode = typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function'));
    if (k === 'optimizer' || skip.includes(k) || isCode) continue;
    out[toSnakeCase(k)] = encodeNumber(v);
  }
  return out;
}

export function unpackFields(obj: object, state: Record<string, unknown>, skip: readonly string[] = []): void {
  for (const [k, v] of Object.entries(state)) {
    const key = toCamelCase(k);
    if (!skip.includes(key)) (obj as Record<string, unknown>)[key] = decodeNumber(v);
  }
}

/**
 * What all schedulers share: the optimizer, the last rates, and a JSON state dict of their plain fields
 * (wrappers such as SequentialLR add their schedulers' state dicts under `schedulers`).
 */
export abstract class SchedulerBase implements Scheduler {
  readonly optimizer: AnyOptimizer;
  protected lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, name: string) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${name}: expected an Optimizer, got ${typeof optimizer}`);
    this.optimizer = optimizer;
  }

  abstract step(...args: number[]): void;

  /** The schedulers this one drives, whose state dicts it carries. */
  protected nested(): Scheduler[] {
    return [];
  }

  protected recordLrs(): void {
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  /** The rates the last step set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, unknown> {
    const nested = this.nested();
    return nested.length ? { ...packFields(this, ['schedulers']), schedulers: nested.map((s) => s.stateDict()) } : packFields(this);
  }

  loadStateDict(state: Record<string, unknown>): void {
    unpackFields(this, state, ['schedulers']);
    const nested = this.nested();
    (state.schedulers as Record<string, unknown>[] | undefined)?.forEach((s, i) => nested[i].loadStateDict(s));
  }
}

/**
 * The base of the epoch-indexed schedulers, as torch.optim.lr_scheduler._LRScheduler: it records each
 * group's `initialLr`, and `step()` advances `lastEpoch` and writes the new rates into the groups. Rules
 * give the chained form (`getLr`, from the current rates) and, where one exists, the closed form
 * (`closedFormLr`, from the base rates), used when `step(epoch)` is given an epoch.
 * Subclasses set their fields and then call `this.initialStep()`, which applies the epoch-0 rate.
 * @example
 * class HalveEvery10 extends LRScheduler {
 *   constructor(opt: AnyOptimizer) { super(opt, -1, 'HalveEvery10'); this.initialStep(); }
 *   protected getLr() { return this.baseLrs.map((lr) => lr * 0.5 ** Math.floor(this.lastEpoch / 10)); }
 * }
 */
export abstract class LRScheduler extends SchedulerBase {
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;

  constructor(optimizer: AnyOptimizer, lastEpoch = -1, name = 'LRScheduler') {
    super(optimizer, name);
    const groups = groupsOf(optimizer);
    groups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) throw new Error(`${name}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
    });
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The chained form: the next rates from the current ones. */
  protected abstract getLr(): number[];
  /** The closed form of epoch `lastEpoch`, where the schedule has one. */
  protected closedFormLr?(): number[];

  /** Applies the rate of the starting epoch (called once at construction). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch (or jumps to `epoch`, using the closed form where there is one). */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.setLrs(values);
  }

  protected setLrs(values: number[]): void {
    const groups = groupsOf(this.optimizer);
    groups.forEach((g, i) => (g.lr = values[i]));
    this.recordLrs();
  }

  protected currentLrs(): number[] {
    return groupsOf(this.optimizer).map((g) => g.lr);
  }

}
