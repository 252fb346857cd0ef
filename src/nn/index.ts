// dt.nn: modules, layers, initializers and losses.
import './layers/library.js';
export { Module, toSnakeCase } from './module.js';
export type { StateDict, LoadStateDictResult, ForwardHook, ForwardPreHook, RemovableHandle } from './module.js';
export { Parameter } from './parameter.js';
export * as init from './init.js';
export * as functional from './functional/index.js';
export * as F from './functional/index.js';
export { Sequential, ModuleList, ModuleDict, Residual } from './layers/container.js';
export { Linear, Bilinear, Identity } from './layers/linear.js';
export type { LayerOptions } from './layers/linear.js';
export { Flatten, Unflatten } from './layers/shape.js';
export { Conv1d, Conv2d, ConvTranspose2d } from './layers/conv.js';
export type { ConvLayerOptions, Conv1dOptions, ConvTransposeLayerOptions } from './layers/conv.js';
export { MaxPool1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from './layers/normalization.js';
export type { BatchNormOptions, LayerNormOptions } from './layers/normalization.js';
export { Dropout } from './layers/dropout.js';
export { Embedding, EmbeddingBag } from './layers/embedding.js';
export type { EmbeddingBagLayerOptions } from './layers/embedding.js';
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Tanh, Sigmoid, Softplus, Softmax, LogSoftmax } from './layers/activation.js';
export * as utils from './utils/index.js';
export {
  Loss, WeightedLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
  CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss, CTCLoss,
} from './layers/loss.js';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from './layers/rnn.js';
export type { RNNOptions } from './layers/rnn.js';
export { MultiheadAttention } from './layers/attention.js';
export type { MultiheadAttentionOptions, MultiheadAttentionForwardOptions } from './layers/attention.js';
export { TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer } from './layers/transformer.js';
export type {
  TransformerEncoderLayerOptions, TransformerEncoderLayerForwardOptions, TransformerEncoderForwardOptions, TransformerDecoderLayerForwardOptions,
  TransformerOptions, TransformerForwardOptions,
} from './layers/transformer.js';
export { PackedSequence, packPaddedSequence, padPackedSequence, padSequence, packSequence } from './utils/rnn.js';
