import type { AdamStepOptions, SgdStepOptions } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

// Fused optimizer updates: each element is read and written once, which is what makes a memory-bound
// step fast (chaining tensor ops costs a pass each). The arithmetic is PyTorch's, in double precision,
// rounded once on store. Branches on the options are taken outside the loops.

/** d = ±g + λθ;  b = μb + (1 - τ)d (b = d on the first step);  θ -= η (nesterov ? d + μb : b). */
export function sgdStep(param: TypedArray, grad: TypedArray, buf: TypedArray | null, o: SgdStepOptions): void {
  const { lr, momentum, dampening, nesterov, weightDecay: wd, maximize, initBuffer } = o;
  const sign = maximize ? -1 : 1;
  const n = param.length;
  if (buf === null || momentum === 0) {
    for (let i = 0; i < n; i++) param[i] -= lr * (sign * grad[i] + wd * param[i]);
  } else if (initBuffer || nesterov || wd !== 0 || maximize) {
    const keep = initBuffer ? 1 : 1 - dampening;
    const mu = initBuffer ? 0 : momentum;
    for (let i = 0; i < n; i++) {
      const d = sign * grad[i] + wd * param[i];
      const b = mu * buf[i] + keep * d;
      buf[i] = b;
      param[i] -= lr * (nesterov ? d + momentum * b : b);
    }
  } else {
    // The common case, kept branch-free: plain momentum.
    const keep = 1 - dampening;
    for (let i = 0; i < n; i++) {
      const b = momentum * buf[i] + keep * grad[i];
      buf[i] = b;
      param[i] -= lr * b;
    }
  }
}

/**
 * m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²  (AMSGrad: v̂ = max(v̂, v));
 * θ = θ(1 - η λ_decoupled) - η/(1-β1ᵗ) · m / (√v̂ / √(1-β2ᵗ) + ε),  with g = ±∇ + λ_L2 θ.
 */
export function adamStep(
  param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, o: AdamStepOptions,
): void {
  const { lr, beta1, beta2, eps, weightDecay: wd, decoupledDecay, maximize, step } = o;
  const sign = maximize ? -1 : 1;
  const shrink = 1 - lr * decoupledDecay;
  const stepSize = lr / (1 - beta1 ** step);
  const invBc2Sqrt = 1 / Math.sqrt(1 - beta2 ** step);
  const [c1, c2] = [1 - beta1, 1 - beta2];
  const n = param.length;
  if (vMax === null && wd === 0 && !maximize) {
    // The common case: no L2 term, no sign flip, no running max.
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      const mi = beta1 * m[i] + c1 * g;
      const vi = beta2 * v[i] + c2 * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] = param[i] * shrink - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = param[i];
    const g = sign * grad[i] + wd * p;
    const mi = beta1 * m[i] + c1 * g;
    let vi = beta2 * v[i] + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    if (vMax !== null) vMax[i] = vi = Math.max(vMax[i], vi);
    param[i] = p * shrink - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
  }
}
