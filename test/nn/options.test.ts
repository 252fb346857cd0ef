// Layers check their option objects at run time: from plain JavaScript a misspelled or snake_case key is an
// error naming the known ones, not a silently ignored setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dt from '../../src/index.js';
import { assertClose } from '../helpers.js';

const { nn } = dt;
const bogus = { bogus: 1 } as never;

// [label, a construction with an unknown key, a key the layer does know]
const constructors: [string, () => unknown, string][] = [
  ['Linear', () => new nn.Linear(2, 3, bogus), 'bias'],
  ['Bilinear', () => new nn.Bilinear(2, 3, 4, bogus), 'bias'],
  ['Conv2d', () => new nn.Conv2d(1, 2, 3, bogus), 'paddingMode'],
  ['Conv1d', () => new nn.Conv1d(1, 2, 3, bogus), 'stride'],
  ['ConvTranspose2d', () => new nn.ConvTranspose2d(1, 2, 3, bogus), 'outputPadding'],
  ['MaxPool2d', () => new nn.MaxPool2d(2, bogus), 'ceilMode'],
  ['MaxPool1d', () => new nn.MaxPool1d(2, bogus), 'dilation'],
  ['AvgPool2d', () => new nn.AvgPool2d(2, bogus), 'countIncludePad'],
  ['BatchNorm1d', () => new nn.BatchNorm1d(3, bogus), 'trackRunningStats'],
  ['BatchNorm2d', () => new nn.BatchNorm2d(3, bogus), 'momentum'],
  ['LayerNorm', () => new nn.LayerNorm(3, bogus), 'elementwiseAffine'],
  ['GroupNorm', () => new nn.GroupNorm(1, 3, bogus), 'affine'],
  ['Dropout', () => new nn.Dropout(0.1, bogus), 'generator'],
  ['Embedding', () => new nn.Embedding(5, 3, bogus), 'sparse'],
  ['EmbeddingBag', () => new nn.EmbeddingBag(5, 3, bogus), 'includeLastOffset'],
  ['RNN', () => new nn.RNN(2, 3, bogus), 'nonlinearity'],
  ['LSTM', () => new nn.LSTM(2, 3, bogus), 'projSize'],
  ['GRU', () => new nn.GRU(2, 3, bogus), 'bidirectional'],
  ['RNNCell', () => new nn.RNNCell(2, 3, bogus), 'nonlinearity'],
  ['LSTMCell', () => new nn.LSTMCell(2, 3, bogus), 'bias'],
  ['GRUCell', () => new nn.GRUCell(2, 3, bogus), 'bias'],
  ['MultiheadAttention', () => new nn.MultiheadAttention(4, 2, bogus), 'addBiasKv'],
  ['TransformerEncoderLayer', () => new nn.TransformerEncoderLayer(4, 2, bogus), 'normFirst'],
  ['TransformerDecoderLayer', () => new nn.TransformerDecoderLayer(4, 2, bogus), 'dimFeedforward'],
  ['TransformerEncoder', () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2), 1, bogus), 'norm'],
  ['TransformerDecoder', () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2), 1, bogus), 'norm'],
  ['Transformer', () => new nn.Transformer(4, 2, bogus), 'numEncoderLayers'],
  ['MSELoss', () => new nn.MSELoss(bogus), 'reduction'],
  ['L1Loss', () => new nn.L1Loss(bogus), 'reduction'],
  ['SmoothL1Loss', () => new nn.SmoothL1Loss(bogus), 'beta'],
  ['HuberLoss', () => new nn.HuberLoss(bogus), 'delta'],
  ['CrossEntropyLoss', () => new nn.CrossEntropyLoss(bogus), 'labelSmoothing'],
  ['NLLLoss', () => new nn.NLLLoss(bogus), 'ignoreIndex'],
  ['BCELoss', () => new nn.BCELoss(bogus), 'weight'],
  ['BCEWithLogitsLoss', () => new nn.BCEWithLogitsLoss(bogus), 'posWeight'],
  ['KLDivLoss', () => new nn.KLDivLoss(bogus), 'logTarget'],
  ['CosineEmbeddingLoss', () => new nn.CosineEmbeddingLoss(bogus), 'margin'],
  ['MarginRankingLoss', () => new nn.MarginRankingLoss(bogus), 'margin'],
  ['TripletMarginLoss', () => new nn.TripletMarginLoss(bogus), 'swap'],
  ['CTCLoss', () => new nn.CTCLoss(bogus), 'zeroInfinity'],
];

