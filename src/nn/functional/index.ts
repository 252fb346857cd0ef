// dt.nn.functional (also dt.nn.F): the stateless forms of the layers, with torch.nn.functional's names.
// The composite ones are scoped (autograd/scope.ts): their intermediates are released with their graph.
import { scoped } from '../../autograd/scope.js';
import * as L from './linear.js';
import * as N from './normalization.js';
import * as D from './dropout.js';
import * as Em from './embedding.js';
import * as Pd from './padding.js';
import * as Ls from './loss.js';
import * as C from './ctc.js';
import * as R from './rnn.js';
import * as A from './attention.js';
import * as Eb from './embedding-bag.js';
import * as Cv from '../../ops/conv.js';
import * as Pl from '../../ops/pool.js';
import * as E from '../../ops/elementwise.js';
import * as X from '../../ops/softmax.js';
import * as I from '../../ops/indexing.js';
import { traceable } from '../../ops/trace.js';

const s = <F extends (...args: never[]) => unknown>(f: F): F => ((...args: never[]) => scoped(() => f(...args))) as F;

// Exported through `traceable` (ops/trace.ts) as 'F.<name>', so that an exporter can watch a forward pass.
export const {
  conv1d, conv2d, convTranspose2d, unfold, fold,
  maxPool1d, maxPool2d, maxPool1dWithIndices, maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d,
  relu, leakyRelu, elu, gelu, silu, tanh, sigmoid, softplus, softmax, logSoftmax, oneHot,
  linear, bilinear, layerNorm, batchNorm, groupNorm, dropout, embedding, embeddingBag, pad,
  mseLoss, l1Loss, smoothL1Loss, huberLoss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  klDiv, cosineEmbeddingLoss, marginRankingLoss, pairwiseDistance, tripletMarginLoss, ctcLoss,
  rnnCell, lstmCell, gruCell, scaledDotProductAttention,
} = traceable('F.', {
  ...Cv, ...Pl,
  relu: E.relu, leakyRelu: E.leakyRelu, elu: E.elu, gelu: E.gelu, silu: E.silu, tanh: E.tanh, sigmoid: E.sigmoid, softplus: E.softplus,
  softmax: X.softmax, logSoftmax: X.logSoftmax, oneHot: I.oneHot,
  linear: s(L.linear), bilinear: s(L.bilinear), layerNorm: s(N.layerNorm), batchNorm: s(N.batchNorm), groupNorm: s(N.groupNorm),
  dropout: s(D.dropout), embedding: s(Em.embedding), embeddingBag: s(Eb.embeddingBag), pad: s(Pd.pad),
  mseLoss: s(Ls.mseLoss), l1Loss: s(Ls.l1Loss), smoothL1Loss: s(Ls.smoothL1Loss), huberLoss: s(Ls.huberLoss), crossEntropy: s(Ls.crossEntropy),
  nllLoss: s(Ls.nllLoss), binaryCrossEntropy: s(Ls.binaryCrossEntropy), binaryCrossEntropyWithLogits: s(Ls.binaryCrossEntropyWithLogits),
  klDiv: s(Ls.klDiv), cosineEmbeddingLoss: s(Ls.cosineEmbeddingLoss), marginRankingLoss: s(Ls.marginRankingLoss),
  pairwiseDistance: s(Ls.pairwiseDistance), tripletMarginLoss: s(Ls.tripletMarginLoss), ctcLoss: s(C.ctcLoss),
  rnnCell: s(R.rnnCell), lstmCell: s(R.lstmCell), gruCell: s(R.gruCell), scaledDotProductAttention: s(A.scaledDotProductAttention),
});
export type { ConvOptions, ConvTransposeOptions, WindowOptions, Pair } from '../../ops/conv.js';
export type { PoolOptions, MaxPoolOptions, AvgPoolOptions } from '../../ops/pool.js';
export type { EmbeddingOptions } from './embedding.js';
export type { EmbeddingBagOptions } from './embedding-bag.js';
export type { PaddingMode } from './padding.js';
export type { Reduction, ReductionOptions, ClassLossOptions, CrossEntropyOptions, WeightedOptions } from './loss.js';
export type { CtcLossOptions } from './ctc.js';
export type { RnnNonlinearity } from './rnn.js';
export type { ScaledDotProductAttentionOptions } from './attention.js';
