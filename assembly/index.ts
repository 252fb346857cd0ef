// Entry point of the WebAssembly kernels (AssemblyScript). Memory is imported from JS and managed there:
// the JS side copies operands into a scratch arena above heapBase() and passes byte addresses.
export { gemm, gemmScratchBytes, gemmFusedMultiplyAdd, gemmSetMayWait, gemmUnits } from './gemm';

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

export { binary, unary, compare, mulMask, scatterAddRows, reluBackward } from './elementwise';
export { transpose } from './layout';
export { im2colWalk, maxPool2d } from './conv';
export { conv2dForward, conv2dBackward, colsPitch, sumChunks } from './conv-gemm';
export { sgdStep, adamStep } from './optim';
export { sumFloat32, reduce, softmax, softmaxBackward } from './reduce';
export { batchNorm, batchNormBackward, groupNorm, groupNormBackward } from './normalization';
export { crossEntropy, crossEntropyBackward, binaryCrossEntropy, binaryCrossEntropyBackward } from './loss';
