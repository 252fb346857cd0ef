import { needsGrad, record } from '../autograd/record.js';
import { promoteTypes } from '../tensor/dtype.js';
import { broadcastShapes, formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, emptyTensor } from './util.js';
import { cast } from './elementwise.js';
import { expand, reshape, squeeze, unsqueeze } from './shape.js';
import { sum } from './reduce.js';

/**
 * The core product on 3-d operands: out[b] = op(a[b]) @ op(b[b]), where op transposes the last two dims
 * when the flag is set and a batch of 1 broadcasts. Backward is written with the same op and flags, so
 * no transpose is ever materialized.
 */
function bmm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [batchA, ra, ca] = a.shape;
  const [batchB, rb, cb] = b.shape;
  const [m, k] = transA ? [ca, ra] : [ra, ca];
  const n = transB ? rb : cb;
  const batch = Math.max(batchA, batchB);
  const device = backendOf('matmul', a, b);
  const out = emptyTensor([batch, m, n], promoteTypes(a.dtype, b.dtype), device);
  device.matmul(a.storage, b.storage, out.storage, batch, m, k, n, transA, transB, batchA === 1 ? 0 : ra * ca, batchB === 1 ? 0 : rb * cb);
  if (!needsGrad(a, b)) return out;
  return record(out, 'MmBackward', [a, b], (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) ga = transA ? bmm(b, g, transB, true) : bmm(g, b, false, !transB);
    if (b.requiresGrad) gb = transB ? bmm(g, a, true, transA) : bmm(a, g, !transA, false);
    if (ga && batchA === 1 && batch > 1) ga = sum(ga, 0, true);
    if (gb && batchB === 1 && batch > 1) gb = sum(gb, 0, true);
    return [ga && cast(ga, a.dtype), gb && cast(gb, b.dtype)];
  }, [a, b]);
}

/**
 * Matrix product with torch.matmul's rules: 1-d·1-d is a dot product, a 1-d operand gains (and then
 * loses) a dim, and leading batch dims broadcast.
 * @example matmul(randn([8, 3, 4]), randn([4, 5])).shape // [8, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new Error('matmul: both arguments must be Tensors');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new Error('matmul: bool tensors are not supported');
  const aVec = a.ndim === 1;
  const bVec = b.ndim === 1;
  const A = aVec ? unsqueeze(a, 0) : a;
  const B = bVec ? unsqueeze(b, 1) : b;
  const [m, k] = A.shape.slice(-2);
  const [k2, n] = B.shape.slice(-2);
  if (k !== k2) {
    throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not match (${k} != ${k2})`);
  }
  let out: Tensor;
  if (B.ndim === 2) {
    // fold A's batch dims into rows: one large product instead of many small ones
    const batchShape = A.shape.slice(0, -2);
    const flat = bmm(reshape(A, [1, sizeOf(batchShape) * m, k]), reshape(B, [1, k, n]), false, false);
    out = reshape(flat, [...batchShape, m, n]);
  } else {
    const batchShape = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2), 'matmul');
    const batch = sizeOf(batchShape);
    const to3d = (x: Tensor, rows: number, cols: number) => {
      const own = x.shape.slice(0, -2);
      if (sizeOf(own) === 1) return reshape(x, [1, rows, cols]);
      return reshape(expand(x, [...batchShape, rows, cols]), [batch, rows, cols]);
    };
    out = reshape(bmm(to3d(A, m, k), to3d(B, k, n), false, false), [...batchShape, m, n]);
  }
  if (aVec) out = squeeze(out, -2);
  if (bVec) out = squeeze(out, -1);
  return out;
}

/**
 * x Wᵀ for x [*, k] and weight [n, k] (nn.Linear's product) as one GEMM with the transpose flag, so Wᵀ is
 * never materialized, in the forward or in the backward. Used by nn.functional.linear.
 * @example matmulTransposed(randn([8, 4]), randn([2, 4])).shape // [8, 2]
 */
export function matmulTransposed(x: Tensor, weight: Tensor): Tensor {
  const [n, k] = weight.shape;
  if (weight.ndim !== 2 || x.ndim < 1 || x.shape[x.ndim - 1] !== k) {
    throw new Error(`matmulTransposed: expected x [*, ${k}] and weight [n, ${k}], got shapes ${formatShape(x.shape)} and ${formatShape(weight.shape)}`);
  }
  const lead = x.shape.slice(0, -1);
  const flat = bmm(reshape(x, [1, sizeOf(lead), k]), reshape(weight, [1, n, k]), false, true);
  return reshape(flat, [...lead, n]);
}

/** 2-d matrix product. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2) throw new Error(`mm: expected 2-d tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return matmul(a, b);
}

/** Batched 3-d product with equal batch sizes. */
export function bmmOp(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new Error(`bmm: expected 3-d tensors with the same batch size, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return matmul(a, b);
}

/** Dot product of two 1-d tensors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`dot: expected 1-d tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return matmul(a, b);
}

/** Outer product of two 1-d tensors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: expected 1-d tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return matmul(unsqueeze(a, 1), unsqueeze(b, 0));
}
