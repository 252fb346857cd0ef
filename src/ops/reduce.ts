import type { ReduceOp } from '../backend/backend.js';
import { needsGrad, record } from '../autograd/record.js';
import { scoped } from '../autograd/scope.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { type Shape, formatShape, normalizeDim, normalizeDims, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, detach, emptyTensor, readsSync } from './util.js';
import { abs, div, eq, isinf, log, mul, pow, sqrt, sub, where, exp, add, ne, cast, clone } from './elementwise.js';
import { expand, reshape, transpose, unsqueeze } from './shape.js';
import { scatterAdd } from './indexing.js';
import { eye, zeros } from '../tensor/creation.js';

export type Dims = number | readonly number[];

/** The shape after reducing `dims`, with size-1 dims kept or dropped. */
function reducedShape(shape: Shape, dims: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Runs a backend reduction over several axes at once, without autograd. */
function reduceRaw(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean, dtype: DType, opName: string): Tensor {
  const b = backendOf(opName, x);
  if (x.ndim === 0) {
    // a 0-d tensor reduced over dim 0 or -1 is itself (its only index is 0), as in torch
    dims = [];
    if (op === 'argmax' || op === 'argmin') return new Tensor(b.zeros(dtype, 1), []);
  }
  if (dims.length > 0 && x.numel === 0 && (op === 'max' || op === 'min' || op === 'argmax' || op === 'argmin')) {
    for (const d of dims) {
      if (x.shape[d] === 0) throw new Error(`${opName}: cannot reduce over a zero-size dimension ${d} of shape ${formatShape(x.shape)}`);
    }
  }
  const outShape = reducedShape(x.shape, dims, keepdim);
  const out = emptyTensor(outShape, dtype, b);
  if (dims.length === 0) b.cast(x.storage, out.storage);
  else b.reduce(op, x.storage, x.shape, dims, out.storage); // dims ascending (normalizeDims)
  return out;
}

/** Undoes keepdim=false so a reduced gradient broadcasts back over `shape`. */
function restoreDims(g: Tensor, shape: Shape, dims: number[], keepdim: boolean): Tensor {
  return keepdim ? g : reshape(g, reducedShape(shape, dims, true));
}

/** Sums a broadcast gradient back down to `shape` (the backward of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length ? sum(g, dims, true) : g;
  return reshape(summed, shape);
}

/** Sum over `dim` (all dims when omitted). Integer and bool tensors sum to int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.ndim, 'sum');
  const dtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const out = reduceRaw('sum', x, dims, keepdim, dtype, 'sum');
  if (!needsGrad(x)) return out;
  return record(out, 'SumBackward', [x], (g) => [expand(restoreDims(g, x.shape, dims, keepdim), x.shape)]);
}

/** Arithmetic mean over `dim`. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) throw new Error(`mean: expected a floating point tensor, got dtype ${x.dtype}`);
  const dims = normalizeDims(dim, x.ndim, 'mean');
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return scoped(() => div(sum(x, dims, keepdim), count));
}

/** Product over `dim`; the gradient handles zeros exactly (no division by zero). */
export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.ndim, 'prod');
  const dtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const out = reduceRaw('prod', x, dims, keepdim, dtype, 'prod');
  if (!needsGrad(x)) return out;
  return record(out, 'ProdBackward', [x], (g) => {
    // d prod / d x_i is the product of the others: prod / x_i when nothing is zero (as torch, a data-dependent
    // branch), else formed directly so that it stays exact and differentiable (second derivatives at zeros)
    const gFull = expand(restoreDims(g, x.shape, dims, keepdim), x.shape);
    if (readsSync(x) && !any(eq(x, 0)).item()) return [mul(gFull, div(expand(restoreDims(out, x.shape, dims, keepdim), x.shape), x))];
    if (dims.length === 1) return [mul(gFull, productOfOthers(x, dims[0]))];
    return [mul(gFull, reshape(productOfOthers(reshape(x, [x.numel]), 0), x.shape))];
  }, [x]);
}

// out[..., i, ...] = product over j != i along `axis`, via an [n, n] grid with the diagonal set to 1.
function productOfOthers(x: Tensor, axis: number): Tensor {
  const moved = transpose(x, axis, -1);
  const n = moved.shape[moved.ndim - 1];
  const rows = expand(unsqueeze(moved, -2), [...moved.shape.slice(0, -1), n, n]);
  const others = prod(where(eye(n, n, { dtype: 'bool', device: x.device }), 1, rows), -1);
  return transpose(others, axis, -1);
}

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function extremum(op: 'max' | 'min', x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) {
    // along a dim, only a zero-size reduced dim is an error (reduceRaw says so); empty rows are fine
    if (x.numel === 0) throw new Error(`${op}: cannot reduce an empty tensor (shape ${formatShape(x.shape)}) without an identity`);
    const out = reduceRaw(op, x, normalizeDims(undefined, x.ndim), false, x.dtype, op);
    if (!needsGrad(x)) return out;
    return record(out, op === 'max' ? 'MaxBackward' : 'MinBackward', [x], (g) => [evenlyDistribute(g, x, out)], [x]);
  }
  const axis = normalizeDim(dim, x.ndim, op);
  if (x.ndim === 0) return { values: clone(x), indices: reduceRaw('argmax', x, [], false, 'int32', op) };
  const values = reduceRaw(op, x, [axis], keepdim, x.dtype, op);
  const indices = reduceRaw(op === 'max' ? 'argmax' : 'argmin', x, [axis], keepdim, 'int32', op);
  if (!needsGrad(x)) return { values, indices };
  record(values, op === 'max' ? 'MaxBackward' : 'MinBackward', [x], (g) => {
    const gk = restoreDims(g, x.shape, [axis], keepdim);
    const ik = restoreDims(indices, x.shape, [axis], keepdim);
    return [scatterAdd(zeros(x.shape, { dtype: g.dtype, device: x.device }), axis, ik, gk)];
  });
  return { values, indices };
}

