// Tensor creation, reading and printing; creation functions against torch (tools/gen_tensor_ops_fixtures.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  arange, empty, eye, full, fullLike, linspace, ones, onesLike, scalar, tensor, zeros, zerosLike,
} from '../../src/index.js';
import { assertClose, loadFixture, type FixtureTensor } from '../helpers.js';

const fx = loadFixture<{ creation: Record<string, FixtureTensor> }>('ops_tensor').creation;

test('tensor() infers shape and dtype from nested arrays, numbers and booleans', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.shape, [2, 3]);
  assert.equal(x.dtype, 'float32'); // JS numbers carry no int/float distinction: float32, torch's default
  assert.equal(x.ndim, 2);
  assert.equal(x.numel, 6);
  assert.ok(x.dataSync() instanceof Float32Array);
  assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
  const s = tensor(2.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 2.5);
  assert.equal(s.toArray(), 2.5);
  const b = tensor([[true, false]]);
  assert.equal(b.dtype, 'bool');
  assert.deepEqual(b.toArray(), [[true, false]]);
  const e = tensor([]);
  assert.deepEqual(e.shape, [0]);
  assert.equal(e.dtype, 'float32');
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  const i = tensor([1.7, -1.7], { dtype: 'int32' });
  assert.deepEqual(i.toArray(), [1, -1]); // truncation toward zero, as torch's cast
  assert.equal(tensor([1, 2], { dtype: 'float64' }).dtype, 'float64');
  assert.equal(scalar(3, 'int32').dtype, 'int32');
});

