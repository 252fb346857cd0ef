import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

type Slots = Record<string, Module | undefined>;

function checkModule(container: string, m: unknown, where: string): Module {
  if (!(m instanceof Module)) throw new Error(`${container}: ${where} is not a Module (got ${m === null ? 'null' : typeof m})`);
  return m;
}

/**
 * A container that remembers the order its modules were added in (JavaScript enumerates integer-like
 * keys before all others, which would reorder a mix of named and appended modules). Its keys are names
 * given by the user, so they are used verbatim, as PyTorch does, not converted to snake_case.
 */
abstract class OrderedContainer<Args extends unknown[], Out> extends Module<Args, Out> {
  declare private keyOrder: string[];

  constructor() {
    super();
    Object.defineProperty(this, 'keyOrder', { value: [], writable: true, enumerable: false });
  }

  protected put(key: string, module: Module): void {
    if (!this.keyOrder.includes(key)) this.keyOrder.push(key);
    (this as unknown as Slots)[key] = module;
  }

  protected remove(key: string): boolean {
    if (!this.keyOrder.includes(key)) return false;
    this.keyOrder = this.keyOrder.filter((k) => k !== key);
    return delete (this as unknown as Slots)[key];
  }

  override *namedChildren(): Generator<[string, Module]> {
    for (const k of this.keyOrder) {
      const m = (this as unknown as Slots)[k];
      if (m instanceof Module) yield [k, m];
    }
  }
}

/**
 * Runs its modules in order, each on the previous one's output, as torch.nn.Sequential. Children are named
 * '0', '1', ... (state dict keys '0.weight'), or by the keys of an object given instead.
 * @example const net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1)); net(randn([2, 4])).shape // [2, 1]
 */
export class Sequential extends OrderedContainer<[Tensor], Tensor> {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    if (modules.length === 1 && !(modules[0] instanceof Module) && typeof modules[0] === 'object') {
      for (const [k, m] of Object.entries(modules[0] as Record<string, Module>)) this.put(k, checkModule('Sequential', m, `entry '${k}'`));
    } else {
      (modules as Module[]).forEach((m, i) => this.put(String(i), checkModule('Sequential', m, `argument ${i}`)));
    }
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this.children()) x = m(x);
    return x;
  }

  /** Adds a module at the end. @example net.append(new Softmax(-1)) */
  append(module: Module): this {
    this.put(String(this.length), checkModule('Sequential.append', module, 'the argument'));
    return this;
  }

  override get length(): number {
    return [...this.children()].length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const kids = [...this.children()];
    const m = kids[i < 0 ? i + kids.length : i];
    if (!m) throw new Error(`Sequential.at: index ${i} is out of range for ${kids.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/**
 * A list of modules whose parameters are registered ('0.weight', '1.weight', ...), as torch.nn.ModuleList;
 * it has no forward of its own.
 * @example const blocks = new ModuleList([new Linear(4, 4), new Linear(4, 4)]); for (const b of blocks) x = b(x);
 */
export class ModuleList extends Module<never[], never> {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  forward(): never {
    throw new Error('ModuleList: has no forward; iterate over it and call its modules');
  }

  override get length(): number {
    return [...this.children()].length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const n = this.length;
    const m = (this as unknown as Slots)[String(i < 0 ? i + n : i)];
    if (!m) throw new Error(`ModuleList.at: index ${i} is out of range for ${n} modules`);
    return m;
  }

  append(module: Module): this {
    (this as unknown as Slots)[String(this.length)] = checkModule('ModuleList.append', module, 'the argument');
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts before index `i`, shifting the later modules up. */
  insert(i: number, module: Module): this {
    const kids = [...this.children()];
    const at = i < 0 ? i + kids.length : i;
    kids.splice(at, 0, checkModule('ModuleList.insert', module, 'the argument'));
    kids.forEach((m, k) => ((this as unknown as Slots)[String(k)] = m));
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/**
 * Modules by name, registered under those names ('encoder.weight'), in insertion order, as torch.nn.ModuleDict.
 * @example const heads = new ModuleDict({ cls: new Linear(8, 3), reg: new Linear(8, 1) }); heads.get('cls')
 */
export class ModuleDict extends OrderedContainer<never[], never> {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  forward(): never {
    throw new Error('ModuleDict: has no forward; get a module by name and call it');
  }

  get(key: string): Module {
    const m = (this as unknown as Slots)[key];
    if (!(m instanceof Module)) throw new Error(`ModuleDict: no module named '${key}' (have: ${this.keys().join(', ')})`);
    return m;
  }

  set(key: string, module: Module): this {
    if (key in Module.prototype || key in this && !((this as unknown as Slots)[key] instanceof Module)) {
      throw new Error(`ModuleDict.set: '${key}' clashes with a Module attribute`);
    }
    this.put(key, checkModule('ModuleDict.set', module, `'${key}'`));
    return this;
  }

  has(key: string): boolean {
    return (this as unknown as Slots)[key] instanceof Module;
  }

  delete(key: string): boolean {
    return this.remove(key);
  }

  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }

  values(): Module[] {
    return [...this.children()];
  }

  entries(): [string, Module][] {
    return [...this.namedChildren()];
  }
}

/**
 * x + fn(x): the residual (skip) connection that keeps gradients healthy in deep networks. `fn` is a
 * module (registered under 'fn', so its keys are 'fn.0.weight', ...) or a plain function.
 * @example const block = new Residual(new Sequential(new Linear(16, 16), new ReLU())); block(randn([2, 16])).shape // [2, 16]
 */
export class Residual extends Module<[Tensor], Tensor> {
  fn: Module<[Tensor], Tensor> | ((x: Tensor) => Tensor);

  constructor(fn: Module<[Tensor], Tensor> | ((x: Tensor) => Tensor)) {
    super();
    if (typeof fn !== 'function') throw new Error(`Residual: expected a Module or a function, got ${typeof fn}`);
    this.fn = fn;
  }

  forward(input: Tensor): Tensor {
    return input.add(this.fn(input)); // a method, which an exporter's tracer sees (ops/trace.ts)
  }
}
