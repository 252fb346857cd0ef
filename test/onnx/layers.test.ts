import { test } from 'node:test';
import { Tensor, manualSeed, nn, noGrad, randint, randn, tensor, triu, ones } from '../../src/index.js';
import { checkExport } from './ort.js';

// Every layer of nn, exported and run in ONNX Runtime: the same outputs as descent's forward (eval mode).
type Case = [name: string, model: () => nn.Module, args: () => unknown[], options?: { atol?: number; rtol?: number }];

// BatchNorm's running statistics away from 0 and 1 (a few training passes), so eval mode is really tested.
function trained<M extends nn.Module>(m: M, input: () => Tensor): M {
  m.train();
  noGrad(() => {
    for (let i = 0; i < 3; i++) (m as unknown as (x: Tensor) => unknown)(input());
  });
  return m;
}

const tokens = (shape: number[], high: number) => randint(0, high, shape, { dtype: 'int32' });

const CASES: Case[] = [
  ['Linear on [N, in]', () => new nn.Linear(5, 3), () => [randn([4, 5])]],
  ['Linear on [N, T, in], no bias', () => new nn.Linear(5, 3, { bias: false }), () => [randn([2, 4, 5])]],
  ['Linear on [in]', () => new nn.Linear(5, 3), () => [randn([5])]],
  ['Bilinear', () => new nn.Bilinear(3, 4, 2), () => [randn([5, 3]), randn([5, 4])]],
  ['Identity, Flatten, Unflatten', () => new nn.Sequential(new nn.Identity(), new nn.Flatten(), new nn.Unflatten(1, [2, 6])), () => [randn([2, 3, 4])]],
  ['Conv1d (stride, dilation, groups)', () => new nn.Conv1d(4, 6, 3, { stride: 2, dilation: 2, groups: 2, padding: 1 }), () => [randn([2, 4, 11])]],
  ["Conv1d padding 'same' (even kernel), reflect", () => new nn.Conv1d(3, 2, 4, { padding: 'same', paddingMode: 'reflect' }), () => [randn([2, 3, 9])]],
  ['Conv1d circular, unbatched', () => new nn.Conv1d(3, 2, 3, { padding: 2, paddingMode: 'circular' }), () => [randn([3, 7])]],
  ['Conv2d (stride, padding, groups, no bias)', () => new nn.Conv2d(4, 8, [3, 2], { stride: [2, 1], padding: [1, 0], groups: 4, bias: false }), () => [randn([2, 4, 7, 6])]],
  ["Conv2d 'same', dilation 2, replicate", () => new nn.Conv2d(2, 3, 4, { padding: 'same', dilation: 2, paddingMode: 'replicate' }), () => [randn([1, 2, 9, 8])]],
  ['Conv2d circular', () => new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: 'circular' }), () => [randn([2, 2, 5, 6])]],
  ['Conv2d unbatched', () => new nn.Conv2d(2, 3, 3), () => [randn([2, 6, 6])]],
  ['ConvTranspose2d (stride, output padding, groups)', () => new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), () => [randn([2, 4, 5, 4])]],
  ['ConvTranspose2d (dilation)', () => new nn.ConvTranspose2d(3, 2, [2, 3], { dilation: [2, 1] }), () => [randn([1, 3, 4, 4])]],
  ['MaxPool1d', () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }), () => [randn([2, 3, 10])]],
  ['MaxPool2d', () => new nn.MaxPool2d(2), () => [randn([2, 3, 8, 6])]],
  ['MaxPool2d (ceil mode, padding, dilation)', () => new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), () => [randn([1, 2, 10, 11])]],
  ['MaxPool1d ceil mode past the end', () => new nn.MaxPool1d(2, { stride: 3, ceilMode: true }), () => [randn([1, 2, 8])]],
  ['AvgPool2d (padding, countIncludePad false)', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), () => [randn([2, 2, 7, 8])]],
  ['AvgPool2d (padding, countIncludePad)', () => new nn.AvgPool2d([2, 3], { padding: [1, 1] }), () => [randn([1, 2, 7, 8])]],
  ['AvgPool2d (ceil mode)', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), () => [randn([1, 2, 8, 9])]],
  ['AvgPool2d (divisorOverride)', () => new nn.AvgPool2d(2, { divisorOverride: 3 }), () => [randn([1, 2, 6, 6])]],
  ['AdaptiveAvgPool2d to 1', () => new nn.AdaptiveAvgPool2d(1), () => [randn([2, 3, 5, 7])]],
  ['AdaptiveAvgPool2d uneven windows', () => new nn.AdaptiveAvgPool2d([3, null]), () => [randn([2, 3, 7, 5])]],
  ['AdaptiveAvgPool2d divisible', () => new nn.AdaptiveAvgPool2d([2, 3]), () => [randn([1, 2, 4, 9])]],
  ['BatchNorm1d [N, C]', () => trained(new nn.BatchNorm1d(5), () => randn([8, 5]).mul(3).add(1)), () => [randn([4, 5])]],
  ['BatchNorm1d [N, C, L], no affine', () => trained(new nn.BatchNorm1d(3, { affine: false }), () => randn([4, 3, 6]).mul(2)), () => [randn([2, 3, 6])]],
  ['BatchNorm2d', () => trained(new nn.BatchNorm2d(3, { eps: 1e-3 }), () => randn([4, 3, 5, 5]).add(2)), () => [randn([2, 3, 5, 5])]],
  ['BatchNorm2d without running statistics', () => new nn.BatchNorm2d(3, { trackRunningStats: false }), () => [randn([4, 3, 5, 5])]],
  ['LayerNorm', () => new nn.LayerNorm([4, 5]), () => [randn([2, 3, 4, 5])]],
  ['LayerNorm without affine', () => new nn.LayerNorm(6, { elementwiseAffine: false, eps: 1e-3 }), () => [randn([3, 6])]],
  ['LayerNorm without bias', () => new nn.LayerNorm(6, { bias: false }), () => [randn([3, 6])]],
  ['GroupNorm', () => new nn.GroupNorm(2, 6), () => [randn([3, 6, 4, 4]).mul(2)]],
  ['GroupNorm [N, C]', () => new nn.GroupNorm(3, 6, { affine: false }), () => [randn([4, 6])]],
  ['Dropout (identity in eval mode)', () => new nn.Dropout(0.5), () => [randn([3, 4])]],
  ['Embedding', () => new nn.Embedding(10, 4, { paddingIdx: 0 }), () => [tokens([2, 5], 10)]],
  ['ReLU, LeakyReLU, ELU', () => new nn.Sequential(new nn.LeakyReLU(0.2), new nn.ELU(0.5), new nn.ReLU()), () => [randn([3, 7])]],
  ['GELU (exact and tanh), SiLU', () => new nn.Sequential(new nn.GELU(), new nn.GELU('tanh'), new nn.SiLU()), () => [randn([3, 7]).mul(2)]],
  ['Tanh, Sigmoid', () => new nn.Sequential(new nn.Tanh(), new nn.Sigmoid()), () => [randn([3, 7])]],
  ['Softplus (beta, threshold)', () => new nn.Softplus(2, 3), () => [randn([4, 7]).mul(3)]],
  ['Softplus default', () => new nn.Softplus(), () => [randn([4, 7]).mul(10)]],
  ['Softmax, LogSoftmax', () => new nn.Sequential(new nn.Softmax(1), new nn.LogSoftmax(-1)), () => [randn([3, 4, 5])]],
  ['RNN (tanh)', () => new nn.RNN(4, 5), () => [randn([6, 2, 4])]],
  ['RNN (relu, 2 layers, bidirectional, batchFirst)', () => new nn.RNN(4, 5, { nonlinearity: 'relu', numLayers: 2, bidirectional: true, batchFirst: true }), () => [randn([2, 6, 4])]],
  ['LSTM (2 layers, bidirectional)', () => new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true }), () => [randn([6, 3, 4])]],
  ['LSTM (batchFirst) with h0 and c0', () => new nn.LSTM(4, 5, { batchFirst: true, numLayers: 2 }), () => [randn([3, 6, 4]), [randn([2, 3, 5]), randn([2, 3, 5])]]],
  ['LSTM unbatched', () => new nn.LSTM(4, 5), () => [randn([6, 4])]],
  ['LSTM with projSize (2 layers, bidirectional)', () => new nn.LSTM(4, 5, { projSize: 3, numLayers: 2, bidirectional: true }), () => [randn([6, 2, 4])]],
  ['LSTM with projSize (batchFirst, no bias) with h0 and c0', () => new nn.LSTM(4, 5, { projSize: 2, batchFirst: true, bias: false }), () => [randn([3, 5, 4]), [randn([1, 3, 2]), randn([1, 3, 5])]]],
  ['LSTM with projSize unbatched', () => new nn.LSTM(3, 4, { projSize: 2 }), () => [randn([5, 3])]],
  ['GRU (bidirectional, no bias) with h0', () => new nn.GRU(4, 5, { bidirectional: true, bias: false }), () => [randn([6, 2, 4]), randn([2, 2, 5])]],
  ['GRU (3 layers, batchFirst)', () => new nn.GRU(3, 4, { numLayers: 3, batchFirst: true }), () => [randn([2, 5, 3])]],
  ['RNNCell', () => new nn.RNNCell(4, 5, { nonlinearity: 'relu' }), () => [randn([3, 4]), randn([3, 5])]],
  ['LSTMCell', () => new nn.LSTMCell(4, 5), () => [randn([3, 4]), [randn([3, 5]), randn([3, 5])]]],
  ['GRUCell unbatched, no state', () => new nn.GRUCell(4, 5), () => [randn([4])]],
  ['MultiheadAttention (self, batchFirst, causal)', () => new nn.MultiheadAttention(8, 2, { batchFirst: true }), () => {
    const x = randn([2, 5, 8]);
    return [x, x, x, { attnMask: triu(ones([5, 5]), 1).bool() }];
  }],
  ['MultiheadAttention (key padding mask, per-head weights)', () => new nn.MultiheadAttention(8, 4), () => {
    const q = randn([4, 2, 8]);
    const kv = randn([6, 2, 8]);
    return [q, kv, kv, { keyPaddingMask: tensor([[false, false, false, false, true, true], [false, false, false, false, false, true]]), averageAttnWeights: false }];
  }],
  ['MultiheadAttention (kdim, vdim, addBiasKv, addZeroAttn, float mask)', () => new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3, addBiasKv: true, addZeroAttn: true }), () => [
    randn([4, 2, 8]), randn([6, 2, 5]), randn([6, 2, 3]), { attnMask: randn([4, 6]) },
  ]],
  ['MultiheadAttention (unbatched, isCausal, no weights, no bias)', () => new nn.MultiheadAttention(6, 3, { bias: false }), () => {
    const x = randn([5, 6]);
    return [x, x, x, { isCausal: true, needWeights: false }];
  }],
  ['MultiheadAttention (3-d attnMask)', () => new nn.MultiheadAttention(4, 2, { batchFirst: true }), () => {
    const x = randn([3, 5, 4]);
    return [x, x, x, { attnMask: randn([6, 5, 5]) }];
  }],
  ['TransformerEncoderLayer (post-norm, relu)', () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), () => [randn([5, 2, 8])]],
  ['TransformerEncoderLayer (pre-norm, gelu, batchFirst, causal)', () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, normFirst: true, activation: 'gelu', batchFirst: true }), () => [randn([2, 5, 8]), { isCausal: true }]],
  ['TransformerEncoder with a final norm and a padding mask', () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), 2, { norm: new nn.LayerNorm(8) }), () => [
    randn([2, 4, 8]), { srcKeyPaddingMask: tensor([[false, false, false, true], [false, false, false, false]]) },
  ]],
  ['TransformerEncoderLayer with a custom activation', () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: (x: Tensor) => x.tanh().mul(2) }), () => [randn([3, 2, 8])]],
  ['TransformerDecoderLayer', () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), () => [randn([2, 3, 8]), randn([2, 5, 8]), { tgtIsCausal: true }]],
  ['Transformer', () => new nn.Transformer(8, 2, { numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 16 }), () => [
    randn([5, 2, 8]), randn([3, 2, 8]), { tgtMask: nn.Transformer.generateSquareSubsequentMask(3) },
  ]],
];

for (const [name, model, args, tolerance] of CASES) {
  test(`exportOnnx: ${name} runs in ONNX Runtime with descent's outputs`, async () => {
    manualSeed(0);
    await checkExport(model(), args(), tolerance);
  });
}

test('exportOnnx: the recipes of `descent recipes` (mnist-cnn with BatchNorm and a residual block, mnist-mlp)', async () => {
  const { RECIPES } = await import('../../src/cli/recipes.js');
  for (const recipe of Object.values(RECIPES)) {
    manualSeed(0);
    const model = trained(recipe.model(), () => randn([8, 1, 28, 28]));
    await checkExport(model, [randn([3, 1, 28, 28])]);
  }
});
