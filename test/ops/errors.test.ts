// Bad input: every error names the op and what was expected and what came; nothing fails deep in a kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dt from '../../src/index.js';
import { tensor, zeros, ones, randn } from '../../src/index.js';

const throwsWith = (fn: () => unknown, message: RegExp | string) =>
  assert.throws(fn, (e: Error) => {
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });

test('matmul: mismatched inner dims name both shapes', () => {
  throwsWith(() => zeros([2, 3]).matmul(zeros([4, 5])), 'matmul: shapes [2,3] and [4,5] do not match (3 != 4)');
  throwsWith(() => zeros([3]).matmul(zeros([4])), 'matmul: shapes [3] and [4] do not match (3 != 4)');
  throwsWith(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 1])), /matmul: shapes \[2\] and \[3\] cannot be broadcast/);
  throwsWith(() => dt.matmul(zeros([]), zeros([3])), 'matmul: both arguments need at least 1 dimension, got shapes [] and [3]');
  throwsWith(() => dt.mm(zeros([3]), zeros([3, 2])), /mm: expected 2-d tensors, got shapes \[3\] and \[3,2\]/);
});

test('broadcasting failures name the op, both shapes and the dimension', () => {
  throwsWith(() => zeros([2, 3]).add(zeros([4])), 'add: shapes [2,3] and [4] cannot be broadcast (dimension -1: 3 vs 4)');
  throwsWith(() => zeros([2, 3]).mul(zeros([3, 3])), /^mul: shapes \[2,3\] and \[3,3\] cannot be broadcast \(dimension -2: 2 vs 3\)$/);
  throwsWith(() => dt.where(zeros([2], { dtype: 'bool' }), zeros([3]), 0), /^where: shapes \[2\] and \[3\] cannot be broadcast/);
  throwsWith(() => zeros([2, 3]).expand([2, 4]), /^expand: the expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1/);
  throwsWith(() => zeros([3, 1]).expand(-1, -1, 4), /^expand: invalid size -1 at dimension 0 of \[-1,-1,4\] \(-1 only keeps an existing dimension\)/);
});

test('backward on a non-scalar without a gradient; item() of many elements', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  throwsWith(() => x.mul(2).backward(), /^backward: grad can be implicitly created only for scalar outputs \(got shape \[2\]\)/);
  throwsWith(() => zeros([2, 3]).item(), 'item: a Tensor with 6 elements cannot be converted to a number (shape [2,3])');
  assert.equal(zeros([1, 1]).item(), 0);
});

test('integer and bool tensors cannot require grad', () => {
  throwsWith(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true }), /^requiresGrad: only floating point tensors can require gradients, got dtype int32$/);
  throwsWith(() => { zeros([2], { dtype: 'bool' }).requiresGrad = true; }, /got dtype bool/);
  throwsWith(() => dt.arange(5).requiresGrad_(), /got dtype int32/);
});

test('out-of-range dims give the valid range', () => {
  const x = zeros([2, 3]);
  throwsWith(() => x.sum(2), 'sum: dimension out of range (expected to be in range of [-2, 1], but got 2)');
  throwsWith(() => x.softmax(-3), 'softmax: dimension out of range (expected to be in range of [-2, 1], but got -3)');
  throwsWith(() => x.transpose(0, 5), /^transpose: dimension out of range/);
  throwsWith(() => x.unsqueeze(3), /^unsqueeze: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)/);
  throwsWith(() => dt.cat([x, x], 2), /^cat: dimension out of range/);
  throwsWith(() => x.max(2), /^max: dimension out of range/);
  throwsWith(() => x.size(2), /^size: dimension out of range/);
  throwsWith(() => x.sum([0, 0]), /^sum: dim \[0,0\] appears multiple times/);
  throwsWith(() => x.permute(0), /^permute: number of dims don't match \(the tensor has 2 dims, got 1: \[0\]\)/);
  throwsWith(() => x.permute(0, 0), /^permute: repeated dim in \[0,0\]/);
});

