// Entry point of the WebAssembly kernels (AssemblyScript). Memory is imported from JS and managed there:
// the JS side copies operands into a scratch arena above heapBase() and passes byte addresses.
export { gemm, gemmScratchBytes, gemmFusedMultiplyAdd, gemmSetMayWait, gemmUnits } from './gemm';

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

export { binary, unary, sumAxis, sumRows, softmax, compare, mulMask, scatterAddRows, reluBackward } from './elementwise';
export { transpose } from './layout';
export { im2colWalk, maxPool2d } from './conv';
export { conv2dForward, conv2dBackward, colsPitch, sumChunks } from './conv-gemm';
export { sgdStep, adamStep } from './optim';
export { lstmForward, lstmBackward, lstmScratchFloats, gruForward, gruBackward, gruScratchFloats, rnnForward, rnnBackward, rnnScratchFloats } from './recurrent';
export { attentionForward, attentionBackward, attentionScratchFloats } from './attention';
export { gatherRows, addRows } from './rows';
