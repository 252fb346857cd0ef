// Every op against PyTorch: forward values, dtypes, and input gradients for a fixed upstream gradient.
// Cases come from tools/gen_ops_fixtures.py; the op table maps each case's op to a descent call.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grad, type Tensor } from '../../src/index.js';
import { assertClose, fromFixture, type FixtureTensor } from '../helpers.js';
import { GROUPS, type OpCase, inputsOf, loadCases, runCase } from './op-table.js';

function tolerance(dtype: string | undefined): { rtol: number; atol: number } {
  if (dtype === 'float32') return { rtol: 1e-5, atol: 1e-6 };
  if (dtype === 'float64') return { rtol: 1e-9, atol: 1e-12 };
  return { rtol: 0, atol: 0 };
}

function compare(actual: Tensor | null, expected: FixtureTensor | null, what: string): void {
  if (expected === null) {
    // torch returns None for an input that does not influence the outputs; zeros say the same
    assert.ok(actual === null || Array.from(actual.dataSync()).every((v) => v === 0), `${what}: expected no gradient`);
    return;
  }
  assert.ok(actual !== null, `${what}: expected a gradient, got null`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assertClose(actual, expected, { ...tolerance(expected.dtype), message: what });
}

function checkCase(c: OpCase): void {
  const xs = inputsOf(c);
  const outs = runCase(c, xs);
  assert.equal(outs.length, c.outputs.length, 'number of outputs');
  outs.forEach((o, i) => compare(o, c.outputs[i], `output ${i}`));

  const diffOuts = outs.filter((o) => o.requiresGrad);
  assert.equal(diffOuts.length, c.upstream.length, 'number of outputs that require grad');
  const diffIns = xs.filter((x) => x.requiresGrad);
  if (diffOuts.length === 0 || diffIns.length === 0) return;
  const upstream = c.upstream.map((u) => fromFixture(u));
  const grads = grad(diffOuts, diffIns, { gradOutputs: upstream, allowUnused: true });
  assert.equal(grads.length, c.grads.length);
  grads.forEach((g, i) => compare(g, c.grads[i], `gradient of input ${xs.indexOf(diffIns[i])}`));
}

for (const group of GROUPS) {
  describe(`ops vs torch: ${group}`, () => {
    for (const c of loadCases(group)) test(c.name, () => checkCase(c));
  });
}
