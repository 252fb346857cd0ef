// The fused optimizer kernels in wasm (assembly/optim.ts) against the reference ones (js/optim.ts, float64
// arithmetic), on resident arrays (updated in place) and on ordinary ones (copied through the arena), for
// odd sizes (SIMD tails) and every option branch; then PyTorch's trajectories with resident parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdamStepOptions, SgdStepOptions } from '../../../src/backend/backend.js';
import { Tensor, manualSeed, nn, optim, randn, tensor } from '../../../src/index.js';
import { isResident } from '../../../src/backend/wasm/resident.js';
import { NAMES, type Net, buildFor, fixture, train } from '../../optim/torch-cases.js';
import { assertClose, fromFixture } from '../../helpers.js';
import { jsBackend, randomFloats, wasm } from './util.js';

const SIZES = [1, 7, 17, 129, 1000003];

/** |a - e| <= atol + rtol |e| elementwise (NaN and infinities must match), the message built only on failure. */
function assertArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}[${i}]: expected ${e}, got ${a}`);
  }
}

const inputCache = new Map<number, Float32Array[]>();
/** Four random arrays of length n (made once per size: the largest takes a while to draw); callers copy them. */
function inputs(n: number): Float32Array[] {
  if (!inputCache.has(n)) inputCache.set(n, [randomFloats(n), randomFloats(n), randomFloats(n), randomFloats(n)]);
  return inputCache.get(n)!;
}

/** `values` in resident storage (or an ordinary copy). */
function place(values: Float32Array, resident: boolean): Float32Array {
  if (!resident) return values.slice();
  const out = wasm().allocateResident!('float32', values.length) as Float32Array;
  assert.ok(out && isResident(out), 'resident storage is available on shared memory');
  out.set(values);
  return out;
}

const SGD_CASES: Array<Partial<SgdStepOptions> & { name: string; buffer: boolean }> = [
  { name: 'plain', buffer: false },
  { name: 'weightDecay, maximize, no momentum', buffer: false, weightDecay: 0.1, maximize: true },
  { name: 'momentum', buffer: true, momentum: 0.9 },
  { name: 'momentum, dampening', buffer: true, momentum: 0.9, dampening: 0.3 },
  { name: 'nesterov', buffer: true, momentum: 0.8, nesterov: true },
  { name: 'nesterov, weightDecay, maximize', buffer: true, momentum: 0.8, nesterov: true, weightDecay: 0.05, maximize: true },
  { name: 'momentum, dampening, weightDecay', buffer: true, momentum: 0.5, dampening: 0.5, weightDecay: 0.01 },
];

for (const resident of [true, false]) {
  for (const c of SGD_CASES) {
    test(`wasm sgdStep (${c.name}, ${resident ? 'resident' : 'copied'}) matches the reference on sizes ${SIZES.join(', ')}`, () => {
      for (const n of SIZES) {
        const [p0, ...grads] = inputs(n);
        const [p, ref] = [place(p0, resident), p0.slice()];
        const [b, refB] = c.buffer ? [place(new Float32Array(n), resident), new Float32Array(n)] : [null, null];
        grads.forEach((g, i) => {
          const o: SgdStepOptions = { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, ...c, initBuffer: c.buffer && i === 0 };
          wasm().sgdStep!(p, place(g, resident), b, o);
          jsBackend.sgdStep!(ref, g, refB, o);
        });
        assertArraysClose(p, ref, 1e-5, 1e-6, `param, n=${n}`);
        if (b) assertArraysClose(b, refB!, 1e-5, 1e-6, `momentum buffer, n=${n}`);
      }
    });
  }
}

const ADAM_CASES: Array<Partial<AdamStepOptions> & { name: string; amsgrad: boolean }> = [
  { name: 'Adam', amsgrad: false },
  { name: 'Adam, weightDecay (L2), maximize', amsgrad: false, weightDecay: 0.1, maximize: true },
  { name: 'Adam, amsgrad', amsgrad: true },
  { name: 'Adam, amsgrad, weightDecay', amsgrad: true, weightDecay: 0.02 },
  { name: 'AdamW (decoupled)', amsgrad: false, decoupledDecay: 0.1 },
  { name: 'AdamW, amsgrad, maximize', amsgrad: true, decoupledDecay: 0.01, maximize: true },
];

for (const resident of [true, false]) {
  for (const c of ADAM_CASES) {
    test(`wasm adamStep (${c.name}, ${resident ? 'resident' : 'copied'}) matches the reference on sizes ${SIZES.join(', ')}`, () => {
      for (const n of SIZES) {
        const [p0, ...grads] = inputs(n);
        const [p, ref] = [place(p0, resident), p0.slice()];
        const [m, v] = [place(new Float32Array(n), resident), place(new Float32Array(n), resident)];
        const [refM, refV] = [new Float32Array(n), new Float32Array(n)];
        const vMax = c.amsgrad ? place(new Float32Array(n), resident) : null;
        const refVMax = c.amsgrad ? new Float32Array(n) : null;
        for (let step = 1; step <= 3; step++) {
          const g = grads[step - 1];
          const o: AdamStepOptions = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, decoupledDecay: 0, maximize: false, ...c, step };
          wasm().adamStep!(p, place(g, resident), m, v, vMax, o);
          jsBackend.adamStep!(ref, g, refM, refV, refVMax, o);
        }
        // g = -g + λθ can cancel to near 0, where float32 and float64 part ways: atol is 0.2% of one step (lr)
        assertArraysClose(p, ref, 1e-5, 2e-5, `param, n=${n}`);
        assertArraysClose(m, refM, 1e-5, 1e-7, `exp_avg, n=${n}`);
        assertArraysClose(v, refV, 1e-5, 1e-9, `exp_avg_sq, n=${n}`);
        if (vMax) assertArraysClose(vMax, refVMax!, 1e-5, 1e-9, `max_exp_avg_sq, n=${n}`);
      }
    });
  }
}

test('float64 and small non-resident arrays run the reference kernel (same results bit for bit)', () => {
  const o: SgdStepOptions = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.01, maximize: false, initBuffer: true };
  for (const make of [(n: number) => Float64Array.from(randomFloats(n)), (n: number) => randomFloats(n)]) {
    const p = make(9);
    const g = make(9);
    const [ours, ref] = [p.slice(), p.slice()];
    wasm().sgdStep!(ours, g, make(9).fill(0), o);
    jsBackend.sgdStep!(ref, g, make(9).fill(0), o);
    assert.deepEqual([...ours], [...ref]);
  }
});

// PyTorch's float32 trajectories (test/optim's fixture) with the parameters as nn.Parameters, so that
// parameters, gradients and state are all resident and the wasm kernels update them in place.
for (const c of fixture.cases.filter((k) => ['SGD', 'Adam', 'AdamW'].includes(k.rule) && k.dtype === 'float32')) {
  const opts = JSON.stringify(c.groups ? { ...c.options, groups: c.groups } : c.options);
  test(`${c.rule} ${opts} float32 with resident parameters: ${c.steps} steps match PyTorch`, () => {
    const net = {} as Net;
    for (const n of NAMES) net[n] = new nn.Parameter(fromFixture(fixture.init[n], { dtype: 'float32' }));
    const make = (params: optim.Params, options: Record<string, unknown>) =>
      new (optim[c.rule as 'SGD' | 'Adam' | 'AdamW'])(params as optim.Params<optim.AdamOptions>, options as Partial<optim.AdamOptions> & { lr: number });
    const opt = buildFor(c, net, make as never);
    train(opt, net, 'float32', c.steps, c.negate);
    for (const n of NAMES) {
      assert.ok(isResident(net[n].data), `${n} is resident`);
      assertClose(net[n], c.params[n], { rtol: 1e-4, atol: 1e-5, message: n });
    }
    for (const s of opt.state.values()) {
      for (const v of Object.values(s)) if (v instanceof Object && 'data' in v) assert.ok(isResident((v as { data: Float32Array }).data), 'state is resident');
    }
  });
}

test('loadStateDict puts SGD and Adam state back in resident storage, and training resumes exactly', () => {
  for (const make of [(ps: nn.Parameter[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), (ps: nn.Parameter[]) => new optim.Adam(ps, { lr: 0.01, amsgrad: true })]) {
    const run = (steps: number, resumeAt: number | null) => {
      manualSeed(3);
      const model = new nn.Linear(40, 30);
      let opt = make([...model.parameters()]);
      const x = randn([5, 40]);
      for (let i = 0; i < steps; i++) {
        if (i === resumeAt) {
          const saved = JSON.parse(JSON.stringify(opt.stateDict(), (_, v) => (v instanceof Tensor ? { t: [...v.data], s: v.shape } : v)), (_, v) => (v && v.t ? tensor(v.t).reshape(v.s) : v));
          opt = make([...model.parameters()]);
          opt.loadStateDict(saved);
          for (const s of opt.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) assert.ok(isResident(v.data), 'restored state is resident');
        }
        opt.zeroGrad();
        model(x).square().mean().backward();
        opt.step();
      }
      return [...model.weight.data];
    };
    assert.deepEqual(run(6, 3), run(6, null));
  }
});

test('the wasm kernels refuse buffers shorter than the parameter (no write past them)', () => {
  const o: AdamStepOptions = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledDecay: 0, maximize: false, step: 1 };
  const n = 4096;
  const full = () => new Float32Array(n);
  assert.throws(() => wasm().adamStep!(full(), full(), new Float32Array(1), full(), null, o), /wasm adamStep: exp_avg has 1 elements but the parameter has 4096/);
  assert.throws(() => wasm().adamStep!(full(), new Float32Array(1), full(), full(), null, o), /wasm adamStep: grad has 1 elements/);
  assert.throws(() => wasm().adamStep!(full(), full(), full(), full(), new Float32Array(3), o), /wasm adamStep: max_exp_avg_sq has 3 elements/);
  const s: SgdStepOptions = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, maximize: false, nesterov: false, initBuffer: false };
  assert.throws(() => wasm().sgdStep!(full(), full(), new Float32Array(2), s), /wasm sgdStep: momentum_buffer has 2 elements but the parameter has 4096/);
});
