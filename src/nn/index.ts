// dt.nn: modules, layers, initializers and losses.
export { Module, toSnakeCase } from './module.js';
export type { StateDict, LoadStateDictResult, ForwardHook, ForwardPreHook, RemovableHandle } from './module.js';
export { Parameter } from './parameter.js';
export * as init from './init.js';
export * as functional from './functional/index.js';
export * as F from './functional/index.js';
export { Linear, Bilinear, Identity } from './layers/linear.js';
export type { LayerOptions } from './layers/linear.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from './layers/normalization.js';
export type { BatchNormOptions, LayerNormOptions } from './layers/normalization.js';
export { Dropout } from './layers/dropout.js';
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Tanh, Sigmoid, Softplus, Softmax, LogSoftmax } from './layers/activation.js';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
  CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss, CTCLoss,
} from './layers/loss.js';
