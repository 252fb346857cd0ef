import { type AdamStepOptions, type FusedSteps, type SgdStepOptions, checkFusedLengths } from '../backend.js';
import type { Storage } from '../../tensor/storage.js';
import { runtime } from './state.js';
import { NONE, beginCall, endCall, input, output } from './memory.js';

const f32 = (...storages: (Storage | null)[]) => storages.every((s) => s === null || s.dtype === 'float32');

/** Fused SGD step in wasm (assembly/optim.ts), in place; float64 takes the reference (optim/sgd.ts). */
function sgd(param: Storage, grad: Storage, buf: Storage | null, o: SgdStepOptions): boolean {
  const momentumBuffer = o.momentum !== 0 ? buf : null;
  if (!f32(param, grad, momentumBuffer)) return false;
  checkFusedLengths('SGD', param, { grad, momentumBuffer });
  beginCall();
  runtime!.kernels.sgdStep(output(param), input(grad), momentumBuffer ? output(momentumBuffer) : NONE, param.length, o.lr, o.momentum,
    1 - o.dampening, o.weightDecay, o.maximize ? 1 : 0, o.nesterov ? 1 : 0, o.initBuffer ? 1 : 0);
  endCall();
  return true;
}

/** Fused Adam/AdamW step in wasm (assembly/optim.ts), in place; float64 takes the reference (optim/adam.ts). */
function adam(param: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null, o: AdamStepOptions): boolean {
  if (!f32(param, grad, m, v, vMax)) return false;
  checkFusedLengths('Adam', param, { grad, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax });
  beginCall();
  runtime!.kernels.adamStep(output(param), input(grad), output(m), output(v), vMax ? output(vMax) : NONE, param.length, o.beta1, 1 - o.beta1, o.beta2,
    1 - o.beta2, o.eps, o.weightDecay, o.maximize ? 1 : 0, 1 - o.lr * o.decoupledDecay, o.lr / (1 - o.beta1 ** o.step), Math.sqrt(1 - o.beta2 ** o.step));
  endCall();
  return true;
}

export const fusedSteps: FusedSteps = { sgd, adam };
