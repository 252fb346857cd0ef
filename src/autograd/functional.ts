import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { grad } from './engine.js';
import { enableGrad } from './grad-mode.js';

/**
 * Turns `f` (tensors to a scalar tensor) into a function returning [value, gradients], in the JAX style.
 * Inputs are used as given (detached copies with requiresGrad on), so callers need not set requiresGrad.
 * @example const [loss, [dx]] = valueAndGrad((x) => x.pow(2).sum())(tensor([1, 2, 3]));
 */
export function valueAndGrad<Args extends Tensor[]>(f: (...args: Args) => Tensor): (...args: Args) => [Tensor, Tensor[]] {
  return (...args: Args) =>
    enableGrad(() => {
      const inputs = args.map((a, i) => {
        if (a.dtype !== 'float32' && a.dtype !== 'float64') {
          throw new Error(`valueAndGrad: argument ${i} has dtype ${a.dtype}; only floating point arguments can be differentiated`);
        }
        return a.viewAs(a.shape).requiresGrad_(true);
      }) as Args;
      const value = f(...inputs);
      if (!(value instanceof Tensor) || value.numel !== 1) {
        throw new Error(`valueAndGrad: f must return a scalar tensor, got ${value instanceof Tensor ? `shape [${value.shape.join(',')}]` : typeof value}`);
      }
      // a value that does not depend on the arguments has zero gradients
      const grads = value.requiresGrad ? grad(value, inputs, { allowUnused: true }) : inputs.map(() => null);
      return [value.viewAs(value.shape), grads.map((g, i) => g ?? zerosLike(inputs[i]))];
    });
}

/** Like valueAndGrad, returning only the gradients. */
export function gradOf<Args extends Tensor[]>(f: (...args: Args) => Tensor): (...args: Args) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...args: Args) => vg(...args)[1];
}
