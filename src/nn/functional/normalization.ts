import { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { add, mul, rsqrt, sub } from '../../ops/elementwise.js';
import { mean, sum } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { detach } from '../../ops/util.js';
import { add_, mul_ } from '../../ops/inplace.js';
import { canFuseNorm, fusedBatchNorm, fusedGroupNorm } from '../../ops/normalization.js';

// (x - mean) / sqrt(var + eps) over `dims` with the biased variance, written in ops so it has a double backward.
function normalize(x: Tensor, dims: number[], eps: number): Tensor {
  const centered = sub(x, mean(x, dims, true));
  return mul(centered, rsqrt(add(mean(mul(centered, centered), dims, true), eps)));
}

/**
 * Normalizes over the trailing dims given by `normalizedShape`, then scales and shifts elementwise,
 * as torch.nn.functional.layer_norm.
 * @example layerNorm(randn([2, 5, 8]), [8])
 */
export function layerNorm(input: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5, name = 'layerNorm'): Tensor {
  const k = normalizedShape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k === 0 || input.ndim < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new Error(`${name}: expected input [*,${normalizedShape.join(',')}], got ${formatShape(input.shape)}`);
  }
  for (const [what, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && (p.ndim !== k || p.shape.some((d, i) => d !== normalizedShape[i]))) {
      throw new Error(`${name}: ${what} must have shape ${formatShape(normalizedShape)}, got ${formatShape(p.shape)}`);
    }
  }
  if (canFuseNorm(input, weight, bias)) {
    const features = tail.reduce((p, d) => p * d, 1);
    return fusedGroupNorm(input, 1, weight ?? null, bias ?? null, eps, [input.numel / features, features, 1]);
  }
  const dims = Array.from({ length: k }, (_, i) => input.ndim - k + i);
  let out = normalize(input, dims, eps);
  if (weight) out = mul(out, weight);
  if (bias) out = add(out, bias);
  return out;
}

// A per-channel vector [C] shaped to broadcast against [N, C, *].
function channelView(v: Tensor, ndim: number): Tensor {
  return reshape(v, [v.shape[0], ...new Array(Math.max(0, ndim - 2)).fill(1)]);
}

/**
 * Batch normalization over [N, C, *] (per channel C), as torch.nn.functional.batch_norm. In training it
 * normalizes with the batch statistics and, when running buffers are given, updates them in place:
 * running = (1 - momentum) * running + momentum * batch (the variance unbiased). Otherwise it uses the running ones.
 * @example batchNorm(x, runningMean, runningVar, weight, bias, true, 0.1, 1e-5)
 */
export function batchNorm(
  input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null,
  training = false, momentum = 0.1, eps = 1e-5, name = 'batchNorm',
): Tensor {
  if (input.ndim < 2) throw new Error(`${name}: expected input [N,C,*], got ${formatShape(input.shape)}`);
  const channels = input.shape[1];
  for (const [what, p] of [['weight', weight], ['bias', bias], ['runningMean', runningMean], ['runningVar', runningVar]] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== channels)) {
      throw new Error(`${name}: ${what} must have shape [${channels}], got ${formatShape(p.shape)}`);
    }
  }
  const dims = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2)];
  const count = input.numel / channels;
  if (training && count <= 1) throw new Error(`${name}: expected more than 1 value per channel when training, got input ${formatShape(input.shape)}`);
  if (!training && (!runningMean || !runningVar)) throw new Error(`${name}: running_mean and running_var must be defined in evaluation mode`);
  const stats = training ? [runningMean, runningVar] : [];
  if (canFuseNorm(input, weight, bias, runningMean, runningVar) && !stats.some((t) => t?.requiresGrad)) {
    return fusedBatchNorm(input, runningMean, runningVar, weight ?? null, bias ?? null, training, momentum, eps);
  }
  let out: Tensor;
  if (training) {
    out = normalize(input, dims, eps);
    if (runningMean || runningVar) {
      noGrad(() => {
        const x = detach(input);
        const batchMean = mean(x, dims);
        const centered = sub(x, channelView(batchMean, input.ndim));
        const unbiasedVar = mul(sum(mul(centered, centered), dims), 1 / (count - 1));
        if (runningMean) add_(mul_(runningMean, 1 - momentum), mul(batchMean, momentum));
        if (runningVar) add_(mul_(runningVar, 1 - momentum), mul(unbiasedVar, momentum));
      });
    }
  } else {
    const m = channelView(runningMean!, input.ndim);
    const v = channelView(runningVar!, input.ndim);
    out = mul(sub(input, m), rsqrt(add(v, eps)));
  }
  if (weight) out = mul(out, channelView(weight, input.ndim));
  if (bias) out = add(out, channelView(bias, input.ndim));
  return out;
}

/**
 * Group normalization: channels split into `numGroups` groups, each normalized over its channels and
 * positions per sample, then a per-channel affine, as torch.nn.functional.group_norm.
 * @example groupNorm(randn([2, 6, 4, 4]), 3)
 */
export function groupNorm(input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5, name = 'groupNorm'): Tensor {
  if (input.ndim < 2) throw new Error(`${name}: expected input [N,C,*], got ${formatShape(input.shape)}`);
  const [n, c] = input.shape;
  if (c % numGroups !== 0) throw new Error(`${name}: expected number of channels in input (${c}) to be divisible by numGroups (${numGroups})`);
  for (const [what, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== c)) throw new Error(`${name}: ${what} must have shape [${c}], got ${formatShape(p.shape)}`);
  }
  if (canFuseNorm(input, weight, bias)) return fusedGroupNorm(input, numGroups, weight ?? null, bias ?? null, eps);
  const grouped = reshape(input, [n, numGroups, -1]);
  let out = reshape(normalize(grouped, [2], eps), input.shape);
  if (weight) out = mul(out, channelView(weight, input.ndim));
  if (bias) out = add(out, channelView(bias, input.ndim));
  return out;
}

