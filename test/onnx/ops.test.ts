import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dt from '../../src/index.js';
import { Tensor, manualSeed, nn, randn, randint, tensor } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { checkExport } from './ort.js';

const { F } = nn;

// A model whose forward is user code: the glue ops between layers are recorded one by one.
class Glue extends nn.Module<unknown[], unknown> {
  constructor(private readonly body: (...args: Tensor[]) => unknown) {
    super();
  }
  forward(...args: unknown[]): unknown {
    return this.body(...(args as Tensor[]));
  }
}

type Case = [name: string, body: (...x: Tensor[]) => unknown, args: () => unknown[]];

const CASES: Case[] = [
  ['add, sub (alpha), mul, div, pow, neg with numbers and broadcasting', (x, y) => x.add(y, 2).sub(y.mul(0.5), 3).mul(x).div(y.abs().add(1)).pow(2).neg().add(1.5), () => [randn([3, 4]), randn([4])]],
  ['free functions dt.add, dt.mul, dt.maximum, dt.minimum, dt.where', (x, y) => dt.where(x.gt(0), dt.maximum(x, y), dt.minimum(dt.add(x, 1), dt.mul(y, 2))), () => [randn([3, 4]), randn([3, 4])]],
  ['comparisons, logic and casts', (x, y) => [x.eq(y.round()), x.ne(0), x.lt(y), x.le(y), x.ge(y).logicalAnd(x.gt(-1)), x.gt(0).logicalOr(y.gt(0)).logicalXor(x.lt(0.5)).logicalNot(), x.gt(0).int().add(y.lt(0).int()), x.gt(0).float().mul(y)], () => [randn([3, 4]), randn([3, 4])]],
  ['int and float arithmetic, division of ints, floorDivide, remainder, fmod', (i, x) => [i.div(3), i.floorDivide(3), i.remainder(3), i.mul(0.5), x.remainder(0.7), x.fmod(0.7), x.floorDivide(0.3), i.add(i)], () => [randint(-10, 10, [3, 4], { dtype: 'int32' }), randn([3, 4])]],
  ['unary math', (x) => {
    const p = x.abs().add(0.5);
    return [x.exp(), x.expm1(), p.log(), x.abs().log1p(), p.log2(), p.log10(), p.sqrt(), p.rsqrt(), p.reciprocal(), x.square(), x.sin(), x.cos(), x.tan(),
      x.tanh().asin(), x.tanh().acos(), x.atan(), x.sinh(), x.cosh(), x.sigmoid(), x.erf(), x.mul(3).floor(), x.mul(3).ceil(), x.mul(3).round(), x.mul(3).trunc(), x.sign(), x.clamp(-0.5, 0.5), x.clamp(null, 0)];
  }, () => [randn([3, 5])]],
  ['activations as methods and nn.functional', (x) => [x.relu(), x.leakyRelu(0.1), x.elu(0.7), x.gelu(), x.gelu('tanh'), x.silu(), x.softplus(2, 4), F.relu(x), F.gelu(x), F.sigmoid(x), F.tanh(x), F.softmax(x, 0), F.logSoftmax(x, 1)], () => [randn([3, 5]).mul(2)]],
  ['isnan, isinf, isfinite, maskedFill', (x) => {
    const y = x.div(x.round());
    return [y.isnan(), y.isinf(), y.isfinite(), x.maskedFill(x.gt(0.5), -1), x.where(x.lt(0), 0)];
  }, () => [tensor([[0.2, -0.3, 1.4], [0, 2.2, -0.6]])]],
  ['reductions', (x) => [x.sum(), x.sum(1), x.sum([0, 2], true), x.mean(-1), x.mean([1, 2]), x.prod(1), x.amax(2), x.amin([0, 1], true), x.max(), x.min(),
    x.max(1).values, x.max(1, true).indices, x.min(2).indices, x.argmax(), x.argmax(1), x.argmin(2, true), x.var(1), x.var(2, false, true), x.std(), x.std([0, 2]),
    x.logsumexp(1), x.logsumexp([0, 2], true), x.norm(), x.norm(1, 1), x.norm(3, 2, true), x.norm(Infinity, 0), x.gt(0).any(1), x.gt(-2).all(), x.gt(0).sum(1)],
  () => [randn([3, 4, 5])]],
  ['shape ops', (x) => [x.reshape(4, 15), x.view([-1, 5]), x.flatten(), x.flatten(1), x.unflatten(2, [5, 1]), x.unsqueeze(0).squeeze(0), x.squeeze(), x.unsqueeze(-1),
    x.permute(2, 0, 1), x.transpose(0, 2), x.T, x.select(1, 0).t(), x.expand([2, 3, 4, 5]), x.select(2, 1).unsqueeze(2).expandAs(x), x.sum(0).broadcastTo([3, 4, 5]),
    x.contiguous(), x.clone(), x.detach(), dt.reshape(x, [60])], () => [randn([3, 4, 5])]],
  ['slicing', (x) => [x.slice(1, 1), x.slice(2, 0, 5, 2), x.slice(0, -2), x.slice(2, 1, -1, 3), x.narrow(1, 1, 2), x.narrow(-1, -3, 2), x.select(0, -1), x.select(2, 3),
    ...x.split(2, 1), ...x.split([1, 3, 1], 2), ...x.chunk(2, 0), x.flip(1), x.flip([0, 2])], () => [randn([3, 4, 5])]],
  ['cat, stack, pad, repeat, tril, triu', (x, y) => [dt.cat([x, y], 1), dt.cat([x, x.mul(2), y], -1), dt.stack([x, y.slice(1, 0, 3)], 0), dt.stack([x, x], 2),
    dt.pad(x, [1, 2]), dt.pad(x, [0, 1, 2, 0], 'constant', -1), dt.pad(x, [-1, 1]), F.pad(x, [2, 1], 'reflect'), F.pad(x, [1, 1, 2, 0], 'replicate'), F.pad(x, [2, 1, 1, 1], 'circular'),
    x.repeat(2, 1), x.repeat([2, 1, 3]), x.tril(), x.triu(1), x.tril(-1)], () => [randn([2, 3]), randn([2, 4])]],
  ['indexing', (x, i) => [x.indexSelect(1, i), x.gather(1, i.unsqueeze(0).expand([3, 4])), x.scatterAdd(1, i.unsqueeze(0).expand([3, 4]), x.slice(1, 0, 4)), F.oneHot(i, 6), dt.oneHot(i.add(1))],
    () => [randn([3, 5]), tensor([4, 0, 2, 2], { dtype: 'int32' })]],
  ['matmul family', (a, b, c) => [a.matmul(b), dt.matmul(a, b), a.mm(b), c.bmm(c.transpose(1, 2)), c.matmul(b), b.select(1, 0).dot(b.select(1, 1)), a.select(0, 0).outer(b.select(0, 0)),
    dt.addmm(a.matmul(b), a, b, { beta: 0.5, alpha: 2 }), dt.baddbmm(c.matmul(c.transpose(1, 2)), c, c.transpose(1, 2), { beta: 2, alpha: 0.5 })],
  () => [randn([3, 4]), randn([4, 2]), randn([2, 3, 4])]],
  ['softmax, sort, topk, cumsum', (x) => [x.softmax(1), x.logSoftmax(0), dt.softmax(x, -1), x.topk(2).values, x.topk(3, 0, false).indices, x.sort(1).values, x.sort(0, true).indices, x.argsort(1), x.cumsum(1), x.cumsum(0)],
    () => [randn([4, 5])]],
  ['constants made in forward, and parameters used directly', (x) => x.add(dt.ones([3, 4]).mul(2)).mul(dt.arange(4)).add(dt.zerosLike(x)).add(dt.fullLike(x, 0.5)), () => [randn([3, 4])]],
  ['a tensor output that is an input, twice', (x) => [x, x, x.add(1)], () => [randn([2, 2])]],
  ['nn.functional layers', (x, w, b, tokens, emb) => [F.linear(x, w, b), F.linear(x, w), F.layerNorm(x, [5]), F.groupNorm(x.reshape(3, 5, 1), 5), F.dropout(x, 0.5, false),
    F.embedding(tokens, emb), F.conv1d(x.t().unsqueeze(0), w.unsqueeze(2), b, { padding: 1 }), F.conv2d(x.reshape(1, 1, 3, 5), w.reshape(2, 1, 1, 5), null, { padding: [0, 2] }),
    F.maxPool2d(x.reshape(1, 1, 3, 5), 2, { ceilMode: true }), F.avgPool2d(x.reshape(1, 1, 3, 5), [1, 2]), F.adaptiveAvgPool2d(x.reshape(1, 1, 3, 5), [2, 2]),
    F.batchNorm(x, dt.zeros([5]), dt.ones([5]), null, null, false), F.batchNorm(x, null, null, w.select(0, 0), null, true),
    F.scaledDotProductAttention(x.reshape(1, 3, 5), x.reshape(1, 3, 5), x.reshape(1, 3, 5), { isCausal: true })],
  () => [randn([3, 5]), randn([2, 5]), randn([2]), tensor([[1, 0, 3]], { dtype: 'int32' }), randn([4, 6])]],
];

