/**
 * Pooling. Max pooling is a backend kernel that also returns each window's arg max; its backward is a
 * scatter-add to those positions (differentiable, so second derivatives work). Average pooling is composed
 * from unfold (im2col) and a sum, and adaptive pooling from slices and means, so their gradients of any
 * order come from those ops.
 */
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { ConvGeometry } from '../backend/backend.js';
import { needsGrad, record } from '../autograd/record.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { backendOf, checkFloat, emptyTensor } from './util.js';
import { scatterAdd } from './indexing.js';
import { type Pair, pair, unfold, windowCount } from './conv.js';
import { div } from './elementwise.js';
import { type ValuesIndices, mean, sum } from './reduce.js';
import { cat, narrow, pad, reshape, squeeze, unsqueeze } from './shape.js';
import { tensor, zeros } from '../tensor/creation.js';

export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: Pair | null;
  padding?: Pair;
  /** Use ceil instead of floor for the output size (windows may then start in the right padding). */
  ceilMode?: boolean;
}

export interface MaxPoolOptions extends PoolOptions {
  dilation?: Pair;
}

export interface AvgPoolOptions extends PoolOptions {
  /** Count the zero padding in the averages' denominators. Default true. */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of its size. */
  divisorOverride?: number | null;
}

interface Window {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  out: [number, number];
}

function window(x: Tensor, kernelSize: Pair, options: MaxPoolOptions, name: string): Window {
  checkFloat(name, x);
  if (x.ndim !== 4) throw new Error(`${name}: expected input [N,C,H,W], got ${formatShape(x.shape)}`);
  const kernel = pair(kernelSize, 'kernelSize', name, 1);
  const stride = pair(options.stride ?? kernel, 'stride', name, 1);
  const padding = pair(options.padding ?? 0, 'padding', name);
  const dilation = pair(options.dilation ?? 1, 'dilation', name, 1);
  for (let i = 0; i < 2; i++) {
    if (padding[i] > Math.floor(kernel[i] / 2)) {
      throw new Error(`${name}: padding should be at most half of the kernel size, but got padding=${formatShape(padding)} and kernelSize=${formatShape(kernel)}`);
    }
  }
  const [h, w] = x.shape.slice(2);
  const out: [number, number] = [
    windowCount(h, kernel[0], stride[0], padding[0], dilation[0], options.ceilMode),
    windowCount(w, kernel[1], stride[1], padding[1], dilation[1], options.ceilMode),
  ];
  if (out[0] <= 0 || out[1] <= 0) {
    throw new Error(`${name}: output size ${formatShape(out)} is too small for input ${formatShape(x.shape)} (kernel ${formatShape(kernel)}, padding ${formatShape(padding)}, dilation ${formatShape(dilation)})`);
  }
  return { kernel, stride, padding, dilation, out };
}

