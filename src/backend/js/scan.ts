// Cumulative sums and products along an axis of an [outer, n, inner] view.
import type { TypedArray } from '../../tensor/dtype.js';

/** out = cumsum or cumprod of x along the axis; the running value is kept in double precision, as PyTorch's CPU kernel. */
export function cumulative(op: 'sum' | 'prod', x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void {
  const sum = op === 'sum';
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc = sum ? 0 : 1;
      for (let j = 0; j < n; j++) {
        const at = base + j * inner;
        acc = sum ? acc + x[at] : acc * x[at];
        out[at] = acc;
      }
    }
  }
}

/**
 * The gradient of cumprod for any x, zeros included: out_i = prod_{j<i} x_j * S_i with
 * S_i = g_i + x_{i+1} S_{i+1} (the sum over k >= i of g_k times the product of x_{i+1..k}).
 */
export function cumprodBackward(x: TypedArray, grad: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void {
  const s = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = n - 1; j >= 0; j--) s[j] = grad[base + j * inner] + (j + 1 < n ? x[base + (j + 1) * inner] * s[j + 1] : 0);
      let prefix = 1;
      for (let j = 0; j < n; j++) {
        out[base + j * inner] = prefix * s[j];
        prefix *= x[base + j * inner];
      }
    }
  }
}
