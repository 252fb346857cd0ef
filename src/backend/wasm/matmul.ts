import type { TypedArray } from '../../tensor/dtype.js';
import { matmul as jsMatmul } from '../js/matmul.js';
import { arena, getNumThreads, runParallel, runtime } from './state.js';

// Below this many multiply-adds the JS loop is as fast as copying operands in and out.
const MIN_WASM_WORK = 4096;
// Below this many multiply-adds per thread, waking workers costs more than it saves.
const MIN_THREAD_WORK = 1 << 18;

/**
 * Batched float32 GEMM in wasm (see assembly/gemm.ts): operands are copied into the arena and every
 * thread runs the kernel on the same arguments, claiming units of work (blocks of rows of C) from a
 * shared counter, so a thread that gets more CPU does more of the work. Results are bit-identical
 * for every thread count. Other dtypes, and tiny products, run the reference kernel.
 */
export function matmul(
  a: TypedArray, b: TypedArray, out: TypedArray, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
): void {
  const work = batch * m * n * k;
  if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) || work < MIN_WASM_WORK) {
    jsMatmul(a, b, out, batch, m, k, n, transA, transB, aBatchStride, bBatchStride);
    return;
  }
  const kernels = runtime!.kernels;
  const mem = arena!;
  mem.reset();
  const aAt = mem.put(a);
  const bAt = mem.put(b);
  const cAt = mem.alloc(out.length);
  let threads = Math.max(1, Math.min(getNumThreads(), Math.floor(work / MIN_THREAD_WORK)));
  threads = Math.min(threads, kernels.gemmUnits(m, k, n, batch, threads));
  const units = kernels.gemmUnits(m, k, n, batch, threads);
  const sync = mem.alloc(units + 16); // the unit counter, then per-block progress words
  mem.f32().fill(0, sync >> 2, (sync >> 2) + units + 16);
  const scratchBytes = kernels.gemmScratchBytes();
  const argLists: number[][] = [];
  for (let t = 0; t < threads; t++) {
    const scratch = mem.alloc(scratchBytes / 4);
    argLists.push([aAt, bAt, cAt, m, k, n, transA ? 1 : 0, transB ? 1 : 0, aBatchStride, bBatchStride, batch, threads, sync, scratch]);
  }
  runParallel('gemm', argLists);
  mem.get(cAt, out);
}