/**
 * Max over sliding windows with the flat index (h * W + w) of each maximum in its input plane, as
 * torch.nn.functional.max_pool2d(..., return_indices=True).
 * @example const { values, indices } = maxPool2dWithIndices(randn([1, 1, 4, 4]), 2);
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Pair, options: MaxPoolOptions = {}, name = 'maxPool2d'): ValuesIndices {
  const { kernel, stride, padding, dilation, out } = window(input, kernelSize, options, name);
  const [n, c, h, w] = input.shape;
  const b = backendOf(name, input);
  const values = emptyTensor([n, c, out[0], out[1]], input.dtype, b);
  const indices = emptyTensor([n, c, out[0], out[1]], 'int32', b);
  b.maxPool2d(input.storage, n * c, h, w, { kernel, stride, padding, dilation, outSize: out }, values.storage, indices.storage);
  if (!needsGrad(input)) return { values, indices };
  // the gradient goes to each window's arg max: a scatter-add over the flattened planes, differentiable in g
  const flatIndex = reshape(indices, [n, c, out[0] * out[1]]);
  record(values, 'MaxPool2dBackward', [input], (g) => {
    if (!isGradEnabled() && g.dtype === input.dtype) {
      // one kernel (no zeros, copy and index checks) when the gradient need not be differentiable
      const gradInput = emptyTensor(input.shape, input.dtype, b);
      b.maxPool2dBackward(g.storage, indices.storage, n * c, h, w, gradInput.storage);
      return [gradInput];
    }
    const zero = zeros([n, c, h * w], { dtype: g.dtype, device: input.device });
    return [reshape(scatterAdd(zero, 2, flatIndex, reshape(g, [n, c, out[0] * out[1]])), [n, c, h, w])];
  });
  return { values, indices };
}

/**
 * Max pooling over [N, C, H, W], as torch.nn.functional.max_pool2d.
 * @example maxPool2d(randn([1, 3, 8, 8]), 2).shape // [1, 3, 4, 4]
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPoolOptions = {}, name = 'maxPool2d'): Tensor {
  return maxPool2dWithIndices(input, kernelSize, options, name).values;
}

type Options1d = { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean };

function to2d(options: Options1d): MaxPoolOptions {
  return { stride: options.stride == null ? null : [1, options.stride], padding: [0, options.padding ?? 0], dilation: [1, options.dilation ?? 1], ceilMode: options.ceilMode };
}

/**
 * Max pooling over [N, C, L] with indices into L, as torch.nn.functional.max_pool1d(..., return_indices=True).
 * @example maxPool1dWithIndices(randn([1, 2, 9]), 3).indices.shape // [1, 2, 3]
 */
export function maxPool1dWithIndices(input: Tensor, kernelSize: number, options: Options1d = {}, name = 'maxPool1d'): ValuesIndices {
  if (input.ndim !== 3) throw new Error(`${name}: expected input [N,C,L], got ${formatShape(input.shape)}`);
  const opts = to2d(options);
  if (opts.stride === null) opts.stride = [1, kernelSize];
  const { values, indices } = maxPool2dWithIndices(unsqueeze(input, 2), [1, kernelSize], opts, name);
  return { values: squeeze(values, 2), indices: squeeze(indices, 2) };
}

/**
 * Max pooling over [N, C, L], as torch.nn.functional.max_pool1d.
 * @example maxPool1d(randn([1, 2, 9]), 3).shape // [1, 2, 3]
 */
export function maxPool1d(input: Tensor, kernelSize: number, options: Options1d = {}, name = 'maxPool1d'): Tensor {
  return maxPool1dWithIndices(input, kernelSize, options, name).values;
}

/**
 * Average pooling over [N, C, H, W], as torch.nn.functional.avg_pool2d (countIncludePad, ceilMode and
 * divisorOverride follow PyTorch's divisor rules).
 * @example avgPool2d(randn([1, 3, 8, 8]), 2).shape // [1, 3, 4, 4]
 */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPoolOptions = {}, name = 'avgPool2d'): Tensor {
  const { kernel, stride, padding, out } = window(input, kernelSize, options, name);
  const { countIncludePad = true, divisorOverride = null } = options;
  if (divisorOverride !== null && !(divisorOverride > 0)) throw new Error(`${name}: divisorOverride must be positive, got ${divisorOverride}`);
  const [n, c, h, w] = input.shape;
  // unfold at the explicit output size: windows of ceil mode past the padding read zeros
  const g: ConvGeometry = { kernel, stride, padding, dilation: [1, 1], outSize: out };
  const cols = unfoldAt(input, g);
  const sums = sum(reshape(cols, [n, c, kernel[0] * kernel[1], out[0] * out[1]]), 2);
  const divisor = avgPoolDivisors([h, w], { kernel, stride, padding, out }, countIncludePad, divisorOverride);
  return reshape(div(sums, tensor(divisor, { dtype: input.dtype, device: input.device })), [n, c, out[0], out[1]]);
}

