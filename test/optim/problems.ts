// Standard test problems for the convergence tests and the optimizer race plot.
import { type Tensor, tensor } from '../../src/index.js';

/** Rosenbrock: (1 - x)² + 100 (y - x²)², minimum 0 at (1, 1). */
export function rosenbrock(xy: Tensor): Tensor {
  const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
  return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
}

/** An ill-conditioned quadratic: ½ (x² + 50 y²), condition number 50, minimum 0 at (0, 0). */
export function illConditioned(xy: Tensor): Tensor {
  return xy.pow(2).mul(tensor([0.5, 25], { dtype: xy.dtype })).sum();
}

/** Minimizes f from `start` with `steps` optimizer steps; returns the final loss. */
export function minimize(
  f: (xy: Tensor) => Tensor,
  start: number[],
  makeOpt: (params: Tensor[]) => { step(): unknown; zeroGrad(): void },
  steps: number,
): { xy: Tensor; loss: number } {
  const xy = tensor(start, { dtype: 'float64', requiresGrad: true });
  const opt = makeOpt([xy]);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    f(xy).backward();
    opt.step();
  }
  return { xy, loss: f(xy).item() };
}
