// dt.nn: modules, layers, initializers and losses.
export { Module, toSnakeCase } from './module.js';
export type { StateDict, LoadStateDictResult } from './module.js';
export { Parameter } from './parameter.js';
export * as functional from './functional/index.js';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
  CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss, CTCLoss,
} from './layers/loss.js';
