// Backward semantics, as PyTorch defines them: accumulation, retainGraph, detach, noGrad, hooks, grad().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Tensor, cat, enableGrad, grad, isGradEnabled, matmul, noGrad, softmax, tanh, tensor,
} from '../../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

test('backward fills .grad on leaves and accumulates across calls', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(2).sum().backward();
  assertClose(x.grad!, [2, 2, 2]);
  x.mul(x).sum().backward();
  assertClose(x.grad!, [4, 6, 8]);
  x.grad = null;
  x.sum().backward();
  assertClose(x.grad!, [1, 1, 1]);
});

test('a tensor used several times sums its gradients (diamond graph)', () => {
  const x = tensor(3, { requiresGrad: true });
  const a = x.mul(2);
  const b = x.pow(2);
  a.mul(b).add(a).backward(); // d/dx (2x^3 + 2x) = 6x^2 + 2
  assert.equal(x.grad!.item(), 56);
});

test('non-leaf tensors get no .grad unless retainGrad() is called', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3);
  const k = x.mul(4);
  k.retainGrad();
  h.add(k).sum().backward();
  assert.equal(h.grad, null);
  assertClose(k.grad!, [1, 1]);
  assert.equal(h.isLeaf, false);
  assert.equal(x.isLeaf, true);
});

test('backward(gradient) for non-scalar outputs; shape-checked', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x);
  y.backward(tensor([1, 0.5, -1]));
  assertClose(x.grad!, [2, 2, -6]);
  const z = x.mul(2);
  assert.throws(() => z.backward(), /backward: grad can be implicitly created only for scalar outputs \(got shape \[3\]\)/);
  assert.throws(() => z.backward(tensor([1, 2])), /gradient has shape \[2\] but the tensor has shape \[3\]/);
});

test('retainGraph allows a second backward; without it the second one fails clearly', () => {
  const x = tensor(2, { requiresGrad: true });
  const y = x.pow(3);
  y.backward(null, { retainGraph: true });
  y.backward();
  assert.equal(x.grad!.item(), 24);
  assert.throws(() => y.backward(), /backward through the graph a second time.*retainGraph/);
});

test('backward on a tensor without a graph is an error', () => {
  assert.throws(() => tensor([1, 2]).sum().backward(), /does not require grad/);
});

test('detach() shares storage but leaves the graph', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  assert.equal(d.storage, y.storage);
  y.mul(d).sum().backward(); // d is a constant: d/dx (2x * d) = 2d
  assertClose(x.grad!, [4, 8]);
});

test('noGrad records nothing, nests, and restores the mode after an exception', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  const z = noGrad(() => enableGrad(() => x.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(isGradEnabled(), true);
});

test('requiresGrad_ sets the flag in place; integers and non-leaves are refused', () => {
  const x = tensor([1, 2]);
  assert.equal(x.requiresGrad_(), x);
  assert.equal(x.requiresGrad, true);
  x.requiresGrad_(false);
  assert.equal(x.requiresGrad, false);
  assert.throws(() => tensor([1, 2], { dtype: 'int32' }).requiresGrad_(), /only floating point tensors can require gradients, got dtype int32/);
  assert.throws(() => tensor([1], { dtype: 'int32', requiresGrad: true }), /dtype int32/);
  const y = tensor([1, 2], { requiresGrad: true }).mul(2);
  assert.throws(() => y.requiresGrad_(false), /non-leaf/);
});

test('registerHook observes gradients, can replace them, and can be removed', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const h = x.mul(2);
  const seen: number[][] = [];
  h.registerHook((g) => { seen.push(Array.from(g.dataSync())); });
  // replacing the gradient of a non-leaf changes what flows to its inputs
  const handle = h.registerHook((g) => g.mul(10));
  h.sum().backward();
  assert.deepEqual(seen, [[1, 1, 1]]);
  assertClose(x.grad!, [20, 20, 20]);
  handle.remove();
  assert.deepEqual(h.hooks!.length, 1);
  const x2 = tensor([1, 2, 3], { requiresGrad: true });
  const h2 = x2.mul(2);
  h2.registerHook((g) => g.mul(10)).remove();
  h2.sum().backward();
  assertClose(x2.grad!, [2, 2, 2]);
  // a hook on a leaf replaces what is accumulated into .grad
  const w = tensor([1, 1], { requiresGrad: true });
  w.registerHook((g) => g.neg());
  w.mul(3).sum().backward();
  assertClose(w.grad!, [-3, -3]);
  assert.throws(() => tensor([1]).registerHook(() => {}), /doesn't require gradient/);
  const bad = tensor([1, 2], { requiresGrad: true });
  bad.registerHook(() => tensor([1, 2, 3]));
  assert.throws(() => bad.sum().backward(), /hook: gradient has shape \[3\] but the tensor has shape \[2\]/);
});

test('grad() returns gradients without touching .grad; allowUnused gives null', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = tensor([3, 4], { requiresGrad: true });
  const out = x.mul(x).sum();
  const [gx] = grad(out, [x]);
  assertClose(gx, [2, 4]);
  assert.equal(x.grad, null);
  assert.equal(gx.requiresGrad, false);
  const [, gy] = grad(x.sum(), [x, y], { allowUnused: true });
  assert.equal(gy, null);
  assert.throws(() => grad(x.sum(), [x, y]), /input 1 was not used in the graph.*allowUnused/);
  assert.throws(() => grad(x.sum(), [tensor([1])]), /input 0 does not require grad/);
});

test('grad() with several outputs and gradOutputs', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const a = x.mul(3);
  const b = x.pow(2);
  const [g] = grad([a, b], [x], { gradOutputs: [tensor([1, 1]), tensor([0.5, 2])] });
  assertClose(g, [3 + 1, 3 + 8]);
  assert.throws(() => grad([a, b], [x], { gradOutputs: [tensor([1, 1])] }), /got 1 gradOutputs for 2 outputs/);
});

