import assert from 'node:assert/strict';
import { type Tensor, grad, type nn } from '../../src/index.js';
import { assertClose, fromFixture, type FixtureTensor } from '../helpers.js';

/** A PyTorch module run stored by tools/gen_nn_seq_fixtures.py (module_case). */
export interface ModuleCase {
  [extra: string]: unknown;
  name: string;
  kind: string;
  options: Record<string, unknown>;
  train: boolean;
  inputs: (FixtureTensor | null)[];
  gradInputs: number[];
  stateDict: Record<string, FixtureTensor>;
  outputs: FixtureTensor[];
  gradOutputs: FixtureTensor[];
  inputGrads: (FixtureTensor | null)[];
  paramGrads: Record<string, FixtureTensor>;
  inputSize: number;
  hiddenSize: number;
}

/** Compares a module's outputs, input gradients and parameter gradients with a PyTorch case. */
export function checkModuleCase(
  module: nn.Module, c: ModuleCase, run: (inputs: (Tensor | null)[]) => Tensor[],
  { rtol = 1e-9, atol = 1e-10, dtype = 'float64' }: { rtol?: number; atol?: number; dtype?: 'float32' | 'float64' } = {},
): void {
  const tol = { rtol, atol };
  module.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, fromFixture(v)])));
  module.train(c.train);
  // float inputs take the module's dtype; masks keep theirs
  const inputs = c.inputs.map((t, i) => (t ? fromFixture(t, { requiresGrad: c.gradInputs.includes(i), dtype: t.dtype === 'float64' ? dtype : t.dtype }) : null));
  const outputs = run(inputs);
  assert.equal(outputs.length, c.outputs.length, 'number of outputs');
  outputs.forEach((o, i) => assertClose(o, c.outputs[i], { ...tol, message: `${c.name} output ${i}` }));
  const params = [...module.namedParameters()];
  const wrt = [...c.gradInputs.map((i) => inputs[i]!), ...params.map(([, p]) => p)];
  const grads = grad(outputs, wrt, { gradOutputs: c.gradOutputs.map((g) => fromFixture(g)), allowUnused: true });
  c.inputGrads.forEach((g, i) => { if (g) assertClose(grads[i], g, { ...tol, message: `${c.name} gradient of input ${c.gradInputs[i]}` }); });
  params.forEach(([name], j) => {
    assert.ok(name in c.paramGrads, `${c.name}: PyTorch has a gradient for ${name}`);
    assertClose(grads[c.gradInputs.length + j], c.paramGrads[name], { ...tol, message: `${c.name} gradient of ${name}` });
  });
  assert.equal(params.length, Object.keys(c.paramGrads).length, 'number of parameters with gradients');
}

