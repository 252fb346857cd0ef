import { Tensor } from '../tensor/tensor.js';
import { type DType, type TypedArray, isDType, isFloating } from '../tensor/dtype.js';
import { type Device, deviceNamed } from '../tensor/storage.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { cast } from '../ops/elementwise.js';
import { zeros } from '../tensor/creation.js';
import { inScope, scoped } from '../autograd/scope.js';
import { Parameter } from './parameter.js';
import { SparseTensor } from '../tensor/sparse.js';

// Output shapes for summary(): a tensor's shape, or the shapes inside arrays and objects.
function describeOutput(out: unknown): string {
  if (out instanceof Tensor) return formatShape(out.shape);
  if (Array.isArray(out)) return out.map(describeOutput).join(', ');
  if (out && typeof out === 'object') return Object.values(out).map(describeOutput).join(', ');
  return String(out);
}

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** camelCase field names become PyTorch's snake_case keys: runningMean -> running_mean. */
export function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

// Field names that hold Module machinery, never submodules or tensors.
const INTERNAL = new Set(['training', 'bufferNames', 'nonPersistent', 'forwardPreHooks', 'forwardHooks']);

/** Runs before forward; may return replacement arguments. */
export type ForwardPreHook<Args extends unknown[] = any[]> = (module: Module, args: Args) => Args | void;
/** Runs after forward; may return a replacement output. */
export type ForwardHook<Args extends unknown[] = any[], Out = any> = (module: Module, args: Args, output: Out) => Out | void;

/** What registering a hook returns: `remove()` unregisters it. */
export interface RemovableHandle {
  remove(): void;
}

// The forward methods of the library's own layers, and library functions layers hold as fields (a
// Transformer's activation): a module tree made only of these runs no user code (see isLibraryCode).
const libraryCode = new WeakSet<object>();

/** @internal Marks layer classes (their forward) and functions as the library's own. */
export function markLibraryCode(...items: object[]): void {
  for (const item of items) libraryCode.add((item as { prototype?: { forward?: object } }).prototype?.forward ?? item);
}

let nextHookId = 0;
function addHook<H>(hooks: Map<number, H>, hook: H): RemovableHandle {
  const id = nextHookId++;
  hooks.set(id, hook);
  return { remove: () => void hooks.delete(id) };
}

// Calling a module runs forward: modules are functions whose prototype is the module class.
export interface Module<Args extends unknown[] = any[], Out = any> {
  (...args: Args): Out;
}

/**
 * Base class of every layer and model, like torch.nn.Module. Parameters, buffers and submodules are found
 * by walking the module's fields in the order they were assigned, so `this.fc = new Linear(4, 2)` is all it
 * takes to register one. Modules are callable: `model(x)` runs `forward(x)`.
 * @example
 * class Net extends Module<[Tensor], Tensor> {
 *   fc1 = new Linear(784, 128);
 *   fc2 = new Linear(128, 10);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 */
export abstract class Module<Args extends unknown[] = any[], Out = any> {
  // Declared, not initialized: a base-class field initializer would land on the discarded `this`, not on
  // the callable returned by the constructor; they are set there, non-enumerable, instead.
  declare training: boolean;
  declare protected bufferNames: Set<string>;
  declare protected nonPersistent: Set<string>;
  // stored type-erased: a Module<[Tensor]> must still be usable as a Module<any[]>
  declare private forwardPreHooks: Map<number, ForwardPreHook>;
  declare private forwardHooks: Map<number, ForwardHook>;

