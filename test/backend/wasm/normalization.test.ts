// The wasm batch, group and layer normalization kernels against the reference (float32 tolerance: both
// keep statistics in float64; the wasm elementwise passes round in float32).
import { test } from 'node:test';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const RTOL = 2e-5;
const ATOL = 2e-5;

function both<T>(run: (b: ReturnType<typeof wasm>) => T): [T, T] {
  return [run(wasm()), run(jsBackend)];
}

test('batchNorm forward (training with running statistics, evaluation) and backward match the reference', () => {
  // W5's layers, BatchNorm1d of [N, C] and [N, C, L], odd planes (SIMD tails), a shifted mean
  for (const [batch, channels, inner] of [[64, 8, 784], [64, 8, 196], [16, 5, 1], [7, 3, 13], [3, 2, 5]]) {
    const n = batch * channels * inner;
    const x = randomFloats(n).map((v, i) => v * 3 + (i % 7) + 10);
    const grad = randomFloats(n);
    const weight = randomFloats(channels).map((v) => v + 1.5);
    const bias = randomFloats(channels);
    for (const training of [true, false]) {
      for (const affine of [true, false]) {
        const what = `[${batch}, ${channels}, ${inner}] ${training ? 'training' : 'evaluation'}${affine ? '' : ' without affine'}`;
        const [ours, reference] = both((b) => {
          const runningMean = Float32Array.from({ length: channels }, (_, c) => c * 0.5 + 10);
          const runningVar = Float32Array.from({ length: channels }, (_, c) => 2 + c);
          const out = new Float32Array(n);
          const mean = new Float32Array(channels);
          const invstd = new Float32Array(channels);
          b.batchNorm(x, batch, channels, inner, affine ? weight : null, affine ? bias : null, runningMean, runningVar, training, 0.1, 1e-5, out, mean, invstd);
          const gradInput = new Float32Array(n);
          const gradWeight = new Float32Array(channels);
          const gradBias = new Float32Array(channels);
          b.batchNormBackward(x, grad, batch, channels, inner, affine ? weight : null, mean, invstd, training, gradInput, gradWeight, gradBias);
          return { out, mean, invstd, runningMean, runningVar, gradInput, gradWeight, gradBias };
        });
        for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
          // the weight and bias gradients sum batch * inner products: relative to that scale
          const atol = key === 'gradWeight' || key === 'gradBias' ? ATOL * Math.sqrt(batch * inner) : ATOL;
          assertArraysClose(ours[key], reference[key], RTOL, atol, `batchNorm ${what}: ${key}`);
        }
      }
    }
  }
});

test('groupNorm and layerNorm forward and backward match the reference', () => {
  // W6's LayerNorm [2048 rows, 64], an odd feature count, GroupNorm with spatial planes, one channel per group
  for (const [batch, groups, perGroup, inner] of [[2048, 1, 64, 1], [33, 1, 65, 1], [8, 4, 2, 49], [5, 3, 1, 7], [4, 2, 3, 1]]) {
    const channels = groups * perGroup;
    const n = batch * channels * inner;
    const x = randomFloats(n).map((v, i) => v * 2 + (i % 5));
    const grad = randomFloats(n);
    const weight = randomFloats(channels).map((v) => v + 1.5);
    const bias = randomFloats(channels);
    for (const affine of [true, false]) {
      const what = `[${batch}, ${groups}x${perGroup}, ${inner}]${affine ? '' : ' without affine'}`;
      const [ours, reference] = both((b) => {
        const out = new Float32Array(n);
        const mean = new Float32Array(batch * groups);
        const rstd = new Float32Array(batch * groups);
        b.groupNorm(x, batch, groups, perGroup, inner, affine ? weight : null, affine ? bias : null, 1e-5, out, mean, rstd);
        const gradInput = new Float32Array(n);
        const gradWeight = new Float32Array(channels);
        const gradBias = new Float32Array(channels);
        b.groupNormBackward(x, grad, batch, groups, perGroup, inner, affine ? weight : null, mean, rstd, gradInput, gradWeight, gradBias);
        const onlyInput = new Float32Array(n);
        b.groupNormBackward(x, grad, batch, groups, perGroup, inner, affine ? weight : null, mean, rstd, onlyInput, null, null);
        return { out, mean, rstd, gradInput, gradWeight, gradBias, onlyInput };
      });
      for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
        const atol = key === 'gradWeight' || key === 'gradBias' ? ATOL * Math.sqrt(batch * inner) : ATOL;
        assertArraysClose(ours[key], reference[key], RTOL, atol, `groupNorm ${what}: ${key}`);
      }
    }
  }
});
