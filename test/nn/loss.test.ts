import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, grad, logSoftmax, nn } from '../../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';

const F = nn.functional;

interface LossCase {
  name: string;
  fn: string;
  args: FixtureTensor[];
  gradArgs: number[];
  options: Record<string, unknown>;
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: (FixtureTensor | null)[];
  inputLengths?: number[] | number;
  targetLengths?: number[] | number;
  viaLogSoftmax?: boolean;
}

const cases = loadFixture<{ cases: LossCase[] }>('nn_loss').cases;

function decodeOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    out[k] = v !== null && typeof v === 'object' && 'tensor' in v ? fromFixture((v as { tensor: FixtureTensor }).tensor) : v;
  }
  return out;
}

type Fn = (args: Tensor[], options: Record<string, unknown>, c: LossCase) => Tensor;
const FUNCTIONS: Record<string, Fn> = {
  // PyTorch broadcasts a target of another shape with a warning; descent wants it expanded on purpose
  mseLoss: ([x, y], o, c) => F.mseLoss(x, c.name === 'mse_broadcast_target' ? y.expandAs(x) : y, o),
  l1Loss: ([x, y], o) => F.l1Loss(x, y, o),
  smoothL1Loss: ([x, y], o) => F.smoothL1Loss(x, y, o),
  huberLoss: ([x, y], o) => F.huberLoss(x, y, o),
  crossEntropy: ([x, y], o) => F.crossEntropy(x, y, o),
  nllLoss: ([x, y], o) => F.nllLoss(x, y, o),
  binaryCrossEntropy: ([x, y], o) => F.binaryCrossEntropy(x, y, o),
  binaryCrossEntropyWithLogits: ([x, y], o) => F.binaryCrossEntropyWithLogits(x, y, o),
  klDiv: ([x, y], o) => F.klDiv(x, y, o),
  cosineEmbeddingLoss: ([a, b, y], o) => F.cosineEmbeddingLoss(a, b, y, o),
  marginRankingLoss: ([a, b, y], o) => F.marginRankingLoss(a, b, y, o),
  tripletMarginLoss: ([a, p, n], o) => F.tripletMarginLoss(a, p, n, o),
  pairwiseDistance: ([a, b], o) => F.pairwiseDistance(a, b, o.p as number, o.eps as number, o.keepdim as boolean),
  ctcLoss: ([x, targets], o, c) => {
    const logProbs = c.viaLogSoftmax ? logSoftmax(x, x.ndim - 1) : x;
    return F.ctcLoss(logProbs, targets, c.inputLengths!, c.targetLengths!, o);
  },
};

for (const c of cases) {
  test(`${c.fn} matches PyTorch: ${c.name}`, () => {
    const args = c.args.map((a, i) => fromFixture(a, { requiresGrad: c.gradArgs.includes(i) }));
    const out = FUNCTIONS[c.fn](args, decodeOptions(c.options), c);
    assertClose(out, c.out, { rtol: 1e-9, atol: 1e-10, message: 'output' });
    const inputs = c.gradArgs.map((i) => args[i]);
    const grads = grad([out], inputs, { gradOutputs: [fromFixture(c.gradOut)], allowUnused: true });
    c.grads.forEach((g, i) => {
      if (g) assertClose(grads[i], g, { rtol: 1e-8, atol: 1e-9, message: `gradient of argument ${c.gradArgs[i]}` });
    });
  });
}

test('the loss fixtures cover every functional loss', () => {
  const covered = new Set(cases.map((c) => c.fn));
  for (const name of Object.keys(FUNCTIONS)) assert.ok(covered.has(name), name);
});

test('every loss case in float32: float32 results that agree with PyTorch to float32 precision', () => {
  const toF32 = (t: Tensor) => (t.dtype === 'float64' ? t.float() : t);
  for (const c of cases) {
    const args = c.args.map((a, i) => toF32(fromFixture(a)).requiresGrad_(c.gradArgs.includes(i)));
    const options = Object.fromEntries(Object.entries(decodeOptions(c.options)).map(([k, v]) => [k, v instanceof Tensor ? toF32(v) : v]));
    const out = FUNCTIONS[c.fn](args, options, c);
    assert.equal(out.dtype, 'float32', `${c.name}: output dtype`);
    assertClose(out, c.out, { rtol: 2e-4, atol: 1e-4, message: `${c.name} output` });
    const grads = grad([out], c.gradArgs.map((i) => args[i]), { gradOutputs: [toF32(fromFixture(c.gradOut))], allowUnused: true });
    c.grads.forEach((g, i) => {
      if (g) assertClose(grads[i], g, { rtol: 2e-4, atol: 1e-4, message: `${c.name} gradient of argument ${c.gradArgs[i]}` });
    });
  }
});
