// The webgpu kernels against the js reference on the same operands (kernels.test.ts, recurrent.test.ts):
// seeded uniform operands, and a comparison of every array argument after a call on both.
import assert from 'node:assert/strict';
import { webgpuBackend } from '../../../src/backend/webgpu/index.js';
import { arrayKernels } from '../../../src/backend/js/index.js';
import type { TypedArray } from '../../../src/tensor/dtype.js';
import { onArraysAsync } from '../array-kernels.js';

/** The webgpu kernels on typed arrays (each call resolves once its outputs are back in the arrays). */
export const gpu = onArraysAsync(webgpuBackend, [...webgpuBackend.missingKernels!]);

let seed = 17;
/** Uniform floats in [lo, hi), from a fixed seed. */
export function uniform(n: number, lo = -3, hi = 3): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = lo + (seed / 2147483648) * (hi - lo);
  }
  return out;
}
export type Kernel = keyof typeof arrayKernels;

/** Runs `kernel` on copies of `args` on js and on webgpu, then compares every array argument afterwards. */
export async function matchesReference(kernel: Kernel, args: unknown[], what: string, rtol = 2e-6, atol = 1e-6): Promise<void> {
  const copy = () => args.map((a) => (ArrayBuffer.isView(a) ? (a as TypedArray).slice() : a));
  const [ref, ours] = [copy(), copy()];
  const expected = (arrayKernels[kernel] as (...a: unknown[]) => unknown)(...ref);
  const got = await (gpu[kernel] as (...a: unknown[]) => unknown)(...ours);
  assert.equal(got ?? null, expected ?? null, `${what}: result`);
  ref.forEach((e, k) => {
    if (!ArrayBuffer.isView(e)) return;
    const [ea, ga] = [e as TypedArray, ours[k] as TypedArray];
    for (let i = 0; i < ea.length; i++) {
      const [x, y] = [ea[i], ga[i]];
      const ok = Number.isNaN(x) ? Number.isNaN(y) : x === y || Math.abs(x - y) <= atol + rtol * Math.abs(x);
      assert.ok(ok, `${what}: argument ${k} [${i}]: expected ${x}, got ${y}`);
    }
  });
}