test('tensor() from a typed array keeps its type and takes a shape', () => {
  const t = tensor(new Int32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  assert.equal(t.dtype, 'int32');
  assert.deepEqual(t.toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(tensor(new Float64Array([1, 2])).dtype, 'float64');
  assert.deepEqual(tensor(new Float64Array([1, 2])).shape, [2]);
  const converted = tensor(new Float64Array([1.5, 2.5]), { dtype: 'float32' });
  assert.ok(converted.dataSync() instanceof Float32Array);
  // the data is copied: later writes to the source do not leak in
  const src = new Float32Array([1, 2]);
  const c = tensor(src);
  src[0] = 9;
  assert.equal(c.dataSync()[0], 1);
  assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
});

test('zeros, ones, full, empty and the *Like variants', () => {
  assert.deepEqual(zeros([2, 3]).toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(ones(3).toArray(), [1, 1, 1]);
  assert.equal(ones(3).dtype, 'float32');
  assertClose(full([2, 3], 7.5), fx.full_2_3, { rtol: 0 });
  assertClose(zeros([0, 2]), fx.zeros_0_2);
  assert.deepEqual(empty([2]).shape, [2]);
  const i = full([2], 4, { dtype: 'int32' });
  assert.equal(zerosLike(i).dtype, 'int32');
  assert.deepEqual(onesLike(i).toArray(), [1, 1]);
  assert.deepEqual(fullLike(i, 3).toArray(), [3, 3]);
  assert.equal(zerosLike(i, { dtype: 'float64' }).dtype, 'float64');
  assert.equal(ones([2], { requiresGrad: true }).requiresGrad, true);
  assert.deepEqual(zeros([]).shape, []);
});

test('arange and linspace match torch, including float steps', () => {
  assertClose(arange(5), fx.arange_5, { rtol: 0 });
  assert.equal(arange(5).dtype, 'int32'); // torch int64 -> descent int32
  assertClose(arange(1, 10, 3), fx.arange_1_10_3, { rtol: 0 });
  assertClose(arange(0, 1, 0.1), fx.arange_float_step, { rtol: 0, atol: 0 });
  assert.equal(arange(0, 1, 0.1).dtype, 'float32');
  assertClose(arange(10, 0, -2.5), fx.arange_negative_step, { rtol: 0 });
  assertClose(arange(0.5, 3, 0.5, { dtype: 'float64' }), fx.arange_f64, { rtol: 0 });
  assertClose(linspace(0, 1, 7), fx.linspace_0_1_7, { rtol: 0, atol: 0 });
  assertClose(linspace(-3.5, 2, 10), fx.linspace_neg_10, { rtol: 0, atol: 0 });
  // torch's float64 values come from a fused multiply-add, which JS lacks: equal to within one ulp of 1
  assertClose(linspace(-1, 1, 11, { dtype: 'float64' }), fx.linspace_f64_11, { rtol: 1e-15, atol: 1e-16 });
  assertClose(linspace(2, 5, 1), fx.linspace_1, { rtol: 0 });
  assertClose(linspace(2, 5, 0), fx.linspace_0);
});

test('eye matches torch (square and rectangular)', () => {
  assertClose(eye(3), fx.eye_3, { rtol: 0 });
  assertClose(eye(2, 4), fx.eye_2_4, { rtol: 0 });
});

test('size(), item(), dataSync() and toArray()', () => {
  const x = zeros([2, 3, 4]);
  assert.deepEqual(x.size(), [2, 3, 4]);
  assert.equal(x.size(-1), 4);
  assert.equal(x.size(0), 2);
  const copy = x.dataSync();
  copy[0] = 5;
  assert.equal(x.dataSync()[0], 0);
  assert.deepEqual(tensor([[1, 2]], { dtype: 'int32' }).toArray(), [[1, 2]]);
  assert.deepEqual(zeros([2, 0]).toArray(), [[], []]);
  assert.equal(tensor([[7]]).item(), 7);
});

test('toString is readable: values, dtype when not the default, grad info', () => {
  assert.equal(String(tensor([1, 2])), 'tensor([1., 2.])');
  assert.equal(String(tensor([[1.5, 2.25], [3, 4]])), 'tensor([[1.5000, 2.2500],\n        [3.0000, 4.0000]])');
  assert.equal(String(tensor([1, 2], { dtype: 'int32' })), 'tensor([1, 2], dtype=int32)');
  assert.equal(String(tensor([1.5], { dtype: 'float64' })), 'tensor([1.5000], dtype=float64)');
  assert.equal(String(tensor(3)), 'tensor(3.)');
  assert.equal(String(tensor([true, false])), 'tensor([True, False])');
  assert.equal(String(zeros([0, 3])), 'tensor([], size=[0,3])');
  assert.equal(String(tensor([1, 2], { requiresGrad: true })), 'tensor([1., 2.], requiresGrad=true)');
  assert.equal(String(tensor([1, 2], { requiresGrad: true }).mul(2)), 'tensor([2., 4.], gradFn=<MulBackward>)');
  assert.equal(String(tensor([1e-5, 1])), 'tensor([1.0000e-5, 1.0000e+0])');
  assert.equal(String(tensor([NaN, Infinity, -Infinity, 1.5])), 'tensor([nan, inf, -inf, 1.5000])');
  assert.equal(String(arange(2000)), 'tensor([0, 1, 2, ..., 1997, 1998, 1999], dtype=int32)');
});

test('typed arrays other than the four storage types: exact integers become int32, the rest is refused', () => {
  for (const a of [new Int8Array([-3, 100]), new Int16Array([-3, 300]), new Uint16Array([3, 60000]), new Uint8ClampedArray([3, 255]), new Uint32Array([3, 2 ** 31 - 1])]) {
    const t = tensor(a);
    assert.equal(t.dtype, 'int32', a.constructor.name);
    assert.deepEqual(t.toArray(), Array.from(a), a.constructor.name);
  }
  assert.deepEqual(tensor(new BigInt64Array([-3n, 300n])).toArray(), [-3, 300]);
  assert.deepEqual(tensor(new Int16Array([1, 2]), { dtype: 'float64' }).dataSync(), new Float64Array([1, 2]));
  assert.throws(() => tensor(new Uint32Array([2 ** 32 - 1])), /tensor: Uint32Array value 4294967295 does not fit int32, .*convert it first/);
  assert.throws(() => tensor(new BigInt64Array([2n ** 40n])), /tensor: BigInt64Array value 1099511627776 does not fit int32/);
  assert.throws(() => tensor(new DataView(new ArrayBuffer(4)) as never), /tensor: unsupported data DataView/);
  assert.equal(tensor(new Uint8Array([0, 1])).dtype, 'bool'); // bool's storage, documented
});

test('tensor() refuses shapes that are not lists of non-negative integers', () => {
  assert.throws(() => tensor([1, 2, 3, 4], { shape: [0.5, 8] }), /tensor: invalid shape \[0\.5,8\]/);
  assert.throws(() => tensor([1, 2, 3, 4], { shape: [-2, -2] }), /tensor: invalid shape \[-2,-2\]/);
  assert.throws(() => tensor(new Float32Array(4), { shape: [-2, -2] }), /tensor: invalid shape \[-2,-2\]/);
});

test('huge shapes name the op and the shape', () => {
  assert.throws(() => zeros([1e6, 1e6]), /zeros: cannot allocate a float32 tensor of shape \[1000000,1000000\] \(1\.00e\+12 elements/);
  const a = zeros([100000, 1]);
  assert.throws(() => a.add(zeros([100000])), /add: cannot allocate a float32 tensor of shape \[100000,100000\]/);
});
