// ONNX for the library's layers, exported whole (as leaf modules, like torch.fx): a Conv2d becomes one Conv
// node on its weights rather than the im2col and matmul descent computes it with. The functional forms
// (nn.functional.conv2d, ...) share these emitters.
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import type { Module } from '../nn/module.js';
import { avgPoolDivisors } from '../ops/pool.js';
import * as nn from '../nn/index.js';
import { attr } from './graph.js';
import type { Emit } from './emit.js';
import { type OpEmitter, activation, padMode } from './ops.js';

export type ModuleEmitter = (e: Emit, m: Module, args: unknown[], out: unknown) => void;

// The library's classes by their exported names, which minifiers keep (they rename classes: Sequential -> zd).
const CLASS_NAMES = new Map<unknown, string>(Object.entries(nn).filter(([, v]) => typeof v === 'function').map(([name, v]) => [v, name]));

/** A module's class name as nn exports it (so a bundled page exports the same graph), else its constructor's name. */
export function moduleName(m: Module): string {
  return CLASS_NAMES.get(m.constructor) ?? m.constructor.name;
}

type Numbers = number | readonly number[];
const spatialList = (v: Numbers | null | undefined, n: number, fallback: number): number[] =>
  v == null ? new Array(n).fill(fallback) : typeof v === 'number' ? new Array(n).fill(v) : [...v];

export interface ConvSpec {
  stride?: Numbers;
  padding?: Numbers | 'same' | 'valid';
  dilation?: Numbers;
  groups?: number;
}

/** A convolution with `spatial` dims (1 or 2) on the value x of `shape`: Conv with explicit pads ('same' puts the odd one at the end). */
export function conv(e: Emit, x: string, shape: readonly number[], weight: Tensor, bias: Tensor | null | undefined, spec: ConvSpec, spatial: number): string {
  const kernel = weight.shape.slice(2);
  const dilation = spatialList(spec.dilation, spatial, 1);
  const [begins, ends] = convPadding(spec.padding, kernel, dilation);
  const inputs = [e.value(weight), ...(bias ? [e.value(bias)] : [])];
  const attrs = {
    kernel_shape: attr.ints(kernel), strides: attr.ints(spatialList(spec.stride, spatial, 1)), pads: attr.ints([...begins, ...ends]),
    dilations: attr.ints(dilation), group: attr.int(spec.groups ?? 1),
  };
  if (shape.length === spatial + 2) return e.op('Conv', [x, ...inputs], attrs);
  return e.squeeze(e.op('Conv', [e.unsqueeze(x, [0]), ...inputs], attrs), [0]); // unbatched input
}

// Padding at the start and the end of each spatial dim; 'same' pads d*(k-1) in all, the odd one at the end.
function convPadding(padding: ConvSpec['padding'], kernel: readonly number[], dilation: readonly number[]): [number[], number[]] {
  const begins: number[] = [];
  const ends: number[] = [];
  kernel.forEach((k, i) => {
    if (padding === 'same') {
      const total = dilation[i] * (k - 1);
      begins.push(Math.floor(total / 2));
      ends.push(total - Math.floor(total / 2));
    } else {
      const p = padding === 'valid' ? 0 : spatialList(padding as Numbers | undefined, kernel.length, 0)[i];
      begins.push(p);
      ends.push(p);
    }
  });
  return [begins, ends];
}

export function convTranspose2d(e: Emit, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, spec: { stride?: Numbers; padding?: Numbers; outputPadding?: Numbers; dilation?: Numbers; groups?: number }): string {
  const padding = spatialList(spec.padding, 2, 0);
  const inputs = [e.value(weight), ...(bias ? [e.value(bias)] : [])];
  const attrs = {
    kernel_shape: attr.ints(weight.shape.slice(2)), strides: attr.ints(spatialList(spec.stride, 2, 1)), pads: attr.ints([...padding, ...padding]),
    dilations: attr.ints(spatialList(spec.dilation, 2, 1)), output_padding: attr.ints(spatialList(spec.outputPadding, 2, 0)), group: attr.int(spec.groups ?? 1),
  };
  if (x.ndim === 4) return e.op('ConvTranspose', [e.value(x), ...inputs], attrs);
  return e.squeeze(e.op('ConvTranspose', [e.unsqueeze(e.value(x), [0]), ...inputs], attrs), [0]); // unbatched input
}