  constructor() {
    const self = ((...args: Args) => self.runWithHooks(args)) as unknown as this;
    // functions own 'name' and 'length'; layers may want those as fields
    delete (self as { name?: unknown }).name;
    delete (self as { length?: unknown }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    const internal = (key: string, value: unknown) => Object.defineProperty(self, key, { value, writable: true, enumerable: false, configurable: true });
    internal('training', true);
    internal('bufferNames', new Set<string>());
    internal('nonPersistent', new Set<string>());
    internal('forwardPreHooks', new Map());
    internal('forwardHooks', new Map());
    return self;
  }

  abstract forward(...args: Args): Out;

  // What calling the module does: pre-hooks, forward, hooks (as torch's Module.__call__). A module tree that
  // runs only library code is scoped: its intermediates go with the graph of its output (autograd/scope.ts).
  private runWithHooks(args: Args): Out {
    let input = args;
    for (const hook of this.forwardPreHooks.values()) {
      const replaced = hook(this, input);
      if (replaced !== undefined) input = replaced as Args;
    }
    let output = !inScope() && this.isLibraryCode() ? scoped(() => this.forward(...input)) : this.forward(...input);
    for (const hook of this.forwardHooks.values()) {
      const replaced = hook(this, input, output);
      if (replaced !== undefined) output = replaced as Out;
    }
    return output;
  }

  /**
   * @internal Whether calling this module runs only the library's code: its forward and every submodule's
   * are the library's own, no hooks are registered, and no field holds a user function.
   */
  isLibraryCode(): boolean {
    if (this.forwardPreHooks.size > 0 || this.forwardHooks.size > 0 || !libraryCode.has(this.forward)) return false;
    for (const [, v] of this.fields()) {
      if (v instanceof Module) {
        if (!v.isLibraryCode()) return false;
      } else if (typeof v === 'function' && !libraryCode.has(v)) return false;
    }
    return true;
  }

  /**
   * Registers `hook(module, args)`, run before every forward; returning new args replaces them.
   * @example const h = model.registerForwardPreHook((m, [x]) => console.log(x.shape)); h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<Args>): RemovableHandle {
    return addHook(this.forwardPreHooks, hook as unknown as ForwardPreHook);
  }

  /**
   * Registers `hook(module, args, output)`, run after every forward; returning a value replaces the output.
   * @example const h = layer.registerForwardHook((m, args, out) => { acts.push(out); }); h.remove();
   */
  registerForwardHook(hook: ForwardHook<Args, Out>): RemovableHandle {
    return addHook(this.forwardHooks, hook as unknown as ForwardHook);
  }

  /**
   * Registers a tensor that is state but not a parameter (running statistics); persistent ones go in
   * stateDict. Returns the tensor, so a typed field needs no `declare`:
   * @example
   * class Scale extends Module<[Tensor], Tensor> {
   *   factor: Tensor;
   *   constructor(n: number) { super(); this.factor = this.registerBuffer('factor', ones([n])); }
   *   forward(x: Tensor) { return x.mul(this.factor); }
   * }
   */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, persistent = true): T {
    this.bufferNames.add(name);
    if (!persistent) this.nonPersistent.add(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
    return tensor;
  }

  /** Registers a parameter under a computed name (fields register themselves). */
  registerParameter(name: string, param: Parameter | null): void {
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  registerModule(name: string, module: Module | null): void {
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  private fields(): [string, unknown][] {
    return Object.entries(this).filter(([k]) => !INTERNAL.has(k));
  }

  /** Direct submodules with their key names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.fields()) {
      if (v instanceof Module) yield [toSnakeCase(k), v];
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all below it, depth first, each once. */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted PyTorch-style names ('0.weight', 'conv1.bias'), each once. */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modName, mod] of mods) {
      for (const [k, v] of mod.fields()) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          yield [modName ? `${modName}.${toSnakeCase(k)}` : toSnakeCase(k), v];
        }
      }
    }
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modName, mod] of mods) {
      for (const name of mod.bufferNames) {
        const v = (mod as unknown as Record<string, unknown>)[name];
        if (v instanceof Tensor) yield [modName ? `${modName}.${toSnakeCase(name)}` : toSnakeCase(name), v];
      }
    }
  }

  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  /**
   * The submodule at a dotted path ('head.1'), as torch's get_submodule; '' is this module.
   * @example model.getSubmodule('head.1')
   */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    for (const [name, m] of this.namedModules()) if (name === target) return m;
    throw new Error(`getSubmodule: ${this.constructor.name} has no submodule '${target}' (have: ${[...this.namedModules()].map(([n]) => n).filter(Boolean).join(', ')})`);
  }

  /**
   * Sets requiresGrad on every parameter (false freezes the module), as torch's requires_grad_.
   * @example backbone.requiresGrad_(false)
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Total number of elements in the parameters (only trainable ones when asked). */
  numParameters(onlyTrainable = false): number {
    let n = 0;
    for (const p of this.parameters()) if (!onlyTrainable || p.requiresGrad) n += p.numel;
    return n;
  }

  /** Sets training mode on this module and all below (Dropout and BatchNorm read it). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears gradients: sets them to null (default, as PyTorch 2) or zeros them in place. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      const grad = p.peekGrad();
      if (grad === null) continue;
      if (setToNone) p.grad = null;
      else if (grad instanceof SparseTensor) grad.zero_(); // no entries left, as torch
      else noGrad(() => grad.zero_());
    }
  }

  /** Calls `fn` on every submodule then this one (e.g. custom initialization). */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Moves every parameter and buffer to backend `target` ('js', 'wasm', ...) in place, as torch's
   * module.to(device): the same Parameter objects, so optimizers built before still work. Or converts the
   * floating point ones to dtype `target`: parameters are then replaced, so build optimizers afterwards.
   * @example model.to('js'); model.to('float64');
   */
  to(target: DType | string): this {
    if (!isDType(target)) {
      const device = deviceNamed(target, 'Module.to');
      for (const m of this.modules()) m.moveOwnTensors(device);
      return this;
    }
    const dtype = target;
    if (!isFloating(dtype)) throw new Error(`Module.to: only floating point dtypes are allowed, got ${dtype}`);
    for (const m of this.modules()) {
      for (const [k, v] of m.fields()) {
        if (!(v instanceof Tensor) || !isFloating(v.dtype) || v.dtype === dtype) continue;
        const converted = noGrad(() => cast(v, dtype));
        const rec = m as unknown as Record<string, unknown>;
        rec[k] = v instanceof Parameter ? new Parameter(converted, v.requiresGrad) : converted;
      }
    }
    return this;
  }

  /**
   * module.to(device) from any device, a GPU included: the values are read with `await t.data()` first,
   * then moved in place as `to` moves them (the same Parameter objects).
   * @example await model.toAsync('wasm'); // back from the GPU, e.g. to save or export it
   */
  async toAsync(device: string): Promise<this> {
    const target = deviceNamed(device, 'Module.toAsync');
    const values = new Map<Tensor, TypedArray>();
    for (const m of this.modules()) {
      for (const t of m.ownTensors()) if (t.storage.device !== target) values.set(t, await t.data());
    }
    for (const m of this.modules()) m.moveOwnTensors(target, (t) => values.get(t) ?? t.dataSync());
    return this;
  }

  // This module's own parameters, buffers and their gradients (not its submodules').
  private *ownTensors(): Generator<Tensor> {
    for (const [, v] of this.fields()) {
      if (!(v instanceof Tensor)) continue;
      yield v;
      const grad = v.peekGrad();
      if (grad) yield grad;
    }
  }

  /** Moves this module's own tensors (ownTensors) to `device` in place, their values from `read`. */
  protected moveOwnTensors(device: Device, read: (t: Tensor) => TypedArray = (t) => t.dataSync()): void {
    for (const t of this.ownTensors()) {
      if (t.storage.device === device) continue;
      t.storage = device.fromArray(read(t), t.dtype);
      t.version++;
    }
  }

  double(): this {
    return this.to('float64');
  }

  float(): this {
    return this.to('float32');
  }

  /** Parameters and persistent buffers by PyTorch key ('conv1.weight', 'bn.running_mean'); the tensors are shared, not copied. */
  stateDict(): StateDict {
    // module by module, parameters then buffers, as PyTorch orders its keys
    const out: StateDict = {};
    for (const [modName, mod] of this.namedModules()) {
      for (const [k, v] of mod.fields()) {
        if (v instanceof Parameter) out[modName ? `${modName}.${toSnakeCase(k)}` : toSnakeCase(k)] = v;
      }
      for (const name of mod.bufferNames) {
        const v = (mod as unknown as Record<string, unknown>)[name];
        if (v instanceof Tensor && !mod.nonPersistent.has(name)) out[modName ? `${modName}.${toSnakeCase(name)}` : toSnakeCase(name)] = v;
      }
    }
    return out;
  }

  /**
   * Copies values from `stateDict` into this module's parameters and buffers. With `strict` (default),
   * missing or unexpected keys are an error that lists them; a shape mismatch is always an error.
   */
  loadStateDict(stateDict: StateDict, { strict = true }: { strict?: boolean } = {}): LoadStateDictResult {
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
    const mismatched = Object.keys(own)
      .filter((k) => k in stateDict && !shapesEqual(own[k].shape, stateDict[k].shape))
      .map((k) => `${k}: expected ${formatShape(own[k].shape)}, got ${formatShape(stateDict[k].shape)}`);
    const problems: string[] = [];
    if (mismatched.length) problems.push(`size mismatch for ${mismatched.join('; ')}`);
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (problems.length) throw new Error(`loadStateDict: error(s) in loading state dict for ${this.constructor.name}: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        if (!(k in stateDict)) continue;
        const src = stateDict[k];
        t.copy_(src.to(t.device));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * A Keras-like table of the layers a forward pass goes through: name (indented by depth), type, output
   * shape and own parameter count, with totals. Runs forward once on zeros of `inputShape` (one shape per
   * argument, or one shape) in eval mode under noGrad, so running statistics are left untouched.
   * @example console.log(model.summary([1, 1, 28, 28]));
   */
  summary(inputShape: readonly number[] | readonly (readonly number[])[], { dtype = 'float32' }: { dtype?: DType } = {}): string {
    const shapes = (inputShape.length > 0 && Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as readonly (readonly number[])[];
    const rows: { name: string; type: string; output: string; params: number }[] = [];
    const handles: RemovableHandle[] = [];
    const modes = new Map<Module, boolean>();
    const isLeaf = [...this.children()].length === 0;
    for (const [name, m] of this.namedModules()) {
      modes.set(m, m.training);
      if (m === this && !isLeaf) continue; // a lone layer is its own only row
      const depth = m === this ? 0 : name.split('.').length - 1;
      const params = [...m.parameters(false)].reduce((n, p) => n + p.numel, 0);
      let row: (typeof rows)[number] | undefined;
      handles.push(m.registerForwardPreHook(() => {
        row = { name: '  '.repeat(depth) + (name || '(self)'), type: m.constructor.name, output: '', params };
        rows.push(row);
      }));
      handles.push(m.registerForwardHook((_m, _args, out) => {
        if (row) row.output = describeOutput(out);
      }));
    }
    try {
      this.eval();
      noGrad(() => (this as unknown as (...a: Tensor[]) => unknown)(...shapes.map((s) => zeros([...s], { dtype }))));
    } finally {
      handles.forEach((h) => h.remove());
      for (const [m, mode] of modes) m.training = mode;
    }
    const total = this.numParameters();
    const trainable = this.numParameters(true);
    const header = { name: 'Layer', type: 'Type', output: 'Output shape', params: 'Params' };
    const table = [header, ...rows.map((r) => ({ ...r, params: r.params.toLocaleString('en-US') }))];
    const width = (k: 'name' | 'type' | 'output' | 'params') => Math.max(...table.map((r) => r[k].length));
    const [wn, wt, wo, wp] = [width('name'), width('type'), width('output'), width('params')];
    const line = (r: (typeof table)[number]) => `${r.name.padEnd(wn)}  ${r.type.padEnd(wt)}  ${r.output.padEnd(wo)}  ${r.params.padStart(wp)}`;
    const rule = '-'.repeat(wn + wt + wo + wp + 6);
    return [
      `${this.constructor.name} (input ${shapes.map((s) => formatShape(s)).join(', ')})`,
      rule, line(header), rule, ...table.slice(1).map(line), rule,
      `Total params: ${total.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
    ].join('\n');
  }

  /** Extra text shown inside this module's parentheses by toString (e.g. 'in=4, out=2'). */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const kids = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

// Gives `t` a copy of its elements on `device` (views made before keep the old storage, as in PyTorch).
