// Batch and group normalization as single ops (layer normalization is group normalization with one group):
// the forward is one kernel that also saves the statistics, the backward one kernel for all gradients. When
// the gradient itself must be differentiable (createGraph) the backward is composed of differentiable ops,
// the statistics recomputed from x, so gradients of any order work. Argument checks are nn/functional's.
import { isGradEnabled } from '../autograd/grad-mode.js';
import { needsGrad, record } from '../autograd/record.js';
import { isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { add, mul, rsqrt, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { backendOf, emptyTensor } from './util.js';

const storageOf = (t: Tensor | null) => (t ? t.storage : null);

/** x viewed as [batch, channels, inner]: its first two sizes and the product of the rest. */
function batchChannelsInner(x: Tensor): [number, number, number] {
  const [batch, channels] = x.shape;
  return [batch, channels, x.shape.slice(2).reduce((p, d) => p * d, 1)];
}

/** True when x is floating point, not empty, and every tensor given has its dtype and backend, so that one kernel can take them all. */
export function canFuseNorm(x: Tensor, ...others: (Tensor | null | undefined)[]): boolean {
  return isFloating(x.dtype) && x.numel > 0 && others.every((t) => !t || (t.dtype === x.dtype && t.storage.device === x.storage.device));
}

/**
 * Batch normalization of x [N, C, *] per channel in one kernel each way (see torch.nn.functional.batch_norm).
 * In training the running statistics, when given, are updated in place (no gradient flows into them).
 * @example fusedBatchNorm(x, runningMean, runningVar, weight, bias, true, 0.1, 1e-5)
 */
export function fusedBatchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null,
  training: boolean, momentum: number, eps: number,
): Tensor {
  const [batch, channels, inner] = batchChannelsInner(x);
  const b = backendOf('batchNorm', x, weight, bias);
  const out = emptyTensor(x.shape, x.dtype, b);
  const saveMean = emptyTensor([channels], x.dtype, b);
  const saveInvstd = emptyTensor([channels], x.dtype, b);
  b.batchNorm(x.storage, batch, channels, inner, storageOf(weight), storageOf(bias), storageOf(runningMean), storageOf(runningVar),
    training, momentum, eps, out.storage, saveMean.storage, saveInvstd.storage);
  if (training) for (const t of [runningMean, runningVar]) if (t) t.version++;
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  if (!needsGrad(x, weight ?? undefined, bias ?? undefined)) return out;
  return record(out, 'NativeBatchNormBackward', inputs, (grad) => {
    let grads: (Tensor | null)[];
    if (isGradEnabled() || grad.dtype !== x.dtype) {
      grads = composedBatchNormBackward(x, weight, grad, training ? null : [saveMean, saveInvstd], eps);
    } else {
      grads = [x.requiresGrad ? emptyTensor(x.shape, x.dtype, b) : null, null, null];
      if (weight?.requiresGrad) grads[1] = emptyTensor([channels], x.dtype, b);
      if (bias?.requiresGrad) grads[2] = emptyTensor([channels], x.dtype, b);
      b.batchNormBackward(x.storage, grad.storage, batch, channels, inner, storageOf(weight), saveMean.storage, saveInvstd.storage,
        training, storageOf(grads[0]), storageOf(grads[1]), storageOf(grads[2]));
    }
    return [grads[0], ...(weight ? [grads[1] && reshape(grads[1], weight.shape)] : []), ...(bias ? [grads[2] && reshape(grads[2], bias.shape)] : [])];
  }, [x, saveMean, saveInvstd]);
}

// A per-channel vector [C] shaped to broadcast against [N, C, *].
function channelView(v: Tensor, ndim: number): Tensor {
  return reshape(v, [v.shape[0], ...new Array<number>(Math.max(0, ndim - 2)).fill(1)]);
}

// batchNorm's gradients [x, weight, bias] in differentiable ops. `evalStats` holds the (constant) mean and
// invstd in evaluation mode; in training they are recomputed from x so that they are differentiated too.
function composedBatchNormBackward(x: Tensor, weight: Tensor | null, grad: Tensor, evalStats: [Tensor, Tensor] | null, eps: number): (Tensor | null)[] {
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const count = x.numel / x.shape[1];
  let xhat: Tensor;
  let invstd: Tensor;
  if (evalStats) {
    invstd = channelView(evalStats[1], x.ndim);
    xhat = mul(sub(x, channelView(evalStats[0], x.ndim)), invstd);
  } else {
    const centered = sub(x, mean(x, dims, true));
    invstd = rsqrt(add(mean(mul(centered, centered), dims, true), eps));
    xhat = mul(centered, invstd);
  }
  const gradBias = sum(grad, dims, true);
  const gradWeight = sum(mul(grad, xhat), dims, true);
  const scale = weight ? mul(channelView(weight, x.ndim), invstd) : invstd;
  const gradInput = evalStats ? mul(grad, scale) : mul(scale, sub(sub(grad, mul(gradBias, 1 / count)), mul(xhat, mul(gradWeight, 1 / count))));
  const flat = (t: Tensor) => reshape(t, [x.shape[1]]);
  return [x.requiresGrad ? gradInput : null, weight?.requiresGrad ? flat(gradWeight) : null, flat(gradBias)];
}

/**
 * Group normalization of x [N, C, *] in one kernel each way (see torch.nn.functional.group_norm); with
 * `groups` 1 and x viewed as [rows, features, 1] it is layer normalization. weight and bias have C
 * elements (any shape: layerNorm's normalizedShape).
 * @example fusedGroupNorm(x, 2, weight, bias, 1e-5)
 */
export function fusedGroupNorm(x: Tensor, groups: number, weight: Tensor | null, bias: Tensor | null, eps: number, shape3: [number, number, number] = batchChannelsInner(x)): Tensor {
  const [batch, channels, inner] = shape3;
  const channelsPerGroup = channels / groups;
  const b = backendOf('groupNorm', x, weight, bias);
  const out = emptyTensor(x.shape, x.dtype, b);
  const saveMean = emptyTensor([batch, groups], x.dtype, b);
  const saveRstd = emptyTensor([batch, groups], x.dtype, b);
  b.groupNorm(x.storage, batch, groups, channelsPerGroup, inner, storageOf(weight), storageOf(bias), eps, out.storage, saveMean.storage, saveRstd.storage);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  if (!needsGrad(x, weight ?? undefined, bias ?? undefined)) return out;
  return record(out, 'NativeGroupNormBackward', inputs, (grad) => {
    let grads: (Tensor | null)[];
    if (isGradEnabled() || grad.dtype !== x.dtype) {
      grads = composedGroupNormBackward(reshape(x, shape3), groups, weight && reshape(weight, [channels]), reshape(grad, shape3), eps);
      grads = [x.requiresGrad ? reshape(grads[0]!, x.shape) : null, weight?.requiresGrad ? grads[1] : null, grads[2]];
    } else {
      grads = [x.requiresGrad ? emptyTensor(x.shape, x.dtype, b) : null, null, null];
      if (weight?.requiresGrad) grads[1] = emptyTensor([channels], x.dtype, b);
      if (bias?.requiresGrad) grads[2] = emptyTensor([channels], x.dtype, b);
      b.groupNormBackward(x.storage, grad.storage, batch, groups, channelsPerGroup, inner, storageOf(weight), saveMean.storage, saveRstd.storage,
        storageOf(grads[0]), storageOf(grads[1]), storageOf(grads[2]));
    }
    return [grads[0], ...(weight ? [grads[1] && reshape(grads[1], weight.shape)] : []), ...(bias ? [grads[2] && reshape(grads[2], bias.shape)] : [])];
  }, [x, saveMean, saveRstd]);
}

// groupNorm's gradients [x, weight, bias] in differentiable ops, on x [B, C, I] with weight [C] (views of the inputs).
function composedGroupNormBackward(x: Tensor, groups: number, weight: Tensor | null, grad: Tensor, eps: number): (Tensor | null)[] {
  const [batch, channels, inner] = x.shape;
  const grouped = [batch, groups, (channels / groups) * inner];
  const xg = reshape(x, grouped);
  const centered = sub(xg, mean(xg, 2, true));
  const rstd = rsqrt(add(mean(mul(centered, centered), 2, true), eps));
  const xhat = mul(centered, rstd);
  const gw = reshape(weight ? mul(grad, reshape(weight, [channels, 1])) : grad, grouped);
  const gradInput = mul(rstd, sub(sub(gw, mean(gw, 2, true)), mul(xhat, mean(mul(gw, xhat), 2, true))));
  return [reshape(gradInput, x.shape), weight ? sum(mul(grad, reshape(xhat, x.shape)), [0, 2]) : null, sum(grad, [0, 2])];
}
