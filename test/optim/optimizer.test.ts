import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, nn, optim, tensor, zeros } from '../../src/index.js';
import { NAMES, type Net, makeNet, netLoss, train } from './torch-cases.js';

type AnyRule = optim.Optimizer<optim.BaseOptions, optim.ParamState>;
const RULES: Record<string, (p: Tensor[]) => AnyRule> = {
  SGD: (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
  Adam: (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true }),
  AdamW: (p) => new optim.AdamW(p, { lr: 0.01 }),
  Adagrad: (p) => new optim.Adagrad(p, { lr: 0.1 }),
  RMSprop: (p) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 }),
  Adadelta: (p) => new optim.Adadelta(p),
  Adamax: (p) => new optim.Adamax(p),
  NAdam: (p) => new optim.NAdam(p, { lr: 0.01 }),
  RAdam: (p) => new optim.RAdam(p, { lr: 0.01 }),
  Rprop: (p) => new optim.Rprop(p),
  ASGD: (p) => new optim.ASGD(p, { t0: 3 }),
  LBFGS: (p) => new optim.LBFGS(p, { lineSearchFn: 'strongWolfe', maxIter: 4, historySize: 3 }),
  Lion: (p) => new optim.Lion(p, { lr: 1e-3, weightDecay: 0.1 }),
  SGDScheduleFree: (p) => new optim.SGDScheduleFree(p, { lr: 0.5, warmupSteps: 3 }),
  AdamWScheduleFree: (p) => new optim.AdamWScheduleFree(p, { lr: 0.01, weightDecay: 0.01 }) as unknown as AnyRule,
  Muon: (p) => new optim.Muon(p, { lr: 0.02, adamwLr: 0.01 }),
};
const asRule = (o: unknown) => o as AnyRule;

for (const [name, make] of Object.entries(RULES)) {
  test(`${name}: stop, save the state dict through JSON, reload into a fresh optimizer, continue == never stopped (bit-exact)`, () => {
    const netA = makeNet('float64');
    const optA = make(NAMES.map((n) => netA[n]));
    train(optA, netA, 'float64', 12);

    const netB = makeNet('float64');
    const optB0 = make(NAMES.map((n) => netB[n]));
    train(optB0, netB, 'float64', 5);
    const saved = optB0.stateDict();
    // The non-tensor part must be JSON; tensors travel as tensors.
    const tensors: Tensor[] = [];
    const json = JSON.stringify(saved, (_k, v: unknown) => (v instanceof Tensor ? { $tensor: tensors.push(v) - 1 } : v));
    const restored = JSON.parse(json, (_k, v: unknown) => (v && typeof v === 'object' && '$tensor' in v ? tensors[(v as { $tensor: number }).$tensor] : v)) as optim.OptimizerStateDict;
    const netC = {} as Net;
    for (const n of NAMES) netC[n] = tensor(netB[n].dataSync().slice(), { shape: netB[n].shape, dtype: 'float64', requiresGrad: true });
    const optC = make(NAMES.map((n) => netC[n]));
    optC.loadStateDict(restored);
    train(optC, netC, 'float64', 7);
    for (const n of NAMES) assert.deepEqual(Array.from(netC[n].dataSync()), Array.from(netA[n].dataSync()), `${name} ${n}`);
  });
}

test('stateDict uses PyTorch layout: state by parameter index, snake_case keys, groups with param indices', () => {
  const net = makeNet('float32');
  const opt = new optim.Adam([{ params: [net.w1, net.b1] }, { params: [net.w2, net.b2], lr: 0.1 }], { weightDecay: 0.5 });
  train(asRule(opt), net, 'float32', 2);
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.state).map(Number), [0, 1, 2, 3]);
  assert.deepEqual(Object.keys(sd.state[2]).sort(), ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
  assert.equal(sd.state[2].step, 2);
  assert.deepEqual(sd.param_groups[1], { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.5, amsgrad: false, maximize: false, params: [2, 3] });
  assert.ok(sd.state[0].exp_avg instanceof Tensor && sd.state[0].exp_avg !== opt.state.get(net.w1)!.expAvg, 'state tensors are copies');
});

