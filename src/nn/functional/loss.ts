// Loss functions, as torch.nn.functional: each compares an input with a target and reduces the
// elementwise loss with `reduction`: 'mean' (default), 'sum', or 'none' to keep one value per element.
import { Tensor } from '../../tensor/tensor.js';
import { checkedOptions } from '../../tensor/options.js';
import { isFloating } from '../../tensor/dtype.js';
import { broadcastShapes, formatShape, shapesEqual } from '../../tensor/shape.js';
import { needsGrad, record } from '../../autograd/record.js';
import { noGrad } from '../../autograd/grad-mode.js';
import {
  abs, add, cast, clamp, div, eq, exp, le, log, log1p, lt, minimum, mul, neg, relu, sigmoid, sqrt, sub, where,
} from '../../ops/elementwise.js';
import { mean, norm, sum, sumTo } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { detach } from '../../ops/util.js';
import { logSoftmax } from '../../ops/softmax.js';
import { fusedBinaryCrossEntropy, fusedClassLoss } from '../../ops/losses.js';

export type Reduction = 'none' | 'mean' | 'sum';

export interface ReductionOptions {
  /** 'mean' (default) averages, 'sum' adds up, 'none' returns the elementwise loss. */
  reduction?: Reduction;
}

export function checkReduction(op: string, reduction: string): void {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new Error(`${op}: reduction must be 'none', 'mean' or 'sum', got '${reduction}'`);
  }
}

function reduce(loss: Tensor, reduction: Reduction, op: string): Tensor {
  checkReduction(op, reduction);
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? sum(loss) : mean(loss);
}

