// Fused optimizer steps on the GPU: one kernel reads and writes each element of a parameter and its
// state once, in f32, with the coefficients of js/optim.ts (the CPU reference's arithmetic).
import { type AdamStepOptions, type FusedSteps, type SgdStepOptions, checkFusedLengths } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { binding, elementwise, f32bits, gridFor, HEADER, launch } from './wgsl.js';

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');

function sgd(param: Storage, grad: Storage, buf: Storage | null, o: SgdStepOptions): boolean {
  const momentumBuffer = o.momentum !== 0 ? buf : null;
  if (!f32(param, grad, momentumBuffer)) return false;
  checkFusedLengths('SGD', param, { grad, momentumBuffer });
  const n = param.length;
  const sign = o.maximize ? -1 : 1;
  // d = ±g + λθ;  b = μb + (1 - τ)d (b = d on the first step);  θ -= η (nesterov ? d + μb : b)
  const update = momentumBuffer
    ? `let b = PF(4u) * buf[i] + PF(5u) * d; buf[i] = b; p[i] = p[i] - PF(1u) * (${o.nesterov ? 'd + PF(6u) * b' : 'b'});`
    : 'p[i] = p[i] - PF(1u) * d;';
  const code = `${HEADER}${binding(1, 'p', 'f32', true)}${binding(2, 'g', 'f32')}${momentumBuffer ? binding(3, 'buf', 'f32', true) : ''}
${elementwise(`let d = PF(2u) * g[i] + PF(3u) * p[i]; ${update}`)}`;
  const [mu, keep] = o.initBuffer ? [0, 1] : [o.momentum, 1 - o.dampening];
  const words = [n, o.lr, sign, o.weightDecay, mu, keep, o.momentum].map((v, i) => (i === 0 ? v : f32bits(v)));
  launch(code, words, momentumBuffer ? [param, grad, momentumBuffer] : [param, grad], momentumBuffer ? [0, 2] : [0], gridFor(n));
  return true;
}

function adam(param: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null, o: AdamStepOptions): boolean {
  if (!f32(param, grad, m, v, vMax)) return false;
  checkFusedLengths('Adam', param, { grad, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax });
  const n = param.length;
  // g = ±∇ + λθ;  m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g² (AMSGrad: v̂ = max(v̂, v));
  // θ = θ(1 - ηλ_decoupled) - η/(1-β1ᵗ) · m / (√v̂ / √(1-β2ᵗ) + ε)
  const code = `${HEADER}${binding(1, 'p', 'f32', true)}${binding(2, 'g', 'f32')}${binding(3, 'm', 'f32', true)}${binding(4, 'v', 'f32', true)}${vMax ? binding(5, 'vMax', 'f32', true) : ''}
${elementwise(`let theta = p[i];
  let grad = PF(1u) * g[i] + PF(2u) * theta;
  let mi = PF(3u) * m[i] + PF(4u) * grad;
  var vi = PF(5u) * v[i] + PF(6u) * grad * grad;
  m[i] = mi;
  v[i] = vi;
  ${vMax ? 'vi = max(vMax[i], vi); vMax[i] = vi;' : ''}
  p[i] = theta * PF(7u) - PF(8u) * mi / (sqrt(vi) * PF(9u) + PF(10u));`)}`;
  const coefficients = [
    o.maximize ? -1 : 1, o.weightDecay, o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, 1 - o.lr * o.decoupledDecay,
    o.lr / (1 - o.beta1 ** o.step), 1 / Math.sqrt(1 - o.beta2 ** o.step), o.eps,
  ];
  const operands = vMax ? [param, grad, m, v, vMax] : [param, grad, m, v];
  launch(code, [n, ...coefficients.map(f32bits)], operands, vMax ? [0, 2, 3, 4] : [0, 2, 3], gridFor(n));
  return true;
}

export const fusedSteps: FusedSteps = { sgd, adam };