test('loadStateDict rejects a state dict whose groups do not match', () => {
  const net = makeNet('float32');
  const opt = new optim.SGD([net.w1, net.b1], { lr: 0.1 });
  const other = new optim.SGD([{ params: [net.w2] }, { params: [net.b2] }], { lr: 0.1 });
  assert.throws(() => opt.loadStateDict(other.stateDict()), /SGD.loadStateDict: the state dict has 2 parameter groups, the optimizer has 1/);
  const three = new optim.SGD([net.w1, net.b1, net.w2], { lr: 0.1 });
  assert.throws(() => opt.loadStateDict(three.stateDict()), /parameter group 0 has 3 parameters in the state dict, 2 in the optimizer/);
});

test('options are validated with the rule, option, expectation and value', () => {
  const p = [zeros([2], { requiresGrad: true })];
  assert.throws(() => new optim.Adam(p, { betas: [0.9, 1.2] }), /^Error: Adam: betas\[1\] must be in \[0, 1\), got 1.2$/);
  assert.throws(() => new optim.Adam(p, { lr: -1 }), /Adam: lr must be >= 0, got -1/);
  assert.throws(() => new optim.SGD(p, { lr: 0.1, nesterov: true }), /SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum=0, dampening=0/);
  assert.throws(() => new optim.SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening = 0, got momentum=0.9, dampening=0.1/);
  assert.throws(() => new optim.RMSprop(p, { alpha: -0.5 }), /RMSprop: alpha must be >= 0, got -0.5/);
  assert.throws(() => new optim.Adadelta(p, { rho: 1.5 }), /Adadelta: rho must be in \[0, 1\], got 1.5/);
  assert.throws(() => new optim.Rprop(p, { etas: [1.2, 0.5] }), /Rprop: etas must satisfy 0 < etas\[0\] < 1 < etas\[1\], got \[1.2, 0.5\]/);
  assert.throws(() => new optim.AdamW([{ params: p, weightDecay: -1 }]), /AdamW: weightDecay must be >= 0, got -1/);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
  assert.throws(() => new optim.SGD(p, {} as { lr: number }), /SGD: lr is required \(there is no default\)/);
  const typo = { lr: 0.1, weight_decay: 0.1 } as unknown as { lr: number };
  assert.throws(() => new optim.Adam(p, typo), /Adam: unknown option 'weight_decay' \(expected one of lr, betas, eps, weightDecay, amsgrad, maximize\)/);
  assert.throws(() => new optim.Adam([{ params: p, momentum: 0.9 } as never]), /Adam: unknown parameter group option 'momentum'/);
  assert.throws(() => new optim.SGD(p[0] as unknown as Tensor[], { lr: 0.1 }), /SGD: params should be an iterable of Tensors or parameter groups, got a Tensor/);
  assert.throws(() => new optim.SGD([tensor([1, 2], { dtype: 'int32' })], { lr: 0.1 }), /SGD: can only optimize floating point tensors, got dtype int32/);
  assert.throws(() => new optim.SGD([p[0].mul(2)], { lr: 0.1 }), /SGD: can't optimize a non-leaf Tensor/);
});

test('param groups: defaults fill missing options, addParamGroup, no parameter twice', () => {
  const [a, b, c] = [zeros([2], { requiresGrad: true }), zeros([2], { requiresGrad: true }), zeros([1], { requiresGrad: true })];
  const opt = new optim.SGD([{ params: [a] }, { params: b, lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].momentum, 0.9);
  opt.addParamGroup({ params: [c], momentum: 0 });
  assert.equal(opt.paramGroups.length, 3);
  assert.throws(() => opt.addParamGroup({ params: [a] }), /SGD: some parameters appear in more than one parameter group/);
  assert.throws(() => new optim.SGD([a, a], { lr: 0.1 }), /the same parameter twice/);
});

test('changing lr in paramGroups changes the next step; parameters without grad are skipped', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const y = tensor([5], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.SGD([x, y], { lr: 0.1 });
  x.grad = tensor([1, 1], { dtype: 'float64' });
  opt.step();
  opt.paramGroups[0].lr = 1;
  opt.step();
  assert.deepEqual(Array.from(x.dataSync()), [1 - 0.1 - 1, 2 - 0.1 - 1]);
  assert.deepEqual(Array.from(y.dataSync()), [5]);
  assert.equal(opt.state.has(y), false);
});

test('zeroGrad sets grads to null by default, or to zeros', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const opt = new optim.SGD([x], { lr: 0.1 });
  x.grad = tensor([3, 4]);
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual(Array.from(x.grad.dataSync()), [0, 0]);
  opt.zeroGrad();
  assert.equal(x.grad, null);
});

test('works with nn.Parameter and module.parameters()', () => {
  class Affine extends nn.Module {
    weight = new nn.Parameter(tensor([[1, 2], [3, 4]]));
    bias = new nn.Parameter(zeros([2]));
    forward(x: Tensor): Tensor {
      return x.matmul(this.weight).add(this.bias);
    }
  }
  const model = new Affine();
  const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
  model.forward(tensor([[1, 1]])).sum().backward();
  opt.step();
  assert.ok(Math.abs(model.weight.dataSync()[0] - 0.9) < 1e-6 && Math.abs(model.bias.dataSync()[1] + 0.1) < 1e-6);
});

test('step(closure) returns the closure loss and evaluates it with grad enabled', () => {
  const net = makeNet('float64');
  const opt = new optim.SGD(NAMES.map((n) => net[n]), { lr: 0.1 });
  const loss = opt.step(() => {
    opt.zeroGrad();
    const l = netLoss(net, 'float64');
    l.backward();
    return l;
  });
  assert.ok(loss instanceof Tensor && loss.item() > 0);
});

test('loadStateDict accepts PyTorch-style state: 0-d tensor scalars become numbers, unknown group keys are kept', () => {
  const p = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.ASGD([p], { lr: 0.1 });
  opt.loadStateDict({
    state: { 0: { step: tensor(3), eta: tensor(0.05), mu: tensor(1), ax: tensor([0.5, 0.5]) } },
    param_groups: [{ lr: 0.1, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0, maximize: false, foreach: null, params: [0] }],
  });
  const s = opt.state.get(p)!;
  assert.equal(s.step, 3);
  assert.ok(Math.abs((s.eta as number) - 0.05) < 1e-8);
  assert.equal((s.ax as Tensor).dtype, 'float64');
  const eta = s.eta as number;
  p.grad = tensor([1, 1], { dtype: 'float64' });
  opt.step();
  assert.ok(Math.abs(p.dataSync()[0] - ((1 - 1e-4 * eta) - eta)) < 1e-12);
});

test('loadStateDict checks every state tensor (shape, dtype) and the group options, and changes nothing when one is wrong', () => {
  const w = zeros([64, 64], { requiresGrad: true });
  const b = zeros([64], { requiresGrad: true });
  const opt = new optim.Adam([{ params: [w] }, { params: [b] }], { lr: 0.1 });
  w.grad = zeros([64, 64]).add(1);
  b.grad = zeros([64]).add(2);
  opt.step();
  const snapshot = () => JSON.stringify(opt.stateDict(), (_k, v: unknown) => (v instanceof Tensor ? Array.from(v.dataSync()) : v));
  const before = snapshot();
  const cases: [(sd: optim.OptimizerStateDict) => void, RegExp][] = [
    [(sd) => { sd.state[0].exp_avg = zeros([1]); }, /Adam\.loadStateDict: state 'exp_avg' of parameter 0 \(group 0, param 0\) has shape \[1\], expected \[64,64\] \(the parameter's shape\)/],
    [(sd) => { sd.state[1].exp_avg_sq = zeros([64], { dtype: 'int32' }); }, /state 'exp_avg_sq' of parameter 1 \(group 1, param 0\) has dtype int32, expected a floating point tensor/],
    [(sd) => { sd.state[1].step = 'abc' as never; }, /state 'step' of parameter 1 \(group 1, param 0\) must be a number, got "abc"/],
    [(sd) => { sd.param_groups[0].lr = 'hi'; }, /Adam: lr must be >= 0, got hi/],
    [(sd) => { sd.param_groups[1].params = [7]; }, /state for parameter 1, which no group lists/],
  ];
  for (const [mutate, message] of cases) {
    const sd = opt.stateDict();
    mutate(sd);
    assert.throws(() => opt.loadStateDict(sd), message);
    assert.equal(snapshot(), before, `refused without changing anything: ${message}`);
  }
  // and the step after a refused load touches only what it should
  opt.step();
  assert.ok(b.toArray() instanceof Array && (b.toArray() as number[]).every((v) => Math.abs(v + 0.2) < 1e-6), 'b moved by two Adam steps of lr 0.1');
});
