// dt.nn.functional: the stateless forms of layers and losses.
export {
  mseLoss, l1Loss, smoothL1Loss, huberLoss, crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  klDiv, cosineEmbeddingLoss, marginRankingLoss, pairwiseDistance, tripletMarginLoss, ctcLoss,
} from './loss.js';
export type { Reduction, ReductionOptions, ClassLossOptions, CrossEntropyOptions, WeightedOptions, CtcLossOptions } from './loss.js';
