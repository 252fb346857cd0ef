import { Tensor, exposeGrad } from '../tensor/tensor.js';
import { isFloating } from '../tensor/dtype.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { toSnakeCase } from '../nn/module.js';
import { checkKnownOptions } from '../tensor/options.js';
import { SparseTensor } from '../tensor/sparse.js';
import { zeros } from '../tensor/creation.js';
import type { Device } from '../tensor/storage.js';

// The update methods of the library's own rules (optim/index.ts marks them): they keep no gradient they are given.
const libraryRules = new WeakSet<object>();

/** @internal Marks rule classes as the library's own. */
export function markLibraryRules(...rules: (abstract new (...args: never[]) => unknown)[]): void {
  for (const rule of rules) {
    const proto = rule.prototype as { update?: object; updateSparse?: object };
    if (proto.update) libraryRules.add(proto.update);
    if (proto.updateSparse) libraryRules.add(proto.updateSparse);
  }
}

/** Options every rule has: the learning rate η. Rules add their own (betas, momentum, ...). */
export interface BaseOptions {
  lr: number;
}

/** A parameter group as the optimizer keeps it: its tensors plus every option, filled from the defaults. */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & { params: Tensor[] };

/** A parameter group as the user passes it: tensors plus any options that override the defaults. */
export type ParamGroupInput<O extends BaseOptions = BaseOptions> = Partial<O> & { params: Iterable<Tensor> | Tensor };

/** What `new optim.X(params, ...)` accepts: tensors (one group) or parameter groups. */
export type Params<O extends BaseOptions = BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** What per-parameter state may hold: tensors (moments) and plain numbers (step counts). */
export type StateValue = Tensor | number | boolean | null | Tensor[] | number[];
export type ParamState = Record<string, StateValue>;

/** The closure `step` may call to re-evaluate the loss (LBFGS needs it, the others accept it). */
export type Closure = () => Tensor | number;

