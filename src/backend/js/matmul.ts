import type { TypedArray } from '../../tensor/dtype.js';

/**
 * Reference batched matmul. Loops are ordered i-p-j so the inner loop streams rows of B and C;
 * a transposed operand is read through swapped strides rather than copied.
 */
export function matmul(
  a: TypedArray, b: TypedArray, out: TypedArray, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
): void {
  const aRow = transA ? 1 : k; // stride between rows i of op(A)
  const aCol = transA ? m : 1; // stride between columns p of op(A)
  const bRow = transB ? 1 : n; // stride between rows p of op(B)
  const bCol = transB ? k : 1;
  const acc = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const aOff = t * aBatchStride;
    const bOff = t * bBatchStride;
    const cOff = t * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[aOff + i * aRow + p * aCol];
        const bBase = bOff + p * bRow;
        if (bCol === 1) for (let j = 0; j < n; j++) acc[j] += av * b[bBase + j];
        else for (let j = 0; j < n; j++) acc[j] += av * b[bBase + j * bCol];
      }
      out.set(acc, cOff + i * n);
    }
  }
}

/**
 * C (m x n, at cOff with row stride ldc) = (accumulate ? C : 0) + A (m x k) @ B (k x n), with A(i, p) at
 * aOff + i*rsA + p*csA and B(p, j) at bOff + p*rsB + j*csB: the products inside the recurrent and
 * attention kernels, which read rows of steps and heads in place. Sums in float64, as matmul.
 */
export function stridedProduct(
  a: TypedArray, aOff: number, rsA: number, csA: number, b: TypedArray, bOff: number, rsB: number, csB: number,
  c: TypedArray, cOff: number, ldc: number, m: number, k: number, n: number, accumulate: boolean,
): void {
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[aOff + i * rsA + p * csA];
      const bBase = bOff + p * rsB;
      for (let j = 0; j < n; j++) acc[j] += av * b[bBase + j * csB];
    }
    const row = cOff + i * ldc;
    if (accumulate) for (let j = 0; j < n; j++) c[row + j] += acc[j];
    else for (let j = 0; j < n; j++) c[row + j] = acc[j];
  }
}