for (const [label, make, known] of constructors) {
  test(`${label}: an unknown constructor option is an error naming the known ones`, () => {
    assert.throws(make, (e: Error) => e.message.includes(label) && e.message.includes("unknown option 'bogus'") && e.message.includes(known));
  });
}

test('a snake_case key is refused with its camelCase name', () => {
  assert.throws(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never), /CrossEntropyLoss: unknown option 'label_smoothing' .*did you mean 'labelSmoothing'\?/);
  assert.throws(() => new nn.Embedding(5, 3, { padding_idx: 0 } as never), /did you mean 'paddingIdx'/);
});

test('an options argument that is not an object is refused', () => {
  assert.throws(() => new nn.Linear(2, 3, 5 as never), /Linear: expected an options object/);
});

test('forward options are checked: MultiheadAttention, the Transformer family, functional losses', () => {
  const x = dt.randn([2, 3, 4]);
  const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
  assert.throws(() => mha(x, x, x, { is_causal: true } as never), /MultiheadAttention.*forward: unknown option 'is_causal'.*did you mean 'isCausal'/);
  const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true });
  assert.throws(() => layer(x, { mask: null } as never), /TransformerEncoderLayer.forward: unknown option 'mask' \(expected one of srcMask, srcKeyPaddingMask, isCausal\)/);
  const encoder = new nn.TransformerEncoder(layer, 1);
  assert.throws(() => encoder(x, { is_causal: true } as never), /TransformerEncoder.forward: unknown option 'is_causal'/);
  const decoder = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { batchFirst: true }), 1);
  assert.throws(() => decoder(x, x, { tgt_is_causal: true } as never), /did you mean 'tgtIsCausal'/);
  const model = new nn.Transformer(4, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8, batchFirst: true });
  assert.throws(() => model(x, x, { src_mask: null } as never), /Transformer.forward: unknown option 'src_mask'/);
  assert.throws(() => nn.functional.crossEntropy(dt.randn([2, 3]), dt.tensor([0, 1], { dtype: 'int32' }), { ignore_index: 0 } as never), /crossEntropy: unknown option 'ignore_index'/);
  assert.throws(() => nn.functional.scaledDotProductAttention(x, x, x, { causal: true } as never), /scaledDotProductAttention: unknown option 'causal'/);
});

test('isCausal works: the same output as the explicit causal mask, in the encoder, decoder and attention', () => {
  dt.manualSeed(0);
  const x = dt.randn([2, 5, 8]);
  const mask = dt.triu(dt.ones([5, 5]), 1).bool();
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, dropout: 0 });
  const encoder = new nn.TransformerEncoder(layer, 2);
  assertClose(encoder(x, { isCausal: true }), encoder(x, { mask }), { rtol: 0, atol: 0 });
  // and it changes the result (a causal encoder's first position sees only itself)
  assert.notDeepEqual(encoder(x, { isCausal: true }).toArray(), encoder(x).toArray());
  const decoder = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, dropout: 0 }), 1);
  const memory = dt.randn([2, 5, 8]);
  assertClose(decoder(x, memory, { tgtIsCausal: true, memoryIsCausal: true }), decoder(x, memory, { tgtMask: mask, memoryMask: mask }), { rtol: 0, atol: 0 });
  const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
  const [a, wa] = mha(x, x, x, { isCausal: true });
  const [b, wb] = mha(x, x, x, { attnMask: mask });
  assertClose(a, b, { rtol: 0, atol: 0 });
  assertClose(wa!, wb!, { rtol: 0, atol: 0 });
  // with a mask given, isCausal is a hint and the mask is used as given (PyTorch's semantics)
  const none = dt.zeros([5, 5], { dtype: 'bool' });
  assertClose(mha(x, x, x, { attnMask: none, isCausal: true })[0], mha(x, x, x)[0], { rtol: 0, atol: 0 });
});
