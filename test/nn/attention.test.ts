import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, Tensor, grad, gradcheck, gradgradcheck, manualSeed, nn, ones, randn, tensor, triu } from '../../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';
import { type ModuleCase, checkModuleCase } from './module-case.js';

interface MhaCase extends ModuleCase {
  embedDim: number;
  numHeads: number;
  selfAttention: boolean;
  forward: { needWeights: boolean; averageAttnWeights: boolean };
}
interface SdpaCase {
  name: string;
  args: FixtureTensor[];
  gradArgs: number[];
  options: { isCausal?: boolean };
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: FixtureTensor[];
}

const fx = loadFixture<{ mha: MhaCase[]; sdpa: SdpaCase[] }>('nn_attention');

for (const c of fx.mha) {
  test(`MultiheadAttention matches PyTorch: ${c.name}`, () => {
    const m = new nn.MultiheadAttention(c.embedDim, c.numHeads, { ...c.options, dtype: 'float64' });
    checkModuleCase(m, c, (inputs) => {
      const [q, k, v] = c.selfAttention ? [inputs[0]!, inputs[0]!, inputs[0]!] : [inputs[0]!, inputs[1]!, inputs[2]!];
      const [keyPaddingMask, attnMask] = c.selfAttention ? [inputs[1], inputs[2]] : [inputs[3], inputs[4]];
      const [out, weights] = m(q, k, v, { keyPaddingMask, attnMask, ...c.forward });
      return weights ? [out, weights] : [out];
    });
  });
}

test('MultiheadAttention in float32 agrees with the float64 PyTorch references to float32 precision', () => {
  for (const c of fx.mha) {
    const m = new nn.MultiheadAttention(c.embedDim, c.numHeads, { ...c.options, dtype: 'float32' });
    checkModuleCase(m, c, (inputs) => {
      const [q, k, v] = c.selfAttention ? [inputs[0]!, inputs[0]!, inputs[0]!] : [inputs[0]!, inputs[1]!, inputs[2]!];
      const [keyPaddingMask, attnMask] = c.selfAttention ? [inputs[1], inputs[2]] : [inputs[3], inputs[4]];
      const [out, weights] = m(q, k, v, { keyPaddingMask, attnMask, ...c.forward });
      assert.equal(out.dtype, 'float32');
      return weights ? [out, weights] : [out];
    }, { rtol: 1e-4, atol: 1e-5, dtype: 'float32' });
  }
});

for (const c of fx.sdpa) {
  test(`scaledDotProductAttention matches PyTorch: ${c.name}`, () => {
    const args = c.args.map((a, i) => fromFixture(a, { requiresGrad: c.gradArgs.includes(i) }));
    const out = nn.functional.scaledDotProductAttention(args[0], args[1], args[2], { attnMask: args[3] ?? null, ...c.options });
    assertClose(out, c.out, { rtol: 1e-9, atol: 1e-10, message: 'output' });
    const grads = grad([out], c.gradArgs.map((i) => args[i]), { gradOutputs: [fromFixture(c.gradOut)] });
    c.grads.forEach((g, i) => assertClose(grads[i], g, { rtol: 1e-9, atol: 1e-10, message: `gradient of argument ${c.gradArgs[i]}` }));
  });
}

test('scaledDotProductAttention in float32 (the fused kernels) agrees with the float64 PyTorch references to float32 precision', () => {
  for (const c of fx.sdpa) {
    const args = c.args.map((a, i) => fromFixture(a, { requiresGrad: c.gradArgs.includes(i), dtype: a.dtype === 'bool' ? 'bool' : 'float32' }));
    const out = nn.functional.scaledDotProductAttention(args[0], args[1], args[2], { attnMask: args[3] ?? null, ...c.options });
    assertClose(out, c.out, { rtol: 1e-4, atol: 1e-5, message: `${c.name}: output` });
    const grads = grad([out], c.gradArgs.map((i) => args[i]), { gradOutputs: [fromFixture(c.gradOut, { dtype: 'float32' })] });
    c.grads.forEach((g, i) => assertClose(grads[i], g, { rtol: 1e-4, atol: 1e-5, message: `${c.name}: gradient of argument ${c.gradArgs[i]}` }));
  }
});

