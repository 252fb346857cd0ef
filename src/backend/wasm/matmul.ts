import type { Storage } from '../../tensor/storage.js';
import { arena, getNumThreads, runParallel, runtime } from './state.js';
import { beginCall, endCall, input, memoryBytes, output } from './memory.js';
import { fallback } from './fallback.js';
import type { Kernels } from './runtime.js';

// Below this many multiply-adds per thread, waking workers costs more than it saves.
const MIN_THREAD_WORK = 1 << 18;

/**
 * Batched float32 GEMM in wasm (see assembly/gemm.ts), on the operands where they live: every thread runs
 * the kernel on the same arguments, claiming units of work (blocks of rows of C) from a shared counter,
 * so a thread that gets more CPU does more of the work. Results are bit-identical for every thread
 * count. Other dtypes run the reference kernel.
 */
export function matmul(
  a: Storage, b: Storage, out: Storage, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
): void {
  if (!(a.dtype === 'float32' && b.dtype === 'float32' && out.dtype === 'float32')) {
    fallback.matmul(a, b, out, batch, m, k, n, transA, transB, aBatchStride, bBatchStride);
    return;
  }
  if (out.length === 0) return;
  const kernels = runtime!.kernels;
  const work = batch * m * n * k;
  beginCall();
  const aAt = input(a);
  const bAt = input(b);
  const cAt = output(out);
  let threads = Math.max(1, Math.min(getNumThreads(), Math.floor(work / MIN_THREAD_WORK)));
  threads = Math.min(threads, kernels.gemmUnits(m, k, n, batch, threads));
  const units = kernels.gemmUnits(m, k, n, batch, threads);
  const mem = arena!;
  const sync = mem.alloc(units + 16); // the unit counter, then per-block progress words
  const scratchBytes = kernels.gemmScratchBytes();
  const argLists: Parameters<Kernels['gemm']>[] = [];
  for (let t = 0; t < threads; t++) {
    const scratch = mem.alloc(scratchBytes / 4);
    argLists.push([aAt, bAt, cAt, m, k, n, transA, transB, aBatchStride, bBatchStride, batch, threads, sync, scratch]);
  }
  memoryBytes().fill(0, sync, sync + (units + 16) * 4);
  runParallel('gemm', argLists);
  endCall();
}
