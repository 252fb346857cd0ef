// The activations live in ops (they are Tensor methods too); nn.functional re-exports them under PyTorch's F names.
export { relu, leakyRelu, elu, gelu, silu, tanh, sigmoid, softplus } from '../../ops/elementwise.js';
export { softmax, logSoftmax } from '../../ops/softmax.js';