interface PoolSpec {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

// The padding at the end of each dim that makes a floor-mode window count equal the result's (ceil mode
// adds windows that overhang; PyTorch and ONNX count those differently, so the overhang is made explicit).
function extraEndPadding(input: Tensor, out: Tensor, p: PoolSpec): number[] {
  const spatial = p.kernel.length;
  return p.kernel.map((k, i) => {
    const size = input.shape[input.ndim - spatial + i];
    const needed = (out.shape[out.ndim - spatial + i] - 1) * p.stride[i] + p.dilation[i] * (k - 1) + 1;
    return Math.max(0, needed - (size + 2 * p.padding[i]));
  });
}

function maxPool(e: Emit, x: Tensor, out: Tensor, p: PoolSpec): string {
  const extra = extraEndPadding(x, out, p);
  let input = e.value(x);
  let pads = [...p.padding, ...p.padding];
  if (extra.some((v) => v > 0)) {
    // -inf padding for the overhanging windows, then a pool without padding
    const padList = p.kernel.flatMap((_, j) => { const i = p.kernel.length - 1 - j; return [p.padding[i], p.padding[i] + extra[i]]; });
    input = padMode(e, input, x.shape, padList, 'constant', -Infinity, x.dtype);
    pads = new Array(2 * p.kernel.length).fill(0);
  }
  return e.op('MaxPool', [input], {
    kernel_shape: attr.ints(p.kernel), strides: attr.ints(p.stride), pads: attr.ints(pads), dilations: attr.ints(p.dilation), ceil_mode: attr.int(0),
  });
}

function maxPoolSpec(kernelSize: Numbers, options: { stride?: Numbers | null; padding?: Numbers; dilation?: Numbers }, spatial: number): PoolSpec {
  const kernel = spatialList(kernelSize, spatial, 1);
  return { kernel, stride: options.stride == null ? kernel : spatialList(options.stride, spatial, 1), padding: spatialList(options.padding, spatial, 0), dilation: spatialList(options.dilation, spatial, 1) };
}

interface AvgPoolSpec {
  stride?: Numbers | null;
  padding?: Numbers;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

// AveragePool where ONNX's divisors are PyTorch's (floor mode, no divisor override); otherwise the window sums
// as a depthwise convolution with a kernel of ones, divided by PyTorch's divisors (computed here, as avgPool2d does).
function avgPool2d(e: Emit, x: Tensor, out: Tensor, kernelSize: Numbers, options: AvgPoolSpec): string {
  const kernel = spatialList(kernelSize, 2, 1);
  const stride = options.stride == null ? kernel : spatialList(options.stride, 2, 1);
  const padding = spatialList(options.padding, 2, 0);
  const { countIncludePad = true, divisorOverride = null } = options;
  if (!options.ceilMode && divisorOverride === null) {
    return e.op('AveragePool', [e.value(x)], {
      kernel_shape: attr.ints(kernel), strides: attr.ints(stride), pads: attr.ints([...padding, ...padding]), count_include_pad: attr.int(countIncludePad),
    });
  }
  const [, c, h, w] = x.shape;
  const [oh, ow] = out.shape.slice(2);
  const extra = extraEndPadding(x, out, { kernel, stride, padding, dilation: [1, 1] });
  const padded = padMode(e, e.value(x), x.shape, [padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0]], 'constant', 0, x.dtype);
  const ones = e.constant(new Array(c * kernel[0] * kernel[1]).fill(1), [c, 1, kernel[0], kernel[1]], x.dtype);
  const sums = e.op('Conv', [padded, ones], { kernel_shape: attr.ints(kernel), strides: attr.ints(stride), group: attr.int(c) });
  const divisor = avgPoolDivisors([h, w], { kernel, stride, padding, out: [oh, ow] }, countIncludePad, divisorOverride);
  return e.op('Div', [sums, e.constant(divisor, [oh, ow], x.dtype)]);
}

// Adaptive average pooling, one spatial dim at a time (the windows are products of ranges), as descent computes it.
function adaptiveMean(e: Emit, x: string, shape: number[], dim: number, outSize: number): [string, number[]] {
  const size = shape[dim];
  const next = [...shape];
  next[dim] = outSize;
  if (size === outSize) return [x, next];
  if (size % outSize === 0) {
    const split = [...shape.slice(0, dim), outSize, size / outSize, ...shape.slice(dim + 1)];
    return [e.reduce('ReduceMean', e.reshape(x, split), [dim + 1], false), next];
  }
  const parts: string[] = [];
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * size) / outSize);
    const end = Math.ceil(((i + 1) * size) / outSize);
    parts.push(e.reduce('ReduceMean', e.slice(x, [start], [end], [dim]), [dim], true));
  }
  return [e.op('Concat', parts, { axis: attr.int(dim) }), next];
}

