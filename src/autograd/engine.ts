import type { Backend } from '../backend/backend.js';
import { type GradFn, Tensor } from '../tensor/tensor.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { type Storage, withAllocationLog } from '../tensor/storage.js';
import { isGradEnabled, noGrad, enableGrad } from './grad-mode.js';
import { record } from './record.js';
import { releaseOwned } from './scope.js';
import { SparseTensor } from '../tensor/sparse.js';
import { addWithSparse, copySparse } from './sparse-grad.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. Defaults to createGraph. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for gradients of gradients. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (required for non-scalar outputs). */
  gradOutputs?: Tensor | readonly (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on, instead of an error. */
  allowUnused?: boolean;
}

const backendOf = (t: Tensor) => t.storage.device as Backend;

// The storages a gradient holds: its own, and a sparse gradient's indices and values.
function storagesOf(g: Tensor): Storage[] {
  return g instanceof SparseTensor ? [g.storage, g.rawIndices.storage, g.rawValues.storage] : [g.storage];
}

function checkSameBackend(a: Tensor, b: Tensor, what: string): void {
  const device = b instanceof SparseTensor ? b.rawValues.storage.device : b.storage.device;
  if (a.storage.device !== device) {
    throw new Error(`${what}: the gradient is on backend '${device.name}' but the tensor is on '${a.device}'`);
  }
}

// Differentiable sum of two same-shaped gradients; the engine's only arithmetic.
function addGrads(a: Tensor, b: Tensor): Tensor {
  const withSparse = addWithSparse(a, b);
  if (withSparse) return withSparse;
  const device = backendOf(a);
  const out = new Tensor(device.empty(a.dtype, a.numel), a.shape);
  device.binary('add', a.storage, a.shape, b.storage, b.shape, out.storage, out.shape);
  return record(out, 'AddBackward', [a, b], (g) => [g, g]);
}

// Gradients take their input's dtype, as torch's engine casts them (float32 x + float64 y gives x a float32 grad).
function castGrad(g: Tensor, t: Tensor): Tensor {
  if (g.dtype === t.dtype) return g;
  if (g instanceof SparseTensor) return new SparseTensor(g.rawIndices, castGrad(g.rawValues, t), g.shape, g.coalesced);
  const device = backendOf(g);
  const out = new Tensor(device.empty(t.dtype, g.numel), g.shape);
  device.cast(g.storage, out.storage);
  return record(out, 'ToCopyBackward', [g], (gg) => [castGrad(gg, g)]);
}

function onesFor(t: Tensor): Tensor {
  const device = backendOf(t);
  const storage = device.empty(t.dtype, t.numel);
  device.fill(storage, 1);
  return new Tensor(storage, t.shape);
}

function detached(t: Tensor): Tensor {
  if (t instanceof SparseTensor) return t; // never recorded in a graph
  return new Tensor(t.storage, t.shape);
}

let pass = 0;

/** Tensors reachable from `roots` through gradFn edges, each after all tensors that depend on it. */
function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const mark = ++pass;
  const order: Tensor[] = [];
  // iterative DFS (deep graphs such as long RNN unrolls must not overflow the stack); a tensor is
  // visited once per pass, tracked by a mark on the tensor rather than a Set
  const nodes: Tensor[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (root.visitMark === mark) continue;
    root.visitMark = mark;
    nodes.push(root);
    next.push(0);
    while (nodes.length) {
      const top = nodes.length - 1;
      const t = nodes[top];
      const inputs = t.gradFn === null ? EMPTY : t.gradFn.inputs;
      if (next[top] < inputs.length) {
        const input = inputs[next[top]++];
        if (input.requiresGrad && input.visitMark !== mark) {
          input.visitMark = mark;
          nodes.push(input);
          next.push(0);
        }
      } else {
        order.push(t);
        nodes.pop();
        next.pop();
      }
    }
  }
  return order.reverse();
}

const EMPTY: readonly Tensor[] = [];

function checkSaved(fn: GradFn): void {
  const saved = fn.saved!;
  for (let i = 0; i < saved.length; i++) {
    if (saved[i].version !== fn.savedVersions![i]) {
      throw new Error(
        `${fn.name}: a tensor needed for gradient computation (shape ${formatShape(saved[i].shape)}) was modified by an in-place operation after it was used`,
      );
    }
  }
}

function checkGradShape(t: Tensor, g: Tensor, what: string): void {
  if (!shapesEqual(t.shape, g.shape)) {
    throw new Error(`${what}: gradient has shape ${formatShape(g.shape)} but the tensor has shape ${formatShape(t.shape)}`);
  }
  checkSameBackend(t, g, what);
}

function defaultGrad(t: Tensor, gradient: Tensor | null | undefined, what: string): Tensor {
  if (gradient) {
    checkGradShape(t, gradient, what);
    return gradient;
  }
  if (t.numel !== 1) {
    throw new Error(`${what}: grad can be implicitly created only for scalar outputs (got shape ${formatShape(t.shape)}); pass a gradient of that shape`);
  }
  return onesFor(t);
}

