// Single-threaded products with any row stride, for kernels that run many small products inside one call
// (the steps of a recurrent layer, the heads of attention): gemm.ts's packing and micro-kernel, with the
// B operand packed once (a recurrent layer multiplies by the same W_hh at every step) and C written at
// its own row stride (attention writes a head's output straight into the merged [N, L, E] layout).
//
// Operands are described by strides in elements: A(i, p) at a + i*rsA + p*csA, with rsA or csA equal to
// 1 (packA's fast path reads contiguous rows or columns); B(p, j) at b + p*rsB + j*csB.
import { KC, MC, MR, NC, NR, macroKernel, packA, packB } from './gemm';

/** Floats of B packed by packWhole: k x n, columns rounded up to NR. */
@inline
export function packedFloats(k: i32, n: i32): i32 {
  return k * ((n + NR - 1) / NR * NR);
}

/** Floats of the A-panel and edge-tile scratch that productPacked needs. */
@inline
export function panelFloats(): i32 {
  return MC * KC + MR * NR;
}

/** Packs all of B (k x n) into `dst`: for each NC column block, each KC depth block in turn. */
export function packWhole(b: usize, rsB: i32, csB: i32, k: i32, n: i32, dst: usize): void {
  let at = dst;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const width = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b, rsB, csB, pc, kc, jc, nc, at);
      at += (<usize>kc * width) << 2;
    }
  }
}

/**
 * C (m x n, row stride ldc) = (accumulate ? C : 0) + A (m x k) @ B, with B packed by packWhole(k, n).
 * `panels` holds panelFloats() floats.
 */
export function productPacked(
  a: usize, rsA: i32, csA: i32, packed: usize, c: usize, ldc: i32, m: i32, k: i32, n: i32, accumulate: bool, panels: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + ((<usize>i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const ap = panels;
  const tile = panels + ((<usize>MC * KC) << 2);
  let bp = packed;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const width = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const first = pc === 0 && !accumulate;
      for (let ic = 0; ic < m; ic += MC) {
        const rows = min(MC, m - ic);
        packA(a, rsA, csA, ic, rows, pc, kc, ap);
        macroKernel(ap, bp, c, ic, rows, jc, nc, kc, ldc, first, tile);
      }
      bp += (<usize>kc * width) << 2;
    }
  }
}

/** productPacked with B packed here first, into `packed` (packedFloats(k, n) floats). */
export function product(
  a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32,
  accumulate: bool, packed: usize, panels: usize,
): void {
  packWhole(b, rsB, csB, k, n, packed);
  productPacked(a, rsA, csA, packed, c, ldc, m, k, n, accumulate, panels);
}
