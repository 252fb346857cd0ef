import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, nn, ones, randn, tensor, zeros } from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';
import { decodeState } from './layer-cases.js';

const { Module, Sequential, ModuleList, ModuleDict, Residual, Linear, Conv2d, BatchNorm2d, MaxPool2d, Flatten, GELU, Dropout, ReLU } = nn;

// The model of tools/gen_nn_fixtures.py, field for field.
class Net extends Module<[Tensor], Tensor> {
  conv1 = new Conv2d(1, 4, 3, { padding: 1 });
  bn = new BatchNorm2d(4);
  pool = new MaxPool2d(2);
  conv2 = new Conv2d(4, 6, 3, { stride: 2, groups: 2 });
  head = new Sequential(new Flatten(), new Linear(6, 5), new GELU(), new Dropout(0.2), new Linear(5, 3));

  forward(x: Tensor): Tensor {
    const h = this.pool(this.bn(this.conv1(x)).relu());
    return this.head(nn.F.adaptiveAvgPool2d(this.conv2(h).relu(), 1));
  }
}

test('a model loaded from a PyTorch state dict gives PyTorch\'s output', () => {
  const fx = loadFixture<{ state: Record<string, FixtureTensor>; input: FixtureTensor; output: FixtureTensor; keys: string[] }>('nn_model');
  const net = new Net().double();
  assert.deepEqual(Object.keys(net.stateDict()), fx.keys, 'same keys in the same order as PyTorch');
  net.loadStateDict(decodeState(fx.state));
  net.eval();
  assertClose(net(fromFixture(fx.input)), fx.output, { rtol: 1e-9, atol: 1e-10 });
  assert.equal(net.stateDict()['bn.num_batches_tracked'].item(), 3);
  assert.equal(net.stateDict()['bn.num_batches_tracked'].dtype, 'int32');
});

test('loadStateDict names missing, unexpected and wrongly shaped keys', () => {
  const net = new Net();
  const sd = { ...net.stateDict() };
  delete sd['bn.running_mean'];
  sd['extra.weight'] = zeros([1]);
  sd['conv1.weight'] = zeros([4, 1, 5, 5]);
  assert.throws(() => net.loadStateDict(sd), (e: Error) => {
    assert.match(e.message, /conv1\.weight: expected \[4,1,3,3\], got \[4,1,5,5\]/);
    assert.match(e.message, /missing keys: bn\.running_mean/);
    assert.match(e.message, /unexpected keys: extra\.weight/);
    return true;
  });
  sd['conv1.weight'] = zeros([4, 1, 3, 3]);
  const res = net.loadStateDict(sd, { strict: false });
  assert.deepEqual(res, { missingKeys: ['bn.running_mean'], unexpectedKeys: ['extra.weight'] });
  assert.ok(net.conv1.weight.dataSync().every((v) => v === 0));
});

test('Sequential names children 0, 1, ... and runs them in order; ModuleList and ModuleDict register theirs', () => {
  const seq = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
  assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.equal(seq.length, 3);
  assert.ok(seq.at(-1) instanceof Linear);
  const x = randn([5, 3]);
  const manual = (seq.at(2) as nn.Linear)((seq.at(0) as nn.Linear)(x).relu());
  assertClose(seq(x), manual);
  seq.append(new nn.Softmax(-1));
  assert.equal(seq.length, 4);
  const named = new Sequential({ fc: new Linear(2, 2), act: new nn.Tanh() });
  named.append(new Linear(2, 1));
  assert.deepEqual(Object.keys(named.stateDict()), ['fc.weight', 'fc.bias', '2.weight', '2.bias']);
  assert.deepEqual(named(randn([3, 2])).shape, [3, 1], 'appended module runs last');

  const list = new ModuleList([new Linear(2, 2), new Linear(2, 3)]);
  list.insert(0, new Linear(2, 2, { bias: false }));
  assert.deepEqual(Object.keys(list.stateDict()), ['0.weight', '1.weight', '1.bias', '2.weight', '2.bias']);
  assert.equal([...list].length, 3);
  assert.throws(() => (list as unknown as () => void)(), /ModuleList: has no forward/);

  const dict = new ModuleDict({ encoder: new Linear(2, 2), decoderHead: new Linear(2, 1) });
  assert.deepEqual(Object.keys(dict.stateDict()), ['encoder.weight', 'encoder.bias', 'decoderHead.weight', 'decoderHead.bias']);
  assert.deepEqual(dict.keys(), ['encoder', 'decoderHead']);
  dict.set('7', new Linear(2, 2));
  assert.deepEqual(dict.keys(), ['encoder', 'decoderHead', '7'], 'insertion order, integer-like keys included');
  assert.ok(dict.delete('7') && !dict.has('7') && dict.keys().length === 2);
  assert.throws(() => dict.set('forward', new Linear(1, 1)), /clashes with a Module attribute/);
  assert.ok(dict.has('encoder') && dict.get('encoder') instanceof Linear);
  assert.throws(() => dict.get('nope'), /no module named 'nope'/);
  assert.throws(() => new Sequential(new Linear(1, 1), 3 as unknown as nn.Module), /argument 1 is not a Module/);
});

test('Residual adds its input to fn(x), with a module or a plain function', () => {
  const inner = new Linear(3, 3);
  const block = new Residual(inner);
  const x = randn([2, 3]);
  assertClose(block(x), x.add(inner(x)));
  assert.deepEqual(Object.keys(block.stateDict()), ['fn.weight', 'fn.bias']);
  assertClose(new Residual((t) => t.mul(2))(x), x.mul(3));
});