/**
 * An optimizer's state as plain data plus tensors, in PyTorch's layout: `state` maps a parameter's index
 * (its position counting through all groups) to its state, `param_groups` lists each group's options
 * with `params` as those indices. Keys are PyTorch's snake_case names (`exp_avg`, `weight_decay`), so
 * everything but the tensors is JSON.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, StateValue>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

function toCamelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function cloneValue(v: StateValue): StateValue {
  if (v instanceof Tensor) return v.clone();
  if (Array.isArray(v)) return (v as (Tensor | number)[]).map((x) => (x instanceof Tensor ? x.clone() : x)) as Tensor[] | number[];
  return v;
}

function cloneOption(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

/**
 * The base of every update rule, as torch.optim.Optimizer: it owns the parameter groups, the defaults,
 * the per-parameter state and the state dict; a rule only says how one parameter moves (`update`).
 * `step()` runs the rule under noGrad over every parameter that has a gradient.
 * @example
 * // A new rule is one short class: plain gradient descent with a per-parameter step counter.
 * class PlainGD extends Optimizer<{ lr: number }, { step: number }> {
 *   constructor(params: Params<{ lr: number }>, options: Partial<{ lr: number }> = {}) { super('PlainGD', params, { lr: 0.1 }, options); }
 *   protected initState() { return { step: 0 }; }
 *   protected update(p: Tensor, grad: Tensor, state: { step: number }, group: ParamGroup<{ lr: number }>) {
 *     state.step += 1;
 *     p.sub_(grad, group.lr);
 *   }
 * }
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends ParamState = ParamState> {
  /** The rule's name, used in error messages ('Adam'). */
  readonly name: string;
  readonly defaults: O;
  /** The groups; change `lr` (or any option) here between steps, as schedulers do. */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  state = new Map<Tensor, S>();

  /** `defaults` are the rule's own (every option it has); `options` the user's, which override them. */
  constructor(name: string, params: Params<O>, defaults: O, options: Partial<O> = {}) {
    this.name = name;
    this.checkKnown(options, defaults, 'option');
    this.defaults = { ...defaults };
    for (const [k, v] of Object.entries(options)) if (v !== undefined) (this.defaults as Record<string, unknown>)[k] = v;
    if (params instanceof Tensor) {
      throw new TypeError(`${name}: params should be an iterable of Tensors or parameter groups, got a Tensor (wrap it in a list)`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new Error(`${name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Unknown keys are refused, so that `weight_decay` (PyTorch's spelling) does not pass silently. */
  private checkKnown(options: object, known: object, what: string): void {
    const { params: _, ...rest } = options as { params?: unknown };
    checkKnownOptions(this.name, rest, Object.keys(known), what);
  }

  /** Checks one group's options; rules throw `Rule: option must be ..., got value`. */
  protected validate(_group: ParamGroup<O>): void {}

  /** The state of a parameter on its first step (moments at zero, step 0). */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): S;

  /** Moves parameter `p` given its gradient `grad`, in place; called under noGrad. */
  protected abstract update(p: Tensor, grad: Tensor, state: S, group: ParamGroup<O>): void;

  /** Adds a group (e.g. layers unfrozen while fine-tuning); options it lacks come from the defaults. */
  addParamGroup(input: ParamGroupInput<O>): void {
    if (input === null || typeof input !== 'object' || !('params' in input)) {
      throw new TypeError(`${this.name}: a parameter group must be an object with a 'params' list`);
    }
    this.checkKnown(input, this.defaults, 'parameter group option');
    const params = input.params instanceof Tensor ? [input.params] : [...input.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!isFloating(p.dtype)) throw new TypeError(`${this.name}: can only optimize floating point tensors, got dtype ${p.dtype}`);
      if (!p.isLeaf) throw new Error(`${this.name}: can't optimize a non-leaf Tensor`);
    }
    if (new Set(params).size !== params.length) throw new Error(`${this.name}: a parameter group contains the same parameter twice`);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
    const group = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(input)) if (k !== 'params' && v !== undefined) group[k] = cloneOption(v);
    for (const k of Object.keys(group)) group[k] = cloneOption(group[k]);
    group.params = params;
    this.validate(group as unknown as ParamGroup<O>);
    this.paramGroups.push(group as unknown as ParamGroup<O>);
  }

  /**
   * One update of every parameter with a gradient. `closure` re-evaluates the loss (with grad mode on)
   * before the update; its value is returned.
   */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
    this.endStep();
    return loss;
  }

  /** Tells the parameters' devices that a step has ended (the wasm backend moves out storage left unused). */
  protected endStep(): void {
    const devices = new Set<Device>();
    for (const group of this.paramGroups) for (const p of group.params) devices.add(p.storage.device);
    for (const device of devices) device.endStep?.();
  }

  /** Updates one group's parameters; rules with per-group scalars (schedule-free) compute them here first. */
  protected stepGroup(group: ParamGroup<O>): void {
    for (const p of group.params) {
      const grad = p.peekGrad();
      if (grad === null) continue;
      // a rule written outside the library may keep what it is given, as user code reading .grad may
      if (!libraryRules.has(this.update) || !libraryRules.has(this.updateSparse)) exposeGrad(grad);
      if (grad instanceof SparseTensor) this.updateSparse(p, grad, this.stateOf(p, group), group);
      else this.update(p, grad, this.stateOf(p, group), group);
    }
  }

  /**
   * Moves `p` given a sparse gradient (from Embedding({ sparse: true })). Rules that support them override
   * this (SGD, Adagrad, SparseAdam, as in PyTorch); the others refuse, as PyTorch's do.
   */
  protected updateSparse(_p: Tensor, _grad: SparseTensor, _state: S, _group: ParamGroup<O>): void {
    throw new Error(sparseRefusal(this.name));
  }

  /** The state of `p`, created on first use. */
  protected stateOf(p: Tensor, group: ParamGroup<O>): S {
    let s = this.state.get(p);
    if (!s) {
      s = this.initState(p, group);
      this.state.set(p, s);
    }
    return s;
  }

  /** Clears gradients: to null by default (PyTorch 2's default), or to zeros with `setToNone: false`. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.peekGrad();
        if (grad === null) continue;
        if (setToNone) p.grad = null;
        else if (grad.gradFn) p.grad = noGrad(() => grad.detach().zero_());
        else noGrad(() => grad.zero_());
      }
    }
  }

  /** Copies of the state and the group options (see OptimizerStateDict for the layout). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) if (k !== 'params') packed[toSnakeCase(k)] = cloneOption(v);
      packed.params = group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return packed as Record<string, unknown> & { params: number[] };
    });
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const packed: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(s)) packed[toSnakeCase(k)] = cloneValue(v);
      state[i] = packed;
    }
    return { state, param_groups: paramGroups };
  }

  /** A copy of a saved state tensor in `p`'s dtype, on `p`'s backend. */
  protected restoreStateTensor(p: Tensor, saved: Tensor): Tensor {
    return saved.to(p.dtype).to(p.device).clone();
  }

  /** The shape of a tensor in `p`'s state (`key` in camelCase): `p`'s own; LBFGS keeps flat vectors. */
  protected stateShape(p: Tensor, _key: string): readonly number[] {
    return p.shape;
  }

  /**
   * Restores what `stateDict()` returned (tensors are copied and cast to each parameter's dtype). Everything is
   * checked first, so a state that does not fit is refused with the optimizer unchanged: each group's options
   * (an option the saved group lacks keeps its current value), and each parameter's state against what the
   * rule keeps for it (tensors of the parameter's shape and a floating dtype, numbers, optional tensors).
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const fail = (why: string): never => { throw new Error(`${this.name}.loadStateDict: ${why}`); };
    const saved = dict?.param_groups;
    if (!Array.isArray(saved)) fail("the state dict has no 'param_groups' list");
    if (saved.length !== this.paramGroups.length) fail(`the state dict has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    const byIndex = new Map<number, { p: Tensor; group: ParamGroup<O>; where: string }>();
    const groups = saved.map((g, gi) => {
      const params = this.paramGroups[gi].params;
      if (!Array.isArray(g?.params)) fail(`parameter group ${gi} of the state dict has no 'params' list`);
      if (g.params.length !== params.length) fail(`parameter group ${gi} has ${g.params.length} parameters in the state dict, ${params.length} in the optimizer`);
      const group: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(this.paramGroups[gi])) if (k !== 'params') group[k] = cloneOption(v);
      for (const [k, v] of Object.entries(g)) if (k !== 'params') group[toCamelCase(k)] = cloneOption(v);
      group.params = params;
      this.validate(group as unknown as ParamGroup<O>);
      g.params.forEach((id, j) => byIndex.set(id, { p: params[j], group: group as unknown as ParamGroup<O>, where: `parameter ${id} (group ${gi}, param ${j})` }));
      return group as unknown as ParamGroup<O>;
    });
    if (dict.state === null || typeof dict.state !== 'object') fail("'state' must be an object of per-parameter states");
    const state = new Map<Tensor, S>();
    for (const [key, s] of Object.entries(dict.state)) {
      const { p, group, where } = byIndex.get(Number(key)) ?? fail(`state for parameter ${key}, which no group lists`);
      if (s === null || typeof s !== 'object' || Array.isArray(s)) fail(`the state of ${where} must be an object, got ${JSON.stringify(s)}`);
      const template = this.stateTemplate(p, group);
      for (const [k, v] of Object.entries(template)) {
        if (v !== null && !(toSnakeCase(k) in s)) fail(`the state of ${where} lacks '${toSnakeCase(k)}'`);
      }
      const restored: Record<string, StateValue> = Object.fromEntries(Object.keys(template).map((k) => [k, null])); // the rule's key order
      for (const [k, v] of Object.entries(s)) {
        const name = toCamelCase(k);
        this.checkStateValue(p, name, v, name in template ? template[name] : undefined, `state '${k}' of ${where}`);
        // 0-d tensors (PyTorch keeps Adam's step, ASGD's eta and mu, NAdam's mu_product in them) become numbers.
        if (v instanceof Tensor && v.ndim === 0 && !(template[name] instanceof Tensor)) restored[name] = v.item();
        else if (v instanceof Tensor) restored[name] = this.restoreStateTensor(p, v);
        else restored[name] = cloneValue(v);
      }
      state.set(p, restored as S);
    }
    this.paramGroups = groups;
    this.state = state;
  }

  // What the rule keeps for `p` (initState on a tensor of p's rank and dtype with no elements): which keys hold
  // tensors, numbers, lists, or optional tensors (null).
  private stateTemplate(p: Tensor, group: ParamGroup<O>): Record<string, StateValue> {
    const empty = zeros(p.ndim === 0 ? [] : [0, ...p.shape.slice(1)], { dtype: p.dtype });
    return noGrad(() => this.initState(empty, group)) as Record<string, StateValue>;
  }

  // A state value must be what the rule keeps under that key (`expected` from the template; undefined for a
  // key the rule does not create): tensors of the parameter's state shape and a floating dtype, numbers (or
  // 0-d tensors), lists of either, null where the rule allows it.
  private checkStateValue(p: Tensor, key: string, v: unknown, expected: StateValue | undefined, what: string): void {
    const fail = (why: string) => { throw new Error(`${this.name}.loadStateDict: ${what} ${why}`); };
    const checkTensor = (t: Tensor, suffix: string) => {
      if (!isFloating(t.dtype)) fail(`${suffix}has dtype ${t.dtype}, expected a floating point tensor`);
      const shape = this.stateShape(p, key);
      if (!shapesEqual(t.shape, shape)) fail(`${suffix}has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}${shape === p.shape ? " (the parameter's shape)" : ''}`);
    };
    const isNumber = (x: unknown) => typeof x === 'number' || (x instanceof Tensor && x.ndim === 0);
    if (expected instanceof Tensor || (expected === null && v !== null)) {
      if (!(v instanceof Tensor)) fail(`must be a tensor, got ${JSON.stringify(v)}`);
      else checkTensor(v, '');
    } else if (typeof expected === 'number') {
      if (!isNumber(v)) fail(`must be a number, got ${JSON.stringify(v)}`);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => (x instanceof Tensor && x.ndim > 0 ? checkTensor(x, `[${i}] `) : !isNumber(x) && fail(`[${i}] must be a number or a tensor, got ${JSON.stringify(x)}`)));
    } else if (Array.isArray(expected)) {
      fail(`must be a list, got ${JSON.stringify(v)}`);
    } else if (v instanceof Tensor) {
      if (v.ndim > 0) checkTensor(v, '');
    } else if (v !== null && typeof v !== 'number' && typeof v !== 'boolean') {
      fail(`must be a number, got ${JSON.stringify(v)}`);
    }
  }
}

/** The message of a rule that has no sparse update (PyTorch's, with the ways out). */
export function sparseRefusal(rule: string): string {
  return `${rule} does not support sparse gradients (a parameter's .grad is a SparseTensor, from Embedding({ sparse: true })); ` +
    'use optim.SparseAdam, SGD or Adagrad for those parameters, or an Embedding without sparse';
}