export function checkTensor(op: string, t: unknown, what: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected ${what} to be a Tensor, got ${typeof t}`);
}

export function checkFloating(op: string, t: Tensor, what: string): void {
  checkTensor(op, t, what);
  if (!isFloating(t.dtype)) throw new Error(`${op}: expected ${what} to be a floating point tensor, got dtype ${t.dtype}`);
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new Error(`${op}: target shape ${formatShape(target.shape)} must match input shape ${formatShape(input.shape)}`);
  }
}

// Floating operands whose shapes broadcast; the shape they broadcast to.
function broadcastLossShape(op: string, input: Tensor, target: Tensor): number[] {
  checkFloating(op, input, 'input');
  checkFloating(op, target, 'target');
  try {
    return broadcastShapes(input.shape, target.shape, op);
  } catch {
    throw new Error(`${op}: target shape ${formatShape(target.shape)} cannot be broadcast to input shape ${formatShape(input.shape)}`);
  }
}

// PyTorch broadcasts regression targets of another shape with a warning ("likely incorrect results"): an [N, 1]
// output against an [N] target becomes an [N, N] loss that trains the wrong thing. Refused here; expanding
// the operands says that broadcasting is meant.
function checkRegressionShapes(op: string, input: Tensor, target: Tensor): void {
  const shape = broadcastLossShape(op, input, target);
  if (shapesEqual(input.shape, target.shape)) return;
  const [i, t] = [formatShape(input.shape), formatShape(target.shape)];
  const fixes: string[] = [];
  const k = target.ndim;
  if (input.ndim === k + 1 && input.shape[k] === 1 && shapesEqual(input.shape.slice(0, k), target.shape)) fixes.push(`target.unsqueeze(${k}) or input.squeeze(${k})`);
  if (target.ndim === input.ndim + 1 && target.shape[input.ndim] === 1 && shapesEqual(target.shape.slice(0, input.ndim), input.shape)) fixes.push(`input.unsqueeze(${input.ndim}) or target.squeeze(${input.ndim})`);
  const deliberate = shapesEqual(shape, input.shape) ? 'target.expandAs(input)' : `input.expand(${formatShape(shape)}) and target.expand(${formatShape(shape)})`;
  throw new Error(
    `${op}: target shape ${t} differs from input shape ${i}: they would broadcast to ${formatShape(shape)}, which is likely not what you want (PyTorch warns). ` +
      `make the shapes equal${fixes.length ? ` (${fixes.join('; ')})` : ''}, or broadcast on purpose: ${deliberate}`,
  );
}

/**
 * Mean squared error (input - target)^2, as torch.nn.functional.mse_loss.
 * @example mseLoss(tensor([1, 2]), tensor([1, 4])) // tensor(2.)
 */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const { reduction = 'mean' } = checkedOptions('mseLoss', options, ['reduction']);
  checkRegressionShapes('mseLoss', input, target);
  const diff = sub(input, target);
  return reduce(mul(diff, diff), reduction, 'mseLoss');
}

/**
 * Mean absolute error |input - target|, as torch.nn.functional.l1_loss.
 * @example l1Loss(tensor([1, 2]), tensor([1, 4])) // tensor(1.)
 */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const { reduction = 'mean' } = checkedOptions('l1Loss', options, ['reduction']);
  checkRegressionShapes('l1Loss', input, target);
  return reduce(abs(sub(input, target)), reduction, 'l1Loss');
}

/**
 * Squared error below `beta`, absolute error above: 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta
 * (torch.nn.functional.smooth_l1_loss; beta 0 is the L1 loss).
 * @example smoothL1Loss(tensor([0, 3]), tensor([0.5, 0]), { beta: 1 }) // tensor(1.3125)
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  const { reduction = 'mean', beta = 1 } = checkedOptions('smoothL1Loss', options, ['reduction', 'beta']);
  checkRegressionShapes('smoothL1Loss', input, target);
  if (!(beta >= 0)) throw new Error(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  if (beta === 0) return reduce(absWithTorchSigns(input, target), reduction, 'smoothL1Loss');
  const d = abs(sub(input, target));
  const loss = where(lt(d, beta), div(mul(mul(d, d), 0.5), beta), sub(d, 0.5 * beta));
  return reduce(loss, reduction, 'smoothL1Loss');
}

// |x - y| with PyTorch's smooth L1 gradients at beta 0: its kernel tests d <= -beta first, so a zero
// difference has slope -1, for the input (d = x - y) and for the target alike (d = y - x).
function absWithTorchSigns(x: Tensor, y: Tensor): Tensor {
  const out = noGrad(() => abs(sub(x, y)));
  if (!needsGrad(x, y)) return out;
  const slope = (d: Tensor) => where(le(d, 0), -1, 1);
  return record(out, 'SmoothL1LossBackward', [x, y], (g) => [
    x.requiresGrad ? sumTo(mul(g, slope(sub(x, y))), x.shape) : null,
    y.requiresGrad ? sumTo(mul(g, slope(sub(y, x))), y.shape) : null,
  ], [x, y]);
}

/**
 * Huber loss: 0.5 d^2 if |d| < delta, else delta (|d| - 0.5 delta), as torch.nn.functional.huber_loss.
 * @example huberLoss(tensor([0, 3]), tensor([0.5, 0]), { delta: 2 }) // tensor(2.0625)
 */
export function huberLoss(input: Tensor, target: Tensor, options: ReductionOptions & { delta?: number } = {}): Tensor {
  const { reduction = 'mean', delta = 1 } = checkedOptions('huberLoss', options, ['reduction', 'delta']);
  checkRegressionShapes('huberLoss', input, target);
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be positive, got ${delta}`);
  const d = abs(sub(input, target));
  const loss = where(lt(d, delta), mul(mul(d, d), 0.5), mul(sub(d, 0.5 * delta), delta));
  return reduce(loss, reduction, 'huberLoss');
}

export interface ClassLossOptions extends ReductionOptions {
  /** A rescaling weight for each class, shape [C]. */
  weight?: Tensor | null;
  /** Target value that contributes nothing, neither to the loss nor to the mean's denominator. Default -100. */
  ignoreIndex?: number;
}