for (const [name, body, args] of CASES) {
  test(`exportOnnx: ${name} in a user forward`, async () => {
    manualSeed(0);
    await checkExport(new Glue(body), args());
  });
}

test('exportOnnx: a user module with parameters, library layers and glue (a residual MLP with a learned scale)', async () => {
  class Block extends nn.Module<[Tensor], Tensor> {
    fc = new nn.Linear(6, 6);
    norm = new nn.LayerNorm(6);
    scale = new nn.Parameter(randn([6]));
    forward(x: Tensor) {
      return x.add(this.norm(this.fc(x)).relu().mul(this.scale.sigmoid()));
    }
  }
  class Net extends nn.Module<[Tensor], Tensor> {
    blocks = new nn.ModuleList([new Block(), new Block()]);
    head = new nn.Linear(6, 2);
    forward(x: Tensor) {
      for (const b of this.blocks.children()) x = (b as Block)(x);
      return this.head(x).logSoftmax(-1);
    }
  }
  manualSeed(0);
  await checkExport(new Net(), [randn([4, 6])]);
});

test('exportOnnx: opsets 18 to 21 (reductions take axes as inputs from 18, Gelu is an op from 20)', async () => {
  manualSeed(0);
  const model = new nn.Sequential(new nn.GroupNorm(2, 4), new nn.GELU(), new nn.Flatten(), new nn.Linear(16, 3));
  for (const opsetVersion of [18, 19, 20, 21]) await checkExport(model, [randn([2, 4, 2, 2])], { opsetVersion });
});