/**
 * The lifetimes of the gradients one backward pass makes. A gradient is consumed once it has been passed
 * on (to its node's backward function, or summed into another): its storage is released at once when the
 * pass created it, no pending gradient shares it, and no hook, `.grad` or caller received it. Memory on
 * backends outside the JS heap (wasm) then comes back within the step, without waiting for finalizers.
 * Nothing is released when the pass records a graph (createGraph): its gradients are graph nodes.
 */
class GradientLifetimes {
  private readonly pending = new Map<Storage, number>();
  private readonly kept = new Set<Storage>();
  constructor(private readonly created: Set<Storage> | null) {}

  /** A pending gradient now refers to `g`'s storage. */
  hold(g: Tensor): void {
    for (const s of storagesOf(g)) this.pending.set(s, (this.pending.get(s) ?? 0) + 1);
  }

  /** A pending gradient referring to `g`'s storage has been taken. */
  drop(g: Tensor): void {
    for (const s of storagesOf(g)) {
      const n = this.pending.get(s)! - 1;
      if (n === 0) this.pending.delete(s);
      else this.pending.set(s, n);
    }
  }

  /** Something outside the pass (a hook, `.grad`, the caller of grad()) holds `g`: never release it. */
  keep(g: Tensor): void {
    for (const s of storagesOf(g)) this.kept.add(s);
  }

  /** Whether `storage` was made by this pass and nothing holds it. */
  isDead(storage: Storage): boolean {
    return this.created !== null && this.created.has(storage) && !this.pending.has(storage) && !this.kept.has(storage);
  }

  /** Releases `storage` when dead. */
  release(storage: Storage): void {
    if (!this.isDead(storage)) return;
    this.created!.delete(storage);
    storage.device.release(storage);
  }

  /** Releases what a consumed gradient holds, where dead. */
  releaseGrad(g: Tensor): void {
    for (const s of storagesOf(g)) this.release(s);
  }
}

/**
 * Propagates gradients from `roots` back through the graph. For each tensor with a gradient it calls
 * `arrive(tensor, grad, lifetimes)`, which calls lifetimes.keep(grad) if it holds on to grad.
 */
function propagate(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  options: BackwardOptions,
  arrive: (t: Tensor, g: Tensor, lifetimes: GradientLifetimes) => void,
): void {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const run = (created: Set<Storage>) => {
    const order = topologicalOrder(roots);
    const life = new GradientLifetimes(createGraph ? null : created);
    const freed: GradFn[] = [];
    // storages summed into another gradient: released once every input has its share (one gradient may
    // go to several inputs, as add's does)
    const summed: Storage[] = [];
    const setPending = (t: Tensor, g: Tensor) => {
      life.hold(g);
      if (t.pendingGrad === null) {
        t.pendingGrad = g;
        return;
      }
      const previous = t.pendingGrad;
      t.pendingGrad = addGrads(previous, g);
      life.hold(t.pendingGrad);
      life.drop(previous);
      life.drop(g);
      summed.push(...storagesOf(previous), ...storagesOf(g));
    };
    const releaseSummed = () => {
      for (const s of summed) life.release(s);
      summed.length = 0;
    };
    try {
      roots.forEach((r, i) => setPending(r, rootGrads[i]));
      releaseSummed();
      for (const t of order) {
        let g = t.pendingGrad;
        if (!g) continue;
        t.pendingGrad = null;
        life.drop(g);
        if (t.hooks) {
          life.keep(g); // a hook may keep what it is given
          for (const hook of t.hooks) {
            const replaced = hook(g);
            if (replaced instanceof Tensor) {
              checkGradShape(t, replaced, 'hook');
              g = replaced;
              life.keep(g);
            }
          }
        }
        arrive(t, g, life);
        const fn = t.gradFn;
        if (!fn) {
          life.releaseGrad(g);
          continue;
        }
        if (!fn.backward) {
          throw new Error(
            `backward: trying to backward through the graph a second time (${fn.name}); its intermediate values were freed. Pass { retainGraph: true } to the first backward.`,
          );
        }
        if (fn.saved) checkSaved(fn);
        const [inputGrads, temporaries] = withAllocationLog(() => fn.backward!(g!));
        if (!retainGraph) {
          fn.backward = null;
          if (fn.owned) freed.push(fn);
        }
        for (let i = 0; i < fn.inputs.length; i++) {
          const input = fn.inputs[i];
          const ig = inputGrads[i];
          if (!ig || !input.requiresGrad) continue;
          if (ig.shape !== input.shape) checkGradShape(input, ig, fn.name);
          else checkSameBackend(input, ig, fn.name);
          setPending(input, castGrad(ig, input));
        }
        // what the backward function made and no pending gradient holds is garbage now, as is g
        releaseSummed();
        for (const s of temporaries) life.release(s);
        life.releaseGrad(g);
      }
      // the graph is freed: so are the intermediates library code left to it
      for (const fn of freed) releaseOwned(fn);
    } finally {
      for (const t of order) t.pendingGrad = null; // after an error, leave no partial sums behind
    }
  };
  withAllocationLog((created) => (createGraph ? enableGrad(() => run(created)) : noGrad(() => run(created))));
}

