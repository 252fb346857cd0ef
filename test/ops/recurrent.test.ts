// The fused recurrent layer op (one node per layer and direction) against the same layer written with
// per-step ops, float64 gradchecks of every input, its two outputs (the h of every step and the LSTM's
// last cell state), double backward, and the error of a second backward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, type Tensor, grad, gradcheck, gradgradcheck, randn } from '../../src/index.js';
import {
  type RecurrentMode, type RecurrentWeights, type SequenceLayout, composedLayer, lastStates, packedLayout, paddedLayout, recurrentLayer,
} from '../../src/ops/recurrent.js';
import { assertClose } from '../helpers.js';

const GATES: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 };

const layouts: [string, SequenceLayout][] = [
  ['time-major', paddedLayout(4, 3, false)],
  ['batch-first', paddedLayout(4, 3, true)],
  ['packed', packedLayout([3, 2, 2, 1])],
];

interface Setup {
  x: Tensor;
  weights: RecurrentWeights;
  h0: Tensor | null;
  c0: Tensor | null;
}

function setup(mode: RecurrentMode, layout: SequenceLayout, opts: { dtype: 'float32' | 'float64'; H: number; P?: number; bias: boolean; initial: boolean }, seed: number): Setup {
  const g = new Generator(seed);
  const { dtype, H, bias, initial } = opts;
  const P = opts.P ?? H;
  const rows = layout.batchSizes.reduce((a, b) => a + b, 0);
  const G = GATES[mode] * H;
  const r = (shape: number[], scale = 0.6) => randn(shape, { dtype, generator: g }).mul(scale).requiresGrad_();
  return {
    x: r([rows, 3], 1),
    weights: {
      weightIh: r([G, 3]), weightHh: r([G, P]), biasIh: bias ? r([G]) : null, biasHh: bias ? r([G]) : null,
      weightHr: P < H ? r([P, H]) : null,
    },
    h0: initial ? r([layout.batch, P], 1) : null,
    c0: initial && mode === 'lstm' ? r([layout.batch, H], 1) : null,
  };
}

function inputsOf(s: Setup): Tensor[] {
  const w = s.weights;
  return [s.x, w.weightIh, w.weightHh, w.biasIh, w.biasHh, w.weightHr ?? null, s.h0, s.c0].filter((t): t is Tensor => t !== null);
}

const modes: RecurrentMode[] = ['lstm', 'gru', 'rnnTanh', 'rnnRelu'];

for (const mode of modes) {
  for (const [name, layout] of layouts) {
    test(`${mode} over ${name} rows: the fused op equals the per-step ops, values and gradients, float32 and float64, both directions`, () => {
      for (const dtype of ['float64', 'float32'] as const) {
        for (const reverse of [false, true]) {
          const variants = mode === 'lstm'
            ? [{ H: 5, bias: true, initial: true }, { H: 4, P: 2, bias: false, initial: false }]
            : [{ H: 5, bias: true, initial: true }, { H: 4, bias: false, initial: false }];
          for (const v of variants) {
            const s = setup(mode, layout, { dtype, ...v }, 7);
            const fused = recurrentLayer(mode, s.x, s.weights, layout, reverse, s.h0, s.c0);
            const composed = composedLayer(mode, s.x, s.weights, layout, reverse, s.h0, s.c0);
            const tol = dtype === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-4, atol: 1e-5 };
            const what = `${dtype}, reverse ${reverse}, ${JSON.stringify(v)}`;
            assertClose(fused.out, composed.out, { ...tol, message: `${what}: output` });
            if (mode === 'lstm') assertClose(fused.cN!, composed.cN!, { ...tol, message: `${what}: cN` });
            // the last h of each sequence, as nn.LSTM's hN, and gradients through all three outputs
            const hN = lastStates(fused.out, layout, reverse);
            const hNComposed = lastStates(composed.out, layout, reverse);
            const inputs = inputsOf(s);
            const seeds = [randn(fused.out.shape, { dtype }), randn(hN.shape, { dtype }), randn([layout.batch, v.H], { dtype })];
            const loss = (out: Tensor, h: Tensor, c: Tensor | null) => {
              let l = out.mul(seeds[0]).sum().add(h.mul(seeds[1]).sum());
              if (c) l = l.add(c.mul(seeds[2]).sum());
              return l;
            };
            const gFused = grad(loss(fused.out, hN, fused.cN), inputs);
            const gComposed = grad(loss(composed.out, hNComposed, composed.cN), inputs);
            gFused.forEach((gr, i) => assertClose(gr, gComposed[i], { ...tol, message: `${what}: gradient of input ${i}` }));
          }
        }
      }
    });
  }
}

