import { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad-mode.js';

/** True when an op on `inputs` must be recorded in the graph. */
export function needsGrad(a: Tensor, b?: Tensor, c?: Tensor): boolean {
  return isGradEnabled() && (a.requiresGrad || (b !== undefined && b.requiresGrad) || (c !== undefined && c.requiresGrad));
}

/**
 * Attaches `out` to the graph: `backward` maps the gradient of `out` to one gradient (or null) per input.
 * Tensors listed in `saved` are read by `backward`; changing one in place afterwards is an error at backward time.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => readonly (Tensor | null)[],
  saved: readonly Tensor[] = [],
): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  for (const t of inputs) if (t.requiresGrad) any = true;
  if (!any) return out;
  out.requiresGrad = true;
  if (saved.length === 0) {
    out.gradFn = { name, inputs, backward };
    return out;
  }
  const versions = saved.map((t) => t.version);
  out.gradFn = {
    name,
    inputs,
    backward: (grad) => {
      for (let i = 0; i < saved.length; i++) {
        if (saved[i].version !== versions[i]) {
          throw new Error(
            `${name}: a tensor needed for gradient computation (shape [${saved[i].shape.join(',')}]) was modified by an in-place operation after it was used`,
          );
        }
      }
      return backward(grad);
    },
  };
  return out;
}
