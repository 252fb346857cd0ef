import { type DType, type TypedArray, castArray, dtypeOfArray, isFloating } from './dtype.js';
import { type Shape, formatShape, shapesEqual, sizeOf } from './shape.js';
import { type Device, type Ownership, type Storage, defaultDevice } from './storage.js';

/** A node of the autograd graph: how to turn the gradient of an output into gradients of its inputs. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Null once the graph has been freed by a backward pass without `retainGraph`. */
  backward: ((grad: Tensor) => readonly (Tensor | null)[]) | null;
  /** Tensors the backward reads, with their versions when recorded (changed in place = error). */
  readonly saved?: readonly Tensor[];
  readonly savedVersions?: readonly number[];
  /** @internal Intermediates of library code that only this graph holds (autograd/scope.ts). */
  owned?: Ownership[];
}

export type GradHook = (grad: Tensor) => Tensor | void;

/**
 * An n-dimensional array with an element type and, optionally, a place in the autograd graph.
 * Its elements live in a Storage of its backend (js, wasm, ...), contiguous and row-major;
 * `reshape`/`view` share it, other shape ops copy. Elements are read with item(), toArray(), dataSync()
 * or `await data()` and changed through ops. Ops are installed as methods by the ops layer (ops/methods.ts).
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal The elements, owned by the backend; replaced only by module.to() and loadStateDict-like moves. */
  storage: Storage;
  /**
   * The gradient accumulated by backward. Assigning one of another shape, dtype or backend is refused, as in
   * PyTorch (backward adds into it in place).
   */
  get grad(): Tensor | null {
    const g = this._grad;
    if (g !== null) seenGrads.add(g);
    return g;
  }
  set grad(value: Tensor | null) {
    if (value !== null) checkAssignedGrad(this, value);
    const old = this._grad;
    this._grad = value;
    if (old !== null && old !== value && backwardGrads.has(old) && !seenGrads.has(old)) releaseGrad(old);
  }

  /** @internal The gradient, read by library code without handing it to user code (see setGradFromBackward). */
  peekGrad(): Tensor | null {
    return this._grad;
  }

  /**
   * @internal Sets a gradient that backward made for this tensor alone. When it is dropped (zeroGrad) or
   * replaced without user code ever having read `.grad`, nothing else can hold it, so its storage is released
   * at once: in a synchronous training loop the gradients of the last step need not wait for finalizers.
   */
  setGradFromBackward(g: Tensor): void {
    this.grad = g;
    backwardGrads.add(g);
  }
  private _grad: Tensor | null = null;
  gradFn: GradFn | null = null;
  /**
   * Bumped by in-place ops so that backward can detect a saved tensor that changed. Views of the same
   * storage (reshape, view, detach) share it, as torch's version counter, so a change through any of them counts.
   */
  get version(): number {
    return this.sharedVersion === null ? this.ownVersion : this.sharedVersion.value;
  }
  set version(value: number) {
    if (this.sharedVersion === null) this.ownVersion = value;
    else this.sharedVersion.value = value;
  }
  private ownVersion = 0;
  // allocated only once a view exists, so plain tensors pay nothing
  private sharedVersion: { value: number } | null = null;
  hooks: GradHook[] | null = null;
  retainsGrad = false;
  /** @internal Engine scratch: the gradient being summed for this tensor during a backward pass. */
  pendingGrad: Tensor | null = null;
  /** @internal Engine scratch: the number of the backward pass that last visited this tensor. */
  visitMark = 0;
  private _requiresGrad = false;

  /** @internal Tensors are made by creation functions (tensor, zeros, ...) and ops. */
  constructor(storage: Storage, shape: Shape) {
    if (storage.length !== sizeOf(shape)) {
      throw new Error(`Tensor: storage has ${storage.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
    }
    this.storage = storage;
    this.shape = shape as readonly number[];
    this.dtype = storage.dtype;
  }

  /** @internal A tensor holding a copy of `data` (converted to `dtype`) on `device` (default: the current backend). */
  static fromArray(data: TypedArray, shape: Shape, dtype: DType, device: Device = defaultDevice()): Tensor {
    return new Tensor(device.fromArray(dtypeOfArray(data) === dtype ? data : castArray(data, dtype), dtype), shape);
  }

  /** The backend that holds this tensor's elements and runs its ops ('js', 'wasm', ...). */
  get device(): string {
    return this.storage.device.name;
  }


  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloating(this.dtype)) {
      throw new Error(`requiresGrad: only floating point tensors can require gradients, got dtype ${this.dtype}`);
    }
    if (!value && this.gradFn) {
      throw new Error('requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    }
    this._requiresGrad = value;
  }

  /** Sets requiresGrad in place and returns this tensor, like torch's requires_grad_(). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /**
   * A tensor of `shape` over this one's storage and version counter, outside the graph (what reshape,
   * view and detach build on).
   * @example const flat = x.viewAs([x.numel]); // flat shares x's storage
   */
  viewAs(shape: Shape): Tensor {
    const view = new Tensor(this.storage, shape);
    this.sharedVersion ??= { value: this.ownVersion };
    view.sharedVersion = this.sharedVersion;
    return view;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get numel(): number {
    return this.storage.length;
  }

  /** Size of one dimension, or the whole shape, like torch's size(). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    const n = this.shape.length;
    if (!Number.isInteger(dim) || dim < -n || dim >= n) {
      throw new Error(`size: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    }
    return this.shape[dim < 0 ? dim + n : dim];
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) {
      throw new Error(`item: a Tensor with ${this.numel} elements cannot be converted to a number (shape ${formatShape(this.shape)})`);
    }
    return this.storage.device.read(this.storage)[0];
  }

  /** The elements as nested arrays (a number for a 0-d tensor); bools as true/false. */
  toArray(): NestedArray {
    const data = this.storage.device.read(this.storage);
    const isBool = this.dtype === 'bool';
    const at = (i: number) => (isBool ? data[i] !== 0 : data[i]);
    if (this.shape.length === 0) return at(0);
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const out: NestedArray[] = new Array(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = at(offset + i);
      } else {
        const stride = sizeOf(this.shape.slice(dim + 1));
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  /**
   * A copy of the elements as a flat typed array of the tensor's dtype (Float32Array, Float64Array,
   * Int32Array, or Uint8Array for bool), read synchronously; a backend that can only read asynchronously
   * (a GPU) throws, and `await t.data()` works everywhere.
   * @example tensor([[1, 2], [3, 4]]).dataSync() // Float32Array [1, 2, 3, 4]
   */
  dataSync(): TypedArray {
    return this.storage.device.read(this.storage);
  }

  /**
   * A copy of the elements as a flat typed array, read asynchronously: the read every backend supports.
   * @example const values = await loss.data();
   */
  data(): Promise<TypedArray> {
    return this.storage.device.readAsync(this.storage);
  }

  /** Records `hook`, called with this tensor's gradient during backward; it may return a replacement. */
  registerHook(hook: GradHook): { remove(): void } {
    if (!this.requiresGrad) throw new Error("registerHook: cannot register a hook on a tensor that doesn't require gradient");
    (this.hooks ??= []).push(hook);
    return {
      remove: () => {
        const i = this.hooks?.indexOf(hook) ?? -1;
        if (i >= 0) this.hooks!.splice(i, 1);
      },
    };
  }

  /** Keeps `.grad` on a non-leaf tensor after backward, like torch's retain_grad(). */
  retainGrad(): void {
    if (!this.requiresGrad) throw new Error("retainGrad: can't retain the gradient of a tensor that doesn't require grad");
    if (!this.isLeaf) this.retainsGrad = true;
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }
}

export type NestedArray = number | boolean | NestedArray[];

// Gradients backward made (see setGradFromBackward), and the ones user code has read through `.grad`.
const backwardGrads = new WeakSet<Tensor>();
const seenGrads = new WeakSet<Tensor>();

/** @internal Marks a gradient as seen by user code (library code that hands `peekGrad()` to user code calls it). */
export function exposeGrad(g: Tensor): void {
  seenGrads.add(g);
}

function releaseGrad(g: Tensor): void {
  // a SparseTensor's entries are tensors of their own (tensor/sparse.ts)
  const sparse = g as Partial<Record<'rawIndices' | 'rawValues', Tensor>>;
  for (const t of sparse.rawValues ? [sparse.rawIndices!, sparse.rawValues] : [g]) t.storage.device.release(t.storage);
}

function checkAssignedGrad(t: Tensor, g: unknown): void {
  if (!(g instanceof Tensor)) {
    throw new TypeError(`assigned grad expected to be a Tensor or null, got ${Array.isArray(g) ? 'an array' : typeof g}`);
  }
  if (!shapesEqual(g.shape, t.shape)) {
    throw new Error(`assigned grad has data of a different size: the tensor has shape ${formatShape(t.shape)}, the grad ${formatShape(g.shape)}`);
  }
  if (g.dtype !== t.dtype) throw new Error(`assigned grad has data of a different type: the tensor is ${t.dtype}, the grad ${g.dtype}`);
  // a SparseTensor's entries hold its backend (tensor/sparse.ts)
  const device = 'rawValues' in g ? (g.rawValues as Tensor).storage.device : g.storage.device;
  if (device !== t.storage.device) {
    throw new Error(`assigned grad is on backend '${device.name}' but the tensor is on '${t.device}'`);
  }
}

function formatNumber(x: number, dtype: DType, decimals: number): string {
  if (dtype === 'bool') return x ? 'True' : 'False';
  if (dtype === 'int32') return String(x);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && decimals === 0) return `${x}.`;
  return x.toFixed(decimals);
}