function adaptiveAvgPool2d(e: Emit, x: Tensor, out: Tensor): string {
  const [oh, ow] = out.shape.slice(-2);
  const hd = x.ndim - 2;
  const [rows, shape] = adaptiveMean(e, e.value(x), [...x.shape], hd, oh);
  return adaptiveMean(e, rows, shape, hd + 1, ow)[0];
}

// (x - mean) / sqrt(var + eps) over axes, with the biased variance: descent's normalize, for the norms ONNX lacks.
function normalize(e: Emit, x: string, axes: number[], eps: number, type: DType): string {
  const centered = e.op('Sub', [x, e.reduce('ReduceMean', x, axes, true)]);
  const variance = e.reduce('ReduceMean', e.op('Mul', [centered, centered]), axes, true);
  return e.op('Mul', [centered, e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [variance, e.scalar(eps, type)])])])]);
}

// A per-channel vector [C] shaped to broadcast against [N, C, *].
function channelVector(e: Emit, v: Tensor, ndim: number, type: DType): string {
  return e.reshape(e.value(v, type), [v.shape[0], ...new Array(Math.max(0, ndim - 2)).fill(1)]);
}

function affine(e: Emit, y: string, weight: Tensor | null | undefined, bias: Tensor | null | undefined, ndim: number, type: DType): string {
  if (weight) y = e.op('Mul', [y, channelVector(e, weight, ndim, type)]);
  if (bias) y = e.op('Add', [y, channelVector(e, bias, ndim, type)]);
  return y;
}

export function batchNorm(e: Emit, x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null | undefined, bias: Tensor | null | undefined, useBatchStats: boolean, eps: number): string {
  const channels = x.shape[1];
  if (useBatchStats || !runningMean || !runningVar) {
    const axes = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
    return affine(e, normalize(e, e.value(x), axes, eps, x.dtype), weight, bias, x.ndim, x.dtype);
  }
  const scale = weight ? e.value(weight, x.dtype) : e.constant(new Array(channels).fill(1), [channels], x.dtype);
  const shift = bias ? e.value(bias, x.dtype) : e.constant(new Array(channels).fill(0), [channels], x.dtype);
  return e.op('BatchNormalization', [e.value(x), scale, shift, e.value(runningMean, x.dtype), e.value(runningVar, x.dtype)], { epsilon: attr.float(eps) });
}

export function layerNorm(e: Emit, x: Tensor, normalizedShape: readonly number[], weight: Tensor | null | undefined, bias: Tensor | null | undefined, eps: number): string {
  const scale = weight ? e.value(weight, x.dtype) : e.constant(new Array(normalizedShape.reduce((a, b) => a * b, 1)).fill(1), normalizedShape, x.dtype);
  const inputs = [e.value(x), scale];
  if (bias) inputs.push(e.value(bias, x.dtype));
  return e.op('LayerNormalization', inputs, { axis: attr.int(-normalizedShape.length), epsilon: attr.float(eps) });
}

export function groupNorm(e: Emit, x: Tensor, groups: number, weight: Tensor | null | undefined, bias: Tensor | null | undefined, eps: number): string {
  const n = x.shape[0];
  const grouped = e.reshape(e.value(x), [n, groups, x.numel / (n * groups)]);
  const y = e.reshape(normalize(e, grouped, [2], eps, x.dtype), x.shape);
  return affine(e, y, weight, bias, x.ndim, x.dtype);
}

function embedding(e: Emit, input: Tensor, weight: Tensor, maxNorm: number | null | undefined, what: string): string {
  if (maxNorm != null) throw new Error(`exportOnnx: ${what} with maxNorm is not supported (it renormalizes the weight in place during forward)`);
  return e.op('Gather', [e.value(weight), e.value(input)], { axis: attr.int(0) });
}

