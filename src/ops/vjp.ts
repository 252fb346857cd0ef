// The vector-Jacobian product of one piece of a graph, for fused ops whose backward must itself be
// differentiable (createGraph): they recompute their forward from differentiable ops and pull the
// gradients back through that copy only. The walk stops at `inputs`, so the rest of the graph (and the
// engine's pending gradients on it) is never touched.
import { Tensor } from '../tensor/tensor.js';
import { add, cast } from './elementwise.js';

/**
 * The gradients that `gradOutputs` (null: none) of `outputs` give `inputs` through the graph between them,
 * recorded when grad mode is on; null for an input they do not reach.
 * @example const [gx] = vjp([x.square()], [ones([3])], [x]); // 2x
 */
export function vjp(outputs: readonly Tensor[], gradOutputs: readonly (Tensor | null)[], inputs: readonly Tensor[]): (Tensor | null)[] {
  const boundary = new Set(inputs);
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const previous = grads.get(t);
    grads.set(t, previous ? add(previous, g) : g);
  };
  outputs.forEach((o, i) => {
    const g = gradOutputs[i];
    if (g && o.requiresGrad) accumulate(o, g);
  });
  for (const t of walkOrder(outputs, boundary)) {
    const g = grads.get(t);
    const fn = t.gradFn;
    if (!g || !fn || boundary.has(t)) continue;
    if (!fn.backward) throw new Error(`backward: ${fn.name}'s graph was already freed`);
    const inputGrads = fn.backward(g);
    fn.inputs.forEach((input, i) => {
      const ig = inputGrads[i];
      if (ig && input.requiresGrad) accumulate(input, ig.dtype === input.dtype ? ig : cast(ig, input.dtype));
    });
  }
  return inputs.map((t) => grads.get(t) ?? null);
}

// Tensors reachable from `roots` without walking past `boundary`, each before the tensors it depends on.
function walkOrder(roots: readonly Tensor[], boundary: Set<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    stack.push([root, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [t, next] = top;
      const inputs = t.gradFn && !boundary.has(t) ? t.gradFn.inputs : [];
      if (next < inputs.length) {
        top[1]++;
        const input = inputs[next];
        if (input.requiresGrad && !seen.has(input)) {
          seen.add(input);
          stack.push([input, 0]);
        }
      } else {
        order.push(t);
        stack.pop();
      }
    }
  }
  return order.reverse();
}
