// The Backend interface: the kernels every backend runs on its own storage. Kernels are defined once over
// typed arrays (ArrayKernels, the reference in js/); a backend runs the same signatures over its Storage
// (Kernels, derived below), so a swapped argument does not compile and a new kernel is declared once.
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { type Device, type Storage, defaultDevice, deviceNamed, registerDevice, setBackend } from '../tensor/storage.js';

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'expm1' | 'log' | 'log1p' | 'log2' | 'log10' | 'sqrt' | 'rsqrt'
  | 'reciprocal' | 'square' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh'
  | 'sigmoid' | 'relu' | 'erf' | 'floor' | 'ceil' | 'round' | 'trunc' | 'logicalNot' | 'isnan' | 'isinf'
  | 'isfinite' | 'copy' | 'gelu' | 'geluTanh' | 'silu';

/** The activations whose backward is a kernel (unaryBackward): GELU (exact and tanh forms) and SiLU. */
export type ActivationOp = 'gelu' | 'geluTanh' | 'silu';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2' | 'remainder' | 'fmod'
  | 'floorDivide' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr' | 'logicalXor';

/** Where a 2-d sliding window goes: kernel, stride, padding and dilation as [along H, along W], and the output size. */
export interface ConvGeometry {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
  outSize: readonly [number, number];
}

/**
 * The rows of one recurrent layer's sequence in one direction (the recurrent kernels): step t holds
 * batchSizes[t] sequences (fewer later in a packed batch), sequence n of step t is row
 * stepOffsets[t] + n * batchStride of the input gates, the output and the saved tensors (batchStride 1
 * time-major or packed, `steps` when batch-first). States are [batch, features]; only the first
 * batchSizes[t] rows take part in step t.
 */
export interface RecurrentGeometry {
  steps: number;
  batch: number;
  hidden: number;
  /** Features of h: projSize when an LSTM projects, else hidden. */
  stateSize: number;
  batchSizes: readonly number[];
  stepOffsets: readonly number[];
  batchStride: number;
  /** Walk the steps from the last to the first (the reverse direction of a bidirectional layer). */
  reverse: boolean;
}

/** Where (b, h, r, j) of an attention operand is: offset + b * batchStride + h * headStride + r * rowStride + j. */
export type HeadStrides = readonly [offset: number, batchStride: number, headStride: number, rowStride: number];

/** The sizes of an attention: batch x heads of queries [L, headDim] against keys [S, headDim] and values [S, valueDim]. */
export interface AttentionSizes {
  batch: number;
  heads: number;
  queries: number;
  keys: number;
  headDim: number;
  valueDim: number;
}

/** An attention's sizes and where its operands are: each read at its strides (so heads come straight out of a projection's [N, L, heads * headDim]). */
export interface AttentionGeometry extends AttentionSizes {
  q: HeadStrides;
  k: HeadStrides;
  v: HeadStrides;
  out: HeadStrides;
  /** The mask's [batchStride, headStride, rowStride] (keys contiguous), when there is a mask. */
  mask: readonly [number, number, number] | null;
  /** A bool mask's meaning: true marks keys that take part (scaled_dot_product_attention) or that are left out (MultiheadAttention). */
  maskKeeps: boolean;
  /** Query i attends to keys j <= i only. */
  causal: boolean;
}

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'any' | 'all';

/**
 * The kernels, over contiguous typed arrays that they write into a preallocated `out` (js/ implements
 * them all). Ops and autograd sit above and never touch elements themselves.
 */