/**
 * The divisor of each of avgPool2d's windows ([oh * ow], row-major), by PyTorch's rules: the window's size within
 * the padded input (countIncludePad), or within the input, or divisorOverride. Also used by the ONNX exporter.
 */
export function avgPoolDivisors(
  [h, w]: readonly number[], { kernel, stride, padding, out }: Record<'kernel' | 'stride' | 'padding' | 'out', readonly number[]>,
  countIncludePad: boolean, divisorOverride: number | null,
): Float64Array {
  const divisor = new Float64Array(out[0] * out[1]);
  for (let oy = 0; oy < out[0]; oy++) {
    for (let ox = 0; ox < out[1]; ox++) {
      let y0 = oy * stride[0] - padding[0];
      let x0 = ox * stride[1] - padding[1];
      let y1 = Math.min(y0 + kernel[0], h + padding[0]);
      let x1 = Math.min(x0 + kernel[1], w + padding[1]);
      const poolSize = (y1 - y0) * (x1 - x0);
      [y0, x0, y1, x1] = [Math.max(y0, 0), Math.max(x0, 0), Math.min(y1, h), Math.min(x1, w)];
      divisor[oy * out[1] + ox] = divisorOverride ?? (countIncludePad ? poolSize : (y1 - y0) * (x1 - x0));
    }
  }
  return divisor;
}

// unfold with a given geometry (avgPool's ceil-mode output size is not the one unfold would compute).
function unfoldAt(x: Tensor, g: ConvGeometry): Tensor {
  const [h, w] = x.shape.slice(2);
  const { kernel, stride, padding } = g;
  const natural = [windowCount(h, kernel[0], stride[0], padding[0], 1), windowCount(w, kernel[1], stride[1], padding[1], 1)];
  if (natural[0] === g.outSize[0] && natural[1] === g.outSize[1]) return unfold(x, kernel, { stride, padding });
  // one more window on some side: zero-pad the far edge enough to make unfold produce it
  const need = [0, 1].map((i) => (g.outSize[i] - 1) * stride[i] + kernel[i]);
  const extra = [need[0] - (h + 2 * padding[0]), need[1] - (w + 2 * padding[1])].map((e) => Math.max(0, e));
  const padded = pad(x, [padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0]]);
  return unfold(padded, kernel, { stride });
}

function adaptiveMean(x: Tensor, dim: number, outSize: number): Tensor {
  const size = x.shape[dim];
  if (size % outSize === 0) {
    const shape = [...x.shape.slice(0, dim), outSize, size / outSize, ...x.shape.slice(dim + 1)];
    return mean(reshape(x, shape), dim + 1);
  }
  const parts: Tensor[] = [];
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * size) / outSize);
    const end = Math.ceil(((i + 1) * size) / outSize);
    parts.push(mean(narrow(x, dim, start, end - start), dim, true));
  }
  return cat(parts, dim);
}

/**
 * Average pooling to a fixed output size (window i covers floor(i*H/oh) .. ceil((i+1)*H/oh)), as
 * torch.nn.functional.adaptive_avg_pool2d; a null size keeps that input dim.
 * @example adaptiveAvgPool2d(randn([2, 8, 7, 5]), 1).shape // [2, 8, 1, 1]
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly [number | null, number | null], name = 'adaptiveAvgPool2d'): Tensor {
  checkFloat(name, input);
  if (input.ndim !== 4 && input.ndim !== 3) throw new Error(`${name}: expected input [N,C,H,W], got ${formatShape(input.shape)}`);
  const [h, w] = input.shape.slice(-2);
  const size = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0] ?? h, outputSize[1] ?? w];
  if (size.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`${name}: outputSize must be positive integers, got ${JSON.stringify(outputSize)}`);
  const hd = input.ndim - 2;
  return adaptiveMean(adaptiveMean(input, hd, size[0]), hd + 1, size[1]);
}
