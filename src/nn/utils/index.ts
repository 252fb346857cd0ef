// nn.utils: gradient clipping, parameter/vector conversion, and packed sequences (nn.utils.rnn).
export { clipGradNorm_, clipGradNormAsync_, clipGradValue_, parametersToVector, vectorToParameters } from './clip.js';
export * as rnn from './rnn.js';
