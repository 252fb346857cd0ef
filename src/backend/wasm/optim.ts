import type { AdamStepOptions, SgdStepOptions } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { adamStep as jsAdamStep, sgdStep as jsSgdStep } from '../js/optim.js';
import type { Arena } from './runtime.js';
import { isResident } from './resident.js';
import { arena, runtime } from './state.js';

// Below this many elements, with nothing resident, the reference loop beats copying operands in and out.
const MIN_ELEMENTS = 256;

/** Whether the wasm kernel should run: every operand float32, and either resident or big enough to copy. */
function useWasm(param: TypedArray, others: (TypedArray | null)[]): boolean {
  if (!(param instanceof Float32Array) || others.some((a) => a !== null && !(a instanceof Float32Array))) return false;
  return param.length >= MIN_ELEMENTS || isResident(param);
}

/** Refuses buffers shorter than the parameter: the kernels would read and write past them in wasm memory. */
function checkLengths(kernel: string, param: TypedArray, buffers: Record<string, TypedArray | null>): void {
  for (const [name, b] of Object.entries(buffers)) {
    if (b !== null && b.length < param.length) {
      throw new Error(`wasm ${kernel}: ${name} has ${b.length} elements but the parameter has ${param.length} (every buffer must cover the parameter)`);
    }
  }
}

/** The byte address of `a` for a kernel: in place when resident, else a copy in the arena. */
function place(mem: Arena, a: Float32Array): number {
  return isResident(a) ? a.byteOffset : mem.put(a);
}

/** Copies a kernel's result back into `a` unless it was updated in place. */
function writeBack(mem: Arena, a: Float32Array, at: number): void {
  if (!isResident(a)) mem.get(at, a);
}

/** Fused SGD step in wasm (assembly/optim.ts), in place on resident arrays; float64 runs js/optim.ts. */
export function sgdStep(param: TypedArray, grad: TypedArray, buf: TypedArray | null, o: SgdStepOptions): void {
  const momentumBuffer = o.momentum !== 0 ? buf : null;
  checkLengths('sgdStep', param, { grad, momentum_buffer: momentumBuffer });
  if (!useWasm(param, [grad, momentumBuffer])) {
    jsSgdStep(param, grad, buf, o);
    return;
  }
  const mem = arena!;
  mem.reset();
  const p = param as Float32Array;
  const b = momentumBuffer as Float32Array | null;
  const pAt = place(mem, p);
  const gAt = place(mem, grad as Float32Array);
  const bAt = b ? place(mem, b) : 0;
  runtime!.kernels.sgdStep(pAt, gAt, bAt, p.length, o.lr, o.momentum, o.dampening, o.weightDecay,
    o.maximize ? 1 : 0, o.nesterov ? 1 : 0, o.initBuffer ? 1 : 0);
  writeBack(mem, p, pAt);
  if (b) writeBack(mem, b, bAt);
}

/** Fused Adam/AdamW step in wasm (assembly/optim.ts), in place on resident arrays; float64 runs js/optim.ts. */
export function adamStep(
  param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, o: AdamStepOptions,
): void {
  checkLengths('adamStep', param, { grad, exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vMax });
  if (!useWasm(param, [grad, m, v, vMax])) {
    jsAdamStep(param, grad, m, v, vMax, o);
    return;
  }
  const mem = arena!;
  mem.reset();
  const arrays = [param, m, v, vMax].filter((a): a is Float32Array => a !== null);
  const [pAt, mAt, vAt, vMaxAt = 0] = arrays.map((a) => place(mem, a));
  const gAt = place(mem, grad as Float32Array);
  runtime!.kernels.adamStep(pAt, gAt, mAt, vAt, vMaxAt, param.length, o.beta1, o.beta2, o.eps, o.weightDecay,
    o.maximize ? 1 : 0, 1 - o.lr * o.decoupledDecay, o.lr / (1 - o.beta1 ** o.step), Math.sqrt(1 - o.beta2 ** o.step));
  arrays.forEach((a, i) => writeBack(mem, a, [pAt, mAt, vAt, vMaxAt][i]));
}
