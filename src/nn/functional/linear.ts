import { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { add, mul } from '../../ops/elementwise.js';
import { matmul, matmulTransposed } from '../../ops/linalg.js';
import { sum } from '../../ops/reduce.js';
import { permute, reshape, unsqueeze } from '../../ops/shape.js';

/**
 * y = x Wᵀ + b over the last dim of `input`, as torch.nn.functional.linear: input [*, in], weight [out, in],
 * bias [out].
 * @example linear(randn([8, 4]), randn([2, 4]), zeros([2])).shape // [8, 2]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null, name = 'linear'): Tensor {
  if (weight.ndim !== 2) throw new Error(`${name}: weight must be 2-d [out, in], got ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape;
  if (input.ndim < 1 || input.shape[input.ndim - 1] !== inFeatures) {
    throw new Error(`${name}: expected input [*,${inFeatures}], got ${formatShape(input.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new Error(`${name}: bias must have shape [${outFeatures}], got ${formatShape(bias.shape)}`);
  }
  const out = matmulTransposed(input, weight);
  return bias ? add(out, bias) : out;
}

/**
 * y[o] = x1ᵀ W[o] x2 + b[o], as torch.nn.functional.bilinear: input1 [*, in1], input2 [*, in2],
 * weight [out, in1, in2], bias [out].
 * @example bilinear(randn([5, 3]), randn([5, 4]), randn([2, 3, 4])).shape // [5, 2]
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null, name = 'bilinear'): Tensor {
  if (weight.ndim !== 3) throw new Error(`${name}: weight must be 3-d [out, in1, in2], got ${formatShape(weight.shape)}`);
  const [outF, in1, in2] = weight.shape;
  const lead = input1.shape.slice(0, -1);
  if (input1.ndim < 1 || input1.shape[input1.ndim - 1] !== in1) {
    throw new Error(`${name}: expected input1 [*,${in1}], got ${formatShape(input1.shape)}`);
  }
  if (input2.ndim !== input1.ndim || input2.shape[input2.ndim - 1] !== in2 || input2.shape.slice(0, -1).some((d, i) => d !== lead[i])) {
    throw new Error(`${name}: expected input2 [${[...lead, in2].join(',')}] to match input1 ${formatShape(input1.shape)}, got ${formatShape(input2.shape)}`);
  }
  const x1 = reshape(input1, [-1, in1]);
  const x2 = reshape(input2, [-1, in2]);
  // (x1 @ W viewed as [in1, out*in2]) -> [n, out, in2], then contract with x2 over in2
  const w = reshape(permute(weight, [1, 0, 2]), [in1, outF * in2]);
  const left = reshape(matmul(x1, w), [-1, outF, in2]);
  let out = sum(mul(left, unsqueeze(x2, 1)), 2);
  if (bias) out = add(out, bias);
  return reshape(out, [...lead, outF]);
}
