// nn.utils: gradient clipping and parameter/vector conversion.
export { clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters } from './clip.js';