test('gradcheck in float64: every input of the LSTM (projection, states, packed rows), GRU and RNN ops', () => {
  for (const mode of modes) {
    for (const [, layout] of layouts) {
      const reverse = layout.batchStride !== 1;
      const s = setup(mode, layout, { dtype: 'float64', H: 3, P: mode === 'lstm' ? 2 : 3, bias: true, initial: true }, 11);
      const inputs = inputsOf(s);
      const assign = (args: Tensor[]): Setup => {
        let i = 0;
        const next = () => args[i++];
        const w = s.weights;
        return {
          x: next(),
          weights: { weightIh: next(), weightHh: next(), biasIh: w.biasIh && next(), biasHh: w.biasHh && next(), weightHr: w.weightHr ? next() : null },
          h0: s.h0 && next(), c0: s.c0 && next(),
        };
      };
      const f = (...args: Tensor[]) => {
        const a = assign(args);
        const { out, cN } = recurrentLayer(mode, a.x, a.weights, layout, reverse, a.h0, a.c0);
        return cN ? [out, cN] : out;
      };
      assert.equal(gradcheck(f, inputs), true, `${mode}`);
    }
  }
});

test('gradgradcheck: the recurrent ops\' backward is differentiable (composed from per-step ops under createGraph)', () => {
  for (const mode of ['lstm', 'gru', 'rnnTanh'] as const) {
    const layout = packedLayout([2, 1]);
    const s = setup(mode, layout, { dtype: 'float64', H: 2, bias: true, initial: true }, 13);
    const f = (x: Tensor, wHh: Tensor, h0: Tensor) => {
      const { out, cN } = recurrentLayer(mode, x, { ...s.weights, weightHh: wHh }, layout, false, h0, s.c0);
      return cN ? [out, cN] : out;
    };
    assert.equal(gradgradcheck(f, [s.x, s.weights.weightHh, s.h0!]), true, mode);
  }
});

test('the LSTM\'s output and last cell state share saved tensors: backward through one frees them, and the other is then refused', () => {
  const layout = paddedLayout(3, 2, false);
  const s = setup('lstm', layout, { dtype: 'float32', H: 4, bias: true, initial: true }, 17);
  const { out, cN } = recurrentLayer('lstm', s.x, s.weights, layout, false, s.h0, s.c0);
  out.sum().backward(null, { retainGraph: true });
  cN!.sum().backward(); // both nodes still hold their buffers under retainGraph
  const again = recurrentLayer('lstm', s.x, s.weights, layout, false, s.h0, s.c0);
  again.out.sum().backward();
  assert.throws(() => again.cN!.sum().backward(), /backward: trying to backward through the lstm layer's graph a second time/);
});

test('without gradients the op saves nothing and returns plain tensors', () => {
  const layout = paddedLayout(3, 2, true);
  const s = setup('gru', layout, { dtype: 'float32', H: 4, bias: true, initial: false }, 19);
  for (const t of inputsOf(s)) t.requiresGrad_(false);
  const { out, cN } = recurrentLayer('gru', s.x, s.weights, layout, false);
  assert.equal(out.requiresGrad, false);
  assert.equal(out.gradFn, null);
  assert.equal(cN, null);
  assert.deepEqual(out.shape, [6, 4]);
});
