import { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad-mode.js';

/** True when an op on these inputs must be recorded in the graph. */
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
  saved?: readonly Tensor[],
): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) any = true;
  if (!any) return out;
  out.requiresGrad = true;
  if (saved === undefined || saved.length === 0) {
    out.gradFn = { name, inputs, backward };
  } else {
    const savedVersions = new Array<number>(saved.length);
    for (let i = 0; i < saved.length; i++) savedVersions[i] = saved[i].version;
    out.gradFn = { name, inputs, backward, saved, savedVersions };
  }
  return out;
}
