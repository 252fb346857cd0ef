// dt.nn.functional (also dt.nn.F): the stateless forms of the layers, with torch.nn.functional's names.
export * from './activation.js';
export { linear, bilinear } from './linear.js';
export { layerNorm, batchNorm, groupNorm } from './normalization.js';
export { dropout } from './dropout.js';
export * from './conv.js';
export { embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { embeddingBag } from './embedding-bag.js';
export type { EmbeddingBagOptions } from './embedding-bag.js';
export { pad } from './padding.js';
export type { PaddingMode } from './padding.js';
export { oneHot } from '../../ops/indexing.js';
export {
  mseLoss, l1Loss, smoothL1Loss, huberLoss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  klDiv, cosineEmbeddingLoss, marginRankingLoss, pairwiseDistance, tripletMarginLoss,
} from './loss.js';
export type { Reduction, ReductionOptions, ClassLossOptions, CrossEntropyOptions, WeightedOptions } from './loss.js';
export { ctcLoss } from './ctc.js';
export type { CtcLossOptions } from './ctc.js';
export { rnnCell, lstmCell, gruCell } from './rnn.js';
export type { RnnNonlinearity } from './rnn.js';
export { scaledDotProductAttention } from './attention.js';
export type { ScaledDotProductAttentionOptions } from './attention.js';
