// The TS half of the data-driven op tests: op name (as in tools/gen_ops_fixtures.py) -> a descent call.
// Shared by the fixture comparison (test/ops/fixtures.test.ts) and the gradchecks (test/autograd/gradcheck-ops.test.ts).
import * as dt from '../../src/index.js';
import type { DType, Tensor, TensorLike } from '../../src/index.js';
import { type FixtureTensor, fromFixture, loadFixture } from '../helpers.js';

/** The params a case may carry; each op reads the ones it needs. */
export interface OpParams {
  alpha?: number;
  fn?: string;
  other?: number;
  min?: number;
  max?: number;
  negativeSlope?: number;
  approximate?: 'none' | 'tanh';
  beta?: number;
  threshold?: number;
  dtype?: DType;
  dim?: number | number[];
  keepdim?: boolean;
  unbiased?: boolean;
  p?: number | 'fro' | 'inf' | '-inf';
  shape?: number[];
  startDim?: number;
  endDim?: number;
  sizes?: number[];
  dim0?: number;
  dim1?: number;
  dims?: number[];
  size?: number | number[];
  chunks?: number;
  start?: number;
  end?: number;
  step?: number;
  length?: number;
  index?: number;
  pad?: number[];
  value?: number;
  repeats?: number[];
  diagonal?: number;
  numClasses?: number;
  descending?: boolean;
  k?: number;
  largest?: boolean;
}

export interface FixtureInput extends FixtureTensor {
  requiresGrad: boolean;
}

export interface OpCase {
  name: string;
  op: string;
  params: OpParams;
  gradcheck: boolean;
  inputs: FixtureInput[];
  outputs: FixtureTensor[];
  upstream: FixtureTensor[];
  grads: (FixtureTensor | null)[];
}

type OpFn = (xs: Tensor[], p: OpParams) => Tensor | Tensor[];

const one = (d: number | number[] | undefined): number => d as number;
const unary = (f: (x: Tensor) => Tensor): OpFn => ([x]) => f(x);
const binary = (f: (a: Tensor, b: Tensor) => Tensor): OpFn => ([a, b]) => f(a, b);

const SCALAR_FNS: Record<string, (a: TensorLike, b: TensorLike) => Tensor> = {
  add: dt.add, sub: dt.sub, mul: dt.mul, div: dt.div, pow: dt.pow, maximum: dt.maximum, minimum: dt.minimum,
  remainder: dt.remainder, eq: dt.eq, ne: dt.ne, lt: dt.lt, le: dt.le, gt: dt.gt, ge: dt.ge,
};

function scalarFn(p: OpParams): (a: TensorLike, b: TensorLike) => Tensor {
  const f = SCALAR_FNS[p.fn!];
  if (!f) throw new Error(`op table: no scalar function ${p.fn}`);
  return f;
}

function normOrder(p: OpParams['p']): number | 'fro' | undefined {
  if (p === 'inf') return Infinity;
  if (p === '-inf') return -Infinity;
  return p;
}

