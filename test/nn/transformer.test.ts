import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, type Tensor, gradcheck, manualSeed, nn, ones, randn, triu } from '../../src/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';
import { type ModuleCase, checkModuleCase } from './module-case.js';

interface EncoderCase extends ModuleCase {
  dModel: number;
  nhead: number;
}

const fx = loadFixture<{ transformer: EncoderCase[] }>('nn_attention');

for (const c of fx.transformer) {
  test(`TransformerEncoderLayer matches PyTorch: ${c.name}`, () => {
    const layer = new nn.TransformerEncoderLayer(c.dModel, c.nhead, { ...c.options, dtype: 'float64' });
    checkModuleCase(layer, c, ([src, srcMask, srcKeyPaddingMask]) => [layer(src!, { srcMask, srcKeyPaddingMask })]);
  });
}

test('a float32 TransformerEncoderLayer agrees with the float64 PyTorch references to float32 precision', () => {
  for (const c of fx.transformer) {
    const layer = new nn.TransformerEncoderLayer(c.dModel, c.nhead, { ...c.options, dtype: 'float32' });
    checkModuleCase(layer, c, ([src, srcMask, srcKeyPaddingMask]) => [layer(src!, { srcMask, srcKeyPaddingMask })], { rtol: 1e-4, atol: 1e-4, dtype: 'float32' });
  }
});

test('TransformerEncoderLayer state dict keys are PyTorch\'s', () => {
  assert.deepEqual(Object.keys(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).stateDict()), [
    'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
    'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
  ]);
});

test('gradcheck: TransformerEncoderLayer (pre-norm and post-norm) in float64', () => {
  const g = new Generator(11);
  for (const normFirst of [false, true]) {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst, activation: 'gelu', dtype: 'float64', generator: g });
    const x = randn([3, 2, 4], { dtype: 'float64', generator: g, requiresGrad: true });
    const srcMask = triu(ones([3, 3]), 1).bool();
    gradcheck((a, w) => { void w; return layer(a, { srcMask }); }, [x, layer.linear1.weight]);
  }
});

test('TransformerEncoderLayer is deterministic in eval mode and checks its input', () => {
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
  layer.eval();
  const x = randn([2, 5, 8]);
  assertClose(layer(x), layer(x), { rtol: 0, atol: 0 });
  assert.throws(() => layer(randn([2, 5, 6])), /MultiheadAttention\(embedDim=8, numHeads=2\): expected query \[N,L,8\]/);
  assert.throws(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as 'relu' }), /activation should be 'relu' or 'gelu'/);
});

class SeqModel extends nn.Module<[Tensor, Tensor], Tensor> {
  embed = new nn.Embedding(10, 8, { paddingIdx: 0, dtype: 'float64' });
  encoder = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true, dtype: 'float64' });
  lstm = new nn.LSTM(8, 6, { batchFirst: true, bidirectional: true, dtype: 'float64' });
  head = new nn.Linear(12, 5, { dtype: 'float64' });
  forward(tokens: Tensor, padding: Tensor): Tensor {
    const x = this.encoder(this.embed(tokens), { srcKeyPaddingMask: padding });
    const [out] = this.lstm(x);
    return this.head(out);
  }
}

test('a sequence model defined in PyTorch and in descent gives the same logits, loss and gradients from the same state dict', () => {
  const fxModel = loadFixture<{ model: Record<string, FixtureTensor> & { stateDict: Record<string, FixtureTensor>; grads: Record<string, FixtureTensor> } }>('nn_attention').model;
  const model = new SeqModel();
  model.loadStateDict(Object.fromEntries(Object.entries(fxModel.stateDict).map(([k, v]) => [k, fromFixture(v)])));
  const logits = model(fromFixture(fxModel.tokens), fromFixture(fxModel.padding));
  assertClose(logits, fxModel.logits, { rtol: 1e-9, atol: 1e-10 });
  const loss = nn.functional.crossEntropy(logits.transpose(1, 2), fromFixture(fxModel.labels), { labelSmoothing: 0.1 });
  assertClose(loss, fxModel.loss, { rtol: 1e-10 });
  loss.backward();
  const params = [...model.namedParameters()];
  assert.deepEqual(params.map(([k]) => k), Object.keys(fxModel.grads));
  for (const [name, p] of params) assertClose(p.grad!, fxModel.grads[name], { rtol: 1e-8, atol: 1e-10, message: name });
});