// Class-index targets: input [C] with target [], or [N, C, d1, ...] with target [N, d1, ...]; a weight of
// another floating dtype is converted to the input's (it gets no gradient, as in PyTorch).
function classIndexWeight(op: string, input: Tensor, target: Tensor, weight: Tensor | null | undefined): Tensor | null {
  checkTensor(op, target, 'target');
  if (target.dtype !== 'int32') {
    throw new Error(`${op}: expected class indices as an int32 target, got dtype ${target.dtype}`);
  }
  if (input.ndim === 0) throw new Error(`${op}: expected input of shape [C] or [N, C, ...], got a 0-d tensor`);
  const expected = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    throw new Error(`${op}: expected target of shape ${formatShape(expected)} for input of shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
  }
  if (weight == null) return null;
  checkClassWeight(op, input, weight);
  return weight.dtype === input.dtype ? detach(weight) : cast(detach(weight), input.dtype);
}

function checkClassWeight(op: string, input: Tensor, weight: Tensor): void {
  const numClasses = input.shape[input.ndim === 1 ? 0 : 1];
  checkFloating(op, weight, 'weight');
  if (weight.ndim !== 1 || weight.shape[0] !== numClasses) {
    throw new Error(`${op}: expected weight of shape [${numClasses}] (one per class), got ${formatShape(weight.shape)}`);
  }
}

/**
 * Negative log likelihood of class indices given log-probabilities, as torch.nn.functional.nll_loss.
 * input is [N, C] (or [C], or [N, C, d1, ...]), target int32 [N] (or [], or [N, d1, ...]).
 * @example nllLoss(logSoftmax(logits, 1), tensor([0, 2], { dtype: 'int32' }))
 */
export function nllLoss(input: Tensor, target: Tensor, options: ClassLossOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = 'mean' } = checkedOptions('nllLoss', options, ['weight', 'ignoreIndex', 'reduction']);
  checkFloating('nllLoss', input, 'input');
  checkReduction('nllLoss', reduction);
  const w = classIndexWeight('nllLoss', input, target, weight);
  return fusedClassLoss('nllLoss', input, target, w, ignoreIndex, 0, reduction, false);
}

export interface CrossEntropyOptions extends ClassLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / C. Default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy between logits and a target, computed from logSoftmax (stable), as
 * torch.nn.functional.cross_entropy. The target is either int32 class indices of shape [N] (or [],
 * or [N, d1, ...] with the classes at dim 1 of the input), or class probabilities of the input's shape.
 * @example
 * const logits = tensor([[2, 0.5, -1], [0, 1, 0]], { requiresGrad: true });
 * const loss = crossEntropy(logits, tensor([0, 1], { dtype: 'int32' }), { labelSmoothing: 0.1 });
 * loss.backward();
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = checkedOptions('crossEntropy', options, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing']);
  const op = 'crossEntropy';
  checkFloating(op, input, 'input');
  checkTensor(op, target, 'target');
  checkReduction(op, reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`${op}: labelSmoothing must be between 0.0 and 1.0, got ${labelSmoothing}`);
  }
  if (input.ndim === 0) throw new Error(`${op}: expected input of shape [C] or [N, C, ...], got a 0-d tensor`);
  if (target.dtype === 'int32') {
    const w = classIndexWeight(op, input, target, weight);
    return fusedClassLoss(op, input, target, w, ignoreIndex, labelSmoothing, reduction, true);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const numClasses = input.shape[classDim];
  if (weight != null) checkClassWeight(op, input, weight);
  if (!isFloating(target.dtype) || !shapesEqual(target.shape, input.shape)) {
    const indexShape = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
    // tensor([0, 2, 1]) is float32 by default: labels need { dtype: 'int32' }
    const hint = shapesEqual(target.shape, indexShape) ? ` (class indices must be int32: tensor(labels, { dtype: 'int32' }))` : '';
    throw new Error(
      `${op}: expected class indices (int32) or class probabilities of the input's shape ${formatShape(input.shape)}, ` +
        `got a ${target.dtype} target of shape ${formatShape(target.shape)}${hint}`,
    );
  }
  if (ignoreIndex >= 0) throw new Error(`${op}: ignoreIndex is not supported for class probability targets`);
  const logp = logSoftmax(input, classDim);
  // a weight of shape [C] that broadcasts against the input along the class dim
  const classWeight = weight == null ? null : reshape(weight, input.shape.map((s, i) => (i === classDim ? s : 1)));
  const probs = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / numClasses) : target;
  let terms = mul(logp, probs);
  if (classWeight) terms = mul(terms, classWeight);
  if (reduction === 'none') return neg(sum(terms, classDim));
  if (reduction === 'sum') return neg(sum(terms));
  return div(neg(sum(terms)), input.numel / numClasses);
}

export interface WeightedOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcast to the input's shape. */
  weight?: Tensor | null;
}