// The gradient of a full max/min is shared evenly between tied elements, as in PyTorch.
function evenlyDistribute(g: Tensor, x: Tensor, out: Tensor): Tensor {
  const mask = cast(eq(x, out), g.dtype);
  return mul(mask, div(g, sum(mask)));
}

/** Largest element, or `{ values, indices }` along `dim`. @example const { values, indices } = max(x, 1); */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremum('max', x, dim, keepdim);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremum('min', x, dim, keepdim);
}

/** Max over one or several dims, values only; ties share the gradient evenly (torch.amax). */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremeValues('max', x, dim, keepdim);
}

export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremeValues('min', x, dim, keepdim);
}

function extremeValues(op: 'max' | 'min', x: Tensor, dim: Dims | undefined, keepdim: boolean): Tensor {
  const dims = normalizeDims(dim, x.ndim, op === 'max' ? 'amax' : 'amin');
  const out = reduceRaw(op, x, dims, keepdim, x.dtype, op === 'max' ? 'amax' : 'amin');
  if (!needsGrad(x)) return out;
  return record(out, op === 'max' ? 'AmaxBackward' : 'AminBackward', [x], (g) => {
    const outK = expand(restoreDims(out, x.shape, dims, keepdim), x.shape);
    const mask = cast(eq(x, outK), g.dtype);
    const count = sum(mask, dims, true);
    return [mul(mask, div(expand(restoreDims(g, x.shape, dims, keepdim), x.shape), count))];
  }, [x]);
}

/** Index of the largest element (in the flattened tensor when `dim` is omitted); int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return reduceRaw('argmax', reshape(detach(x), [x.numel]), [0], false, 'int32', 'argmax');
  return reduceRaw('argmax', x, [normalizeDim(dim, x.ndim, 'argmax')], keepdim, 'int32', 'argmax');
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return reduceRaw('argmin', reshape(detach(x), [x.numel]), [0], false, 'int32', 'argmin');
  return reduceRaw('argmin', x, [normalizeDim(dim, x.ndim, 'argmin')], keepdim, 'int32', 'argmin');
}

/** True where any element along `dim` is nonzero (bool). */
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reduceRaw('any', x, normalizeDims(dim, x.ndim, 'any'), keepdim, 'bool', 'any');
}

export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reduceRaw('all', x, normalizeDims(dim, x.ndim, 'all'), keepdim, 'bool', 'all');
}

/** Variance with Bessel's correction when `unbiased` (PyTorch's default). */
export function variance(x: Tensor, dim?: Dims, unbiased = true, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) throw new Error(`var: expected a floating point tensor, got dtype ${x.dtype}`);
  const dims = normalizeDims(dim, x.ndim, 'var');
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return scoped(() => {
    const centered = sub(x, mean(x, dims, true));
    return div(sum(mul(centered, centered), dims, keepdim), Math.max(0, count - (unbiased ? 1 : 0)));
  });
}

export function std(x: Tensor, dim?: Dims, unbiased = true, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) throw new Error(`std: expected a floating point tensor, got dtype ${x.dtype}`);
  return sqrt(variance(x, dim, unbiased, keepdim));
}

/** log(sum(exp(x))) over `dim`, computed stably (shifted by the max). */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.ndim, 'logsumexp');
  return scoped(() => {
    const m = detach(amax(x, dims, true));
    const shift = where(isinf(m), 0, m);
    const out = add(log(sum(exp(sub(x, shift)), dims, true)), shift);
    return keepdim ? out : squeezeDims(out, dims);
  });
}

function squeezeDims(t: Tensor, dims: number[]): Tensor {
  return reshape(t, t.shape.filter((_, i) => !dims.includes(i)));
}

/**
 * Vector p-norm over `dim` (all elements when omitted): p = 2 (default), 1, Infinity, -Infinity, 0 or any p > 0.
 * The 2-norm's gradient at zero is zero, as in PyTorch.
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) throw new Error(`norm: expected a floating point tensor, got dtype ${x.dtype}`);
  const dims = normalizeDims(dim, x.ndim, 'norm');
  if (p === 'fro' || p === 2) {
    const out = sqrt(detach(sum(mul(x, x), dims, keepdim)));
    if (!needsGrad(x)) return out;
    return record(out, 'NormBackward', [x], (g) => {
      const n = expand(restoreDims(out, x.shape, dims, keepdim), x.shape);
      const scaled = div(expand(restoreDims(g, x.shape, dims, keepdim), x.shape), where(eq(n, 0), 1, n));
      return [where(eq(n, 0), 0, mul(x, scaled))];
    }, [x]);
  }
  if (typeof p !== 'number' || Number.isNaN(p)) throw new Error(`norm: unsupported p=${String(p)}`);
  if (p === Infinity) return amax(abs(x), dims, keepdim);
  if (p === -Infinity) return amin(abs(x), dims, keepdim);
  if (p === 0) {
    // the count of nonzeros is piecewise constant: torch still tracks it, with a zero gradient
    const out = sum(cast(ne(x, 0), x.dtype), dims, keepdim);
    if (!needsGrad(x)) return out;
    return record(out, 'NormBackward', [x], () => [zeros(x.shape, { dtype: x.dtype, device: x.device })]);
  }
  if (p === 1) return sum(abs(x), dims, keepdim);
  return pow(sum(pow(abs(x), p), dims, keepdim), 1 / p);
}