test('TransformerEncoder: deep copies of the layer (same initial weights, the random stream left as PyTorch leaves it) and a forward pass that matches PyTorch', () => {
  const stack = loadFixture<{ stack: ModuleCase & { init: Record<string, FixtureTensor> } }>('nn_attention').stack;
  manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, dtype: 'float64' });
  const encoder = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8, { dtype: 'float64' }) });
  const after = new nn.Linear(3, 2, { dtype: 'float64' });
  const sd = { ...encoder.stateDict(), ...Object.fromEntries(Object.entries(after.stateDict()).map(([k, v]) => [`after.${k}`, v])) };
  assert.deepEqual(Object.keys(sd), Object.keys(stack.init));
  // float64 draws; the xavier bound may differ from PyTorch's in the last bit
  for (const [k, v] of Object.entries(stack.init)) assertClose(sd[k], v, { rtol: 1e-12, atol: 0, message: k });
  checkModuleCase(encoder, stack, ([src, mask, srcKeyPaddingMask]) => [encoder(src!, { mask, srcKeyPaddingMask })]);
});

interface DecoderCase extends ModuleCase {
  dModel: number;
  nhead: number;
  stack: number;
}
const decoderFx = loadFixture<{ cases: DecoderCase[]; init: Record<string, FixtureTensor> }>('nn_attention_decoder');

for (const c of decoderFx.cases) {
  test(`${c.kind} matches PyTorch: ${c.name}`, () => {
    const layer = new nn.TransformerDecoderLayer(c.dModel, c.nhead, { ...c.options, dtype: 'float64' });
    const m = c.stack ? new nn.TransformerDecoder(layer, c.stack, { norm: new nn.LayerNorm(c.dModel, { dtype: 'float64' }) }) : layer;
    checkModuleCase(m, c, ([tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask]) => [
      m(tgt!, memory!, { tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask }),
    ]);
  });
}

test('TransformerDecoderLayer: PyTorch keys and initial weights after the same seed; gradcheck', () => {
  manualSeed(0);
  const sd = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 12 }).stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(decoderFx.init));
  for (const [k, v] of Object.entries(decoderFx.init)) assertClose(sd[k], v, { rtol: 0, atol: 0, message: k });
  const g = new Generator(14);
  const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst: true, dtype: 'float64', generator: g });
  const tgt = randn([2, 2, 4], { dtype: 'float64', generator: g, requiresGrad: true });
  const memory = randn([3, 2, 4], { dtype: 'float64', generator: g, requiresGrad: true });
  gradcheck((a, b) => layer(a, b, { tgtMask: triu(ones([2, 2]), 1).bool() }), [tgt, memory]);
});

test('Transformer: PyTorch\'s xavier re-initialization after the same seed, and a forward pass with every mask', () => {
  const c = (decoderFx as unknown as { transformer: ModuleCase & { init: Record<string, FixtureTensor> } }).transformer;
  manualSeed(0);
  const model = new nn.Transformer(8, 2, { ...c.options, dtype: 'float64' });
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(c.init));
  for (const [k, v] of Object.entries(c.init)) assertClose(sd[k], v, { rtol: 1e-12, atol: 0, message: k });
  checkModuleCase(model, c, ([src, tgt, tgtMask, padding]) => [
    model(src!, tgt!, { tgtMask, srcKeyPaddingMask: padding, memoryKeyPaddingMask: padding }),
  ]);
  assertClose(nn.Transformer.generateSquareSubsequentMask(3, { dtype: 'float64' }), fromFixture(c.inputs[2]!), { rtol: 0, atol: 0 });
  assert.throws(() => model(randn([2, 4, 8], { dtype: 'float64' }), randn([3, 3, 8], { dtype: 'float64' })), /batch sizes of src \[2,4,8\] and tgt \[3,3,8\] must be equal/);
});
