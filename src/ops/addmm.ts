// beta * input + alpha * (matrix product), as torch.addmm and torch.baddbmm (linear layers and attention scores).
import { Tensor } from '../tensor/tensor.js';
import { checkedOptions } from '../tensor/options.js';
import { broadcastShapes, formatShape, shapesEqual } from '../tensor/shape.js';
import { add, mul } from './elementwise.js';
import { bmmOp, mm } from './linalg.js';

export interface ScaleOptions {
  /** Multiplies input; 0 ignores input entirely (NaN in it does not propagate), as PyTorch. Default 1. */
  beta?: number;
  /** Multiplies the product. Default 1. */
  alpha?: number;
}

function scaledSum(op: string, input: Tensor, product: Tensor, options: ScaleOptions): Tensor {
  const { beta = 1, alpha = 1 } = checkedOptions(op, options, ['beta', 'alpha']);
  const scaled = alpha === 1 ? product : mul(product, alpha);
  if (!shapesEqual(broadcastShapes(input.shape, product.shape, op), product.shape)) {
    throw new Error(`${op}: input ${formatShape(input.shape)} must broadcast to the product's shape ${formatShape(product.shape)}`);
  }
  if (beta === 0) return scaled;
  return add(scaled, beta === 1 ? input : mul(input, beta));
}

/**
 * beta * input + alpha * (mat1 @ mat2) for matrices mat1 [n, m], mat2 [m, p]; input broadcasts to [n, p].
 * @example addmm(bias, x, w) // x @ w + bias
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options: ScaleOptions = {}): Tensor {
  return scaledSum('addmm', input, mm(mat1, mat2), options);
}

/**
 * beta * input + alpha * (batch1 @ batch2) for batches [b, n, m] and [b, m, p]; input broadcasts to [b, n, p].
 * @example baddbmm(mask, q, k.transpose(1, 2), { alpha: 1 / Math.sqrt(d) }) // masked attention scores
 */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options: ScaleOptions = {}): Tensor {
  return scaledSum('baddbmm', input, bmmOp(batch1, batch2), options);
}
