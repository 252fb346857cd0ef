// gradcheck itself (it must fail on a wrong backward), second derivatives, and valueAndGrad.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Tensor, gradcheck, gradgradcheck, manualSeed, matmul, noGrad, randn, softmax, tensor, valueAndGrad, gradOf,
  logSoftmax, logsumexp, sigmoid,
} from '../../src/index.js';
import { record } from '../../src/autograd/record.js';
import { assertClose } from '../helpers.js';

const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });

// x^2 with a backward that forgets the factor 2
function badSquare(x: Tensor): Tensor {
  const out = noGrad(() => x.mul(x));
  return record(out, 'BadSquareBackward', [x], (g) => [g.mul(x)], [x]);
}

test('gradcheck throws a useful report on a wrong backward', () => {
  const x = tensor([1.5, -2], { dtype: 'float64', requiresGrad: true });
  assert.throws(
    () => gradcheck((t) => badSquare(t), [x]),
    (e: Error) => {
      assert.match(e.message, /gradcheck: Jacobian mismatch for output 0 \(shape \[2\]\) element \[0\] with respect to input 0 \(shape \[2\]\) element \[0\]/);
      assert.match(e.message, /numerical (2\.9999|3\.0000)\d*, analytical 1\.5$/);
      return true;
    },
  );
});

test('gradcheck passes a correct backward and refuses float32 or no-grad inputs', () => {
  manualSeed(1);
  assert.equal(gradcheck((a, b) => a.mul(b).sin(), [f64([3]), f64([3])]), true);
  assert.throws(() => gradcheck((a) => a.exp(), [randn([2], { requiresGrad: true })]), /input 0 has dtype float32; finite differences need float64/);
  assert.throws(() => gradcheck((a) => a.exp(), [randn([2], { dtype: 'float64' })]), /no input requires grad/);
});

test('gradcheck: outputs outside the graph must be constant; output order is kept', () => {
  const x = tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true });
  assert.throws(
    () => gradcheck((t) => [t.exp(), noGrad(() => t.mul(2))], [x]),
    /gradcheck: output 1 \(shape \[3\]\) does not require grad, but its numerical gradient with respect to input 0 is 2/,
  );
  // an int output first (like max's indices) does not shift the outputs that are checked
  assert.equal(gradcheck((t) => { const { values, indices } = t.reshape(1, 3).max(1); return [indices, values.mul(3)]; }, [x]), true);
  assert.equal(gradgradcheck((t) => t.mul(3).sum(), [x]), true); // linear: the gradient is constant
});

test('gradgradcheck: x^3, tanh, softmax, matmul and more', () => {
  manualSeed(2);
  assert.equal(gradgradcheck((x) => x.pow(3), [f64([4])]), true);
  assert.equal(gradgradcheck((x) => x.tanh(), [f64([2, 3])]), true);
  assert.equal(gradgradcheck((x) => softmax(x, -1), [f64([2, 3])]), true);
  assert.equal(gradgradcheck((x) => softmax(x, 0), [f64([3, 2])]), true);
  assert.equal(gradgradcheck((a, b) => matmul(a, b), [f64([2, 3]), f64([3, 2])]), true);
  assert.equal(gradgradcheck((a, b) => matmul(a, b), [f64([2, 2, 3]), f64([3])]), true);
  assert.equal(gradgradcheck((x) => logSoftmax(x, 1), [f64([2, 3])]), true);
  assert.equal(gradgradcheck((x) => logsumexp(x, 1), [f64([2, 3])]), true);
  assert.equal(gradgradcheck((x) => sigmoid(x).mul(x.exp()), [f64([3])]), true);
  assert.equal(gradgradcheck((a, b) => a.div(b), [f64([3]), randn([3], { dtype: 'float64' }).abs().add(0.5).requiresGrad_()]), true);
  assert.equal(gradgradcheck((x) => x.gelu(), [f64([4])]), true);
  assert.equal(gradgradcheck((x) => x.var(1), [f64([2, 4])]), true);
  assert.equal(gradgradcheck((x) => x.norm(), [f64([4])]), true);
  assert.equal(gradgradcheck((x) => x.prod(1), [f64([2, 3])]), true);
  assert.equal(gradgradcheck((x) => x.slice(1, 1, 3).mul(x.narrow(1, 0, 2)), [f64([2, 4])]), true);
});

test('gradgradcheck catches a wrong second derivative', () => {
  // the backward g * 2x is built without recording: its own gradient is then missing
  const flat = (x: Tensor) => {
    const out = noGrad(() => x.mul(x));
    return record(out, 'FlatSquareBackward', [x], (g) => [noGrad(() => g.mul(x).mul(2)).requiresGrad_()], [x]);
  };
  const x = tensor([0.5, 1.5], { dtype: 'float64', requiresGrad: true });
  assert.equal(gradcheck(flat, [x]), true);
  assert.throws(() => gradgradcheck(flat, [x]), /gradcheck: Jacobian mismatch/);
});

test('valueAndGrad returns the value and gradients of plain tensors', () => {
  const x = tensor([1, 2, 3]);
  const y = tensor([4, 5, 6]);
  const [value, [dx, dy]] = valueAndGrad((a: Tensor, b: Tensor) => a.mul(b).sum().add(a.pow(2).sum()))(x, y);
  assert.equal(value.item(), 32 + 14);
  assert.equal(value.requiresGrad, false);
  assertClose(dx, [6, 9, 12]);
  assertClose(dy, [1, 2, 3]);
  assert.equal(x.requiresGrad, false);
  assert.equal(x.grad, null);
  // an input the function ignores gets zeros
  const [, [, unused]] = valueAndGrad((a: Tensor, _b: Tensor) => a.sum())(x, y);
  assertClose(unused, [0, 0, 0]);
  assert.throws(() => valueAndGrad((a: Tensor) => a.mul(2))(x), /valueAndGrad: f must return a scalar tensor, got shape \[3\]/);
  const [, [constant]] = valueAndGrad((_a: Tensor) => tensor(3))(x);
  assertClose(constant, [0, 0, 0]);
  assert.throws(() => valueAndGrad((a: Tensor) => a.sum())(tensor([1], { dtype: 'int32' })), /valueAndGrad: argument 0 has dtype int32/);
  const [g] = gradOf((a: Tensor) => a.exp().sum())(tensor([0, 1]));
  assertClose(g, [1, Math.E], { rtol: 1e-6 });
});