test('indices: dtype and range are checked before any kernel runs', () => {
  const x = randn([3, 4]);
  throwsWith(() => x.gather(1, zeros([3, 2])), 'gather: index must have dtype int32, got float32');
  throwsWith(() => x.gather(1, tensor([[0], [4], [1]], { dtype: 'int32' })), /^gather: index 4 is out of bounds for dimension 1 of shape \[3,4\] with size 4/);
  throwsWith(() => x.gather(1, tensor([0, 1], { dtype: 'int32' })), /^gather: index \[2\] must have the same number of dimensions as input \[3,4\]/);
  throwsWith(() => x.indexSelect(0, tensor([-1], { dtype: 'int32' })), /^indexSelect: index -1 is out of bounds for dimension 0 with size 3/);
  throwsWith(() => x.indexSelect(0, tensor([[0]], { dtype: 'int32' })), /^indexSelect: index must be 0-d or 1-d, got shape \[1,1\]/);
  throwsWith(() => x.scatterAdd(0, tensor([[0, 1]], { dtype: 'int32' }), randn([1, 1])), /^scatterAdd: index \[1,2\] must not be larger than src \[1,1\]/);
  throwsWith(() => dt.oneHot(tensor([0, 3], { dtype: 'int32' }), 3), /^oneHot: index 3 is out of bounds for numClasses with size 3/);
  throwsWith(() => dt.oneHot(tensor([0, 1])), 'oneHot: labels must have dtype int32, got float32');
  assert.deepEqual(dt.oneHot(zeros([300_000], { dtype: 'int32' })).shape, [300_000, 1]); // no stack overflow
  throwsWith(() => x.select(0, 3), 'select: index 3 out of range for dimension 0 with size 3');
  throwsWith(() => x.narrow(1, 2, 3), /^narrow: start \(2\) \+ length \(3\) exceeds dimension size \(4\)/);
  throwsWith(() => x.maskedFill(zeros([4]), 1), 'maskedFill: mask must have dtype bool, got float32');
  throwsWith(() => dt.where(zeros([4]), x, 0), /^where: condition must be a bool tensor \(use a comparison such as x.gt\(0\)\), got dtype float32/);
});

test('ragged nested arrays and mismatched shapes are refused at creation', () => {
  throwsWith(() => tensor([[1, 2], [3]]), /^tensor: ragged nested array: expected length 2 at depth 1, got 1/);
  throwsWith(() => tensor([[1, 2], 3] as never), /^tensor: ragged nested array/);
  throwsWith(() => tensor([1, [2, 3]] as never), /^tensor: expected a number at depth 1, got an array \(ragged nested arrays\?\)/);
  throwsWith(() => tensor(['a'] as never), /^tensor: expected a number at depth 1, got string/);
  throwsWith(() => tensor(new Float32Array(6), { shape: [4, 2] }), 'tensor: shape [4,2] needs 8 elements but the array has 6');
  throwsWith(() => tensor([1, 2, 3], { shape: [2, 2] }), 'tensor: shape [2,2] needs 4 elements but the data has 3');
  throwsWith(() => tensor([1], { dtype: 'float16' as never }), /^tensor: unknown dtype 'float16'/);
  throwsWith(() => zeros([2, -1]), 'zeros: invalid shape [2,-1] (sizes must be non-negative integers)');
  throwsWith(() => ones([2.5]), /^ones: invalid shape \[2.5\]/);
  throwsWith(() => dt.arange(0, 1, 0), /^arange: step must be finite and nonzero/);
  throwsWith(() => dt.arange(0, Infinity), 'arange: start and end must be finite, got start=0, end=Infinity');
  throwsWith(() => dt.arange(0, 5, -1), /^arange: upper bound and larger bound inconsistent with step sign/);
  throwsWith(() => dt.linspace(0, 1, -1), /^linspace: number of steps must be a non-negative integer, got -1/);
  throwsWith(() => dt.randint(3, 3, [2]), /^randint: expected integers low < high, got low=3, high=3/);
  throwsWith(() => dt.rand([2], { dtype: 'int32' }), 'rand: expected a floating point dtype, got int32');
});