/**
 * Computes the gradient of `root` with respect to every leaf that requires grad and adds it to `.grad`,
 * like torch's `tensor.backward()`.
 */
export function backward(root: Tensor, gradient?: Tensor | null | BackwardOptions, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require grad and has no gradFn (did you forget requiresGrad: true, or call it inside noGrad?)');
  }
  if (isOptionsObject(gradient)) [gradient, options] = [null, gradient]; // backward({ retainGraph: true })
  else if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
    const got = Array.isArray(gradient) ? 'an array; pass tensor([...])' : typeof gradient;
    throw new TypeError(`backward: the gradient must be a Tensor shaped like the output (${formatShape(root.shape)}), got ${got}`);
  }
  checkBackwardOptions(options);
  const g = defaultGrad(root, gradient, 'backward');
  const createGraph = options.createGraph ?? false;
  propagate([root], [g], options, (t, grad, life) => {
    if (!t.isLeaf && !t.retainsGrad) return;
    const current = t.peekGrad();
    if (current === null) {
      // .grad is updated in place later, so it must not share storage with another gradient: a gradient
      // that nothing else holds is adopted as it is, others are copied (with createGraph a differentiable
      // copy, as torch, else a + b would give a and b one .grad)
      if (createGraph) t.grad = cloneTracked(grad);
      else t.setGradFromBackward(life.isDead(grad.storage) && !(grad instanceof SparseTensor) ? detached(grad) : cloneDetached(grad));
      life.keep(t.peekGrad()!);
    } else if (!shapesEqual(current.shape, t.shape)) {
      checkGradShape(t, current, 'backward (the existing .grad)');
    } else if (createGraph || isGradEnabled() || current instanceof SparseTensor || grad instanceof SparseTensor) {
      const summed = addGrads(current, grad);
      if (createGraph || isGradEnabled()) t.grad = summed;
      else t.setGradFromBackward(summed);
      life.keep(summed);
    } else {
      const device = backendOf(current);
      device.binary('add', current.storage, current.shape, grad.storage, grad.shape, current.storage, current.shape);
    }
  });
}

const BACKWARD_OPTIONS = ['retainGraph', 'createGraph'];

function isOptionsObject(x: unknown): x is BackwardOptions {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function checkBackwardOptions(options: BackwardOptions): void {
  for (const k of Object.keys(options)) {
    if (!BACKWARD_OPTIONS.includes(k)) throw new Error(`backward: unknown option '${k}' (expected ${BACKWARD_OPTIONS.join(', ')})`);
  }
}

function cloneDetached(t: Tensor): Tensor {
  if (t instanceof SparseTensor) return copySparse(t);
  const device = backendOf(t);
  const copy = device.empty(t.dtype, t.numel);
  device.cast(t.storage, copy);
  return new Tensor(copy, t.shape);
}

function cloneTracked(t: Tensor): Tensor {
  return record(cloneDetached(t), 'CloneBackward', [t], (g) => [g]);
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned rather than accumulated, like torch.autograd.grad.
 * With `createGraph`, the results are themselves differentiable (Hessian-vector products, gradient penalties).
 * @example const [dx] = grad(x.pow(3).sum(), [x], { createGraph: true }); const [d2x] = grad(dx.sum(), [x]);
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const outs = outputs instanceof Tensor ? [outputs] : [...outputs];
  const ins = inputs instanceof Tensor ? [inputs] : [...inputs];
  const gradOutputs = options.gradOutputs instanceof Tensor ? [options.gradOutputs] : options.gradOutputs ?? [];
  if (gradOutputs.length && gradOutputs.length !== outs.length) {
    throw new Error(`grad: got ${gradOutputs.length} gradOutputs for ${outs.length} outputs`);
  }
  outs.forEach((o, i) => {
    if (!o.requiresGrad) throw new Error(`grad: output ${i} does not require grad and has no gradFn`);
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`grad: input ${i} does not require grad`);
  });
  const rootGrads = outs.map((o, i) => defaultGrad(o, gradOutputs[i], 'grad'));
  const wanted = new Map<Tensor, Tensor | null>(ins.map((t) => [t, null]));
  propagate(outs, rootGrads, options, (t, g, life) => {
    if (!wanted.has(t)) return;
    wanted.set(t, options.createGraph ? g : detached(g));
    life.keep(g);
  });
  return ins.map((t, i) => {
    const g = wanted.get(t) ?? null;
    if (!g && !options.allowUnused) {
      throw new Error(`grad: input ${i} was not used in the graph of the outputs; pass { allowUnused: true } to get null`);
    }
    return g as Tensor;
  });
}
