// Cross-entropy of class indices and binary cross-entropy as single ops: one kernel computes the elementwise
// losses (and checks the targets), one kernel the whole input gradient, however the loss is reduced. When the
// gradient itself must be differentiable (createGraph) it is composed of differentiable ops. Argument checks
// are nn/functional's (loss.ts).
import { isGradEnabled, noGrad } from '../autograd/grad-mode.js';
import { needsGrad, record } from '../autograd/record.js';
import { Tensor } from '../tensor/tensor.js';
import { cast, clamp, div, eq, ge, le, log, logicalAnd, logicalNot, mul, neg, sub, where } from './elementwise.js';
import { checkIndexRange, indexSelect } from './indexing.js';
import { any, argmax, sum } from './reduce.js';
import { reshape, unsqueeze } from './shape.js';
import { softmax } from './softmax.js';
import { backendOf, checkValues, emptyTensor, readsSync } from './util.js';

export type LossReduction = 'none' | 'mean' | 'sum';

/** `losses` reduced: kept ('none'), summed, or summed and divided by `count` ('mean'); untracked. */
function reduceLosses(losses: Tensor, reduction: LossReduction, count: Tensor | number): Tensor {
  if (reduction === 'none') return losses;
  return noGrad(() => (reduction === 'sum' ? sum(losses) : div(sum(losses), count)));
}

/**
 * Cross-entropy of logits (fromLogits) or negative log-likelihood of log-probabilities, against int32 class
 * indices: input [C] with target [], or [N, C, d1, ...] with target [N, d1, ...]. The 'mean' divides by the
 * total weight of the counted targets (NaN when every target is ignored, with a zero gradient), as PyTorch.
 * Returns the loss; throws naming `op` when a target is out of range.
 * @example fusedClassLoss('crossEntropy', logits, labels, null, -100, 0, 'mean', true)
 */
export function fusedClassLoss(
  op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, labelSmoothing: number,
  reduction: LossReduction, fromLogits: boolean,
): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const outer = input.ndim === 1 ? 1 : input.shape[0];
  const classes = input.shape[classDim];
  const inner = input.shape.slice(2).reduce((p, d) => p * d, 1);
  const b = backendOf(op, input, target, weight);
  const losses = emptyTensor(target.shape, input.dtype, b);
  const weights = emptyTensor(target.shape, input.dtype, b);
  const logSumExp = emptyTensor(target.shape, input.dtype, b);
  const w = weight ? weight.storage : null;
  const bad = b.crossEntropy(input.storage, target.storage, w, outer, classes, inner, ignoreIndex, labelSmoothing, fromLogits,
    losses.storage, weights.storage, logSumExp.storage);
  const outOfRange = (label: number) => `${op}: target label ${label} is out of range for ${classes} classes (expected 0 <= label < ${classes}, or ignoreIndex ${ignoreIndex})`;
  if (bad !== null) throw new Error(outOfRange(bad));
  // a GPU's kernel cannot answer at once: the labels, ignored ones aside, are checked at its next read
  if (!readsSync(target) && target.numel > 0) noGrad(() => checkIndexRange(b, where(eq(target, ignoreIndex), 0, target), classes, outOfRange));
  const totalWeight = reduction === 'mean' ? noGrad(() => sum(weights)) : 1;
  const out = reduceLosses(losses, reduction, totalWeight);
  if (!needsGrad(input)) return out;
  const kernel = (g: Tensor, logits: boolean) => {
    const result = emptyTensor(input.shape, input.dtype, b);
    b.crossEntropyBackward(input.storage, logSumExp.storage, target.storage, w, outer, classes, inner, ignoreIndex, labelSmoothing,
      logits, g.storage, 1, result.storage);
    return result;
  };
  return record(out, fromLogits ? 'CrossEntropyLossBackward' : 'NllLossBackward', [input], (grad) => {
    // the upstream gradient of each element: grad itself, or one value for all ('sum'), over the total weight ('mean')
    const upstream = reduction === 'mean' ? div(grad, totalWeight) : grad;
    if (!isGradEnabled() && upstream.dtype === input.dtype) return [kernel(upstream, fromLogits)];
    // createGraph: with A = upstream * K, K the coefficients of -logp in the loss (constant in x), the gradient is
    // p * sum(A) - A over classes from logits (p = softmax(x)), -A from log-probabilities
    const coefficients = noGrad(() => {
      const one = emptyTensor([], input.dtype, b);
      b.fill(one.storage, -1);
      return kernel(one, false);
    });
    const a = mul(reduction === 'none' && input.ndim > 1 ? unsqueeze(upstream, classDim) : upstream, coefficients);
    return [fromLogits ? sub(mul(softmax(input, classDim), sum(a, classDim, true)), a) : neg(a)];
  }, weight ? [input, target, weight] : [input, target]);
}

/**
 * Binary cross-entropy of probabilities x against targets y of the same shape, each log clamped to >= -100
 * (torch.nn.functional.binary_cross_entropy without weight), reduced. Throws naming `op` when an x is outside [0, 1].
 * @example fusedBinaryCrossEntropy('binaryCrossEntropy', probs, targets, 'sum')
 */
export function fusedBinaryCrossEntropy(op: string, x: Tensor, y: Tensor, reduction: LossReduction): Tensor {
  const b = backendOf(op, x, y);
  const losses = emptyTensor(x.shape, x.dtype, b);
  const bad = b.binaryCrossEntropy(x.storage, y.storage, losses.storage);
  const outside = (value: number, at: number) => `${op}: all elements of input should be between 0 and 1, got ${value} at flat index ${at}`;
  if (bad !== null) throw new Error(outside(x.dataSync()[bad], bad));
  if (!readsSync(x) && x.numel > 0) {
    // the GPU's kernel cannot answer at once: the first element outside [0, 1] (or NaN) is checked at its next read
    noGrad(() => {
      const flat = reshape(x, [x.numel]);
      const isOutside = logicalNot(logicalAnd(ge(flat, 0), le(flat, 1)));
      const first = argmax(cast(isOutside, 'int32'));
      checkValues([any(isOutside), first, indexSelect(flat, 0, reshape(first, [1]))], ([found, at, value]) => (found[0] ? outside(value[0], at[0]) : null));
    });
  }
  const out = reduceLosses(losses, reduction, x.numel);
  if (!needsGrad(x, y)) return out;
  return record(out, 'BinaryCrossEntropyBackward', [x, y], (grad) => {
    const scale = reduction === 'mean' ? 1 / x.numel : 1;
    let gx: Tensor | null = null;
    if (x.requiresGrad && !isGradEnabled() && grad.dtype === x.dtype) {
      gx = emptyTensor(x.shape, x.dtype, b);
      b.binaryCrossEntropyBackward(x.storage, y.storage, grad.storage, scale, gx.storage);
    } else if (x.requiresGrad) {
      gx = mul(mul(grad, scale), div(sub(x, y), clamp(mul(sub(1, x), x), 1e-12)));
    }
    // PyTorch's explicit target gradient: log(1 - x) - log(x), each clamped
    const gy = y.requiresGrad ? mul(mul(grad, scale), sub(clamp(log(sub(1, x)), -100), clamp(log(x), -100))) : null;
    return [gx, gy];
  }, [x, y]);
}