test('in-place ops on tensors autograd tracks are refused', () => {
  const w = tensor([1, 2], { requiresGrad: true });
  throwsWith(() => w.add_(1), /^add_: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad/);
  throwsWith(() => w.mul(2).mul_(3), /^mul_: in-place operations on tensors recorded by autograd are not supported/);
  dt.noGrad(() => w.sub_(1));
  assert.deepEqual(w.toArray(), [0, 1]);
  throwsWith(() => dt.noGrad(() => zeros([2]).add_(zeros([3, 2]))), /^add_: output with shape \[2\] doesn't match the broadcast shape \[3,2\]/);
  throwsWith(() => dt.noGrad(() => zeros([2], { dtype: 'int32' }).mul_(0.5)), /^mul_: result type float32 can't be cast to the desired output type int32/);
});

test('shape ops explain what they expected', () => {
  const x = zeros([2, 3]);
  throwsWith(() => x.reshape(4, 2), 'reshape: shape [4,2] is invalid for input of size 6 (shape [2,3])');
  throwsWith(() => x.reshape(-1, -1), /^reshape: invalid shape \[-1,-1\]/);
  throwsWith(() => x.view(4, -1), /^reshape: shape \[4,-1\] is invalid for input of size 6/);
  throwsWith(() => dt.cat([x, zeros([2, 2])]), /^cat: sizes of tensors must match except in dimension 0: tensor 0 has shape \[2,3\], tensor 1 has shape \[2,2\]/);
  throwsWith(() => dt.cat([]), 'cat: expected a non-empty list of Tensors');
  throwsWith(() => dt.cat([tensor(1), tensor(2)]), 'cat: zero-dimensional tensor (at position 0) cannot be concatenated; use stack');
  for (const [op, f] of [['select', () => tensor(1).select(0, 0)], ['narrow', () => tensor(1).narrow(0, 0, 1)], ['split', () => tensor(1).split(1)]] as const) {
    throwsWith(f, `${op}: cannot be applied to a 0-dim tensor`);
  }
  throwsWith(() => dt.stack([x, zeros([3, 2])]), /^stack: expects each tensor to be equal size, but got \[2,3\] at entry 0 and \[3,2\] at entry 1/);
  throwsWith(() => x.split([1, 3], 1), 'split: split sizes [1,3] sum to 4, but dimension 1 has size 3');
  throwsWith(() => x.chunk(0), /^chunk: chunks must be a positive integer, got 0/);
  throwsWith(() => dt.pad(x, [1]), /^pad: padding length must be even and at most 2 \* ndim \(4\), got 1/);
  throwsWith(() => x.repeat(2), /^repeat: number of repeat dims \(1\) can not be smaller than number of tensor dims \(2\)/);
  throwsWith(() => x.repeat(2, -1), 'repeat: repeats must be non-negative integers, got [2,-1]');
  throwsWith(() => dt.pad(zeros([2]), [-3, 0]), 'pad: padding [-3,0] makes dimension 0 of shape [2] negative (-1)');
  throwsWith(() => zeros([3]).tril(), /^tril: input tensor must have at least 2 dimensions, got shape \[3\]/);
  throwsWith(() => x.flatten(1, 0), /^flatten: startDim 1 cannot come after endDim 0/);
  throwsWith(() => zeros([2, 3, 4]).t(), /^t: expects a tensor with <= 2 dimensions, but got 3/);
  throwsWith(() => x.narrow(1, 0.5, 1), 'narrow: start must be an integer, got 0.5');
  throwsWith(() => x.slice(1, 0.5, 2), 'slice: start and end must be integers, got start=0.5, end=2');
  throwsWith(() => x.split([1, -1, 3], 1), 'split: split sizes must be non-negative integers, got [1,-1,3]');
  throwsWith(() => x.tril(0.5), 'tril: diagonal must be an integer, got 0.5');
  throwsWith(() => x.unflatten(1, [1.5, 2]), 'unflatten: sizes must be non-negative integers or -1, got [1.5,2]');
  throwsWith(() => dt.oneHot(tensor([1], { dtype: 'int32' }), 2.5), 'oneHot: numClasses must be -1 (inferred) or a non-negative integer, got 2.5');
  throwsWith(() => x.unflatten(1, [2, 2]), /^unflatten: sizes \[2,2\] don't multiply up to the size of dim 1 \(3\)/);
});

test('dtype and value errors of math ops', () => {
  throwsWith(() => zeros([2], { dtype: 'int32' }).mean(), 'mean: expected a floating point tensor, got dtype int32');
  throwsWith(() => zeros([2], { dtype: 'int32' }).softmax(0), 'softmax: expected a floating point tensor, got dtype int32');
  throwsWith(() => zeros([2], { dtype: 'int32' }).std(), 'std: expected a floating point tensor, got dtype int32');
  throwsWith(() => zeros([2], { dtype: 'int32' }).norm(), 'norm: expected a floating point tensor, got dtype int32');
  throwsWith(() => zeros([2]).clamp(), "clamp: at least one of 'min' or 'max' must not be null");
  throwsWith(() => zeros([2]).gelu('fast' as never), "gelu: approximate must be 'none' or 'tanh', got 'fast'");
  throwsWith(() => zeros([0]).max(), /^max: cannot reduce an empty tensor \(shape \[0\]\)/);
  throwsWith(() => zeros([2, 0]).amax(1), /^amax: cannot reduce over a zero-size dimension 1 of shape \[2,0\]/);
  throwsWith(() => zeros([2], { dtype: 'bool' }).sub(zeros([2], { dtype: 'bool' })), /^sub: subtraction of two bool tensors is not supported/);
  throwsWith(() => tensor([2, 3], { dtype: 'int32' }).pow(-1), 'pow: integers to negative integer powers are not allowed (exponent -1)');
  throwsWith(() => dt.pow(2, tensor([1, -2], { dtype: 'int32' })), /^pow: integers to negative integer powers are not allowed/);
  throwsWith(() => dt.add(1 as never, 2 as never), 'add: expected at least one Tensor argument');
  throwsWith(() => zeros([2]).add('1' as never), /expected a Tensor or a number, got string/);
});

test('sorting, selection and scan ops refuse bad input with the op, the expectation and what came', () => {
  const x = dt.randn([3, 4]);
  assert.throws(() => x.topk(5), /topk: k must be an integer in \[0, 4\] \(the size of dimension -1 of \[3,4\]\), got 5/);
  assert.throws(() => x.sort(2), /sort: dimension out of range/);
  assert.throws(() => dt.unique(x, { dim: 0 } as never), /unique: dim is not supported/);
  assert.throws(() => dt.unique(x, { return_inverse: true } as never), /unique: unknown option 'return_inverse'.*did you mean 'returnInverse'/);
  assert.throws(() => x.maskedSelect(dt.ones([4])), /maskedSelect: mask must be a bool tensor, got float32/);
  assert.throws(() => dt.addmm(dt.zeros([5]), dt.zeros([2, 3]), dt.zeros([3, 4])), /addmm: shapes \[5\] and \[2,4\] cannot be broadcast/);
  assert.throws(() => dt.addmm(dt.zeros([3, 4]), dt.zeros([1, 3]), dt.zeros([3, 4])), /addmm: input \[3,4\] must broadcast to the product's shape \[1,4\]/);
  assert.throws(() => dt.cumsum(x, -3), /cumsum: dimension out of range/);
  assert.throws(() => dt.noGrad(() => x.indexAdd_(0, dt.tensor([3], { dtype: 'int32' }), dt.ones([1, 4]))), /indexAdd_: index 3 is out of bounds for dimension 0 with size 3/);
  assert.throws(() => x.indexAdd_(0, dt.tensor([0], { dtype: 'int32' }), dt.ones([2, 4])), /indexAdd_: src \[2,4\] must be \[1,4\]/);
  const p = dt.zeros([2], { requiresGrad: true });
  assert.throws(() => p.indexAdd_(0, dt.tensor([0], { dtype: 'int32' }), dt.ones([1])), /indexAdd_: a tensor that requires grad is being used in an in-place operation/);
});
