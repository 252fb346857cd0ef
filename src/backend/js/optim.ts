import type { AdamStepOptions, SgdStepOptions } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

// Fused optimizer updates: each element is read and written once, which is what makes a memory-bound
// step fast (chaining tensor ops costs a pass each). The arithmetic is PyTorch's, in double precision,
// rounded once on store.

/** d = ±g + λθ; b = μb + (1 - τ)d (or b = d on the first step); d = nesterov ? d + μb : b; θ -= η d. */
export function sgdStep(param: TypedArray, grad: TypedArray, buf: TypedArray | null, o: SgdStepOptions): void {
  const { lr, momentum, dampening, nesterov, weightDecay, maximize, initBuffer } = o;
  const sign = maximize ? -1 : 1;
  const n = param.length;
  if (buf === null || momentum === 0) {
    for (let i = 0; i < n; i++) param[i] -= lr * (sign * grad[i] + weightDecay * param[i]);
    return;
  }
  const keep = 1 - dampening;
  for (let i = 0; i < n; i++) {
    const d = sign * grad[i] + weightDecay * param[i];
    const b = initBuffer ? d : momentum * buf[i] + keep * d;
    buf[i] = b;
    param[i] -= lr * (nesterov ? d + momentum * buf[i] : buf[i]);
  }
}

/** Adam's m, v (and AMSGrad's running max of v) and the bias-corrected step, fused. */
export function adamStep(
  param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, o: AdamStepOptions,
): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupledDecay, maximize, step } = o;
  const sign = maximize ? -1 : 1;
  const shrink = 1 - lr * decoupledDecay;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let p = param[i];
    const g = sign * grad[i] + weightDecay * p;
    if (shrink !== 1) param[i] = p = p * shrink;
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    let vHat = v[i];
    if (vMax !== null) vMax[i] = vHat = Math.max(vMax[i], vHat);
    param[i] = p - (stepSize * m[i]) / (Math.sqrt(vHat) / bc2Sqrt + eps);
  }
}
