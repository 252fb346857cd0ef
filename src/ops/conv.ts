/**
 * Convolutions as im2col + matmul. unfold (im2col) and fold (col2im) are each other's adjoint, so each
 * one's backward is the other and every convolution built from them (and matmul) has gradients of any order.
 */
import type { ConvGeometry } from '../backend/backend.js';
import { needsGrad, record } from '../autograd/record.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, checkFloat, emptyTensor } from './util.js';
import { add } from './elementwise.js';
import { matmul } from './linalg.js';
import { sum } from './reduce.js';
import { pad, permute, reshape, squeeze, transpose, unsqueeze } from './shape.js';

export type Pair = number | readonly [number, number];

/** Window parameters for unfold/fold; each is a number or [along H, along W]. */
export interface WindowOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

/** A number or [h, w] as [h, w], checked to be integers >= min (the error names the op and the argument). */
export function pair(v: Pair, what: string, op: string, min = 0): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new Error(`${op}: ${what} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Number of window positions along one dim, as PyTorch computes it (floor, or ceil for ceilMode pooling). */
export function windowCount(size: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode = false): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let n = Math.ceil(span / stride) + 1;
  // the last window must start inside the input or the left padding
  if ((n - 1) * stride >= size + padding) n--;
  return n;
}

function geometry(h: number, w: number, kernel: Pair, options: WindowOptions, op: string): ConvGeometry {
  const k = pair(kernel, 'kernelSize', op, 1);
  const stride = pair(options.stride ?? 1, 'stride', op, 1);
  const padding = pair(options.padding ?? 0, 'padding', op);
  const dilation = pair(options.dilation ?? 1, 'dilation', op, 1);
  const oh = windowCount(h, k[0], stride[0], padding[0], dilation[0]);
  const ow = windowCount(w, k[1], stride[1], padding[1], dilation[1]);
  return { kernel: k, stride, padding, dilation, outSize: [oh, ow] };
}

function im2colRaw(x: Tensor, g: ConvGeometry): Tensor {
  const [n, c, h, w] = x.shape;
  const b = backendOf('unfold', x);
  const out = emptyTensor([n, c * g.kernel[0] * g.kernel[1], g.outSize[0] * g.outSize[1]], x.dtype, b);
  b.im2col(x.storage, n, c, h, w, g, out.storage);
  if (!needsGrad(x)) return out;
  return record(out, 'Im2colBackward', [x], (grad) => [col2imRaw(grad, [h, w], g)]);
}

function col2imRaw(cols: Tensor, size: readonly [number, number], g: ConvGeometry): Tensor {
  const [n, rows] = cols.shape;
  const c = rows / (g.kernel[0] * g.kernel[1]);
  const b = backendOf('fold', cols);
  const out = emptyTensor([n, c, size[0], size[1]], cols.dtype, b);
  b.col2im(cols.storage, n, c, size[0], size[1], g, out.storage);
  if (!needsGrad(cols)) return out;
  return record(out, 'Col2imBackward', [cols], (grad) => [im2colRaw(grad, g)]);
}

/**
 * Extracts sliding blocks: [N, C, H, W] -> [N, C*kh*kw, L] with L the number of window positions,
 * as torch.nn.functional.unfold.
 * @example unfold(randn([1, 3, 4, 4]), 2).shape // [1, 12, 9]
 */
export function unfold(input: Tensor, kernelSize: Pair, options: WindowOptions = {}): Tensor {
  checkFloat('unfold', input);
  if (input.ndim !== 4) throw new Error(`unfold: expected input [N,C,H,W], got ${formatShape(input.shape)}`);
  const g = geometry(input.shape[2], input.shape[3], kernelSize, options, 'unfold');
  if (g.outSize[0] <= 0 || g.outSize[1] <= 0) {
    throw new Error(`unfold: input ${formatShape(input.shape)} is too small for kernel ${formatShape(g.kernel)} with padding ${formatShape(g.padding)} and dilation ${formatShape(g.dilation)}`);
  }
  return im2colRaw(input, g);
}

/**
 * Sums sliding blocks back into an image: [N, C*kh*kw, L] -> [N, C, H, W] (overlaps add up), the adjoint
 * of unfold, as torch.nn.functional.fold.
 * @example fold(unfold(x, 2), [4, 4], 2) // each pixel times the number of windows covering it
 */
export function fold(input: Tensor, outputSize: Pair, kernelSize: Pair, options: WindowOptions = {}): Tensor {
  checkFloat('fold', input);
  const size = pair(outputSize, 'outputSize', 'fold', 1);
  const g = geometry(size[0], size[1], kernelSize, options, 'fold');
  const taps = g.kernel[0] * g.kernel[1];
  const blocks = g.outSize[0] * g.outSize[1];
  if (input.ndim !== 3 || input.shape[1] % taps !== 0 || input.shape[2] !== blocks) {
    throw new Error(`fold: expected input [N,C*${taps},${blocks}] for output size ${formatShape(size)}, got ${formatShape(input.shape)}`);
  }
  return col2imRaw(input, size, g);
}

export interface ConvOptions extends Omit<WindowOptions, 'padding'> {
  /** Zero padding: a number, a pair, 'valid' (none) or 'same' (output size = input size, stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  groups?: number;
}

// 'same' pads d*(k-1) in total, the extra element (for even kernels) at the end, as PyTorch does.
function samePadding(kernel: [number, number], dilation: [number, number]): { sym: [number, number]; extra: [number, number] } {
  const total = [0, 1].map((i) => dilation[i] * (kernel[i] - 1));
  const sym: [number, number] = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
  return { sym, extra: [total[0] - 2 * sym[0], total[1] - 2 * sym[1]] };
}

// The checks conv2d and convTranspose2d share. A plain conv weight is [Cout, Cin/groups, kh, kw], a
// transposed one [Cin, Cout/groups, kh, kw]; the input is [N, Cin, H, W] or unbatched [Cin, H, W].
function checkConvArgs(name: string, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, groups: number, transposed: boolean): void {
  checkFloat(name, input);
  const layout = transposed ? '[Cin,Cout/groups,kh,kw]' : '[Cout,Cin/groups,kh,kw]';
  if (weight.ndim !== 4) throw new Error(`${name}: weight must be 4-d ${layout}, got ${formatShape(weight.shape)}`);
  const [w0, w1] = weight.shape;
  const cin = transposed ? w0 : w1 * groups;
  const cout = transposed ? w1 * groups : w0;
  if (!Number.isInteger(groups) || groups < 1 || w0 % groups !== 0) {
    throw new Error(`${name}: groups (${groups}) must be a positive integer dividing ${transposed ? 'in' : 'out'} channels (${w0})`);
  }
  if ((input.ndim !== 4 && input.ndim !== 3) || input.shape[input.ndim - 3] !== cin) {
    throw new Error(`${name}: expected input [N,${cin},H,W], got ${formatShape(input.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new Error(`${name}: bias must have shape [${cout}], got ${formatShape(bias.shape)}`);
}

// The backend's fused kernels (im2col and GEMM in one call, the columns never materialized as a
// tensor) run a convolution with groups 1 whose operands share one dtype; else it is composed of ops.
function canFuse(x: Tensor, weight: Tensor, bias: Tensor | null | undefined): boolean {
  return weight.dtype === x.dtype && (!bias || bias.dtype === x.dtype);
}

// One graph node for the whole convolution. Its backward runs the fused backward kernel, unless the
// gradient itself must be differentiable (createGraph): then it is written with
// the differentiable ops the composed path uses (unfold/fold and matmul), so gradients of any order work.
function fusedConv2d(x: Tensor, weight: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  const [n, cin, h, w] = x.shape;
  const cout = weight.shape[0];
  const b = backendOf('conv2d', x, weight, bias);
  const out = emptyTensor([n, cout, g.outSize[0], g.outSize[1]], x.dtype, b);
  b.conv2d(x.storage, n, cin, h, w, weight.storage, cout, bias ? bias.storage : null, g, out.storage);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, 'ConvolutionBackward', inputs, (grad) => {
    if (isGradEnabled() || grad.dtype !== x.dtype) return composedConv2dBackward(x, weight, bias, g, grad);
    const gradInput = x.requiresGrad ? emptyTensor(x.shape, x.dtype, b) : null;
    const gradWeight = weight.requiresGrad ? emptyTensor(weight.shape, weight.dtype, b) : null;
    const gradBias = bias?.requiresGrad ? emptyTensor(bias.shape, bias.dtype, b) : null;
    b.conv2dBackward(x.storage, n, cin, h, w, weight.storage, cout, g, grad.storage,
      gradInput?.storage ?? null, gradWeight?.storage ?? null, gradBias?.storage ?? null);
    return bias ? [gradInput, gradWeight, gradBias] : [gradInput, gradWeight];
  }, [x, weight]);
}

// The fused convolution's backward written with ops: x's gradient is fold(Wᵀ grad), W's is
// Σ_n grad[n] unfold(x)[n]ᵀ, the bias's is grad summed over samples and positions.
function composedConv2dBackward(x: Tensor, weight: Tensor, bias: Tensor | null, g: ConvGeometry, grad: Tensor): (Tensor | null)[] {
  const [n, , h, w] = x.shape;
  const cout = weight.shape[0];
  const grad3 = reshape(grad, [n, cout, g.outSize[0] * g.outSize[1]]);
  const weight2 = reshape(weight, [cout, weight.numel / cout]);
  const gradInput = x.requiresGrad ? col2imRaw(matmul(transpose(weight2, 0, 1), grad3), [h, w], g) : null;
  const gradWeight = weight.requiresGrad ? reshape(sum(matmul(grad3, transpose(im2colRaw(x, g), 1, 2)), 0), weight.shape) : null;
  if (!bias) return [gradInput, gradWeight];
  return [gradInput, gradWeight, bias.requiresGrad ? sum(grad, [0, 2, 3]) : null];
}

/**
 * 2-d convolution (cross-correlation), as torch.nn.functional.conv2d: input [N, Cin, H, W],
 * weight [Cout, Cin/groups, kh, kw], bias [Cout].
 * @example conv2d(randn([1, 3, 8, 8]), randn([16, 3, 3, 3]), null, { padding: 1 }).shape // [1, 16, 8, 8]
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}, name = 'conv2d'): Tensor {
  const groups = options.groups ?? 1;
  checkConvArgs(name, input, weight, bias, groups, false);
  const [cout, cinPerGroup, kh, kw] = weight.shape;
  const unbatched = input.ndim === 3;
  let x = unbatched ? unsqueeze(input, 0) : input;
  const dilation = pair(options.dilation ?? 1, 'dilation', name, 1);
  const stride = pair(options.stride ?? 1, 'stride', name, 1);
  let padding: [number, number];
  if (options.padding === 'valid') padding = [0, 0];
  else if (options.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`${name}: padding='same' is not supported for strided convolutions (stride ${formatShape(stride)})`);
    const { sym, extra } = samePadding([kh, kw], dilation);
    padding = sym;
    if (extra[0] || extra[1]) x = pad(x, [0, extra[1], 0, extra[0]]);
  } else padding = pair(options.padding ?? 0, 'padding', name);
  const [n, , h, w] = x.shape;
  const g = geometry(h, w, [kh, kw], { stride, padding, dilation }, name);
  const [oh, ow] = g.outSize;
  if (oh <= 0 || ow <= 0) {
    throw new Error(`${name}: input ${formatShape(input.shape)} (padded ${h + 2 * padding[0]}x${w + 2 * padding[1]}) is smaller than the dilated kernel ${(kh - 1) * dilation[0] + 1}x${(kw - 1) * dilation[1] + 1}`);
  }
  if (groups === 1 && canFuse(x, weight, bias)) {
    const out = fusedConv2d(x, weight, bias ?? null, g);
    return unbatched ? squeeze(out, 0) : out;
  }
  const cols = im2colRaw(x, g); // [n, cin*kh*kw, oh*ow]
  let out: Tensor;
  if (groups === 1) out = matmul(reshape(weight, [cout, cinPerGroup * kh * kw]), cols);
  else {
    const k = cinPerGroup * kh * kw;
    const w4 = reshape(weight, [groups, cout / groups, k]);
    out = matmul(w4, reshape(cols, [n, groups, k, oh * ow]));
  }
  out = reshape(out, [n, cout, oh, ow]);
  if (bias) out = add(out, reshape(bias, [cout, 1, 1]));
  return unbatched ? squeeze(out, 0) : out;
}

/**
 * 1-d convolution, as torch.nn.functional.conv1d: input [N, Cin, L], weight [Cout, Cin/groups, k].
 * @example conv1d(randn([2, 4, 10]), randn([8, 4, 3])).shape // [2, 8, 8]
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Omit<ConvOptions, 'stride' | 'padding' | 'dilation'> & { stride?: number; padding?: number | 'same' | 'valid'; dilation?: number } = {}, name = 'conv1d'): Tensor {
  if (weight.ndim !== 3) throw new Error(`${name}: weight must be 3-d [Cout,Cin/groups,k], got ${formatShape(weight.shape)}`);
  const cin = weight.shape[1] * (options.groups ?? 1);
  if ((input.ndim !== 3 && input.ndim !== 2) || input.shape[input.ndim - 2] !== cin) {
    throw new Error(`${name}: expected input [N,${cin},L], got ${formatShape(input.shape)}`);
  }
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
  const pad2: Pair | 'same' | 'valid' = typeof padding === 'number' ? [0, padding] : padding;
  const out = conv2d(unsqueeze(input, -2), unsqueeze(weight, 2), bias, { stride: [1, stride], padding: pad2, dilation: [1, dilation], groups }, name);
  return squeeze(out, -2);
}

export interface ConvTransposeOptions extends WindowOptions {
  /** Extra size added to one side of each output dim (must be smaller than stride or dilation). */
  outputPadding?: Pair;
  groups?: number;
}

