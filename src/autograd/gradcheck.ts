import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { Generator } from '../tensor/random.js';
import { grad } from './engine.js';
import { enableGrad, noGrad } from './grad-mode.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return out instanceof Tensor ? [out] : [...out];
}

function unravel(index: number, shape: readonly number[]): string {
  const coords: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    coords.unshift(index % shape[d]);
    index = Math.floor(index / shape[d]);
  }
  return `[${coords.join(',')}]`;
}

/**
 * Compares the analytic gradients of `fn` with central finite differences, element by element, like
 * torch.autograd.gradcheck. Inputs that require grad must be float64. Returns true, or throws an error
 * that names the output, input, element and both values.
 * @example gradcheck((x) => x.tanh().sum(), [randn([3], { dtype: 'float64', requiresGrad: true })]);
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = options;
  const ins = [...inputs];
  const diffIdx = ins.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0) throw new Error('gradcheck: no input requires grad');
  for (const i of diffIdx) {
    if (ins[i].dtype !== 'float64') {
      throw new Error(`gradcheck: input ${i} has dtype ${ins[i].dtype}; finite differences need float64 inputs`);
    }
  }
  // float outputs outside the graph (the gradient of a linear function, in gradgradcheck) must have a zero
  // numerical Jacobian, as in torch
  const all = outputsOf(fn, ins);
  const kept = all.map((o, i) => (o.requiresGrad || o.dtype === 'float64' ? i : -1)).filter((i) => i >= 0);
  const outputs = kept.map((i) => all[i]);
  if (outputs.length === 0) throw new Error('gradcheck: no output requires grad');

  // numerical Jacobians: numeric[o][i] is [out numel][in numel]
  const numeric = outputs.map((o) => diffIdx.map((i) => new Float64Array(o.numel * ins[i].numel)));
  noGrad(() => {
    diffIdx.forEach((i, ii) => {
      // the input is perturbed in place through its storage, without a version bump: the graph built
      // from the unperturbed input above stays valid for the analytic pass
      const input = ins[i];
      const data = input.dataSync();
      const write = () => input.storage.device.write(input.storage, data);
      const values = () => outputsOf(fn, ins).filter((_, i) => kept.includes(i)).map((o) => Float64Array.from(o.dataSync()));
      for (let k = 0; k < data.length; k++) {
        const saved = data[k];
        data[k] = saved + eps;
        write();
        const plus = values();
        data[k] = saved - eps;
        write();
        const minus = values();
        data[k] = saved;
        write();
        outputs.forEach((o, oi) => {
          for (let j = 0; j < o.numel; j++) numeric[oi][ii][j * data.length + k] = (plus[oi][j] - minus[oi][j]) / (2 * eps);
        });
      }
    });
  });

  outputs.forEach((o, oi) => {
    if (!o.requiresGrad) {
      diffIdx.forEach((i, ii) => {
        const k = numeric[oi][ii].findIndex((v) => !(Math.abs(v) <= atol));
        if (k >= 0) {
          throw new Error(
            `gradcheck: output ${oi} (shape ${formatShape(o.shape)}) does not require grad, but its numerical gradient ` +
              `with respect to input ${i} is ${numeric[oi][ii][k]} at output element ${unravel(Math.floor(k / ins[i].numel), o.shape)}`,
          );
        }
      });
      return;
    }
    for (let j = 0; j < o.numel; j++) {
      const unit = new Float64Array(o.numel);
      unit[j] = 1;
      const seed = Tensor.fromArray(unit, o.shape, o.dtype, o.storage.device);
      const grads = grad([o], diffIdx.map((i) => ins[i]), { gradOutputs: [seed], retainGraph: true, allowUnused: true });
      diffIdx.forEach((i, ii) => {
        const n = ins[i].numel;
        const values = grads[ii] ? grads[ii].dataSync() : null;
        for (let k = 0; k < n; k++) {
          const analytic = values ? values[k] : 0;
          const num = numeric[oi][ii][j * n + k];
          if (!(Math.abs(analytic - num) <= atol + rtol * Math.abs(num))) {
            throw new Error(
              `gradcheck: Jacobian mismatch for output ${oi} (shape ${formatShape(o.shape)}) element ${unravel(j, o.shape)} ` +
                `with respect to input ${i} (shape ${formatShape(ins[i].shape)}) element ${unravel(k, ins[i].shape)}: ` +
                `numerical ${num}, analytical ${analytic}`,
            );
          }
        }
      });
    }
  });
  return true;
}

/**
 * Checks second derivatives: the gradient of `fn` (built with createGraph, contracted with fixed random
 * output gradients) must itself pass gradcheck, like torch.autograd.gradgradcheck.
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const ins = [...inputs];
  const outputs = outputsOf(fn, ins).filter((o) => o.requiresGrad);
  if (outputs.length === 0) throw new Error('gradgradcheck: no output requires grad');
  const generator = new Generator(0);
  const gradOutputs = outputs.map((o) => {
    const data = new Float64Array(o.numel);
    for (let i = 0; i < data.length; i++) data[i] = generator.uniform53() * 2 - 1;
    return Tensor.fromArray(data, o.shape, 'float64', o.storage.device);
  });
  const diff = ins.filter((t) => t.requiresGrad);
  const firstGrad = (...xs: Tensor[]) => enableGrad(() => {
    const outs = outputsOf(fn, xs).filter((o) => o.requiresGrad);
    const grads = grad(outs, xs.filter((t) => t.requiresGrad), { gradOutputs, createGraph: true, allowUnused: true });
    // a gradient that does not require grad is constant in the inputs (a linear fn): gradcheck checks it is
    return grads.filter((g) => g !== null);
  });
  if (diff.length === 0) throw new Error('gradgradcheck: no input requires grad');
  return gradcheck(firstGrad, ins, options);
}
