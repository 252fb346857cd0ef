import { tensor, type Tensor } from '../src/index.js';
import { noGrad } from '../src/index.js';

/** f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 */
export function rosenbrock(x: Tensor, y: Tensor): Tensor {
  return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
}

/**
 * W4, per-op overhead: plain SGD on the Rosenbrock function through autograd, scalar tensors,
 * from (-1.5, 2.0) with lr 1e-4. Returns steps per second and the final point.
 */
export function runRosenbrock(steps: number, lr = 1e-4): { stepsPerSecond: number; x: number; y: number; loss: number } {
  const x = tensor(-1.5, { requiresGrad: true });
  const y = tensor(2.0, { requiresGrad: true });
  let loss = 0;
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const f = rosenbrock(x, y);
    x.grad = null;
    y.grad = null;
    f.backward();
    noGrad(() => {
      x.sub_(x.grad!.mul(lr));
      y.sub_(y.grad!.mul(lr));
    });
    if (i === steps - 1) loss = f.item();
  }
  const seconds = (performance.now() - start) / 1000;
  return { stepsPerSecond: steps / seconds, x: x.item(), y: y.item(), loss };
}
