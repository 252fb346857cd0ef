// The PyTorch op fixtures (test/ops/op-table.ts) on webgpu: forward values and input gradients. The
// float32 cases run as they are, at the float32 tolerance of test/ops/fixtures.test.ts; the float64 cases
// (WebGPU has no float64) run with their inputs rounded to float32, at a tolerance for float32 arithmetic.
// Ops whose kernels the backend lacks must fail by name, never silently; ops whose result's shape depends on
// the values run through their async forms (nonzeroAsync, maskedSelectAsync, uniqueAsync).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DType, type Tensor, getBackend, grad, maskedSelectAsync, nonzeroAsync, setBackend, tensor, uniqueAsync } from '../../../src/index.js';
import { assertClose, type FixtureTensor, fromFixture } from '../../helpers.js';
import { GROUPS, type OpCase, loadCases, runCase } from '../../ops/op-table.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

// Ops (or cases, by name) that need a kernel webgpu lacks, or a synchronous read of a value on the GPU: each must say so.
const UNSUPPORTED: Record<string, RegExp> = {
  oneHot_infer: /read asynchronously: use `await t.data\(\)`/, // the number of classes is the labels' max
  matmul_int: /webgpu: matmul on int32 is not implemented/,
};

// Ops whose result's shape depends on the values: on webgpu the sync form throws, naming its async form, which runs the case.
const ASYNC_FORMS: Record<string, { refused: RegExp; run: (xs: Tensor[]) => Promise<Tensor[]> }> = {
  unique: {
    refused: /use `await dt.uniqueAsync/,
    run: async ([x]) => {
      const { values, inverse, counts } = await uniqueAsync(x, { returnInverse: true, returnCounts: true });
      return [values, inverse, counts];
    },
  },
  nonzero: { refused: /use `await dt.nonzeroAsync/, run: async ([x]) => [await nonzeroAsync(x)] },
  maskedSelect: { refused: /use `await dt.maskedSelectAsync/, run: async ([x, m]) => [await maskedSelectAsync(x, m)] },
};

const asFloat32 = (dtype: DType | undefined): DType => (dtype === undefined || dtype === 'float64' ? 'float32' : dtype);
const F32 = { rtol: 1e-5, atol: 1e-6 };
// float64 fixtures in float32: rounding the inputs alone moves results by a few ulps of float32, more
// where an op cancels (var of nearby values) or amplifies (pow, exp of large values)
const ROUNDED = { rtol: 1e-4, atol: 1e-5 };

/** The tensor read back from the GPU, as a js tensor that assertClose can read. */
async function readBack(t: Tensor): Promise<Tensor> {
  return tensor(Array.from(await t.data()), { shape: [...t.shape], dtype: t.dtype, device: 'js' });
}

async function compare(actual: Tensor | null, expected: FixtureTensor | null, what: string, tolerance: { rtol: number; atol: number }): Promise<void> {
  if (expected === null) {
    assert.ok(actual === null || Array.from(await actual.data()).every((v) => v === 0), `${what}: expected no gradient`);
    return;
  }
  assert.ok(actual !== null, `${what}: expected a gradient, got null`);
  assert.equal(actual.device, 'webgpu', `${what}: device`);
  assert.equal(actual.dtype, asFloat32(expected.dtype), `${what}: dtype`);
  const exact = expected.dtype === 'int32' || expected.dtype === 'bool';
  assertClose(await readBack(actual), expected, { ...(exact ? { rtol: 0, atol: 0 } : tolerance), message: what });
}

async function checkCase(c: OpCase): Promise<void> {
  const float32 = c.inputs.every((i) => i.dtype !== undefined && i.dtype !== 'float64');
  const tolerance = float32 ? F32 : ROUNDED;
  const xs = c.inputs.map((i) => fromFixture(i, { requiresGrad: i.requiresGrad, dtype: asFloat32(i.dtype) }));
  const asyncForm = ASYNC_FORMS[c.op];
  if (asyncForm) assert.throws(() => runCase(c, xs), asyncForm.refused);
  const outs = asyncForm ? await asyncForm.run(xs) : runCase(c, xs);
  assert.equal(outs.length, c.outputs.length, 'number of outputs');
  for (let i = 0; i < outs.length; i++) await compare(outs[i], c.outputs[i], `output ${i}`, tolerance);
  const diffOuts = outs.filter((o) => o.requiresGrad);
  const diffIns = xs.filter((x) => x.requiresGrad);
  if (diffOuts.length === 0 || diffIns.length === 0) return;
  const upstream = c.upstream.map((u) => fromFixture(u, { dtype: asFloat32(u.dtype) }));
  const grads = grad(diffOuts, diffIns, { gradOutputs: upstream, allowUnused: true });
  for (let i = 0; i < grads.length; i++) await compare(grads[i], c.grads[i], `gradient of input ${xs.indexOf(diffIns[i])}`, tolerance);
}

for (const group of GROUPS) {
  describe(`ops vs torch on webgpu: ${group}`, { skip }, () => {
    for (const c of loadCases(group)) {
      test(c.name, async () => {
        const before = getBackend();
        setBackend('webgpu');
        try {
          const unsupported = UNSUPPORTED[c.name] ?? UNSUPPORTED[c.op];
          if (unsupported) assert.throws(() => runCase(c, c.inputs.map((i) => fromFixture(i, { dtype: asFloat32(i.dtype) }))), unsupported);
          else await checkCase(c);
        } finally {
          setBackend(before);
        }
      });
    }
  });
}
