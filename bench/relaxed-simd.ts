// Imported first by bench/run.ts, before any WebAssembly module compiles. Node 20 ships WebAssembly
// relaxed SIMD behind --experimental-wasm-relaxed-simd; Node >= 22 and Chrome >= 114 enable it by
// default. Turning it on here lets the benchmark measure what current engines run: descent's GEMM with
// fused multiply-add, and jax-js's kernels, which probe for relaxed_madd too (TF.js wasm does not use it).
// DESCENT_BENCH_RELAXED_SIMD=0 measures the engine as it is.
import { setFlagsFromString } from 'node:v8';

// (func (param v128 v128 v128) (result v128) f32x4.relaxed_madd)
const PROBE = Uint8Array.from(
  '0061736d0100000001080160037b7b7b017b030201000a0d010b00200020012002fd85020b'.match(/../g)!.map((h) => parseInt(h, 16)),
);

function relaxedSimdNote(): string {
  if (WebAssembly.validate(PROBE)) return 'WebAssembly relaxed SIMD: on by default in this engine';
  if (process.env.DESCENT_BENCH_RELAXED_SIMD === '0') return 'WebAssembly relaxed SIMD: off (DESCENT_BENCH_RELAXED_SIMD=0): descent GEMM multiplies and adds separately';
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(PROBE)
    ? 'WebAssembly relaxed SIMD: off by default in this Node; the bench enabled it (--experimental-wasm-relaxed-simd; DESCENT_BENCH_RELAXED_SIMD=0 measures without)'
    : 'WebAssembly relaxed SIMD: unavailable: descent GEMM multiplies and adds separately';
}

/** How relaxed SIMD stands for this run (a line for the benchmark's notes). */
export const relaxedSimdStatus = relaxedSimdNote();
