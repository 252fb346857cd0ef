// Entry point of the WebAssembly kernels (AssemblyScript). Memory is imported from JS and managed there:
// the JS side copies operands into a scratch arena above heapBase() and passes byte addresses.
export { gemm, gemmScratchBytes, gemmFusedMultiplyAdd, gemmSetMayWait, gemmUnits } from './gemm';

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

export { reluBackward } from './elementwise';
export { im2colWalk, maxPool2d } from './conv';
export { conv2dForward, conv2dBackward, colsPitch, sumChunks } from './conv-gemm';
export { sgdStep, adamStep } from './optim';
export { binaryStrided, whereStrided, copyStrided, permuteTiles, walkScratchBytes } from './strided';
export { unary, unaryInt, unaryBackward, cast, fill } from './unary';
export { copyChunks, selectChunks, addChunks, gatherStrided, scatterAddStrided } from './indexing';
export { sumFloat32, reduce, softmax, softmaxBackward } from './reduce';
export { batchNorm, batchNormBackward, groupNorm, groupNormBackward } from './normalization';
export { crossEntropy, crossEntropyBackward, binaryCrossEntropy, binaryCrossEntropyBackward } from './loss';
export { lstmForward, lstmBackward, lstmScratchFloats, gruForward, gruBackward, gruScratchFloats, rnnForward, rnnBackward, rnnScratchFloats } from './recurrent';
export { attentionForward, attentionBackward, attentionScratchFloats } from './attention';
