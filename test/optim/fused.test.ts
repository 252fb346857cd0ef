// The fused optimizer steps of each backend (Backend.fused) against each rule's reference in tensor ops:
// one conformance table of rules, options and sizes (SIMD tails), run for every backend that has fused steps
// (read back asynchronously, so webgpu runs it too, where an adapter exists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Backend, type Tensor, listBackends, manualSeed, nn, optim, randn, registerBackend, setBackend, tensor } from '../../src/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { deviceNamed } from '../../src/tensor/storage.js';
import { setFusedSteps } from '../../src/optim/fused.js';
import { assertClose } from '../helpers.js';
import { openWebgpu } from '../backend/webgpu/setup.js';

const webgpuMissing = await openWebgpu();

type Make = (params: Tensor[]) => optim.Optimizer;
const RULES: [string, Make][] = [
  ['SGD', (ps) => new optim.SGD(ps, { lr: 0.1 })],
  ['SGD weightDecay maximize', (ps) => new optim.SGD(ps, { lr: 0.1, weightDecay: 0.1, maximize: true })],
  ['SGD momentum', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 })],
  ['SGD momentum dampening weightDecay', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.5, dampening: 0.5, weightDecay: 0.01 })],
  ['SGD nesterov weightDecay maximize', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.05, maximize: true })],
  ['Adam', (ps) => new optim.Adam(ps, { lr: 0.01, betas: [0.9, 0.99] })],
  ['Adam weightDecay maximize', (ps) => new optim.Adam(ps, { lr: 0.01, weightDecay: 0.1, maximize: true })],
  ['Adam amsgrad weightDecay', (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.02 })],
  ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.01, weightDecay: 0.1 })],
  ['AdamW amsgrad maximize', (ps) => new optim.AdamW(ps, { lr: 0.01, amsgrad: true, maximize: true })],
];
const SIZES = [1, 7, 17, 129, 100003];

// Three steps of `make` on parameters of `n` elements on `backend`, with fixed gradients.
async function trajectory(backend: string, make: Make, n: number, fused: boolean): Promise<number[][]> {
  manualSeed(n);
  const p = randn([n]).to(backend).requiresGrad_();
  const grads = [randn([n]), randn([n]), randn([n])].map((g) => g.to(backend));
  const opt = make([p]);
  setFusedSteps(fused);
  try {
    for (const g of grads) {
      p.grad = g;
      opt.step();
    }
  } finally {
    setFusedSteps(true);
  }
  const state = [...opt.state.values()][0];
  const tensors = [p, ...Object.values(state).filter((v): v is Tensor => v !== null && typeof v === 'object')];
  return Promise.all(tensors.map(async (t) => [...(await t.data())]));
}

for (const name of listBackends()) {
  const backend = deviceNamed(name, 'test') as Backend;
  for (const rule of Object.keys(backend.fused)) {
    for (const [label, make] of RULES.filter(([l]) => l.toLowerCase().startsWith(rule))) {
      const skip = name === 'webgpu' && webgpuMissing;
      test(`${name}: fused ${label} matches the tensor-op reference on sizes ${SIZES.join(', ')}`, { skip }, async () => {
        for (const n of SIZES) {
          const [fused, reference] = [await trajectory(name, make, n, true), await trajectory(name, make, n, false)];
          assert.equal(fused.length, reference.length);
          fused.forEach((values, i) => assertClose(tensor(values), reference[i], { rtol: 1e-5, atol: 2e-6, message: `${label}, n=${n}, ${i === 0 ? 'param' : `state ${i}`}` }));
        }
      });
    }
  }
}

test('a fused step bumps the parameter version (autograd sees the in-place change)', () => {
  for (const make of [(p: Tensor) => new optim.SGD([p], { lr: 0.1 }), (p: Tensor) => new optim.Adam([p], { lr: 0.1 })]) {
    const p = randn([300], { requiresGrad: true });
    p.grad = randn([300]);
    const before = p.version;
    make(p).step();
    assert.equal(p.version, before + 1);
  }
});

test('a backend with fused steps gets the updates; one that declines runs the reference', () => {
  const calls: string[] = [];
  registerBackend({
    ...jsBackend,
    name: 'js-spy',
    fused: {
      sgd: () => { calls.push('sgd'); return false; },
      adam: () => { calls.push('adam'); return false; },
    },
  });
  const run = () => {
    const p = tensor([1, -2, 3], { requiresGrad: true });
    p.grad = tensor([0.5, 0.5, 0.5]);
    new optim.SGD([p], { lr: 0.1, momentum: 0.9 }).step();
    new optim.Adam([p], { lr: 0.1 }).step();
    return [...p.dataSync()];
  };
  setBackend('js');
  const expected = run();
  setBackend('js-spy');
  try {
    assert.deepEqual(run(), expected, 'declined steps fall back to the reference');
    assert.deepEqual(calls, ['sgd', 'adam']);
  } finally {
    setBackend('wasm');
  }
});

test('float64 parameters on wasm take the reference (the fused kernels are float32), bit for bit the js result', () => {
  const run = (backend: string) => {
    manualSeed(1);
    const p = randn([37], { dtype: 'float64', device: backend, requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.01, amsgrad: true });
    for (let i = 0; i < 3; i++) {
      p.grad = randn([37], { dtype: 'float64', device: backend });
      opt.step();
    }
    return [...p.dataSync()];
  };
  assert.deepEqual(run('wasm'), run('js'));
});

test('loadStateDict restores SGD and Adam state, and training resumes exactly', () => {
  for (const make of [(ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01, amsgrad: true })]) {
    const run = (steps: number, resumeAt: number | null) => {
      manualSeed(3);
      const model = new nn.Linear(40, 30);
      let opt = make([...model.parameters()]);
      const x = randn([5, 40]);
      for (let i = 0; i < steps; i++) {
        if (i === resumeAt) {
          const saved = opt.stateDict();
          opt = make([...model.parameters()]);
          opt.loadStateDict(saved);
        }
        opt.zeroGrad();
        model(x).square().mean().backward();
        opt.step();
      }
      return [...model.weight.dataSync()];
    };
    assert.deepEqual(run(6, 3), run(6, null));
  }
});

test('the wasm fused steps refuse state shorter than the parameter (no write past it in wasm memory)', () => {
  const wasm = deviceNamed('wasm', 'test') as Backend;
  const n = 4096;
  const full = () => wasm.zeros('float32', n);
  const short = (k: number) => wasm.zeros('float32', k);
  const o = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledDecay: 0, maximize: false, step: 1 };
  assert.throws(() => wasm.fused.adam!(full(), full(), short(1), full(), null, o), /Adam: expAvg has 1 elements but the parameter has 4096/);
  assert.throws(() => wasm.fused.adam!(full(), short(1), full(), full(), null, o), /Adam: grad has 1 elements/);
  assert.throws(() => wasm.fused.adam!(full(), full(), full(), full(), short(3), o), /Adam: maxExpAvgSq has 3 elements/);
  const s = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, maximize: false, nesterov: false, initBuffer: false };
  assert.throws(() => wasm.fused.sgd!(full(), full(), short(2), s), /SGD: momentumBuffer has 2 elements but the parameter has 4096/);
});
