// dt.nn.functional (also dt.nn.F): the stateless forms of the layers, with torch.nn.functional's names.
export * from './activation.js';
export { linear, bilinear } from './linear.js';
export { layerNorm, batchNorm, groupNorm } from './normalization.js';
export { dropout } from './dropout.js';
export * from './conv.js';
export { embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { pad } from '../../ops/shape.js';
export { oneHot } from '../../ops/indexing.js';