function checkElementWeight(op: string, weight: Tensor | null | undefined, shape: readonly number[], what = 'weight'): void {
  if (weight == null) return;
  checkFloating(op, weight, what);
  let ok = true;
  try {
    ok = shapesEqual(broadcastShapes(weight.shape, shape, op), shape);
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${op}: ${what} of shape ${formatShape(weight.shape)} cannot be broadcast to the input shape ${formatShape(shape)}`);
}

/**
 * Binary cross-entropy between probabilities and targets of the same shape, with each log clamped
 * to >= -100 as PyTorch does (torch.nn.functional.binary_cross_entropy).
 * @example binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0]))
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: WeightedOptions = {}): Tensor {
  const { weight = null, reduction = 'mean' } = checkedOptions('binaryCrossEntropy', options, ['weight', 'reduction']);
  const op = 'binaryCrossEntropy';
  checkFloating(op, input, 'input');
  checkFloating(op, target, 'target');
  checkSameShape(op, input, target);
  checkElementWeight(op, weight, input.shape);
  checkReduction(op, reduction);
  const y = cast(target, input.dtype);
  if (weight == null) return fusedBinaryCrossEntropy(op, input, y, reduction);
  return reduce(mul(fusedBinaryCrossEntropy(op, input, y, 'none'), weight), reduction, op);
}

// log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|)).
function stableSoftplus(z: Tensor): Tensor {
  return add(relu(z), log1p(exp(neg(abs(z)))));
}

/**
 * Binary cross-entropy on logits, stable for any logit: (1 - y) x + lw * log(1 + exp(-x)) with
 * lw = (posWeight - 1) y + 1, as torch.nn.functional.binary_cross_entropy_with_logits. posWeight
 * (one value per class, broadcast along the last dim) weighs the positive examples.
 * @example binaryCrossEntropyWithLogits(tensor([2, -1]), tensor([1, 0]), { posWeight: tensor([3]) })
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: WeightedOptions & { posWeight?: Tensor | null } = {},
): Tensor {
  const { weight = null, posWeight = null, reduction = 'mean' } = checkedOptions('binaryCrossEntropyWithLogits', options, ['weight', 'posWeight', 'reduction']);
  const op = 'binaryCrossEntropyWithLogits';
  checkFloating(op, input, 'input');
  checkFloating(op, target, 'target');
  checkSameShape(op, input, target);
  checkElementWeight(op, weight, input.shape);
  checkElementWeight(op, posWeight, input.shape, 'posWeight');
  const x = input;
  const y = target;
  const pw = posWeight;
  const out = noGrad(() => {
    const spNeg = stableSoftplus(neg(x));
    const logWeight = pw ? add(mul(sub(pw, 1), y), 1) : null;
    return add(mul(sub(1, y), x), logWeight ? mul(logWeight, spNeg) : spNeg);
  });
  // explicit gradients, as PyTorch: sigmoid(x) - y (scaled for posWeight), exact at x = 0
  const loss = !needsGrad(x, y) ? out : record(out, 'BinaryCrossEntropyWithLogitsBackward', [x, y], (g) => {
    let gx: Tensor | null = null;
    let gy: Tensor | null = null;
    if (x.requiresGrad) {
      gx = pw ? sub(mul(add(mul(sub(pw, 1), y), 1), sigmoid(x)), mul(pw, y)) : sub(sigmoid(x), y);
      gx = mul(g, gx);
    }
    if (y.requiresGrad) {
      gy = pw ? sub(mul(pw, stableSoftplus(neg(x))), stableSoftplus(x)) : neg(x);
      gy = mul(g, gy);
    }
    return [gx, gy];
  }, [x, y]);
  return reduce(weight != null ? mul(loss, weight) : loss, reduction, op);
}

/**
 * Kullback-Leibler divergence target * (log target - input), where input holds log-probabilities
 * (and so does target when logTarget). reduction 'batchmean' divides the sum by the batch size, which
 * is the true KL divergence; 'mean' divides by the number of elements, as PyTorch does.
 * @example klDiv(logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 */
export function klDiv(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  const { reduction = 'mean', logTarget = false } = checkedOptions('klDiv', options, ['reduction', 'logTarget']);
  const op = 'klDiv';
  broadcastLossShape(op, input, target);
  let loss: Tensor;
  if (logTarget) {
    loss = mul(exp(target), sub(target, input));
  } else {
    // xlogy(t, t): 0 where t == 0, so a zero target never takes log(0)
    const zero = eq(target, 0);
    loss = sub(where(zero, 0, mul(target, log(where(zero, 1, target)))), mul(target, input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? sum(loss) : div(sum(loss), input.shape[0]);
  return reduce(loss, reduction, op);
}

/**
 * 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, with cos over dim 1
 * (inputs [N, D], target [N]) or dim 0 (inputs [D], target []), as torch.nn.functional.cosine_embedding_loss.
 * @example cosineEmbeddingLoss(a, b, tensor([1, -1]), { margin: 0.2 })
 */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: ReductionOptions & { margin?: number } = {},
): Tensor {
  const { margin = 0, reduction = 'mean' } = checkedOptions('cosineEmbeddingLoss', options, ['margin', 'reduction']);
  const op = 'cosineEmbeddingLoss';
  checkFloating(op, input1, 'input1');
  checkFloating(op, input2, 'input2');
  checkTensor(op, target, 'target');
  if (!shapesEqual(input1.shape, input2.shape)) {
    throw new Error(`${op}: input1 ${formatShape(input1.shape)} and input2 ${formatShape(input2.shape)} should have the same shape`);
  }
  if (input1.ndim !== 1 && input1.ndim !== 2) throw new Error(`${op}: expected inputs of shape [N, D] or [D], got ${formatShape(input1.shape)}`);
  const expected = input1.ndim === 2 ? [input1.shape[0]] : [];
  if (!shapesEqual(target.shape, expected)) {
    throw new Error(`${op}: expected target of shape ${formatShape(expected)} for inputs of shape ${formatShape(input1.shape)}, got ${formatShape(target.shape)}`);
  }
  const dim = input1.ndim - 1;
  const EPSILON = 1e-12;
  const dot = sum(mul(input1, input2), dim);
  const mag1 = add(sum(mul(input1, input1), dim), EPSILON);
  const mag2 = add(sum(mul(input2, input2), dim), EPSILON);
  const cos = div(dot, sqrt(mul(mag1, mag2)));
  const pos = where(eq(target, 1), sub(1, cos), 0);
  const negPart = where(eq(target, -1), clamp(sub(cos, margin), 0), 0);
  return reduce(add(pos, negPart), reduction, op);
}

/**
 * max(0, -y (x1 - x2) + margin): y = 1 asks x1 to rank above x2, as torch.nn.functional.margin_ranking_loss.
 * @example marginRankingLoss(tensor([0.5, 0.1]), tensor([0.2, 0.4]), tensor([1, -1]), { margin: 0.1 })
 */
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: ReductionOptions & { margin?: number } = {},
): Tensor {
  const { margin = 0, reduction = 'mean' } = checkedOptions('marginRankingLoss', options, ['margin', 'reduction']);
  const op = 'marginRankingLoss';
  checkFloating(op, input1, 'input1');
  checkFloating(op, input2, 'input2');
  checkTensor(op, target, 'target');
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new Error(
      `${op}: all input tensors should have the same number of dimensions, got input1 ${formatShape(input1.shape)}, ` +
        `input2 ${formatShape(input2.shape)}, target ${formatShape(target.shape)}`,
    );
  }
  return reduce(clamp(add(mul(neg(target), sub(input1, input2)), margin), 0), reduction, op);
}

/**
 * ||x1 - x2 + eps||_p over the last dim, as torch.nn.functional.pairwise_distance.
 * @example pairwiseDistance(randn([4, 3]), randn([4, 3])).shape // [4]
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  const ndim = Math.max(x1.ndim, x2.ndim);
  return norm(add(sub(x1, x2), eps), p, ndim - 1, keepdim);
}

/**
 * max(0, d(a, p) - d(a, n) + margin) with the p-norm pairwise distance; `swap` uses the smaller of
 * d(a, n) and d(p, n), as torch.nn.functional.triplet_margin_loss.
 * @example tripletMarginLoss(anchor, positive, negative, { margin: 1 })
 */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  options: ReductionOptions & { margin?: number; p?: number; eps?: number; swap?: boolean } = {},
): Tensor {
  const { margin = 1, p = 2, eps = 1e-6, swap = false, reduction = 'mean' } = checkedOptions('tripletMarginLoss', options, ['margin', 'p', 'eps', 'swap', 'reduction']);
  const op = 'tripletMarginLoss';
  checkFloating(op, anchor, 'anchor');
  checkFloating(op, positive, 'positive');
  checkFloating(op, negative, 'negative');
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim) {
    throw new Error(
      `${op}: anchor ${formatShape(anchor.shape)}, positive ${formatShape(positive.shape)} and negative ` +
        `${formatShape(negative.shape)} are expected to have the same number of dimensions`,
    );
  }
  if (!(margin > 0)) throw new Error(`${op}: margin must be greater than 0, got ${margin}`);
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (swap) dNeg = minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
  return reduce(clamp(sub(add(dPos, margin), dNeg), 0), reduction, op);
}
