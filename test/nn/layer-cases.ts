// Runs a PyTorch layer fixture (tools/gen_nn_fixtures.py) through the same descent layer and compares everything.
import assert from 'node:assert/strict';
import { Tensor, manualSeed, nn } from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture } from '../helpers.js';

export interface Ctor {
  type: string;
  args: unknown[];
  options?: Record<string, unknown>;
}

export interface LayerCase {
  ctor: Ctor;
  train: boolean;
  seed?: number;
  state: Record<string, FixtureTensor>;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  gradOutput?: FixtureTensor;
  inputGrads?: (FixtureTensor | null)[];
  paramGrads?: Record<string, FixtureTensor>;
  stateAfter: Record<string, FixtureTensor>;
}

type ModuleCtor = new (...args: unknown[]) => nn.Module;

/** Builds the layer a fixture names, e.g. { type: 'Conv2d', args: [2, 3, 3], options: { stride: 2 } }. */
export function construct(ctor: Ctor): nn.Module {
  const Layer = (nn as unknown as Record<string, ModuleCtor>)[ctor.type];
  assert.ok(Layer, `no layer nn.${ctor.type}`);
  return new Layer(...ctor.args, ...(ctor.options ? [ctor.options] : []));
}

export function decodeState(state: Record<string, FixtureTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, fromFixture(v)]));
}

export function runLayerCase(name: string, c: LayerCase, tol = { rtol: 1e-9, atol: 1e-10 }): void {
  const m = construct(c.ctor).double();
  m.loadStateDict(decodeState(c.state));
  m.train(c.train);
  const withGrad = c.gradOutput !== undefined;
  const inputs = c.inputs.map((f) => fromFixture(f, { requiresGrad: withGrad && (f.dtype ?? 'float64') === 'float64' }));
  if (c.seed !== undefined) manualSeed(c.seed);
  const out = m(...inputs) as Tensor;
  assertClose(out, c.output, { ...tol, message: `${name} output` });
  if (withGrad) {
    out.backward(fromFixture(c.gradOutput!));
    c.inputGrads!.forEach((g, i) => {
      if (g) assertClose(inputs[i].grad!, g, { ...tol, message: `${name} input ${i} grad` });
    });
    const params = Object.fromEntries(m.namedParameters());
    for (const [k, g] of Object.entries(c.paramGrads!)) {
      assert.ok(params[k]?.grad, `${name}: parameter ${k} has no grad`);
      assertClose(params[k].grad!, g, { ...tol, message: `${name} ${k} grad` });
    }
    for (const [k, p] of Object.entries(params)) {
      if (!(k in c.paramGrads!)) assert.ok(p.grad === null || p.grad.dataSync().every((v) => v === 0), `${name}: ${k} should have no gradient`);
    }
  }
  const after = m.stateDict();
  assert.deepEqual(Object.keys(after), Object.keys(c.stateAfter), `${name} state dict keys`);
  for (const [k, v] of Object.entries(c.stateAfter)) assertClose(after[k], v, { ...tol, message: `${name} ${k} after forward` });
}
