import { type Backend, registerBackend } from '../backend.js';
import { allocate } from '../../tensor/dtype.js';
import { binary, reluBackward, unary, where } from './elementwise.js';
import { expand, gather, indexAdd, indexSelect, permute, scatterAdd, slice, sliceAssign } from './layout.js';
import { matmul } from './matmul.js';
import { col2im, conv2d, conv2dBackward, im2col } from './conv.js';
import { maxPool2d, maxPool2dBackward } from './pool.js';
import { reduce, softmax } from './reduce.js';
import { adamStep, sgdStep } from './optim.js';
import { argsort, nonzero, topk, unique } from './sort.js';
import { cumprodBackward, cumulative } from './scan.js';
import { sampleCategorical } from './sample.js';

/** The reference backend: every kernel in plain TypeScript over typed arrays. */
export const jsBackend: Backend = {
  name: 'js',
  allocate,
  unary,
  binary,
  where,
  reduce,
  matmul,
  permute,
  expand,
  slice,
  sliceAssign,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  softmax,
  im2col,
  col2im,
  conv2d,
  conv2dBackward,
  sgdStep,
  adamStep,
  maxPool2d,
  maxPool2dBackward,
  reluBackward,
  argsort,
  topk,
  unique,
  nonzero,
  cumulative,
  cumprodBackward,
  sampleCategorical,
};

registerBackend(jsBackend);