test('exportOnnx: graph inputs and outputs take the given names; weights keep their state-dict names', async () => {
  const { default: onnxProto } = await import('onnx-proto');
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4));
  const bytes = exportOnnx(model, randn([2, 3]), { inputNames: ['features'], outputNames: ['scores'], docString: 'a test' });
  const proto = onnxProto.onnx.ModelProto.decode(bytes);
  assert.deepEqual(proto.graph!.input!.map((i) => i.name), ['features']);
  assert.deepEqual(proto.graph!.output!.map((o) => o.name), ['scores']);
  assert.equal(Number(proto.opsetImport![0].version), 17);
  assert.equal(proto.docString, 'a test');
  const initializers = proto.graph!.initializer!.map((i) => i.name);
  for (const key of ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var']) assert.ok(initializers.includes(key), `${key} in ${initializers.join(', ')}`);
  assert.ok(!initializers.includes('1.num_batches_tracked'), 'unused buffers are left out');
});

test('exportOnnx: the model is left as it was (mode, buffers, methods, forwards)', () => {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Dropout(0.5));
  const before = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));
  const add = Tensor.prototype.add;
  const T = Object.getOwnPropertyDescriptor(Tensor.prototype, 'T');
  exportOnnx(model, randn([2, 3]));
  assert.equal(model.training, true);
  assert.ok([...model.modules()].every((m) => m.training));
  for (const [k, t] of Object.entries(model.stateDict())) assert.deepEqual(Array.from(t.dataSync()), before[k], k);
  assert.equal(Tensor.prototype.add, add);
  assert.deepEqual(Object.getOwnPropertyDescriptor(Tensor.prototype, 'T'), T);
  assert.ok([...model.modules()].every((m) => !Object.hasOwn(m, 'forward')));
  assert.throws(() => exportOnnx(model, [randn([2, 5])]), /Linear\(3->4\): expected input/);
  assert.equal(Tensor.prototype.add, add, 'restored after an error too');
  assert.ok([...model.modules()].every((m) => !Object.hasOwn(m, 'forward')));
});