function bilinear(e: Emit, x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null | undefined, out: Tensor): string {
  const [outF, in1, in2] = weight.shape;
  const rows = x1.numel / in1;
  const a = e.reshape(e.value(x1), [rows, in1]);
  const b = e.reshape(e.value(x2), [rows, in2]);
  let y = e.op('Einsum', [a, e.value(weight), b], { equation: attr.string('bi,oij,bj->bo') });
  if (bias) y = e.op('Add', [y, e.value(bias)]);
  return e.reshape(y, [...out.shape.slice(0, -1), outF]);
}

function scaledDotProductAttention(e: Emit, args: unknown[]): string {
  const [query, key, value, options = {}] = args as [Tensor, Tensor, Tensor, { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean }?];
  if ((options.dropoutP ?? 0) > 0) throw new Error('exportOnnx: scaledDotProductAttention with dropoutP > 0 is random; export it with dropoutP 0');
  const L = query.shape[query.ndim - 2];
  const S = key.shape[key.ndim - 2];
  let mask: string | null = null;
  if (options.isCausal) mask = causalMask(e, L, S, query.dtype);
  else if (options.attnMask) {
    // a bool mask marks the positions that take part (torch's convention for this function)
    mask = options.attnMask.dtype === 'bool'
      ? e.op('Where', [e.value(options.attnMask), e.scalar(0, query.dtype), e.scalar(-Infinity, query.dtype)])
      : e.value(options.attnMask, query.dtype);
  }
  return attend(e, e.value(query), e.value(key), e.value(value), query.shape[query.ndim - 1], query.ndim, mask, query.dtype)[0];
}

/** An additive causal mask [L, S]: -inf above the diagonal. */
export function causalMask(e: Emit, L: number, S: number, type: DType): string {
  const values = new Array<number>(L * S);
  for (let i = 0; i < L; i++) for (let j = 0; j < S; j++) values[i * S + j] = j > i ? -Infinity : 0;
  return e.constant(values, [L, S], type);
}

/**
 * softmax(q kᵀ / sqrt(d) + mask) v over the last two dims (q is divided first, as descent does); returns the
 * output and the attention weights.
 */
export function attend(e: Emit, q: string, k: string, v: string, headDim: number, rank: number, mask: string | null, type: DType): [string, string] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  let scores = e.op('MatMul', [e.op('Div', [q, e.scalar(Math.sqrt(headDim), type)]), e.transpose(k, perm)]);
  if (mask) scores = e.op('Add', [scores, mask]);
  const weights = e.op('Softmax', [scores], { axis: attr.int(-1) });
  return [e.op('MatMul', [weights, v]), weights];
}

const t = (v: unknown) => v as Tensor;

