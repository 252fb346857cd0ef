// Installs the ops as Tensor methods (x.add(y), x.sum(1)), keeping tensor/ free of imports from above.
import { Tensor } from '../tensor/tensor.js';
import { type DType, isDType } from '../tensor/dtype.js';
import { toBackend, toBackendAsync } from './device.js';
import type { Generator } from '../tensor/random.js';
import { type BackwardOptions, backward } from '../autograd/engine.js';
import type { TensorLike } from './util.js';
import { detach } from './util.js';
import * as E from './elementwise.js';
import * as R from './reduce.js';
import * as S from './shape.js';
import * as I from './indexing.js';
import * as L from './linalg.js';
import * as X from './softmax.js';
import * as P from './inplace.js';
import * as O from './sort.js';
import * as C from './scan.js';
import * as N from './nonzero.js';
import * as G from './random.js';
import * as B from './addmm.js';
import * as SP from './sparse.js';
import { SparseTensor } from '../tensor/sparse.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    backward(gradient?: Tensor | null, options?: BackwardOptions): void;
    backward(options: BackwardOptions): void;
    /** A tensor sharing this one's data, cut from the graph. */
    detach(): Tensor;
    clone(): Tensor;
    /** A copy in another dtype ('float64', ...) or on another backend ('js', 'wasm', ...); this tensor when nothing changes. */
    to(target: DType | string): Tensor;
    /** A copy on another backend from any backend, a GPU included (read with `await data()`); this tensor when it is there. */
    toAsync(device: string): Promise<Tensor>;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;

    add(other: TensorLike, alpha?: number): Tensor;
    sub(other: TensorLike, alpha?: number): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    neg(): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor;
    fmod(other: TensorLike): Tensor;
    floorDivide(other: TensorLike): Tensor;
    atan2(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalXor(other: TensorLike): Tensor;
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    where(condition: Tensor, other: TensorLike): Tensor;
    maskedFill(mask: Tensor, value: TensorLike): Tensor;

    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    trunc(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    square(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    erf(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    elu(alpha?: number): Tensor;
    gelu(approximate?: 'none' | 'tanh'): Tensor;
    silu(): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;

    sum(dim?: R.Dims, keepdim?: boolean): Tensor;
    mean(dim?: R.Dims, keepdim?: boolean): Tensor;
    prod(dim?: number, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
    amax(dim?: R.Dims, keepdim?: boolean): Tensor;
    amin(dim?: R.Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    any(dim?: R.Dims, keepdim?: boolean): Tensor;
    all(dim?: R.Dims, keepdim?: boolean): Tensor;
    var(dim?: R.Dims, unbiased?: boolean, keepdim?: boolean): Tensor;
    std(dim?: R.Dims, unbiased?: boolean, keepdim?: boolean): Tensor;
    logsumexp(dim: R.Dims, keepdim?: boolean): Tensor;
    norm(p?: number | 'fro', dim?: R.Dims, keepdim?: boolean): Tensor;

    reshape(...shape: number[] | [readonly number[]]): Tensor;
    view(...shape: number[] | [readonly number[]]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    t(): Tensor;
    /** The transpose of a matrix (reverses all dims), like torch's .T */
    readonly T: Tensor;
    expand(...shape: number[] | [readonly number[]]): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    contiguous(): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    split(splitSize: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    repeat(...repeats: number[] | [readonly number[]]): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    flip(dims: number | readonly number[]): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    sort(dim?: number, descending?: boolean): R.ValuesIndices;
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): R.ValuesIndices;
    unique(options?: { sorted?: boolean; returnInverse?: false; returnCounts?: false; dim?: undefined }): Tensor;
    unique(options: O.UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): O.UniqueResult;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    nonzero(): Tensor;
    argwhere(): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    multinomial(numSamples: number, replacement?: boolean, generator?: Generator): Tensor;
    bernoulli(p?: number, generator?: Generator): Tensor;

    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    addmm(mat1: Tensor, mat2: Tensor, options?: B.ScaleOptions): Tensor;
    baddbmm(batch1: Tensor, batch2: Tensor, options?: B.ScaleOptions): Tensor;

    add_(other: TensorLike, alpha?: number): this;
    sub_(other: TensorLike, alpha?: number): this;
    mul_(other: TensorLike): this;
    div_(other: TensorLike): this;
    pow_(other: TensorLike): this;
    addcmul_(a: Tensor, b: Tensor, value?: number): this;
    addcdiv_(a: Tensor, b: Tensor, value?: number): this;
    maximum_(other: TensorLike): this;
    sqrt_(): this;
    neg_(): this;
    clamp_(min?: number | null, max?: number | null): this;
    copy_(src: TensorLike): this;
    fill_(value: number): this;
    zero_(): this;
    uniform_(low?: number, high?: number, generator?: Generator): this;
    normal_(mean?: number, std?: number, generator?: Generator): this;
    indexAdd_(dim: number, index: Tensor, src: Tensor): this;
  }
}

declare module '../tensor/sparse.js' {
  interface SparseTensor {
    /** Repeated indices summed, indices sorted, as torch's coalesce(). */
    coalesce(): SparseTensor;
    /** The dense tensor, as torch's to_dense(). */
    toDense(): Tensor;
  }
}

// Accepts both x.reshape(2, 3) and x.reshape([2, 3]), as PyTorch does.
function dimsArg(args: (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  backward(this: Tensor, gradient?: Tensor | BackwardOptions | null, options?: BackwardOptions) { backward(this, gradient, options); },
  detach(this: Tensor) { return detach(this); },
  clone(this: Tensor) { return E.clone(this); },
  to(this: Tensor, target: DType | string) { return isDType(target) ? E.cast(this, target) : toBackend(this, target); },
  toAsync(this: Tensor, device: string) { return toBackendAsync(this, device); },
  float(this: Tensor) { return E.cast(this, 'float32'); },
  double(this: Tensor) { return E.cast(this, 'float64'); },
  int(this: Tensor) { return E.cast(this, 'int32'); },
  bool(this: Tensor) { return E.cast(this, 'bool'); },

  add(this: Tensor, o: TensorLike, alpha?: number) { return E.add(this, o, alpha); },
  sub(this: Tensor, o: TensorLike, alpha?: number) { return E.sub(this, o, alpha); },
  mul(this: Tensor, o: TensorLike) { return E.mul(this, o); },
  div(this: Tensor, o: TensorLike) { return E.div(this, o); },
  pow(this: Tensor, o: TensorLike) { return E.pow(this, o); },
  neg(this: Tensor) { return E.neg(this); },
  maximum(this: Tensor, o: TensorLike) { return E.maximum(this, o); },
  minimum(this: Tensor, o: TensorLike) { return E.minimum(this, o); },
  remainder(this: Tensor, o: TensorLike) { return E.remainder(this, o); },
  fmod(this: Tensor, o: TensorLike) { return E.fmod(this, o); },
  floorDivide(this: Tensor, o: TensorLike) { return E.floorDivide(this, o); },
  atan2(this: Tensor, o: TensorLike) { return E.atan2(this, o); },
  logicalAnd(this: Tensor, o: TensorLike) { return E.logicalAnd(this, o); },
  logicalOr(this: Tensor, o: TensorLike) { return E.logicalOr(this, o); },
  logicalXor(this: Tensor, o: TensorLike) { return E.logicalXor(this, o); },
  clamp(this: Tensor, min?: TensorLike | null, max?: TensorLike | null) { return E.clamp(this, min, max); },
  eq(this: Tensor, o: TensorLike) { return E.eq(this, o); },
  ne(this: Tensor, o: TensorLike) { return E.ne(this, o); },
  lt(this: Tensor, o: TensorLike) { return E.lt(this, o); },
  le(this: Tensor, o: TensorLike) { return E.le(this, o); },
  gt(this: Tensor, o: TensorLike) { return E.gt(this, o); },
  ge(this: Tensor, o: TensorLike) { return E.ge(this, o); },
  logicalNot(this: Tensor) { return E.logicalNot(this); },
  isnan(this: Tensor) { return E.isnan(this); },
  isinf(this: Tensor) { return E.isinf(this); },
  isfinite(this: Tensor) { return E.isfinite(this); },
  where(this: Tensor, condition: Tensor, other: TensorLike) { return E.where(condition, this, other); },
  maskedFill(this: Tensor, mask: Tensor, value: TensorLike) { return I.maskedFill(this, mask, value); },

  abs(this: Tensor) { return E.abs(this); },
  sign(this: Tensor) { return E.sign(this); },
  exp(this: Tensor) { return E.exp(this); },
  expm1(this: Tensor) { return E.expm1(this); },
  log(this: Tensor) { return E.log(this); },
  log1p(this: Tensor) { return E.log1p(this); },
  log2(this: Tensor) { return E.log2(this); },
  log10(this: Tensor) { return E.log10(this); },
  asin(this: Tensor) { return E.asin(this); },
  acos(this: Tensor) { return E.acos(this); },
  atan(this: Tensor) { return E.atan(this); },
  sinh(this: Tensor) { return E.sinh(this); },
  cosh(this: Tensor) { return E.cosh(this); },
  trunc(this: Tensor) { return E.trunc(this); },
  sqrt(this: Tensor) { return E.sqrt(this); },
  rsqrt(this: Tensor) { return E.rsqrt(this); },
  reciprocal(this: Tensor) { return E.reciprocal(this); },
  square(this: Tensor) { return E.square(this); },
  sin(this: Tensor) { return E.sin(this); },
  cos(this: Tensor) { return E.cos(this); },
  tan(this: Tensor) { return E.tan(this); },
  tanh(this: Tensor) { return E.tanh(this); },
  sigmoid(this: Tensor) { return E.sigmoid(this); },
  erf(this: Tensor) { return E.erf(this); },
  floor(this: Tensor) { return E.floor(this); },
  ceil(this: Tensor) { return E.ceil(this); },
  round(this: Tensor) { return E.round(this); },
  relu(this: Tensor) { return E.relu(this); },
  leakyRelu(this: Tensor, slope?: number) { return E.leakyRelu(this, slope); },
  elu(this: Tensor, alpha?: number) { return E.elu(this, alpha); },
  gelu(this: Tensor, approximate?: 'none' | 'tanh') { return E.gelu(this, approximate); },
  silu(this: Tensor) { return E.silu(this); },
  softplus(this: Tensor, beta?: number, threshold?: number) { return E.softplus(this, beta, threshold); },
  softmax(this: Tensor, dim: number) { return X.softmax(this, dim); },
  logSoftmax(this: Tensor, dim: number) { return X.logSoftmax(this, dim); },

  sum(this: Tensor, dim?: R.Dims, keepdim?: boolean) { return R.sum(this, dim, keepdim); },
  mean(this: Tensor, dim?: R.Dims, keepdim?: boolean) { return R.mean(this, dim, keepdim); },
  prod(this: Tensor, dim?: number, keepdim?: boolean) { return R.prod(this, dim, keepdim); },
  max(this: Tensor, dim?: number, keepdim?: boolean) { return dim === undefined ? R.max(this) : R.max(this, dim, keepdim); },
  min(this: Tensor, dim?: number, keepdim?: boolean) { return dim === undefined ? R.min(this) : R.min(this, dim, keepdim); },
  amax(this: Tensor, dim?: R.Dims, keepdim?: boolean) { return R.amax(this, dim, keepdim); },
  amin(this: Tensor, dim?: R.Dims, keepdim?: boolean) { return R.amin(this, dim, keepdim); },
  argmax(this: Tensor, dim?: number, keepdim?: boolean) { return R.argmax(this, dim, keepdim); },
  argmin(this: Tensor, dim?: number, keepdim?: boolean) { return R.argmin(this, dim, keepdim); },
  any(this: Tensor, dim?: R.Dims, keepdim?: boolean) { return R.any(this, dim, keepdim); },
  all(this: Tensor, dim?: R.Dims, keepdim?: boolean) { return R.all(this, dim, keepdim); },
  var(this: Tensor, dim?: R.Dims, unbiased?: boolean, keepdim?: boolean) { return R.variance(this, dim, unbiased, keepdim); },
  std(this: Tensor, dim?: R.Dims, unbiased?: boolean, keepdim?: boolean) { return R.std(this, dim, unbiased, keepdim); },
  logsumexp(this: Tensor, dim: R.Dims, keepdim?: boolean) { return R.logsumexp(this, dim, keepdim); },
  norm(this: Tensor, p?: number | 'fro', dim?: R.Dims, keepdim?: boolean) { return R.norm(this, p, dim, keepdim); },

  reshape(this: Tensor, ...shape: (number | readonly number[])[]) { return S.reshape(this, dimsArg(shape)); },
  view(this: Tensor, ...shape: (number | readonly number[])[]) { return S.reshape(this, dimsArg(shape)); },
  flatten(this: Tensor, startDim?: number, endDim?: number) { return S.flatten(this, startDim, endDim); },
  unflatten(this: Tensor, dim: number, sizes: readonly number[]) { return S.unflatten(this, dim, sizes); },
  squeeze(this: Tensor, dim?: number | readonly number[]) { return S.squeeze(this, dim); },
  unsqueeze(this: Tensor, dim: number) { return S.unsqueeze(this, dim); },
  transpose(this: Tensor, a: number, b: number) { return S.transpose(this, a, b); },
  permute(this: Tensor, ...dims: (number | readonly number[])[]) { return S.permute(this, dimsArg(dims)); },
  t(this: Tensor) { return S.t(this); },
  expand(this: Tensor, ...shape: (number | readonly number[])[]) { return S.expand(this, dimsArg(shape)); },
  expandAs(this: Tensor, other: Tensor) { return S.expandAs(this, other); },
  broadcastTo(this: Tensor, shape: readonly number[]) { return S.broadcastTo(this, shape); },
  contiguous(this: Tensor) { return this; },
  narrow(this: Tensor, dim: number, start: number, length: number) { return S.narrow(this, dim, start, length); },
  slice(this: Tensor, dim: number, start?: number, end?: number, step?: number) { return S.slice(this, dim, start, end, step); },
  select(this: Tensor, dim: number, index: number) { return S.select(this, dim, index); },
  split(this: Tensor, size: number | readonly number[], dim?: number) { return S.split(this, size, dim); },
  chunk(this: Tensor, chunks: number, dim?: number) { return S.chunk(this, chunks, dim); },
  repeat(this: Tensor, ...reps: (number | readonly number[])[]) { return S.repeat(this, dimsArg(reps)); },
  tril(this: Tensor, diagonal?: number) { return S.tril(this, diagonal); },
  triu(this: Tensor, diagonal?: number) { return S.triu(this, diagonal); },
  flip(this: Tensor, dims: number | readonly number[]) { return I.flip(this, dims); },
  indexSelect(this: Tensor, dim: number, index: Tensor) { return I.indexSelect(this, dim, index); },
  gather(this: Tensor, dim: number, index: Tensor) { return I.gather(this, dim, index); },
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor) { return I.scatterAdd(this, dim, index, src); },
  sort(this: Tensor, dim?: number, descending?: boolean) { return O.sort(this, dim, descending); },
  argsort(this: Tensor, dim?: number, descending?: boolean) { return O.argsort(this, dim, descending); },
  topk(this: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean) { return O.topk(this, k, dim, largest, sorted); },
  unique(this: Tensor, options?: O.UniqueOptions) { return O.unique(this, options as never); },
  cumsum(this: Tensor, dim: number) { return C.cumsum(this, dim); },
  cumprod(this: Tensor, dim: number) { return C.cumprod(this, dim); },
  nonzero(this: Tensor) { return N.nonzero(this); },
  argwhere(this: Tensor) { return N.argwhere(this); },
  maskedSelect(this: Tensor, mask: Tensor) { return N.maskedSelect(this, mask); },
  multinomial(this: Tensor, numSamples: number, replacement?: boolean, g?: Generator) { return G.multinomial(this, numSamples, replacement, g); },
  bernoulli(this: Tensor, p?: number, g?: Generator) { return G.bernoulli(this, p, g); },

  matmul(this: Tensor, o: Tensor) { return L.matmul(this, o); },
  mm(this: Tensor, o: Tensor) { return L.mm(this, o); },
  dot(this: Tensor, o: Tensor) { return L.dot(this, o); },
  bmm(this: Tensor, o: Tensor) { return L.bmmOp(this, o); },
  outer(this: Tensor, o: Tensor) { return L.outer(this, o); },
  addmm(this: Tensor, m1: Tensor, m2: Tensor, options?: B.ScaleOptions) { return B.addmm(this, m1, m2, options); },
  baddbmm(this: Tensor, b1: Tensor, b2: Tensor, options?: B.ScaleOptions) { return B.baddbmm(this, b1, b2, options); },

  add_(this: Tensor, o: TensorLike, alpha?: number) { return P.add_(this, o, alpha); },
  sub_(this: Tensor, o: TensorLike, alpha?: number) { return P.sub_(this, o, alpha); },
  mul_(this: Tensor, o: TensorLike) { return P.mul_(this, o); },
  div_(this: Tensor, o: TensorLike) { return P.div_(this, o); },
  pow_(this: Tensor, o: TensorLike) { return P.pow_(this, o); },
  addcmul_(this: Tensor, a: Tensor, b: Tensor, value?: number) { return P.addcmul_(this, a, b, value); },
  addcdiv_(this: Tensor, a: Tensor, b: Tensor, value?: number) { return P.addcdiv_(this, a, b, value); },
  maximum_(this: Tensor, o: TensorLike) { return P.maximum_(this, o); },
  sqrt_(this: Tensor) { return P.sqrt_(this); },
  neg_(this: Tensor) { return P.neg_(this); },
  clamp_(this: Tensor, min?: number | null, max?: number | null) { return P.clamp_(this, min, max); },
  copy_(this: Tensor, src: TensorLike) { return P.copy_(this, src); },
  fill_(this: Tensor, value: number) { return P.fill_(this, value); },
  zero_(this: Tensor) { return P.zero_(this); },
  uniform_(this: Tensor, low?: number, high?: number, g?: Generator) { return P.uniform_(this, low, high, g); },
  normal_(this: Tensor, mean?: number, std?: number, g?: Generator) { return P.normal_(this, mean, std, g); },
  indexAdd_(this: Tensor, dim: number, index: Tensor, src: Tensor) { return SP.indexAdd_(this, dim, index, src); },
};

// A sparse tensor has no dense storage: the methods it supports work on its entries.
const sparseMethods: Record<string, (this: SparseTensor, ...args: never[]) => unknown> = {
  coalesce(this: SparseTensor) { return SP.coalesce(this); },
  toDense(this: SparseTensor) { return SP.toDense(this); },
  /** No entries left, as torch's zero_() on a sparse tensor. */
  zero_(this: SparseTensor) {
    const device = this.rawValues.storage.device;
    this.rawIndices = new Tensor(device.empty('int32', 0), [1, 0]);
    this.rawValues = new Tensor(device.empty(this.dtype, 0), [0, ...this.shape.slice(1)]);
    this.coalesced = true;
    this.version++;
    return this;
  },
  /** Scales the entries by a number (what clipGradNorm_ does to a gradient). */
  mul_(this: SparseTensor, factor: number) {
    if (typeof factor !== 'number') throw new Error('SparseTensor.mul_: only a number factor is supported');
    P.mul_(this.rawValues, factor);
    this.version++;
    return this;
  },
  clone(this: SparseTensor) { return new SparseTensor(E.clone(this.rawIndices), E.clone(this.rawValues), this.shape, this.coalesced); },
};
for (const [name, fn] of Object.entries(sparseMethods)) (SparseTensor.prototype as unknown as Record<string, unknown>)[name] = fn;
for (const [name, fn] of Object.entries(methods)) proto[name] = fn;
Object.defineProperty(Tensor.prototype, 'T', {
  configurable: true, // an exporter's tracer swaps it while it runs (onnx/trace.ts)
  get(this: Tensor) {
    return S.permute(this, Array.from({ length: this.ndim }, (_, i) => this.ndim - 1 - i));
  },
});
