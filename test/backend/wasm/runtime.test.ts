import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Arena, loadRuntime } from '../../../src/backend/wasm/runtime.js';
import { assertArraysClose, getFloats, jsBackend, putFloats, randomFloats, zeroWords } from './util.js';

test('the plain-memory build (pages without cross-origin isolation) loads and computes', () => {
  const runtime = loadRuntime(false);
  assert.ok(runtime, 'plain-memory kernels did not load');
  // matmul.test reruns this file with relaxed SIMD enabled: the relaxed plain-memory build must load then
  if (process.env.DESCENT_TEST_RELAXED_BUILD) assert.equal(runtime.relaxed, true);
  assert.equal(runtime.shared, false);
  assert.ok(!(runtime.memory.buffer instanceof SharedArrayBuffer));
  const arena = new Arena(runtime);
  const [m, k, n] = [37, 300, 45];
  const a = randomFloats(m * k);
  const b = randomFloats(k * n);
  const aAt = putFloats(runtime, arena, a);
  const bAt = putFloats(runtime, arena, b);
  const cAt = arena.alloc(m * n);
  const scratch = arena.alloc(runtime.kernels.gemmScratchBytes() / 4); // grows the memory past its first 16 pages
  const units = runtime.kernels.gemmUnits(m, k, n, 1, 1);
  const sync = arena.alloc(units + 16);
  zeroWords(runtime, sync, units + 16);
  runtime.kernels.gemm(aAt, bAt, cAt, m, k, n, false, true, 0, 0, 1, 1, sync, scratch);
  const ours = getFloats(runtime, cAt, m * n); // through a view made after growth
  const reference = new Float32Array(m * n);
  jsBackend.matmul(a, b, reference, 1, m, k, n, false, true, 0, 0);
  assertArraysClose(ours, reference, 1e-5, 4e-5, 'gemm on plain memory');
});

test('a kernel call needing 2 GiB or more gets the wasm-memory message, not a wrapped offset', () => {
  const arena = new Arena(loadRuntime(false)!);
  for (const bytes of [2 ** 31, 2 ** 31 + 60, 2 ** 32 + 4]) {
    assert.throws(() => arena.allocBytes(bytes), /wasm backend: a kernel call needs \d+ MiB of wasm memory \(at most 2048 MiB\); setBackend\('js'\)/, String(bytes));
  }
});