/** The functional forms (nn.functional.*) of the layers. */
export const FUNCTIONAL_OPS: Record<string, OpEmitter> = {
  'F.linear': (e, a, out) => e.bind(t(out), e.linear(e.value(t(a[0])), t(a[0]).ndim, e.value(t(a[1])), a[2] ? e.value(t(a[2])) : null)),
  'F.bilinear': (e, a, out) => e.bind(t(out), bilinear(e, t(a[0]), t(a[1]), t(a[2]), a[3] as Tensor | null, t(out))),
  'F.conv1d': (e, a, out) => e.bind(t(out), conv(e, e.value(t(a[0])), t(a[0]).shape, t(a[1]), a[2] as Tensor | null, (a[3] ?? {}) as ConvSpec, 1)),
  'F.conv2d': (e, a, out) => e.bind(t(out), conv(e, e.value(t(a[0])), t(a[0]).shape, t(a[1]), a[2] as Tensor | null, (a[3] ?? {}) as ConvSpec, 2)),
  'F.convTranspose2d': (e, a, out) => e.bind(t(out), convTranspose2d(e, t(a[0]), t(a[1]), a[2] as Tensor | null, (a[3] ?? {}) as Parameters<typeof convTranspose2d>[4])),
  'F.maxPool2d': (e, a, out) => e.bind(t(out), maxPool(e, t(a[0]), t(out), maxPoolSpec(a[1] as Numbers, (a[2] ?? {}) as object, 2))),
  'F.maxPool1d': (e, a, out) => e.bind(t(out), maxPool(e, t(a[0]), t(out), maxPoolSpec(a[1] as Numbers, (a[2] ?? {}) as object, 1))),
  'F.avgPool2d': (e, a, out) => e.bind(t(out), avgPool2d(e, t(a[0]), t(out), a[1] as Numbers, (a[2] ?? {}) as AvgPoolSpec)),
  'F.adaptiveAvgPool2d': (e, a, out) => e.bind(t(out), adaptiveAvgPool2d(e, t(a[0]), t(out))),
  'F.batchNorm': (e, a, out) => e.bind(t(out), batchNorm(e, t(a[0]), a[1] as Tensor | null, a[2] as Tensor | null, a[3] as Tensor | null, a[4] as Tensor | null, Boolean(a[5]), (a[7] as number | undefined) ?? 1e-5)),
  'F.layerNorm': (e, a, out) => e.bind(t(out), layerNorm(e, t(a[0]), a[1] as number[], a[2] as Tensor | null, a[3] as Tensor | null, (a[4] as number | undefined) ?? 1e-5)),
  'F.groupNorm': (e, a, out) => e.bind(t(out), groupNorm(e, t(a[0]), a[1] as number, a[2] as Tensor | null, a[3] as Tensor | null, (a[4] as number | undefined) ?? 1e-5)),
  'F.embedding': (e, a, out) => e.bind(t(out), embedding(e, t(a[0]), t(a[1]), (a[2] as { maxNorm?: number | null } | undefined)?.maxNorm, 'embedding')),
  'F.dropout': (e, a, out) => {
    if (a[2] !== false && ((a[1] as number | undefined) ?? 0.5) > 0) throw new Error('exportOnnx: nn.functional.dropout in training mode is random; pass training = false (this.training) to export it');
    e.bind(t(out), e.value(t(a[0])));
  },
  'F.scaledDotProductAttention': (e, a, out) => e.bind(t(out), scaledDotProductAttention(e, a)),
};

const unaryLayer = (name: string, options: (m: never) => Parameters<typeof activation>[4] = () => ({})): ModuleEmitter =>
  (e, m, args, out) => e.bind(t(out), activation(e, name, e.value(t(args[0])), t(out).dtype, options(m as never)));

const reshapeLayer: ModuleEmitter = (e, _m, args, out) => e.bind(t(out), e.reshape(e.value(t(args[0])), t(out).shape));

