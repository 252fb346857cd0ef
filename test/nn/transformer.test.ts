import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, gradcheck, nn, ones, randn, triu } from '../../src/index.js';
import { assertClose, loadFixture } from '../helpers.js';
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
