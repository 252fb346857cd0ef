import { backend } from '../backend/backend.js';
import { type GradFn, Tensor } from '../tensor/tensor.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { isGradEnabled, noGrad, enableGrad } from './grad-mode.js';
import { record } from './record.js';

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

// Differentiable sum of two same-shaped gradients; the engine's only arithmetic.
function addGrads(a: Tensor, b: Tensor): Tensor {
  const out = new Tensor(backend().allocate(a.dtype, a.numel), a.shape, a.dtype);
  backend().binary('add', a.data, a.shape, b.data, b.shape, out.data, out.shape);
  return record(out, 'AddBackward', [a, b], (g) => [g, g]);
}

// Gradients take their input's dtype, as torch's engine casts them (float32 x + float64 y gives x a float32 grad).
function castGrad(g: Tensor, t: Tensor): Tensor {
  if (g.dtype === t.dtype) return g;
  const out = new Tensor(backend().allocate(t.dtype, g.numel), g.shape, t.dtype);
  out.data.set(g.data);
  return record(out, 'ToCopyBackward', [g], (gg) => [castGrad(gg, g)]);
}

function onesFor(t: Tensor): Tensor {
  const data = backend().allocate(t.dtype, t.numel);
  data.fill(1);
  return new Tensor(data, t.shape, t.dtype);
}

function detached(t: Tensor): Tensor {
  return new Tensor(t.data, t.shape, t.dtype);
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
 * Propagates gradients from `roots` back through the graph. For each tensor with a gradient it calls
 * `arrive(tensor, grad)`; a tensor listed in `stopAt` is not propagated further.
 */
function propagate(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  options: BackwardOptions,
  arrive: (t: Tensor, g: Tensor) => void,
): void {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const run = () => {
    const order = topologicalOrder(roots);
    try {
      roots.forEach((r, i) => (r.pendingGrad = r.pendingGrad ? addGrads(r.pendingGrad, rootGrads[i]) : rootGrads[i]));
      for (const t of order) {
        let g = t.pendingGrad;
        if (!g) continue;
        t.pendingGrad = null;
        if (t.hooks) {
          for (const hook of t.hooks) {
            const replaced = hook(g);
            if (replaced instanceof Tensor) {
              checkGradShape(t, replaced, 'hook');
              g = replaced;
            }
          }
        }
        arrive(t, g);
        const fn = t.gradFn;
        if (!fn) continue;
        if (!fn.backward) {
          throw new Error(
            `backward: trying to backward through the graph a second time (${fn.name}); its intermediate values were freed. Pass { retainGraph: true } to the first backward.`,
          );
        }
        if (fn.saved) checkSaved(fn);
        const inputGrads = fn.backward(g);
        if (!retainGraph) fn.backward = null;
        for (let i = 0; i < fn.inputs.length; i++) {
          const input = fn.inputs[i];
          const ig = inputGrads[i];
          if (!ig || !input.requiresGrad) continue;
          if (ig.shape !== input.shape) checkGradShape(input, ig, fn.name);
          const cg = castGrad(ig, input);
          input.pendingGrad = input.pendingGrad ? addGrads(input.pendingGrad, cg) : cg;
        }
      }
    } finally {
      for (const t of order) t.pendingGrad = null; // after an error, leave no partial sums behind
    }
  };
  if (createGraph) enableGrad(run);
  else noGrad(run);
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
  propagate([root], [g], options, (t, grad) => {
    if (!t.isLeaf && !t.retainsGrad) return;
    if (t.grad === null) {
      // a fresh copy: the same gradient tensor may reach several leaves, and .grad is updated in place
      // (with createGraph too, as torch: a differentiable copy, else a + b would give a and b one .grad)
      t.grad = createGraph ? cloneTracked(grad) : cloneDetached(grad, t);
    } else if (!shapesEqual(t.grad.shape, t.shape)) {
      checkGradShape(t, t.grad, 'backward (the existing .grad)');
    } else if (createGraph || isGradEnabled()) {
      t.grad = addGrads(t.grad, grad);
    } else {
      backend().binary('add', t.grad.data, t.grad.shape, grad.data, grad.shape, t.grad.data, t.grad.shape);
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

// The copy of a leaf's first gradient lands in resident storage when the leaf's own storage is resident
// (wasm), so the optimizer's fused kernel reads it in place: the copy is made anyway, it only moves.
function cloneDetached(t: Tensor, leaf?: Tensor): Tensor {
  const b = backend();
  const copy = (leaf && b.isResident?.(leaf.data) && b.allocateResident?.(t.dtype, t.numel, leaf.data)) || b.allocate(t.dtype, t.numel);
  copy.set(t.data);
  return new Tensor(copy, t.shape, t.dtype);
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
  propagate(outs, rootGrads, options, (t, g) => {
    if (wanted.has(t)) wanted.set(t, options.createGraph ? g : detached(g));
  });
  return ins.map((t, i) => {
    const g = wanted.get(t) ?? null;
    if (!g && !options.allowUnused) {
      throw new Error(`grad: input ${i} was not used in the graph of the outputs; pass { allowUnused: true } to get null`);
    }
    return g as Tensor;
  });
}