test('train/eval reach every submodule; Dropout is the identity in eval; zeroGrad and numParameters', () => {
  const net = new Net();
  net.eval();
  assert.ok([...net.modules()].every((m) => m.training === false));
  const drop = new Dropout(0.5);
  drop.eval();
  const x = ones([10]);
  assert.equal(drop(x), x);
  net.train();
  assert.ok([...net.modules()].every((m) => m.training));
  assert.equal(net.numParameters(), 4 * 9 + 4 + 8 + 6 * 2 * 9 + 6 + 6 * 5 + 5 + 5 * 3 + 3);
  net(randn([2, 1, 8, 8])).sum().backward();
  assert.ok(net.conv1.weight.grad);
  net.zeroGrad();
  assert.equal(net.conv1.weight.grad, null);
});

test('forward hooks and pre-hooks see (and may replace) inputs and outputs; remove() unregisters', () => {
  const fc = new Linear(2, 2);
  const seen: number[][] = [];
  const h1 = fc.registerForwardPreHook((_m, [x]) => {
    seen.push([...x.shape]);
    return [x.mul(0)];
  });
  const h2 = fc.registerForwardHook((_m, _args, out) => out.add(1));
  const out = fc(ones([3, 2]));
  assert.deepEqual(seen, [[3, 2]]);
  assertClose(out, fc.bias!.add(1).expand(3, 2));
  h1.remove();
  h2.remove();
  assertClose(fc(zeros([1, 2])), fc.bias!.reshape(1, 2));
  assert.equal(seen.length, 1);
});

test('summary lists each layer with its output shape and parameter count, and leaves training state alone', () => {
  const net = new Net();
  const running = Array.from(net.bn.runningMean!.dataSync());
  const text = net.summary([2, 1, 8, 8]);
  const row = (name: string) => text.split('\n').find((l) => l.trimStart().startsWith(name + ' '));
  assert.match(row('conv1')!, /Conv2d\s+\[2,4,8,8\]\s+40$/);
  assert.match(row('pool')!, /MaxPool2d\s+\[2,4,4,4\]\s+0$/);
  assert.match(row('conv2')!, /Conv2d\s+\[2,6,1,1\]\s+114$/);
  assert.match(row('head.1')!, /Linear\s+\[2,5\]\s+35$/);
  assert.match(text, /Total params: 215\nTrainable params: 215\nNon-trainable params: 0/);
  assert.ok(net.training && net.bn.training, 'training mode restored');
  assert.deepEqual(Array.from(net.bn.runningMean!.dataSync()), running, 'running stats untouched');
  assert.equal(net.bn.numBatchesTracked!.item(), 0);
  const lone = new nn.Bilinear(3, 4, 2).summary([[2, 3], [2, 4]]);
  assert.match(lone, /Bilinear \(input \[2,3\], \[2,4\]\)/);
  assert.match(lone, /\(self\)\s+Bilinear\s+\[2,2\]\s+26\n/);
});

test('apply, to(dtype), buffers and parameters are discovered in field order', () => {
  const net = new Net();
  const types: string[] = [];
  net.apply((m) => types.push(m.constructor.name));
  assert.equal(types[types.length - 1], 'Net');
  net.double();
  assert.ok([...net.parameters()].every((p) => p.dtype === 'float64'));
  assert.equal(net.bn.runningVar!.dtype, 'float64');
  assert.equal(net.bn.numBatchesTracked!.dtype, 'int32');
  assert.deepEqual([...net.namedBuffers()].map(([k]) => k), ['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
  const x = tensor([[1, 2]], { dtype: 'float64' });
  assert.equal(new Linear(2, 1).double()(x).dtype, 'float64');
});

test('BatchNorm: momentum null is a cumulative average; eval uses running statistics', () => {
  const bn = new nn.BatchNorm1d(2, { momentum: null, affine: false });
  const a = tensor([[1, 2], [3, 6]]);
  const b = tensor([[5, 0], [7, 2]]);
  bn(a);
  bn(b);
  // running mean = average of the two batch means; running var = average of the unbiased batch variances
  assertClose(bn.runningMean!, [4, 2.5], { rtol: 1e-6 });
  assertClose(bn.runningVar!, [2, 5], { rtol: 1e-6 });
  bn.eval();
  assertClose(bn(tensor([[4, 2.5]])), [0, 0], { atol: 1e-6 });
  assert.throws(() => new nn.BatchNorm1d(2)(tensor([[1, 2]])), /expected more than 1 value per channel when training/);
});

test('BatchNorm with momentum null weighs the next batch by the count a state dict brings (read back where it changed outside forward)', () => {
  const bn = new nn.BatchNorm1d(1, { momentum: null, affine: false });
  bn.loadStateDict({ running_mean: tensor([10]), running_var: tensor([1]), num_batches_tracked: tensor(3, { dtype: 'int32' }) });
  bn(tensor([[2], [6]])); // batch mean 4, weight 1/4
  assertClose(bn.runningMean!, [10 + (4 - 10) / 4], { rtol: 1e-6 });
  assert.equal(bn.numBatchesTracked!.item(), 4);
  bn.resetRunningStats();
  bn(tensor([[2], [6]]));
  assertClose(bn.runningMean!, [4], { rtol: 1e-6 });
});

test('getSubmodule finds dotted paths; requiresGrad_(false) freezes parameters', () => {
  const net = new Net();
  assert.equal(net.getSubmodule('head.1'), net.head.at(1));
  assert.equal(net.getSubmodule(''), net);
  assert.throws(() => net.getSubmodule('head.9'), /no submodule 'head\.9'/);
  net.conv1.requiresGrad_(false);
  assert.equal(net.numParameters(true), net.numParameters() - 40);
  net(randn([2, 1, 8, 8])).sum().backward();
  assert.equal(net.conv1.weight.grad, null);
  assert.ok(net.conv2.weight.grad);
});
