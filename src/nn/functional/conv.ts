// Convolutions and pooling are ops (src/ops/conv.ts, src/ops/pool.ts); nn.functional re-exports them under torch's F names.
export { conv1d, conv2d, convTranspose2d, unfold, fold } from '../../ops/conv.js';
export type { ConvOptions, ConvTransposeOptions, WindowOptions, Pair } from '../../ops/conv.js';
export { maxPool1d, maxPool2d, maxPool1dWithIndices, maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d } from '../../ops/pool.js';
export type { PoolOptions, MaxPoolOptions, AvgPoolOptions } from '../../ops/pool.js';