test('MultiheadAttention parameters are named and initialized as PyTorch', () => {
  assert.deepEqual(Object.keys(new nn.MultiheadAttention(8, 2).stateDict()), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
  assert.deepEqual(Object.keys(new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false }).stateDict()),
    ['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'out_proj.weight']);
  manualSeed(0);
  const m = new nn.MultiheadAttention(8, 2);
  // xavier bound sqrt(6 / (8 + 24)); biases start at zero
  const bound = Math.sqrt(6 / 32);
  assert.ok(Array.from(m.inProjWeight!.dataSync()).every((w) => Math.abs(w) <= bound));
  assert.ok(Array.from(m.inProjBias!.dataSync()).every((b) => b === 0) && Array.from(m.outProj.bias!.dataSync()).every((b) => b === 0));
});

test('gradcheck: MultiheadAttention with masks, and scaledDotProductAttention, in float64', () => {
  const g = new Generator(5);
  const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64', generator: g, kdim: 3 });
  const q = randn([3, 2, 4], { dtype: 'float64', generator: g, requiresGrad: true });
  const k = randn([3, 2, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  const keyPaddingMask = tensor([[false, false, true], [false, false, false]]);
  const attnMask = triu(ones([3, 3]), 1).bool();
  gradcheck((a, b, w) => { void w; const [o, att] = m(a, b, a, { keyPaddingMask, attnMask }); return [o, att!]; }, [q, k, m.kProjWeight!]);
  const x = randn([2, 3, 4], { dtype: 'float64', generator: g, requiresGrad: true });
  gradcheck((a) => nn.functional.scaledDotProductAttention(a, a, a, { isCausal: true }), [x]);
});

test('MultiheadAttention names itself and the expected shapes on bad input', () => {
  const m = new nn.MultiheadAttention(8, 2);
  assert.throws(() => m(randn([3, 2, 6]), randn([3, 2, 8]), randn([3, 2, 8])), /MultiheadAttention\(embedDim=8, numHeads=2\): expected query \[L,N,8\] or unbatched \[L,8\], got \[3,2,6\]/);
  const x = randn([3, 2, 8]);
  assert.throws(() => m(x, x, x, { keyPaddingMask: tensor([[true, false]]) }), /expected keyPaddingMask of shape \[2,3\], got \[1,2\]/);
  assert.throws(() => m(x, x, x, { attnMask: ones([3, 4]).bool() }), /expected a 2-d attnMask of shape \[3,3\], got \[3,4\]/);
  assert.throws(() => new nn.MultiheadAttention(10, 3), /embedDim \(10\) must be divisible by numHeads \(3\)/);
});

test('attention dropout acts in training mode only', () => {
  const m = new nn.MultiheadAttention(8, 2, { dropout: 0.5, dropoutGenerator: new Generator(2) });
  const x = randn([4, 2, 8]);
  const [trainOut] = m(x, x, x);
  m.eval();
  const [a] = m(x, x, x);
  const [b] = m(x, x, x);
  assertClose(a, b, { rtol: 0, atol: 0 });
  assert.ok(Array.from(trainOut.dataSync()).some((v, i) => Math.abs(v - a.dataSync()[i]) > 1e-6));
  assert.ok(a instanceof Tensor);
});

test('gradgradcheck: MultiheadAttention second derivatives', () => {
  const g = new Generator(6);
  const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64', generator: g });
  const x = randn([2, 1, 4], { dtype: 'float64', generator: g, requiresGrad: true });
  gradgradcheck((a) => m(a, a, a, { attnMask: triu(ones([2, 2]), 1).bool() })[0], [x]);
});

test('default initialization equals PyTorch\'s after the same manualSeed (MultiheadAttention, TransformerEncoderLayer)', () => {
  const init = loadFixture<{ init: Record<string, Record<string, FixtureTensor>> }>('nn_attention').init;
  const build: Record<string, () => nn.Module> = {
    mha: () => new nn.MultiheadAttention(8, 2),
    mha_kdim: () => new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5 }),
    mha_bias_kv: () => new nn.MultiheadAttention(8, 2, { addBiasKv: true }),
    encoder: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12 }),
  };
  for (const [name, make] of Object.entries(build)) {
    manualSeed(0);
    const sd = make().stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(init[name]), name);
    for (const [k, v] of Object.entries(init[name])) assertClose(sd[k], v, { rtol: 0, atol: 0, message: `${name} ${k}` });
  }
});
