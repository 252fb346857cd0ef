// dtype promotion against torch.result_type (tools/gen_tensor_ops_fixtures.py), for every pair of dtypes,
// dimensioned and 0-d, and for JS numbers. torch int64 stands for descent int32.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DType, add, div, mul, resultType, tensor, where, type Tensor } from '../../src/index.js';
import { loadFixture } from '../helpers.js';

interface Promotion { a: DType; aZeroDim: boolean; b: DType; bZeroDim: boolean; result: DType }
interface ScalarPromotion { a: DType; scalar: number | boolean; add: DType; div: DType; mul: DType }
const fx = loadFixture<{ promotion: Promotion[]; scalars: ScalarPromotion[] }>('ops_tensor');

const make = (dtype: DType, zeroDim: boolean): Tensor => {
  const v = dtype === 'bool' ? 1 : 2;
  return tensor(zeroDim ? v : [v, v], { dtype });
};

test('tensor op tensor: the result dtype follows torch.result_type (0-d operands included)', () => {
  for (const p of fx.promotion) {
    const what = `${p.a}${p.aZeroDim ? '[]' : '[2]'} + ${p.b}${p.bZeroDim ? '[]' : '[2]'}`;
    assert.equal(resultType(p.a, p.aZeroDim, p.b, p.bZeroDim), p.result, what);
    assert.equal(add(make(p.a, p.aZeroDim), make(p.b, p.bZeroDim)).dtype, p.result, what);
  }
});

test('tensor op number: integers keep the tensor category, fractions make float32', () => {
  for (const p of fx.scalars) {
    if (typeof p.scalar === 'boolean') continue; // JS has no bool scalars in ops: TensorLike is Tensor | number
    const x = make(p.a, false);
    const what = `${p.a} op ${p.scalar}`;
    assert.equal(add(x, p.scalar).dtype, p.add, `${what} (add)`);
    assert.equal(mul(x, p.scalar).dtype, p.mul, `${what} (mul)`);
    assert.equal(div(x, p.scalar).dtype, p.div, `${what} (div)`);
    assert.equal(add(p.scalar, x).dtype, p.add, `${what} (scalar first)`);
  }
});

test('where promotes its two value operands like the binary ops', () => {
  const c = tensor([true, false]);
  assert.equal(where(c, tensor([1, 2]), tensor(2, { dtype: 'float64' })).dtype, 'float32');
  assert.equal(where(c, tensor([1, 2], { dtype: 'int32' }), 2.5).dtype, 'float32');
  assert.equal(where(c, tensor([1, 2], { dtype: 'int32' }), tensor([1, 2], { dtype: 'float64' })).dtype, 'float64');
});

test('deliberate differences from torch', () => {
  // numbers default to float32 (torch.tensor([1, 2]) is int64): pass dtype int32 for indices
  assert.equal(tensor([1, 2]).dtype, 'float32');
  // a JS number that happens to be integral is an integer scalar: int32 tensor + 2.0 stays int32
  assert.equal(add(tensor([1], { dtype: 'int32' }), 2.0).dtype, 'int32');
});
