// Categorical draws (multinomial with replacement) as the reference's: a thread per row sums its
// probabilities in order in f32 (the reference rounds each partial sum to float32 too), then a thread per
// draw searches its row's normalized cumulative distribution. The draws come from the CPU's generator,
// rounded up to float32, which compare with float32 buckets exactly as the float64 draws do; the samples
// equal the CPU's, except that a GPU's f32 division (not always correctly rounded, as the CPU's is) may
// move a bucket's edge by an ulp.
import type { Storage } from '../../tensor/storage.js';
import { releaseStorage } from './memory.js';
import { temporary } from './rows.js';
import { binding, elementwise, gridFor, HEADER, launch } from './wgsl.js';

export function sampleCategorical(probs: Storage, rows: number, n: number, uniforms: Storage, numSamples: number, out: Storage): void {
  if (rows === 0 || n === 0 || numSamples === 0) return;
  if (uniforms.dtype !== 'float32') throw new Error(`webgpu: sampleCategorical: the draws must be float32 (rounded up), got ${uniforms.dtype}`);
  const cumulative = temporary(probs, 'float32', rows * n);
  const sums = `${HEADER}${binding(1, 'probs', 'f32')}${binding(2, 'cum', 'f32', true)}
${elementwise(`let n = P(1);
  var sum = 0.0;
  for (var j = 0u; j < n; j = j + 1u) { sum = sum + probs[i * n + j]; cum[i * n + j] = sum; }`)}`;
  launch(sums, [rows, n], [probs, cumulative], [1], gridFor(rows));
  const search = `${HEADER}${binding(1, 'cum', 'f32')}${binding(2, 'u', 'f32')}${binding(3, 'out', 'i32', true)}
fn bucket(at: u32, j: u32, n: u32) -> f32 { if (j == n - 1u) { return 1.0; } return cum[at + j] / cum[at + n - 1u]; }
${elementwise(`let n = P(1); let at = (i / P(2)) * n;
  let draw = u[i];
  var left = 0u; var right = n;
  while (left < right) {
    let mid = left + (right - left) / 2u;
    if (bucket(at, mid, n) < draw) { left = mid + 1u; } else { right = mid; }
  }
  out[i] = i32(left);`)}`;
  launch(search, [rows * numSamples, n, numSamples], [cumulative, uniforms, out], [2], gridFor(rows * numSamples));
  releaseStorage(cumulative);
}
