// Drawing categories from rows of probabilities with given uniform draws (the ops own the random stream).
import type { TypedArray } from '../../tensor/dtype.js';

/**
 * out[r, s] = the category of row r that uniforms[r * numSamples + s] falls in: the first j whose normalized
 * cumulative probability is >= the draw, as PyTorch's CPU multinomial with replacement (the cumulative sum
 * and its normalization rounded to the probabilities' precision, the last bucket set to exactly 1).
 */
export function sampleCategorical(probs: TypedArray, rows: number, n: number, uniforms: Float64Array | Float32Array, numSamples: number, out: Int32Array): void {
  const round = probs instanceof Float32Array ? Math.fround : (v: number) => v;
  const cum = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      sum = round(sum + probs[r * n + j]);
      cum[j] = sum;
    }
    for (let j = 0; j < n; j++) cum[j] = round(cum[j] / sum);
    cum[n - 1] = 1;
    for (let s = 0; s < numSamples; s++) {
      const u = uniforms[r * numSamples + s];
      let left = 0;
      let right = n;
      while (right - left > 0) {
        const mid = left + ((right - left) >> 1);
        if (cum[mid] < u) left = mid + 1;
        else right = mid;
      }
      out[r * numSamples + s] = left;
    }
  }
}