export interface ArrayKernels {
  /** Elementwise op; gelu is x Φ(x) (exact erf), geluTanh torch's tanh approximation, silu x sigmoid(x). */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** Elementwise op with NumPy broadcasting of `aShape` and `bShape` to `outShape`. */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  where(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  /** out = x converted to out's dtype (float to int truncates toward zero, anything to bool is x != 0). */
  cast(x: TypedArray, out: TypedArray): void;
  /** Sets every element of out to `value`. */
  fill(out: TypedArray, value: number): void;
  /** The first element of `index` outside [0, size), or null when all are inside. */
  indexOutOfRange(index: Int32Array, size: number): number | null;
  /**
   * Reduces the axes `axes` of `x` (shape `shape`; ascending, at least one; one for argmax/argmin) in one pass;
   * `out` has the shape with them removed. sum and prod accumulate in float64 over the reduced elements in
   * row-major order and round once; max/min propagate NaN; argmax/argmin return the first extreme (or NaN).
   */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void;
  /**
   * Batched C[b] = op(A[b]) @ op(B[b]) with C of shape [batch, m, n]. A batch stride of 0 broadcasts.
   * transA means A[b] is stored as [k, m]; transB means B[b] is stored as [n, k].
   */
  matmul(
    a: TypedArray, b: TypedArray, out: TypedArray, batch: number, m: number, k: number, n: number,
    transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
  ): void;
  /** out = x with axes permuted (out's axis i is x's axis perm[i]). */
  permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;
  /** out = x broadcast from `shape` to `outShape`. */
  expand(x: TypedArray, shape: Shape, out: TypedArray, outShape: Shape): void;
  /** Copies the block x[..., start:start+length:step, ...] along `axis`. */
  slice(x: TypedArray, shape: Shape, axis: number, start: number, length: number, step: number, out: TypedArray): void;
  /** Writes `src` into out[..., offset:offset+src.shape[axis], ...] (the inverse of slice, used by cat and slice's backward). */
  sliceAssign(src: TypedArray, srcShape: Shape, axis: number, offset: number, step: number, out: TypedArray, outShape: Shape): void;
  /** out[outer, j, inner] = x[outer, index[j], inner]. */
  indexSelect(x: TypedArray, shape: Shape, axis: number, index: Int32Array, out: TypedArray): void;
  /** out[outer, index[j], inner] += src[outer, j, inner]. */
  indexAdd(src: TypedArray, srcShape: Shape, axis: number, index: Int32Array, out: TypedArray, outShape: Shape): void;
  /** torch.gather: out[i][j] = x[i][index[i][j]] along `axis`; index has out's shape. */
  gather(x: TypedArray, shape: Shape, axis: number, index: Int32Array, indexShape: Shape, out: TypedArray): void;
  /** torch.scatter_add_: out[i][index[i][j]] += src[i][j] along `axis`. */
  scatterAdd(src: TypedArray, srcShape: Shape, index: Int32Array, indexShape: Shape, axis: number, out: TypedArray, outShape: Shape): void;
  /** Softmax (or log-softmax) along `axis` of x (shape `shape`), shifted by the maximum for stability. */
  softmax(x: TypedArray, shape: Shape, axis: number, out: TypedArray, log: boolean): void;
  /** Unfolds x [n, c, h, w] into columns [n, c*kh*kw, oh*ow] (padding reads 0), as torch's unfold/im2col. */
  im2col(x: TypedArray, n: number, c: number, h: number, w: number, geometry: ConvGeometry, out: TypedArray): void;
  /** The adjoint of im2col: sums columns [n, c*kh*kw, oh*ow] back into out [n, c, h, w] (overwritten), as torch's fold/col2im. */
  col2im(cols: TypedArray, n: number, c: number, h: number, w: number, geometry: ConvGeometry, out: TypedArray): void;
  /** Convolution with groups 1: out [n, cout, oh, ow] = weight [cout, c*kh*kw] @ im2col(x [n, c, h, w]) (+ bias [cout]). */
  conv2d(x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, bias: TypedArray | null, geometry: ConvGeometry, out: TypedArray): void;
  /**
   * The backward of conv2d for the gradients that are not null: gradInput [n, c, h, w] (overwritten),
   * gradWeight [cout, c*kh*kw] and gradBias [cout] (each summed over the batch, overwritten).
   */
  conv2dBackward(
    x: TypedArray, n: number, c: number, h: number, w: number, weight: TypedArray, cout: number, geometry: ConvGeometry,
    gradOut: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
  ): void;
  /**
   * Max pooling over `planes` planes of h x w into values and the flat index (y * w + x) of each maximum
   * in its plane (PyTorch's rules: padding skipped, NaN propagates, first maximum wins ties).
   */
  maxPool2d(x: TypedArray, planes: number, h: number, w: number, geometry: ConvGeometry, values: TypedArray, indices: Int32Array): void;
  /** The backward of maxPool2d: out [planes, h, w] is zeroed, then grad [planes, oh, ow] is added at the flat indices. */
  maxPool2dBackward(grad: TypedArray, indices: Int32Array, planes: number, h: number, w: number, out: TypedArray): void;
  /** relu's backward from its output y: out = y > 0 ? grad : 0. */
  reluBackward(grad: TypedArray, y: TypedArray, out: TypedArray): void;
  /** Scales, in place, each row of weight (rows of `dim`) named in `rows` whose p-norm exceeds maxNorm to maxNorm (torch's embedding_renorm_). */
  renormRows(weight: TypedArray, dim: number, rows: Int32Array, maxNorm: number, p: number): void;

  // Sorting, selection and scans view x as [outer, n, inner]: the axis has n elements, `inner` apart.
  /** out [outer, n, inner]: the positions along the axis in sorted order (NaN last ascending, first descending; stable). */
  argsort(x: TypedArray, outer: number, n: number, inner: number, descending: boolean, out: Int32Array): void;
  /** out [outer, k, inner]: the positions of the k largest (or smallest) elements along the axis, in order (ties by position). */
  topk(x: TypedArray, outer: number, n: number, inner: number, k: number, largest: boolean, out: Int32Array): void;
  /**
   * Sorted distinct values of x into values[0..u), each element's index among them into inverse, the
   * number of occurrences into counts[0..u), and u into distinct[0] (values and counts are allocated with
   * x.length entries). The count is written, not returned, so a device that reads asynchronously can run it.
   */
  unique(x: TypedArray, values: TypedArray, inverse: Int32Array, counts: Int32Array, distinct: Int32Array): void;
  /** The coordinates of the non-zero elements (row-major) into out, shape.length per element, and their number into count[0]. */
  nonzero(x: TypedArray, shape: Shape, out: Int32Array, count: Int32Array): void;
  /** out = cumulative sum or product along the axis (accumulated in double, as PyTorch's CPU kernels). */
  cumulative(op: 'sum' | 'prod', x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  /** The gradient of cumprod along the axis for the upstream gradient `grad`, exact when x has zeros. */
  cumprodBackward(x: TypedArray, grad: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  /**
   * out [rows, numSamples]: for each uniform draw in [0, 1) (uniforms [rows, numSamples]) the category of
   * probs [rows, n] it falls in, by the normalized cumulative distribution (PyTorch's multinomial with replacement).
   * A device without float64 takes the draws rounded up to float32, which compare with float32 buckets as the
   * float64 draws do.
   */
  sampleCategorical(probs: TypedArray, rows: number, n: number, uniforms: Float64Array | Float32Array, numSamples: number, out: Int32Array): void;
  /** out = grad * op'(x), the backward of an activation from its input (PyTorch's formulas). */
  unaryBackward(op: ActivationOp, grad: TypedArray, x: TypedArray, out: TypedArray): void;
  /**
   * The backward of softmax along `axis` from its output y: out = y * (grad - sum(grad * y)); of log-softmax
   * (`log`): out = grad - exp(y) * sum(grad); sums along the axis.
   */
  softmaxBackward(grad: TypedArray, y: TypedArray, shape: Shape, axis: number, out: TypedArray, log: boolean): void;
  /**
   * Cross-entropy of class indices per element, as torch's cross_entropy with reduction 'none': input
   * [outer, classes, inner] holds logits (or log-probabilities when !fromLogits: nll_loss), target [outer, inner].
   * With logp the log-softmax over classes and w the class weights (1 when weight is null), element i gets
   * losses[i] = (1 - smoothing) * w[y] * -logp[y] + smoothing / classes * sum_c w[c] * -logp[c] and
   * weights[i] = w[y]; both 0 where target is ignoreIndex. logSumExp[i] keeps each row's log-sum-exp for the
   * backward (0 when !fromLogits). Returns the first target outside [0, classes) other than ignoreIndex, or null.
   */
  crossEntropy(
    input: TypedArray, target: Int32Array, weight: TypedArray | null, outer: number, classes: number, inner: number,
    ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, losses: TypedArray, weights: TypedArray, logSumExp: TypedArray,
  ): number | null;
  /**
   * The gradient of crossEntropy's losses with respect to its input, times `scale`: grad holds one value per
   * element (reduction 'none') or one for all (length 1). With p = softmax: out[n, c, i] = grad * scale *
   * ((1 - smoothing) * w[y] * (p[c] - [c = y]) + smoothing / classes * (p[c] * sum(w) - w[c])), 0 where ignored
   * (without p when !fromLogits: -grad * scale * w[y] * [c = y]).
   */
  crossEntropyBackward(
    input: TypedArray, logSumExp: TypedArray, target: Int32Array, weight: TypedArray | null, outer: number, classes: number,
    inner: number, ignoreIndex: number, labelSmoothing: number, fromLogits: boolean, grad: TypedArray, scale: number, out: TypedArray,
  ): void;
  /**
   * Batch normalization of x [batch, channels, inner] per channel, as torch's batch_norm. Training: with the
   * batch mean and biased variance, and when given, runningMean/runningVar updated in place to
   * (1 - momentum) * running + momentum * batch statistic (the variance unbiased). Else with the running
   * statistics. out = (x - mean) * invstd * weight + bias (weight and bias optional); mean and invstd =
   * 1 / sqrt(var + eps) [channels] are written for the backward.
   */
  batchNorm(
    x: TypedArray, batch: number, channels: number, inner: number, weight: TypedArray | null, bias: TypedArray | null,
    runningMean: TypedArray | null, runningVar: TypedArray | null, training: boolean, momentum: number, eps: number,
    out: TypedArray, mean: TypedArray, invstd: TypedArray,
  ): void;
  /**
   * The backward of batchNorm for the gradients that are not null (each overwritten): in training the
   * statistics' dependence on x included, else gradInput = grad * invstd * weight; gradWeight = sum(grad * xhat)
   * and gradBias = sum(grad) per channel.
   */
  batchNormBackward(
    x: TypedArray, grad: TypedArray, batch: number, channels: number, inner: number, weight: TypedArray | null,
    mean: TypedArray, invstd: TypedArray, training: boolean, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
  ): void;
  /**
   * Group normalization, as torch's group_norm (layer_norm is groups = 1, inner = 1): x [batch, groups *
   * channelsPerGroup, inner] normalized per sample and group over its channelsPerGroup * inner values with
   * the biased variance, then out = xhat * weight[c] + bias[c] per channel (optional). mean and rstd =
   * 1 / sqrt(var + eps) [batch, groups] are written for the backward.
   */
  groupNorm(
    x: TypedArray, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: TypedArray | null,
    bias: TypedArray | null, eps: number, out: TypedArray, mean: TypedArray, rstd: TypedArray,
  ): void;
  /** The backward of groupNorm for the gradients that are not null (each overwritten; weight and bias summed over batch and inner). */
  groupNormBackward(
    x: TypedArray, grad: TypedArray, batch: number, groups: number, channelsPerGroup: number, inner: number, weight: TypedArray | null,
    mean: TypedArray, rstd: TypedArray, gradInput: TypedArray | null, gradWeight: TypedArray | null, gradBias: TypedArray | null,
  ): void;
  /**
   * Binary cross-entropy per element, as torch's binary_cross_entropy: out = -(y log x + (1 - y) log(1 - x))
   * with each log clamped to >= -100. Returns the flat index of the first x outside [0, 1] (or NaN), or null.
   */
  binaryCrossEntropy(x: TypedArray, y: TypedArray, out: TypedArray): number | null;
  /**
   * Its gradient with respect to x, times `scale`: out = grad * scale * (x - y) / max((1 - x) x, 1e-12);
   * grad holds one value per element or one for all (length 1).
   */
  binaryCrossEntropyBackward(x: TypedArray, y: TypedArray, grad: TypedArray, scale: number, out: TypedArray): void;
  /**
   * One LSTM layer in one direction over the steps of `g`: xGates [rows, 4H] = x W_ihᵀ + b_ih + b_hh
   * (gates i, f, g, o), h0 [N, P] and c0 [N, H] (null: zeros), weightHh [4H, P], weightHr [P, H] (projSize;
   * null: none). Writes out [rows, P] (h at every step) and cN [N, H]; for backward, when gates is not null,
   * gates [rows, 4H] (after their activations), cells [rows, 2H] (tanh(c) and the previous c), hPrev
   * [rows, P] (the h each step read) and hRaw [rows, H] (h before its projection; projSize only).
   */
  lstmForward(
    xGates: TypedArray, h0: TypedArray | null, c0: TypedArray | null, weightHh: TypedArray, weightHr: TypedArray | null,
    g: RecurrentGeometry, out: TypedArray, cN: TypedArray,
    gates: TypedArray | null, cells: TypedArray | null, hPrev: TypedArray | null, hRaw: TypedArray | null,
  ): void;
  /**
   * Backward through time of lstmForward from gradOut [rows, P] and gradCN [N, H] (null: none): gradGates
   * [rows, 4H] (of the pre-activation gates, i.e. of xGates), gradH0 [N, P], gradC0 [N, H] and, with a
   * projection, gradHAll [rows, P] (the gradient of each projected h).
   */
  lstmBackward(
    gates: TypedArray, cells: TypedArray, weightHh: TypedArray, weightHr: TypedArray | null,
    gradOut: TypedArray | null, gradCN: TypedArray | null, g: RecurrentGeometry,
    gradGates: TypedArray, gradH0: TypedArray, gradC0: TypedArray, gradHAll: TypedArray | null,
  ): void;
  /**
   * One GRU layer in one direction: xGates [rows, 3H] = x W_ihᵀ + b_ih (gates r, z, n), h0 [N, H] (null:
   * zeros), weightHh [3H, H], biasHh [3H] (null: none). Writes out [rows, H]; for backward, gates [rows, 4H]
   * (r, z, n and h W_hnᵀ + b_hn) and hPrev [rows, H].
   */
  gruForward(
    xGates: TypedArray, h0: TypedArray | null, weightHh: TypedArray, biasHh: TypedArray | null, g: RecurrentGeometry,
    out: TypedArray, gates: TypedArray | null, hPrev: TypedArray | null,
  ): void;
  /** Backward through time of gruForward: gradXGates [rows, 3H], gradHGates [rows, 3H] (of h W_hhᵀ + b_hh) and gradH0 [N, H]. */
  gruBackward(
    gates: TypedArray, hPrev: TypedArray, weightHh: TypedArray, gradOut: TypedArray | null, g: RecurrentGeometry,
    gradXGates: TypedArray, gradHGates: TypedArray, gradH0: TypedArray,
  ): void;
  /** One Elman RNN layer: out [rows, H] = act(xGates + h W_hhᵀ) step by step (relu or tanh); hPrev [rows, H] for backward. */
  rnnForward(xGates: TypedArray, h0: TypedArray | null, weightHh: TypedArray, relu: boolean, g: RecurrentGeometry, out: TypedArray, hPrev: TypedArray | null): void;
  /** Backward through time of rnnForward, from its output: gradXGates [rows, H] and gradH0 [N, H]. */
  rnnBackward(out: TypedArray, weightHh: TypedArray, relu: boolean, gradOut: TypedArray | null, g: RecurrentGeometry, gradXGates: TypedArray, gradH0: TypedArray): void;
  /**
   * out = dropout(softmax((q / sqrt(headDim)) kᵀ + mask)) v per batch and head, at the strides of `g`;
   * weights [batch, heads, L, S] receives the softmax (before dropout). mask: float (added) or bool (see
   * g.maskKeeps), read at g.mask's strides; dropout: [batch, heads, L, S] scale factors (0 or 1 / (1 - p)).
   */
  attention(
    q: TypedArray, k: TypedArray, v: TypedArray, mask: TypedArray | null, dropout: TypedArray | null,
    g: AttentionGeometry, out: TypedArray, weights: TypedArray,
  ): void;
  /**
   * The gradients of attention, ADDED into gradQ, gradK and gradV (at q's, k's and v's strides; they may be
   * one array), from gradOut (at out's strides) and gradWeights ([batch, heads, L, S], of the weights after
   * dropout); either may be null. gradV is untouched without gradOut.
   */
  attentionBackward(
    q: TypedArray, k: TypedArray, v: TypedArray, weights: TypedArray, dropout: TypedArray | null,
    gradOut: TypedArray | null, gradWeights: TypedArray | null, g: AttentionGeometry,
    gradQ: TypedArray, gradK: TypedArray, gradV: TypedArray,
  ): void;
}

// The same signatures over a backend's storage: every typed-array argument becomes a Storage.
type StorageArgs<A extends unknown[]> = {
  [K in keyof A]: A[K] extends TypedArray ? Storage : A[K] extends TypedArray | null ? Storage | null : A[K];
};
type OnStorage<F> = F extends (...args: infer A) => infer R ? (...args: StorageArgs<A>) => R : never;
export type Kernels = { [K in keyof ArrayKernels]: OnStorage<ArrayKernels[K]> };

/** Scalars of one fused SGD step; `initBuffer` means the momentum buffer is set to the first direction. */
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
  initBuffer: boolean;
}

/**
 * Scalars of one fused Adam step: `weightDecay` is L2 (added to the gradient), `decoupledDecay` scales the
 * parameter by (1 - lr * decoupledDecay) first (AdamW); `step` is the step count after this update.
 */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupledDecay: number;
  maximize: boolean;
  step: number;
}

/**
 * Optional fused update rules, keyed by rule: one pass over a parameter and its state, in place. Each
 * returns false when it cannot take these operands (e.g. float64), and the rule's reference (tensor ops,
 * in optim/) runs instead; test/optim/fused.test.ts checks every fused step against its reference.
 */
export interface FusedSteps {
  sgd(param: Storage, grad: Storage, momentumBuffer: Storage | null, options: SgdStepOptions): boolean;
  adam(param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null, options: AdamStepOptions): boolean;
}

/** Every state buffer of a fused step must be as long as the parameter: the kernels trust the lengths they are given. */
export function checkFusedLengths(rule: string, param: Storage, others: Record<string, Storage | null>): void {
  for (const [name, s] of Object.entries(others)) {
    if (s !== null && s.length !== param.length) {
      throw new Error(`${rule}: ${name} has ${s.length} elements but the parameter has ${param.length}`);
    }
  }
}

/** A backend: a device that owns storage (tensor/storage.ts) and runs the kernels on it. */
export interface Backend extends Device, Kernels {
  readonly fused: Partial<FusedSteps>;
  /** Optional asynchronous setup that `init(name)` awaits (threads, a GPU adapter). */
  ready?(): Promise<void>;
  /**
   * Kernels this backend does not run (they throw, naming themselves); an op with a composition from other
   * kernels (the recurrent layers) takes it here instead. Absent: every kernel runs.
   */
  readonly missingKernels?: ReadonlySet<string>;
}

/** Makes a backend available to setBackend/init/to() by its name; it selects nothing. */
export function registerBackend(backend: Backend): void {
  registerDevice(backend);
}

/** The backend named `name`, or the one new tensors are created on. @example backend('js').name // 'js' */
export function backend(name?: string): Backend {
  return (name === undefined ? defaultDevice() : deviceNamed(name, 'backend')) as Backend;
}

/**
 * Prepares backend `name` (its threads, or a GPU adapter) and makes it the one new tensors are created on.
 * @example await init('wasm');
 */
export async function init(name: string): Promise<void> {
  const b = deviceNamed(name, 'init') as Backend;
  await b.ready?.();
  setBackend(name);
}

export type { DType };
