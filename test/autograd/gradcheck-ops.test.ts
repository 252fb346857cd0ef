// Every differentiable op case of the fixture table also passes a float64 finite-difference gradcheck and gradgradcheck,
// which checks the backward against the forward independently of PyTorch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradcheck, gradgradcheck, type Tensor } from '../../src/index.js';
import { GROUPS, OPS, type OpCase, inputsOf, loadCases, runCase } from '../ops/op-table.js';

function differentiable(c: OpCase): boolean {
  return c.gradcheck && c.inputs.some((i) => i.requiresGrad && i.dtype === 'float64' && i.data.length > 0) && c.upstream.length > 0;
}

const checked = new Set<string>();
for (const group of GROUPS) {
  describe(`gradcheck: ${group}`, () => {
    for (const c of loadCases(group)) {
      if (!differentiable(c)) continue;
      checked.add(c.op);
      test(c.name, () => {
        const f = (...ins: Tensor[]) => runCase(c, ins);
        assert.equal(gradcheck(f, inputsOf(c)), true);
        // second derivatives too (zero for linear ops, which gradgradcheck verifies numerically)
        assert.equal(gradgradcheck(f, inputsOf(c)), true);
      });
    }
  });
}

test('gradcheck covers every differentiable op of the table', () => {
  const nonDifferentiable = new Set([
    'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor', 'logicalNot', 'isnan', 'isinf',
    'isfinite', 'argmax', 'argmin', 'any', 'all', 'oneHot', 'floorDivide', 'cast', 'argsort', 'unique', 'nonzero',
  ]);
  const missing = Object.keys(OPS).filter((op) => !nonDifferentiable.has(op) && !checked.has(op));
  assert.deepEqual(missing, []);
});
