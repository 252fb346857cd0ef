// Fast paths: a backend may run a rule's whole update as one fused pass (Backend.fused). Each function
// here tries it and returns false when the backend has none or declines these operands; the rule then
// runs its reference, written with tensor ops. test/optim/fused.test.ts holds one conformance table.
import type { AdamStepOptions, Backend, SgdStepOptions } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';

const backendOf = (p: Tensor) => p.storage.device as Backend;
let enabled = true;

/** Turns the fused steps off (true: on) everywhere, so that tests can run each rule's reference on any backend. */
export function setFusedSteps(on: boolean): void {
  enabled = on;
}

/** SGD's fused step in place; the momentum buffer (when momentum is on) is zeros on its first step. */
export function fusedSgd(p: Tensor, grad: Tensor, momentumBuffer: Tensor | null, o: SgdStepOptions): boolean {
  const step = enabled ? backendOf(p).fused.sgd : undefined;
  if (!step || !step(p.storage, grad.storage, momentumBuffer?.storage ?? null, o)) return false;
  p.version++;
  if (momentumBuffer) momentumBuffer.version++;
  return true;
}

/** Adam's (and AdamW's) fused step in place. */
export function fusedAdam(p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, o: AdamStepOptions): boolean {
  const step = enabled ? backendOf(p).fused.adam : undefined;
  if (!step || !step(p.storage, grad.storage, expAvg.storage, expAvgSq.storage, maxExpAvgSq?.storage ?? null, o)) return false;
  p.version++;
  return true;
}

/**
 * Adam's step in tensor ops, as torch.optim's single-tensor Adam (each op rounded to the dtype, as there):
 * m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²;  θ ← θ(1 - ηλ_decoupled) - η/(1-β1ᵗ) · m / (√v̂ / √(1-β2ᵗ) + ε)
 * with g = ±∇ + λ_L2 θ and v̂ = v, or its running max with AMSGrad.
 */
export function adamReference(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, vMax: Tensor | null, o: AdamStepOptions): void {
  if (o.decoupledDecay !== 0) p.mul_(1 - o.lr * o.decoupledDecay);
  let g = o.maximize ? grad.neg() : grad;
  if (o.weightDecay !== 0) g = g.add(p, o.weightDecay);
  m.mul_(o.beta1).add_(g, 1 - o.beta1);
  v.mul_(o.beta2).addcmul_(g, g, 1 - o.beta2);
  if (vMax) vMax.maximum_(v);
  const denom = (vMax ?? v).sqrt().div_(Math.sqrt(1 - o.beta2 ** o.step)).add_(o.eps);
  p.addcdiv_(m, denom, -o.lr / (1 - o.beta1 ** o.step));
}
