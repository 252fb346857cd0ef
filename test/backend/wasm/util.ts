import assert from 'node:assert/strict';
import { Generator } from '../../../src/index.js';
import { jsBackend as jsStorageBackend } from '../../../src/backend/js/index.js';
import { wasmBackend } from '../../../src/backend/wasm/index.js';
import { onArrays } from '../array-kernels.js';

/** The reference kernels, called with typed arrays. */
export const jsBackend = onArrays(jsStorageBackend);

/** The wasm backend's kernels called with typed arrays; the tests need it (Node always has WebAssembly SIMD). */
export function wasm() {
  assert.ok(wasmBackend, 'the wasm backend did not load');
  return onArrays(wasmBackend);
}

const generator = new Generator().manualSeed(1234);

/** Uniform floats in [-1, 1), from a fixed seed so failures reproduce. */
export function randomFloats(count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = generator.uniform24() * 2 - 1;
  return out;
}

/** Asserts |a - e| <= atol + rtol |e| elementwise, naming the first bad index. */
export function assertArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
    else if (!Number.isFinite(e)) assert.equal(a, e, `${what}[${i}]`);
    else assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: expected ${e}, got ${a}`);
  }
}
