// Batched matmul on the tiled GEMM: transposed operands are read through swapped indices, a batch
// stride of 0 broadcasts one matrix over the batch.
import type { Storage } from '../../tensor/storage.js';
import { GEMM_PARAMS, gemm } from './gemm.js';
import { binding } from './wgsl.js';

/** Throws for a GEMM-based kernel on operands that are not float32. */
export function checkFloat32(kernel: string, ...storages: (Storage | null)[]): void {
  for (const s of storages) if (s && s.dtype !== 'float32') throw new Error(`webgpu: ${kernel} on ${s.dtype} is not implemented (float32 only)`);
}

export function matmul(
  a: Storage, b: Storage, out: Storage, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
): void {
  checkFloat32('matmul', a, b, out);
  const [strideA, strideB] = [GEMM_PARAMS, GEMM_PARAMS + 1];
  gemm({
    bindings: `${binding(1, 'A', 'f32')}${binding(2, 'B', 'f32')}${binding(3, 'C', 'f32', true)}`,
    loadA: `fn loadA(t: u32, i: u32, p: u32) -> f32 { return A[t * P(${strideA}u) + ${transA ? 'p * P(0) + i' : 'i * P(2) + p'}]; }`,
    loadB: `fn loadB(t: u32, p: u32, j: u32) -> f32 { return B[t * P(${strideB}u) + ${transB ? 'j * P(2) + p' : 'p * P(1) + j'}]; }`,
    store: 'fn store(t: u32, i: u32, j: u32, v: f32) { C[(t * P(0) + i) * P(1) + j] = v; }',
    aAlongK: !transA,
    bAlongK: transB,
  }, 'matmul', m, n, k, batch, [aBatchStride, bBatchStride], [a, b, out], [2]);
}