/** Mostly methods (so methods.ts is exercised), some functions (so both spellings are). */
export const OPS: Record<string, OpFn> = {
  add: binary((a, b) => a.add(b)),
  add_alpha: ([a, b], p) => a.add(b, p.alpha),
  sub: binary((a, b) => a.sub(b)),
  sub_alpha: ([a, b], p) => dt.sub(a, b, p.alpha),
  mul: binary((a, b) => a.mul(b)),
  div: binary((a, b) => a.div(b)),
  pow: binary((a, b) => a.pow(b)),
  maximum: binary((a, b) => a.maximum(b)),
  minimum: binary((a, b) => a.minimum(b)),
  atan2: binary((a, b) => a.atan2(b)),
  remainder: binary((a, b) => a.remainder(b)),
  fmod: binary((a, b) => a.fmod(b)),
  floorDivide: binary((a, b) => a.floorDivide(b)),
  scalar_right: ([x], p) => scalarFn(p)(x, p.other!),
  scalar_left: ([x], p) => scalarFn(p)(p.other!, x),
  eq: binary((a, b) => a.eq(b)),
  ne: binary((a, b) => a.ne(b)),
  lt: binary((a, b) => a.lt(b)),
  le: binary((a, b) => a.le(b)),
  gt: binary((a, b) => a.gt(b)),
  ge: binary((a, b) => a.ge(b)),
  logicalAnd: binary((a, b) => a.logicalAnd(b)),
  logicalOr: binary(dt.logicalOr),
  logicalXor: binary((a, b) => a.logicalXor(b)),
  logicalNot: unary((x) => x.logicalNot()),
  isnan: unary((x) => x.isnan()),
  isinf: unary((x) => x.isinf()),
  isfinite: unary((x) => x.isfinite()),

  neg: unary((x) => x.neg()),
  abs: unary((x) => x.abs()),
  sign: unary((x) => x.sign()),
  exp: unary((x) => x.exp()),
  expm1: unary((x) => x.expm1()),
  log: unary((x) => x.log()),
  log1p: unary((x) => x.log1p()),
  log2: unary((x) => x.log2()),
  log10: unary((x) => x.log10()),
  sqrt: unary((x) => x.sqrt()),
  rsqrt: unary((x) => x.rsqrt()),
  reciprocal: unary((x) => x.reciprocal()),
  square: unary((x) => x.square()),
  sin: unary((x) => x.sin()),
  cos: unary((x) => x.cos()),
  tan: unary((x) => x.tan()),
  asin: unary((x) => x.asin()),
  acos: unary(dt.acos),
  atan: unary((x) => x.atan()),
  sinh: unary((x) => x.sinh()),
  cosh: unary(dt.cosh),
  tanh: unary((x) => x.tanh()),
  sigmoid: unary((x) => x.sigmoid()),
  relu: unary((x) => x.relu()),
  erf: unary((x) => x.erf()),
  floor: unary((x) => x.floor()),
  ceil: unary((x) => x.ceil()),
  round: unary((x) => x.round()),
  trunc: unary((x) => x.trunc()),
  silu: unary((x) => x.silu()),
  clone: unary(dt.clone),
  leakyRelu: ([x], p) => x.leakyRelu(p.negativeSlope),
  elu: ([x], p) => x.elu(p.alpha),
  gelu: ([x], p) => x.gelu(p.approximate),
  softplus: ([x], p) => x.softplus(p.beta, p.threshold),
  clamp: ([x], p) => x.clamp(p.min ?? null, p.max ?? null),
  clamp_tensor: ([x, lo, hi]) => dt.clamp(x, lo, hi),
  where: ([c, a, b]) => dt.where(c, a, b),
  where_scalar: ([c, a], p) => a.where(c, p.other!),
  cast: ([x], p) => x.to(p.dtype!),

  sum: ([x], p) => x.sum(p.dim, p.keepdim),
  mean: ([x], p) => x.mean(p.dim, p.keepdim),
  prod: ([x], p) => x.prod(one(p.dim), p.keepdim),
  var: ([x], p) => x.var(p.dim, p.unbiased, p.keepdim),
  std: ([x], p) => x.std(p.dim, p.unbiased, p.keepdim),
  max: ([x], p) => {
    if (p.dim === undefined) return x.max();
    const { values, indices } = x.max(one(p.dim), p.keepdim);
    return [values, indices];
  },
  min: ([x], p) => {
    if (p.dim === undefined) return x.min();
    const { values, indices } = x.min(one(p.dim), p.keepdim);
    return [values, indices];
  },
  amax: ([x], p) => x.amax(p.dim, p.keepdim),
  amin: ([x], p) => x.amin(p.dim, p.keepdim),
  argmax: ([x], p) => x.argmax(one(p.dim), p.keepdim),
  argmin: ([x], p) => x.argmin(one(p.dim), p.keepdim),
  any: ([x], p) => x.any(p.dim, p.keepdim),
  all: ([x], p) => x.all(p.dim, p.keepdim),
  logsumexp: ([x], p) => x.logsumexp(p.dim!, p.keepdim),
  norm: ([x], p) => x.norm(normOrder(p.p), p.dim, p.keepdim),

  reshape: ([x], p) => x.reshape(p.shape!),
  view: ([x], p) => x.view(...p.shape!),
  flatten: ([x], p) => x.flatten(p.startDim, p.endDim),
  unflatten: ([x], p) => x.unflatten(one(p.dim), p.sizes!),
  squeeze: ([x], p) => x.squeeze(p.dim),
  unsqueeze: ([x], p) => x.unsqueeze(one(p.dim)),
  transpose: ([x], p) => x.transpose(p.dim0!, p.dim1!),
  permute: ([x], p) => x.permute(...p.dims!),
  t: unary((x) => x.t()),
  T: unary((x) => x.T),
  expand: ([x], p) => x.expand(p.shape!),
  broadcastTo: ([x], p) => x.broadcastTo(p.shape!),
  expandAs: binary((a, b) => a.expandAs(b)),
  broadcastTensors: (xs) => dt.broadcastTensors(...xs),
  contiguous: unary((x) => x.contiguous()),
  cat: (xs, p) => dt.cat(xs, one(p.dim)),
  stack: (xs, p) => dt.stack(xs, one(p.dim)),
  split: ([x], p) => x.split(p.size!, one(p.dim)),
  chunk: ([x], p) => x.chunk(p.chunks!, one(p.dim)),
  narrow: ([x], p) => x.narrow(one(p.dim), p.start!, p.length!),
  slice: ([x], p) => x.slice(one(p.dim), p.start, p.end, p.step),
  select: ([x], p) => x.select(one(p.dim), p.index!),
  indexSelect: ([x, i], p) => x.indexSelect(one(p.dim), i),
  gather: ([x, i], p) => x.gather(one(p.dim), i),
  scatterAdd: ([x, i, s], p) => x.scatterAdd(one(p.dim), i, s),
  pad: ([x], p) => dt.pad(x, p.pad!, 'constant', p.value),
  repeat: ([x], p) => x.repeat(p.repeats!),
  tril: ([x], p) => x.tril(p.diagonal),
  triu: ([x], p) => x.triu(p.diagonal),
  oneHot: ([x], p) => dt.oneHot(x, p.numClasses),
  flip: ([x], p) => x.flip(p.dims!),
  maskedFill: ([x, m], p) => x.maskedFill(m, p.value!),

  matmul: binary((a, b) => a.matmul(b)),
  mm: binary((a, b) => a.mm(b)),
  bmm: binary((a, b) => a.bmm(b)),
  dot: binary((a, b) => a.dot(b)),
  outer: binary((a, b) => a.outer(b)),
  softmax: ([x], p) => x.softmax(one(p.dim)),
  sort: ([x], p) => {
    const { values, indices } = x.sort(one(p.dim), p.descending);
    return [values, indices];
  },
  argsort: ([x], p) => dt.argsort(x, one(p.dim), p.descending),
  topk: ([x], p) => {
    const { values, indices } = p.largest === undefined ? x.topk(p.k!, one(p.dim)) : dt.topk(x, p.k!, one(p.dim), p.largest);
    return [values, indices];
  },
  cumsum: ([x], p) => x.cumsum(one(p.dim)),
  cumprod: ([x], p) => dt.cumprod(x, one(p.dim)),
  unique: ([x]) => {
    const { values, inverse, counts } = x.unique({ returnInverse: true, returnCounts: true });
    return [values, inverse, counts];
  },
  nonzero: unary((x) => x.nonzero()),
  maskedSelect: ([x, m]) => x.maskedSelect(m),
  addmm: ([i, a, b], p) => (p.beta === undefined && p.alpha === undefined ? dt.addmm(i, a, b) : i.addmm(a, b, { beta: p.beta, alpha: p.alpha })),
  baddbmm: ([i, a, b], p) => i.baddbmm(a, b, { beta: p.beta, alpha: p.alpha }),
  logSoftmax: ([x], p) => x.logSoftmax(one(p.dim)),
};

export const GROUPS = ['elementwise', 'reduce', 'shape', 'linalg', 'random', 'float32', 'sort'] as const;

export function loadCases(group: (typeof GROUPS)[number]): OpCase[] {
  return loadFixture<OpCase[]>(`ops_${group}`);
}

/** Fresh input tensors for a case (leaves, requiring grad as the fixture says). */
export function inputsOf(c: OpCase): Tensor[] {
  return c.inputs.map((i) => fromFixture(i, { requiresGrad: i.requiresGrad }));
}

/** Runs a case's op; the result as a list of outputs. */
export function runCase(c: OpCase, xs: Tensor[]): Tensor[] {
  const f = OPS[c.op];
  if (!f) throw new Error(`op table: no entry for op '${c.op}' (case ${c.name})`);
  const out = f(xs, c.params);
  return Array.isArray(out) ? out : [out];
}
