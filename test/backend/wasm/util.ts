import assert from 'node:assert/strict';
import { Generator } from '../../../src/index.js';
import { jsBackend as jsStorageBackend } from '../../../src/backend/js/index.js';
import { wasmBackend } from '../../../src/backend/wasm/index.js';
import { onArrays } from '../array-kernels.js';
import type { Arena, Ptr, WasmRuntime } from '../../../src/backend/wasm/runtime.js';

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

/** Copies float32 `data` into fresh arena scratch of `runtime` and returns its offset (for tests of raw kernels). */
export function putFloats(runtime: WasmRuntime, arena: Arena, data: Float32Array): Ptr {
  const at = arena.alloc(data.length);
  new Float32Array(runtime.memory.buffer, at, data.length).set(data);
  return at;
}

/** `count` float32 read from byte offset `at` of `runtime`'s memory. */
export function getFloats(runtime: WasmRuntime, at: Ptr, count: number): Float32Array {
  return new Float32Array(runtime.memory.buffer, at, count).slice();
}

/** Zeroes `words` 32-bit words at `at`. */
export function zeroWords(runtime: WasmRuntime, at: Ptr, words: number): void {
  new Int32Array(runtime.memory.buffer, at, words).fill(0);
}

/** Asserts equal elements, NaN matching NaN (any payload) and -0 only -0, naming the first difference. */
export function assertSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) assert.fail(`${what}[${i}]: expected ${Object.is(e, -0) ? '-0' : e}, got ${Object.is(a, -0) ? '-0' : a}`);
  }
}

const bits = new Float32Array(1);
const word = new Int32Array(bits.buffer);

function orderedBits(v: number): number {
  bits[0] = v;
  return word[0] < 0 ? -(word[0] & 0x7fffffff) : word[0];
}

/** How many float32 values lie between a and b (0 when equal, or both NaN; Infinity when one is NaN). */
export function floatUlps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(orderedBits(a) - orderedBits(b));
}
