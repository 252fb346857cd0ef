import { backend } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
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

/** Tensors reachable from `roots` through gradFn edges, each after all tensors that depend on it. */
function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // iterative DFS: deep graphs (long RNN unrolls) must not overflow the stack
  const stack: [Tensor, number][] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push([root, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const inputs = top[0].gradFn?.inputs ?? [];
      if (top[1] < inputs.length) {
        const next = inputs[top[1]++];
        if (next.requiresGrad && !visited.has(next)) {
          visited.add(next);
          stack.push([next, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order.reverse();
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
    const grads = new Map<Tensor, Tensor>();
    roots.forEach((r, i) => grads.set(r, grads.has(r) ? addGrads(grads.get(r)!, rootGrads[i]) : rootGrads[i]));
    for (const t of topologicalOrder(roots)) {
      let g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
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
      const inputGrads = fn.backward(g);
      if (!retainGraph) fn.backward = null;
      for (let i = 0; i < fn.inputs.length; i++) {
        const input = fn.inputs[i];
        const ig = inputGrads[i];
        if (!ig || !input.requiresGrad) continue;
        checkGradShape(input, ig, fn.name);
        const prev = grads.get(input);
        const cg = castGrad(ig, input);
        grads.set(input, prev ? addGrads(prev, cg) : cg);
      }
    }
  };
  if (createGraph) enableGrad(run);
  else noGrad(run);
}

/**
 * Computes the gradient of `root` with respect to every leaf that requires grad and adds it to `.grad`,
 * like torch's `tensor.backward()`.
 */
export function backward(root: Tensor, gradient?: Tensor | null, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require grad and has no gradFn (did you forget requiresGrad: true, or call it inside noGrad?)');
  }
  const g = defaultGrad(root, gradient, 'backward');
  const createGraph = options.createGraph ?? false;
  propagate([root], [g], options, (t, grad) => {
    if (!t.isLeaf && !t.retainsGrad) return;
    if (t.grad === null) {
      // a fresh copy: the same gradient tensor may reach several leaves, and .grad is updated in place
      // (with createGraph too, as torch: a differentiable copy, else a + b would give a and b one .grad)
      t.grad = createGraph ? cloneTracked(grad) : cloneDetached(grad);
    } else if (createGraph || isGradEnabled()) {
      t.grad = addGrads(t.grad, grad);
    } else {
      backend().binary('add', t.grad.data, t.grad.shape, grad.data, grad.shape, t.grad.data, t.grad.shape);
    }
  });
}

function cloneDetached(t: Tensor): Tensor {
  const copy = backend().allocate(t.dtype, t.numel);
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