/**
 * Transposed 2-d convolution (the gradient of conv2d with respect to its input), as
 * torch.nn.functional.conv_transpose2d: input [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw];
 * output size (H - 1) * stride - 2 * padding + dilation * (kh - 1) + outputPadding + 1.
 * @example convTranspose2d(randn([1, 8, 4, 4]), randn([8, 3, 2, 2]), null, { stride: 2 }).shape // [1, 3, 8, 8]
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTransposeOptions = {}, name = 'convTranspose2d'): Tensor {
  const groups = options.groups ?? 1;
  checkConvArgs(name, input, weight, bias, groups, true);
  const [cin, coutPerGroup, kh, kw] = weight.shape;
  const cout = coutPerGroup * groups;
  const unbatched = input.ndim === 3;
  const x = unbatched ? unsqueeze(input, 0) : input;
  const stride = pair(options.stride ?? 1, 'stride', name, 1);
  const padding = pair(options.padding ?? 0, 'padding', name);
  const dilation = pair(options.dilation ?? 1, 'dilation', name, 1);
  const outputPadding = pair(options.outputPadding ?? 0, 'outputPadding', name);
  for (let i = 0; i < 2; i++) {
    if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
      throw new Error(`${name}: outputPadding ${formatShape(outputPadding)} must be smaller than either stride ${formatShape(stride)} or dilation ${formatShape(dilation)}`);
    }
  }
  const [n, , h, w] = x.shape;
  const size: [number, number] = [
    (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + outputPadding[0] + 1,
    (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + outputPadding[1] + 1,
  ];
  if (size[0] <= 0 || size[1] <= 0) throw new Error(`${name}: output size ${formatShape(size)} is not positive for input ${formatShape(input.shape)}`);
  const cinPerGroup = cin / groups;
  const k = coutPerGroup * kh * kw;
  // cols[n, g] = W[g]ᵀ x[n, g]: [k, h*w] per group, then the taps are summed into place by col2im
  const wt = permute(reshape(weight, [groups, cinPerGroup, k]), [0, 2, 1]);
  const cols = matmul(wt, reshape(x, [n, groups, cinPerGroup, h * w]));
  const g: ConvGeometry = { kernel: [kh, kw], stride, padding, dilation, outSize: [h, w] };
  let out = col2imRaw(reshape(cols, [n, groups * k, h * w]), size, g);
  if (bias) out = add(out, reshape(bias, [cout, 1, 1]));
  return unbatched ? squeeze(out, 0) : out;
}