/** The leaf layers, by their forward method (a subclass that overrides forward is traced through instead). */
export const LAYERS = new Map<unknown, ModuleEmitter>([
  [nn.Identity.prototype.forward, (e, _m, args, out) => e.bind(t(out), e.value(t(args[0])))],
  [nn.Linear.prototype.forward, (e, m, args, out) => {
    const l = m as nn.Linear;
    e.bind(t(out), e.linear(e.value(t(args[0])), t(args[0]).ndim, e.value(l.weight), l.bias ? e.value(l.bias) : null));
  }],
  [nn.Bilinear.prototype.forward, (e, m, args, out) => {
    const l = m as nn.Bilinear;
    e.bind(t(out), bilinear(e, t(args[0]), t(args[1]), l.weight, l.bias, t(out)));
  }],
  [nn.Flatten.prototype.forward, reshapeLayer],
  [nn.Unflatten.prototype.forward, reshapeLayer],
  [nn.Conv1d.prototype.forward, (e, m, args, out) => e.bind(t(out), convLayer(e, m as nn.Conv1d, t(args[0]), 1))],
  [nn.Conv2d.prototype.forward, (e, m, args, out) => e.bind(t(out), convLayer(e, m as nn.Conv2d, t(args[0]), 2))],
  [nn.ConvTranspose2d.prototype.forward, (e, m, args, out) => {
    const c = m as nn.ConvTranspose2d;
    e.bind(t(out), convTranspose2d(e, t(args[0]), c.weight, c.bias, c));
  }],
  [nn.MaxPool1d.prototype.forward, (e, m, args, out) => {
    const p = m as nn.MaxPool1d;
    e.bind(t(out), maxPool(e, t(args[0]), t(out), maxPoolSpec(p.kernelSize, p.options, 1)));
  }],
  [nn.MaxPool2d.prototype.forward, (e, m, args, out) => {
    const p = m as nn.MaxPool2d;
    e.bind(t(out), maxPool(e, t(args[0]), t(out), maxPoolSpec(p.kernelSize, p.options, 2)));
  }],
  [nn.AvgPool2d.prototype.forward, (e, m, args, out) => {
    const p = m as nn.AvgPool2d;
    e.bind(t(out), avgPool2d(e, t(args[0]), t(out), p.kernelSize, p.options));
  }],
  [nn.AdaptiveAvgPool2d.prototype.forward, (e, _m, args, out) => e.bind(t(out), adaptiveAvgPool2d(e, t(args[0]), t(out)))],
  [nn.BatchNorm1d.prototype.forward, batchNormLayer],
  [nn.LayerNorm.prototype.forward, (e, m, args, out) => {
    const l = m as nn.LayerNorm;
    e.bind(t(out), layerNorm(e, t(args[0]), l.normalizedShape, l.weight, l.bias, l.eps));
  }],
  [nn.GroupNorm.prototype.forward, (e, m, args, out) => {
    const l = m as nn.GroupNorm;
    e.bind(t(out), groupNorm(e, t(args[0]), l.numGroups, l.weight, l.bias, l.eps));
  }],
  [nn.Dropout.prototype.forward, (e, _m, args, out) => e.bind(t(out), e.value(t(args[0])))],
  [nn.Embedding.prototype.forward, (e, m, args, out) => {
    const l = m as nn.Embedding;
    e.bind(t(out), embedding(e, t(args[0]), l.weight, l.maxNorm, 'Embedding'));
  }],
  [nn.ReLU.prototype.forward, unaryLayer('relu')],
  [nn.LeakyReLU.prototype.forward, unaryLayer('leakyRelu', (m: nn.LeakyReLU) => ({ slope: m.negativeSlope }))],
  [nn.ELU.prototype.forward, unaryLayer('elu', (m: nn.ELU) => ({ alpha: m.alpha }))],
  [nn.GELU.prototype.forward, unaryLayer('gelu', (m: nn.GELU) => ({ approximate: m.approximate }))],
  [nn.SiLU.prototype.forward, unaryLayer('silu')],
  [nn.Tanh.prototype.forward, unaryLayer('tanh')],
  [nn.Sigmoid.prototype.forward, unaryLayer('sigmoid')],
  [nn.Softplus.prototype.forward, unaryLayer('softplus', (m: nn.Softplus) => ({ beta: m.beta, threshold: m.threshold }))],
  [nn.Softmax.prototype.forward, (e, m, args, out) => e.bind(t(out), e.op('Softmax', [e.value(t(args[0]))], { axis: attr.int((m as nn.Softmax).dim) }))],
  [nn.LogSoftmax.prototype.forward, (e, m, args, out) => e.bind(t(out), e.op('LogSoftmax', [e.value(t(args[0]))], { axis: attr.int((m as nn.LogSoftmax).dim) }))],
]);

function batchNormLayer(e: Emit, m: Module, args: unknown[], out: unknown): void {
  const b = m as nn.BatchNorm1d;
  const useBatchStats = b.training || (b.runningMean === null && b.runningVar === null);
  e.bind(t(out), batchNorm(e, t(args[0]), b.runningMean, b.runningVar, b.weight, b.bias, useBatchStats, b.eps));
}

// Conv1d and Conv2d, with their padding modes: a Pad first for the modes other than zeros.
function convLayer(e: Emit, c: nn.Conv1d | nn.Conv2d, x: Tensor, spatial: number): string {
  const spec: ConvSpec = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
  if (c.paddingMode === 'zeros') return conv(e, e.value(x), x.shape, c.weight, c.bias, spec, spatial);
  const [begins, ends] = convPadding(c.padding, c.weight.shape.slice(2), spatialList(c.dilation, spatial, 1));
  const list = begins.flatMap((_, j) => [begins[spatial - 1 - j], ends[spatial - 1 - j]]); // F.pad's order: last dim first
  const paddedShape = x.shape.map((d, i) => (i < x.ndim - spatial ? d : d + begins[i - (x.ndim - spatial)] + ends[i - (x.ndim - spatial)]));
  return conv(e, padMode(e, e.value(x), x.shape, list, c.paddingMode), paddedShape, c.weight, c.bias, { ...spec, padding: 0 }, spatial);
}