// ---- Shared pieces of the rules, written once (optax-style transforms of the gradient). ----

/**
 * The gradient a rule starts from: g, or -g when maximizing, plus L2 decay λθ (PyTorch's order).
 * @example const d = decayedGradient(p, p.grad!, group.weightDecay, group.maximize);
 */
export function decayedGradient(p: Tensor, grad: Tensor, weightDecay: number, maximize: boolean): Tensor {
  let g = maximize ? grad.neg() : grad;
  if (weightDecay !== 0) g = g.add(p, weightDecay);
  return g;
}

/**
 * Decoupled weight decay (Loshchilov & Hutter): θ ← θ (1 - ηλ), applied before the rule's step.
 * @example noGrad(() => decayWeights(p, 1e-3, 0.01));
 */
export function decayWeights(p: Tensor, lr: number, weightDecay: number): void {
  if (weightDecay !== 0) p.mul_(1 - lr * weightDecay);
}

// ---- Option validation with messages that name the rule, the option, what was expected and what came. ----

export function checkNonNegative(rule: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0)) throw new Error(`${rule}: ${name} must be >= 0, got ${value}`);
}

export function checkPositive(rule: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0)) throw new Error(`${rule}: ${name} must be > 0, got ${value}`);
}

/** value in [lo, hi) (or [lo, hi] with `closed`). */
export function checkInRange(rule: string, name: string, value: number, lo: number, hi: number, closed = false): void {
  const ok = typeof value === 'number' && value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) throw new Error(`${rule}: ${name} must be in [${lo}, ${hi}${closed ? ']' : ')'}, got ${value}`);
}

/** The options every Adam-family rule shares (Adam, Adamax, NAdam, RAdam extend it). */
export interface AdamFamilyOptions extends BaseOptions {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** The options of the Adam family: lr, eps, weightDecay >= 0 and betas in [0, 1). */
export function checkAdamOptions(rule: string, g: { lr: number; eps: number; betas: readonly number[]; weightDecay: number }): void {
  checkNonNegative(rule, 'lr', g.lr);
  checkNonNegative(rule, 'eps', g.eps);
  checkBetas(rule, g.betas);
  checkNonNegative(rule, 'weightDecay', g.weightDecay);
}

export function checkBetas(rule: string, betas: readonly number[]): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new Error(`${rule}: betas must be a pair [beta1, beta2], got ${String(betas)}`);
  checkInRange(rule, 'betas[0]', betas[0], 0, 1);
  checkInRange(rule, 'betas[1]', betas[1], 0, 1);
}