function formatTensor(t: Tensor): string {
  // values on a device that reads only asynchronously (a GPU) are not printed: print `await t.data()`
  if (t.storage.device.readsSync === false) return `tensor(<${t.device}: await t.data()>, size=${formatShape(t.shape)}, dtype=${t.dtype})`;
  const data = t.storage.device.read(t.storage);
  const floating = isFloating(t.dtype);
  let decimals = 0;
  let scientific = false;
  if (floating) {
    let maxAbs = 0;
    let minAbs = Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) continue;
      if (!Number.isInteger(v)) decimals = 4;
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
      if (a > 0 && a < minAbs) minAbs = a;
    }
    scientific = maxAbs >= 1e8 || (decimals > 0 && minAbs < 1e-4) || (maxAbs / minAbs > 1000 && decimals > 0);
  }
  const fmt = (v: number) => (scientific && Number.isFinite(v) ? v.toExponential(4) : formatNumber(v, t.dtype, decimals));
  const summarize = data.length > 1000;
  const body = (dim: number, offset: number, indent: string): string => {
    if (t.shape.length === 0) return fmt(data[0]);
    const n = t.shape[dim];
    const stride = sizeOf(t.shape.slice(dim + 1));
    const indices = summarize && n > 6 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
    const parts = indices.map((i) => (i < 0 ? '...' : dim === t.shape.length - 1 ? fmt(data[offset + i]) : body(dim + 1, offset + i * stride, indent + ' ')));
    const sep = dim === t.shape.length - 1 ? ', ' : ',' + '\n'.repeat(t.shape.length - 1 - dim) + indent + ' ';
    return `[${parts.join(sep)}]`;
  };
  const extras: string[] = [];
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') extras.push(`dtype=${t.dtype}`);
  if (t.dtype === 'int32') extras.push('dtype=int32');
  if (data.length === 0) extras.push(`size=${formatShape(t.shape)}`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body(0, 0, '       ')}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