interface AutogradFixture {
  x: FixtureTensor; w: FixtureTensor; v: FixtureTensor; value: FixtureTensor;
  gradX: FixtureTensor; hvp: FixtureTensor; penaltyGradW: FixtureTensor;
}

test('createGraph: Hessian-vector product and gradient penalty match torch', () => {
  const fx = loadFixture<AutogradFixture>('autograd');
  const x = fromFixture(fx.x, { requiresGrad: true });
  const w = fromFixture(fx.w, { requiresGrad: true });
  const f = (x: Tensor, w: Tensor) => x.pow(3).sum().add(tanh(matmul(w, x)).sum()).add(matmul(softmax(w, -1), x).sum());
  const value = f(x, w);
  assertClose(value, fx.value, { rtol: 1e-12 });
  const [gx] = grad(value, [x], { createGraph: true });
  assert.equal(gx.requiresGrad, true);
  assertClose(gx, fx.gradX, { rtol: 1e-12 });
  const [hvp] = grad(gx, [x], { gradOutputs: fromFixture(fx.v), retainGraph: true });
  assertClose(hvp, fx.hvp, { rtol: 1e-10, atol: 1e-12 });
  const [penalty] = grad(gx.pow(2).sum(), [w]);
  assertClose(penalty, fx.penaltyGradW, { rtol: 1e-10, atol: 1e-12 });
});

test('backward with createGraph leaves a differentiable .grad', () => {
  const x = tensor(2, f64);
  x.pow(3).backward(null, { createGraph: true });
  const g = x.grad!;
  assert.equal(g.item(), 12);
  assert.equal(g.requiresGrad, true);
  const [g2] = grad(g, [x]);
  assert.equal(g2.item(), 12); // d/dx 3x^2 = 6x
});

test('leaves reached by the same gradient get their own .grad, with createGraph too', () => {
  const a = tensor([1], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  a.add(b).sum().backward(null, { createGraph: true });
  assert.notEqual(a.grad, b.grad);
  a.mul(2).sum().backward();
  assertClose(a.grad!, [3]);
  assertClose(b.grad!, [1]);
});

test('changing a saved tensor in place before backward is an error', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const w = tensor([3, 4]);
  const y = x.mul(w).sum();
  w.mul_(2);
  assert.throws(() => y.backward(), /modified by an in-place operation/);
});

test('views share the version counter: a change through reshape or detach is caught too', () => {
  const x = tensor([1, 2, 3, 4], { requiresGrad: true });
  const w = tensor([1, 2, 3, 4]);
  const y = x.mul(w.reshape(2, 2).reshape(4)).sum(); // saves a view of w
  w.detach().mul_(2); // changes the same storage
  assert.throws(() => y.backward(), /modified by an in-place operation/);
  const y2 = x.exp().sum(); // saves exp's output
  const out = y2.gradFn!.inputs[0];
  noGrad(() => out.view(2, 2).zero_());
  assert.throws(() => y2.backward(), /ExpBackward: a tensor needed for gradient computation \(shape \[4\]\) was modified/);
  const plain = tensor([1, 2]);
  const v = plain.version;
  plain.add_(1);
  assert.equal(plain.version, v + 1);
});

test('gradients take the dtype of their input (float32 op float64)', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3, 4], f64);
  const y = a.mul(b).sum();
  assert.equal(y.dtype, 'float64');
  y.backward();
  assert.equal(a.grad!.dtype, 'float32');
  assert.equal(b.grad!.dtype, 'float64');
  assertClose(a.grad!, [3, 4]);
});

test('the same tensor as several inputs of one op gets the sum of its gradients', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  x.mul(x).sum().backward();
  assertClose(x.grad!, [2, 4]);
  x.grad = null;
  cat([x, x]).mul(tensor([1, 2, 3, 4])).sum().backward();
  assertClose(x.grad!, [4, 6]);
  const m = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  matmul(m, m).sum().backward(); // d/dm sum(m @ m) = ones @ m^T + m^T @ ones
  assertClose(m.grad!, [3 + 4, 7 + 4, 3 + 6, 7 + 6]);
});

test('a .grad of another shape or dtype is refused, as PyTorch does', () => {
  const w = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => { w.grad = tensor([1, 2, 3]); }, /assigned grad has data of a different size: the tensor has shape \[2\], the grad \[3\]/);
  assert.throws(() => { w.grad = tensor([1, 2], { dtype: 'float64' }); }, /assigned grad has data of a different type: the tensor is float32, the grad float64/);
  assert.throws(() => { (w as unknown as { grad: unknown }).grad = [1, 2]; }, /assigned grad expected to be a Tensor or null, got an array/);
  assert.equal(w.grad, null);
  w.grad = tensor([10, 20]);
  w.mul(2).sum().backward(); // accumulates into the assigned, same-shaped grad
  assert.deepEqual(w.grad.toArray(), [12, 22]);
});

test('backward takes the options form too; a first argument that is not a tensor is explained', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward({ retainGraph: true });
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8]);
  const z = x.mul(2);
  assert.throws(() => z.backward([1, 1] as never), /backward: the gradient must be a Tensor shaped like the output \(\[2\]\), got an array; pass tensor\(\[\.\.\.\]\)/);
  assert.throws(() => z.backward(1 as never), /backward: the gradient must be a Tensor .* got number/);
  assert.throws(() => z.sum().backward({ retainGraf: true } as never), /backward: unknown option 'retainGraf' \(expected retainGraph, createGraph\)/);
});
