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

const s = <F extends (...args: never[]) => unknown>(f: F): F => ((...args: never[]) => scoped(() => f(...args))) as F;

export * from './activation.js';
export * from './conv.js';
export const [linear, bilinear] = [s(L.linear), s(L.bilinear)];
export const [layerNorm, batchNorm, groupNorm] = [s(N.layerNorm), s(N.batchNorm), s(N.groupNorm)];
export const dropout = s(D.dropout);
export const embedding = s(Em.embedding);
export type { EmbeddingOptions } from './embedding.js';
export const embeddingBag = s(Eb.embeddingBag);
export type { EmbeddingBagOptions } from './embedding-bag.js';
export const pad = s(Pd.pad);
export type { PaddingMode } from './padding.js';
export { oneHot } from '../../ops/indexing.js';
export const [mseLoss, l1Loss, smoothL1Loss, huberLoss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits] = [
  s(Ls.mseLoss), s(Ls.l1Loss), s(Ls.smoothL1Loss), s(Ls.huberLoss), s(Ls.crossEntropy), s(Ls.nllLoss), s(Ls.binaryCrossEntropy), s(Ls.binaryCrossEntropyWithLogits),
];
export const [klDiv, cosineEmbeddingLoss, marginRankingLoss, pairwiseDistance, tripletMarginLoss] = [
  s(Ls.klDiv), s(Ls.cosineEmbeddingLoss), s(Ls.marginRankingLoss), s(Ls.pairwiseDistance), s(Ls.tripletMarginLoss),
];
export type { Reduction, ReductionOptions, ClassLossOptions, CrossEntropyOptions, WeightedOptions } from './loss.js';
export const ctcLoss = s(C.ctcLoss);
export type { CtcLossOptions } from './ctc.js';
export const [rnnCell, lstmCell, gruCell] = [s(R.rnnCell), s(R.lstmCell), s(R.gruCell)];
export type { RnnNonlinearity } from './rnn.js';
export const scaledDotProductAttention = s(A.scaledDotProductAttention);
export type { ScaledDotProductAttentionOptions } from './attention.js';
