// ONNX for the public ops a forward pass calls (dt.add, x.reshape, nn.functional.softmax, ...), by the op's
// name in its function form (x.add(y) is add(x, y)). Each emitter gets the op's arguments and its actual result,
// whose shape and dtype are known, so shapes are static: the exported graph takes the example input's shapes.
import { Tensor } from '../tensor/tensor.js';
import { type DType, isFloating, promoteTypes } from '../tensor/dtype.js';
import { normalizeDim, normalizeDims } from '../tensor/shape.js';
import { attr } from './graph.js';
import { type Emit, floatTypeOf } from './emit.js';

export type OpEmitter = (e: Emit, args: unknown[], out: unknown) => void;

const tensorArg = (v: unknown, what: string, op: string): Tensor => {
  if (!(v instanceof Tensor)) throw new Error(`exportOnnx: ${op}: expected ${what} to be a Tensor`);
  return v;
};

/** Both operands of a binary op, cast to `type` (numbers become constants of it). */
function operands(e: Emit, args: unknown[], type: DType): [string, string] {
  return [e.value(args[0] as Tensor | number, type), e.value(args[1] as Tensor | number, type)];
}

// The type two operands are compared (or combined) in: PyTorch's promotion, a number taking the tensor's kind.
function promoted(a: unknown, b: unknown): DType {
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (ta && tb) return ta.ndim === 0 && tb.ndim > 0 ? tb.dtype : tb.ndim === 0 && ta.ndim > 0 ? ta.dtype : promoteTypes(ta.dtype, tb.dtype);
  const t = (ta ?? tb)!;
  const n = (ta ? b : a) as number;
  return isFloating(t.dtype) || Number.isInteger(n) ? (t.dtype === 'bool' && typeof n === 'number' ? 'int32' : t.dtype) : 'float32';
}

function arithmetic(op: string): OpEmitter {
  return (e, args, out) => {
    const o = out as Tensor;
    const [a, b] = operands(e, args, o.dtype);
    e.bind(o, e.op(op, [a, b]));
  };
}

// add and sub take alpha: a + alpha * b; bool + bool is logical or (bool * bool, and), as in torch.
function addLike(op: 'Add' | 'Sub'): OpEmitter {
  return (e, args, out) => {
    const o = out as Tensor;
    const alpha = (args[2] as number | undefined) ?? 1;
    if (o.dtype === 'bool') return e.bind(o, e.op('Or', operands(e, args, 'bool')));
    let [a, b] = operands(e, args, o.dtype);
    if (alpha !== 1) b = e.op('Mul', [b, e.scalar(alpha, o.dtype)]);
    e.bind(o, e.op(op, [a, b]));
  };
}

function comparison(op: string, negate = false): OpEmitter {
  return (e, args, out) => {
    let type = promoted(args[0], args[1]);
    if (type === 'bool' && op !== 'Equal') type = 'int32'; // ONNX orders numbers only
    const y = e.op(op, operands(e, args, type));
    e.bind(out as Tensor, negate ? e.op('Not', [y]) : y);
  };
}

function logical(op: 'And' | 'Or' | 'Xor'): OpEmitter {
  return (e, args, out) => e.bind(out as Tensor, e.op(op, operands(e, args, 'bool')));
}

/** A unary op computed in the result's type (ints become floats for exp, log, ...). */
function unary(build: (e: Emit, x: string, out: Tensor) => string): OpEmitter {
  return (e, args, out) => {
    const o = out as Tensor;
    e.bind(o, build(e, e.value(tensorArg(args[0], 'the input', 'unary op'), o.dtype === 'bool' ? undefined : o.dtype), o));
  };
}

const simple = (op: string) => unary((e, x) => e.op(op, [x]));

// floor(a / b) and a - floor(a / b) * b in double precision for integers (exact for int32), as torch's
// floor_divide and remainder (Python's sign rules, unlike ONNX Div and Mod on integers).
function floorDivision(e: Emit, args: unknown[], out: Tensor, remainder: boolean): void {
  const type = isFloating(out.dtype) ? out.dtype : 'float64';
  const [a, b] = operands(e, args, type);
  const q = e.op('Floor', [e.op('Div', [a, b])]);
  const y = remainder ? e.op('Sub', [a, e.op('Mul', [q, b])]) : q;
  e.bind(out, type === out.dtype ? y : e.cast(y, out.dtype));
}

function gelu(e: Emit, x: string, approximate: string, type: DType): string {
  if (e.opset >= 20) return e.op('Gelu', [x], { approximate: attr.string(approximate) });
  const c = (v: number) => e.scalar(v, type);
  if (approximate === 'tanh') {
    const cube = e.op('Mul', [e.op('Mul', [x, x]), x]);
    const inner = e.op('Mul', [e.op('Add', [x, e.op('Mul', [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
    return e.op('Mul', [e.op('Mul', [x, c(0.5)]), e.op('Add', [e.op('Tanh', [inner]), c(1)])]);
  }
  const phi = e.op('Add', [e.op('Erf', [e.op('Mul', [x, c(Math.SQRT1_2)])]), c(1)]);
  return e.op('Mul', [e.op('Mul', [x, c(0.5)]), phi]);
}

/** log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (torch's softplus). */
export function softplus(e: Emit, x: string, beta: number, threshold: number, type: DType): string {
  const bx = beta === 1 ? x : e.op('Mul', [x, e.scalar(beta, type)]);
  let smooth = e.op('Softplus', [bx]);
  if (beta !== 1) smooth = e.op('Div', [smooth, e.scalar(beta, type)]);
  return e.op('Where', [e.op('Greater', [bx, e.scalar(threshold, type)]), x, smooth]);
}

/** The activations by name, shared by the ops and the activation layers. */
export function activation(e: Emit, name: string, x: string, type: DType, options: { slope?: number; alpha?: number; approximate?: string; beta?: number; threshold?: number } = {}): string {
  switch (name) {
    case 'relu': return e.op('Relu', [x]);
    case 'leakyRelu': return e.op('LeakyRelu', [x], { alpha: attr.float(options.slope ?? 0.01) });
    case 'elu': return e.op('Elu', [x], { alpha: attr.float(options.alpha ?? 1) });
    case 'gelu': return gelu(e, x, options.approximate ?? 'none', type);
    case 'silu': return e.op('Mul', [x, e.op('Sigmoid', [x])]);
    case 'tanh': return e.op('Tanh', [x]);
    case 'sigmoid': return e.op('Sigmoid', [x]);
    case 'softplus': return softplus(e, x, options.beta ?? 1, options.threshold ?? 20, type);
    default: throw new Error(`exportOnnx: internal error: unknown activation '${name}'`);
  }
}

function activationWith(name: string, options: (args: unknown[]) => Parameters<typeof activation>[4]): OpEmitter {
  return (e, args, out) => {
    const o = out as Tensor;
    e.bind(o, activation(e, name, e.value(tensorArg(args[0], 'the input', name), o.dtype), o.dtype, options(args)));
  };
}

/** An op whose result is its input under another shape: Reshape to the result's (static) shape. */
const reshapeTo: OpEmitter = (e, args, out) => {
  const o = out as Tensor;
  const x = tensorArg(args[0], 'the input', 'reshape');
  e.bind(o, o.ndim === x.ndim && o.shape.every((d, i) => d === x.shape[i]) ? e.value(x) : e.reshape(e.value(x), o.shape));
};

const identity: OpEmitter = (e, args, out) => e.bind(out as Tensor, e.value(tensorArg(args[0], 'the input', 'identity')));

const castTo: OpEmitter = (e, args, out) => {
  const o = out as Tensor;
  e.bind(o, e.value(tensorArg(args[0], 'the input', 'cast'), o.dtype));
};

const permute = (e: Emit, x: Tensor, perm: readonly number[], out: Tensor) => e.bind(out, e.transpose(e.value(x), perm));

// Reductions: dims as descent resolves them; bools and ints sum in int32, as descent.
function reduction(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd'): OpEmitter {
  return (e, args, out) => {
    const x = tensorArg(args[0], 'the input', op);
    const o = out as Tensor;
    const dims = normalizeDims(args[1] as number | number[] | undefined, x.ndim);
    e.bind(o, e.reduce(op, e.value(x, o.dtype), dims, Boolean(args[2])));
  };
}

// any / all: bool reductions as max / min over 0/1.
function boolReduction(op: 'ReduceMax' | 'ReduceMin'): OpEmitter {
  return (e, args, out) => {
    const x = tensorArg(args[0], 'the input', op);
    const dims = normalizeDims(args[1] as number | number[] | undefined, x.ndim);
    const asInt = e.cast(e.value(x, 'bool'), 'int32');
    e.bind(out as Tensor, e.cast(e.reduce(op, asInt, dims, Boolean(args[2])), 'bool'));
  };
}

// max(x) / min(x): the value; max(x, dim) / min(x, dim): values and indices (int32).
function extremum(op: 'Max' | 'Min'): OpEmitter {
  return (e, args, out) => {
    const x = tensorArg(args[0], 'the input', op.toLowerCase());
    if (out instanceof Tensor) return e.bind(out, e.reduce(`Reduce${op}`, e.value(x), normalizeDims(undefined, x.ndim), false));
    const { values, indices } = out as { values: Tensor; indices: Tensor };
    const dim = normalizeDim(args[1] as number, x.ndim);
    const keepdim = Boolean(args[2]);
    e.bind(values, e.reduce(`Reduce${op}`, e.value(x), [dim], keepdim));
    e.bind(indices, e.cast(e.op(op === 'Max' ? 'ArgMax' : 'ArgMin', [e.value(x)], { axis: attr.int(dim), keepdims: attr.int(keepdim) }), 'int32'));
  };
}

function argExtremum(op: 'ArgMax' | 'ArgMin'): OpEmitter {
  return (e, args, out) => {
    const x = tensorArg(args[0], 'the input', op);
    const flat = args[1] === undefined;
    const input = flat ? e.reshape(e.value(x), [x.numel]) : e.value(x);
    const axis = flat ? 0 : normalizeDim(args[1] as number, x.ndim);
    e.bind(out as Tensor, e.cast(e.op(op, [input], { axis: attr.int(axis), keepdims: attr.int(!flat && Boolean(args[2])) }), 'int32'));
  };
}

// sum((x - mean)^2) / (n - correction) over dims.
function varianceOf(e: Emit, x: Tensor, dimsArg: unknown, unbiased: boolean, keepdim: boolean): string {
  const dims = normalizeDims(dimsArg as number | number[] | undefined, x.ndim);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  const v = e.value(x);
  const centered = e.op('Sub', [v, e.reduce('ReduceMean', v, dims, true)]);
  const sum = e.reduce('ReduceSum', e.op('Mul', [centered, centered]), dims, keepdim);
  return e.op('Div', [sum, e.scalar(Math.max(0, count - (unbiased ? 1 : 0)), x.dtype)]);
}

function splitInto(e: Emit, x: Tensor, dim: number, pieces: Tensor[]): void {
  const outputs = e.opN('Split', [e.value(x), e.ints(pieces.map((p) => p.shape[dim]))], pieces.length, { axis: attr.int(dim) });
  pieces.forEach((p, i) => e.bind(p, outputs[i]));
}

/** Pad for descent's padding list ([left, right] of the last dim first); negative amounts crop. */
export function padValue(e: Emit, x: string, ndim: number, padding: readonly number[], mode: string, value?: string): string {
  const begins = new Array(ndim).fill(0);
  const ends = new Array(ndim).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    begins[ndim - 1 - i] = padding[2 * i];
    ends[ndim - 1 - i] = padding[2 * i + 1];
  }
  const inputs = [x, e.ints([...begins, ...ends])];
  if (value !== undefined) inputs.push(value);
  return e.op('Pad', inputs, { mode: attr.string(mode) });
}

// Circular padding by slices and concatenation (Pad's 'wrap' mode needs opset 19).
function circularPad(e: Emit, x: string, shape: readonly number[], padding: readonly number[]): string {
  let out = x;
  for (let i = 0; i < padding.length / 2; i++) {
    const axis = shape.length - 1 - i;
    const [left, right] = [padding[2 * i], padding[2 * i + 1]];
    const size = shape[axis];
    const parts = [];
    if (left > 0) parts.push(e.slice(out, [size - left], [size], [axis]));
    parts.push(out);
    if (right > 0) parts.push(e.slice(out, [0], [right], [axis]));
    if (parts.length > 1) out = e.op('Concat', parts, { axis: attr.int(axis) });
  }
  return out;
}

/** F.pad's modes as ONNX Pad modes. */
export function padMode(e: Emit, x: string, shape: readonly number[], padding: readonly number[], mode: string, value = 0, type: DType = 'float32'): string {
  if (mode === 'constant') return padValue(e, x, shape.length, padding, 'constant', e.scalar(value, type));
  if (mode === 'circular') return e.opset >= 19 ? padValue(e, x, shape.length, padding, 'wrap') : circularPad(e, x, shape, padding);
  return padValue(e, x, shape.length, padding, mode === 'replicate' ? 'edge' : 'reflect');
}

const MIN_INT64 = -(2 ** 63);

export const OPS: Record<string, OpEmitter> = {
  add: addLike('Add'),
  sub: addLike('Sub'),
  mul: (e, args, out) => ((out as Tensor).dtype === 'bool' ? logical('And')(e, args, out) : arithmetic('Mul')(e, args, out)),
  div: arithmetic('Div'),
  pow: arithmetic('Pow'),
  maximum: arithmetic('Max'),
  minimum: arithmetic('Min'),
  fmod: (e, args, out) => e.bind(out as Tensor, e.op('Mod', operands(e, args, (out as Tensor).dtype), { fmod: attr.int(1) })),
  remainder: (e, args, out) => floorDivision(e, args, out as Tensor, true),
  floorDivide: (e, args, out) => floorDivision(e, args, out as Tensor, false),
  eq: comparison('Equal'),
  ne: comparison('Equal', true),
  lt: comparison('Less'),
  le: comparison('LessOrEqual'),
  gt: comparison('Greater'),
  ge: comparison('GreaterOrEqual'),
  logicalAnd: logical('And'),
  logicalOr: logical('Or'),
  logicalXor: logical('Xor'),
  logicalNot: (e, args, out) => e.bind(out as Tensor, e.op('Not', [e.value(tensorArg(args[0], 'the input', 'logicalNot'), 'bool')])),
  isnan: (e, args, out) => e.bind(out as Tensor, e.op('IsNaN', [e.value(tensorArg(args[0], 'the input', 'isnan'), floatTypeOf(args[0] as Tensor))])),
  isinf: (e, args, out) => e.bind(out as Tensor, e.op('IsInf', [e.value(tensorArg(args[0], 'the input', 'isinf'), floatTypeOf(args[0] as Tensor))])),
  isfinite: (e, args, out) => {
    const x = e.value(tensorArg(args[0], 'the input', 'isfinite'), floatTypeOf(args[0] as Tensor));
    e.bind(out as Tensor, e.op('Not', [e.op('Or', [e.op('IsNaN', [x]), e.op('IsInf', [x])])]));
  },
  where: (e, args, out) => {
    const o = out as Tensor;
    const cond = e.value(tensorArg(args[0], 'the condition', 'where'), 'bool');
    e.bind(o, e.op('Where', [cond, e.value(args[1] as Tensor | number, o.dtype), e.value(args[2] as Tensor | number, o.dtype)]));
  },
  maskedFill: (e, args, out) => {
    const o = out as Tensor;
    e.bind(o, e.op('Where', [e.value(args[1] as Tensor, 'bool'), e.value(args[2] as Tensor | number, o.dtype), e.value(args[0] as Tensor, o.dtype)]));
  },
  clamp: (e, args, out) => {
    const o = out as Tensor;
    let y = e.value(tensorArg(args[0], 'the input', 'clamp'), o.dtype);
    if (args[1] != null) y = e.op('Max', [y, e.value(args[1] as Tensor | number, o.dtype)]);
    if (args[2] != null) y = e.op('Min', [y, e.value(args[2] as Tensor | number, o.dtype)]);
    e.bind(o, y);
  },
  neg: simple('Neg'),
  abs: simple('Abs'),
  sign: simple('Sign'),
  exp: simple('Exp'),
  expm1: unary((e, x, o) => e.op('Sub', [e.op('Exp', [x]), e.scalar(1, o.dtype)])),
  log: simple('Log'),
  log1p: unary((e, x, o) => e.op('Log', [e.op('Add', [x, e.scalar(1, o.dtype)])])),
  log2: unary((e, x, o) => e.op('Div', [e.op('Log', [x]), e.scalar(Math.LN2, o.dtype)])),
  log10: unary((e, x, o) => e.op('Div', [e.op('Log', [x]), e.scalar(Math.LN10, o.dtype)])),
  sqrt: simple('Sqrt'),
  rsqrt: unary((e, x) => e.op('Reciprocal', [e.op('Sqrt', [x])])),
  reciprocal: simple('Reciprocal'),
  square: unary((e, x) => e.op('Mul', [x, x])),
  sin: simple('Sin'),
  cos: simple('Cos'),
  tan: simple('Tan'),
  asin: simple('Asin'),
  acos: simple('Acos'),
  atan: simple('Atan'),
  sinh: simple('Sinh'),
  cosh: simple('Cosh'),
  tanh: simple('Tanh'),
  sigmoid: simple('Sigmoid'),
  erf: simple('Erf'),
  floor: simple('Floor'),
  ceil: simple('Ceil'),
  round: simple('Round'),
  trunc: unary((e, x, o) => e.op('Where', [e.op('Less', [x, e.scalar(0, o.dtype)]), e.op('Ceil', [x]), e.op('Floor', [x])])),
  relu: activationWith('relu', () => ({})),
  leakyRelu: activationWith('leakyRelu', (a) => ({ slope: a[1] as number | undefined })),
  elu: activationWith('elu', (a) => ({ alpha: a[1] as number | undefined })),
  gelu: activationWith('gelu', (a) => ({ approximate: a[1] as string | undefined })),
  silu: activationWith('silu', () => ({})),
  softplus: activationWith('softplus', (a) => ({ beta: a[1] as number | undefined, threshold: a[2] as number | undefined })),
  softmax: (e, args, out) => e.bind(out as Tensor, e.op('Softmax', [e.value(args[0] as Tensor)], { axis: attr.int(args[1] as number) })),
  logSoftmax: (e, args, out) => e.bind(out as Tensor, e.op('LogSoftmax', [e.value(args[0] as Tensor)], { axis: attr.int(args[1] as number) })),
  cast: castTo,
  clone: identity,
  detach: identity,
  contiguous: identity,

  sum: reduction('ReduceSum'),
  mean: reduction('ReduceMean'),
  prod: reduction('ReduceProd'),
  amax: reduction('ReduceMax'),
  amin: reduction('ReduceMin'),
  max: extremum('Max'),
  min: extremum('Min'),
  argmax: argExtremum('ArgMax'),
  argmin: argExtremum('ArgMin'),
  any: boolReduction('ReduceMax'),
  all: boolReduction('ReduceMin'),
  variance: (e, args, out) => e.bind(out as Tensor, varianceOf(e, args[0] as Tensor, args[1], args[2] !== false, Boolean(args[3]))),
  std: (e, args, out) => e.bind(out as Tensor, e.op('Sqrt', [varianceOf(e, args[0] as Tensor, args[1], args[2] !== false, Boolean(args[3]))])),
  logsumexp: (e, args, out) => {
    const x = args[0] as Tensor;
    const dims = normalizeDims(args[1] as number | number[], x.ndim);
    const v = e.value(x);
    const m = e.reduce('ReduceMax', v, dims, true);
    const shift = e.op('Where', [e.op('IsInf', [m]), e.scalar(0, x.dtype), m]);
    let y = e.op('Add', [e.op('Log', [e.reduce('ReduceSum', e.op('Exp', [e.op('Sub', [v, shift])]), dims, true)]), shift]);
    if (!args[2]) y = e.squeeze(y, dims);
    e.bind(out as Tensor, y);
  },
  norm: (e, args, out) => {
    const x = args[0] as Tensor;
    const p = (args[1] as number | 'fro' | undefined) ?? 2;
    const dims = normalizeDims(args[2] as number | number[] | undefined, x.ndim);
    const keep = Boolean(args[3]);
    const v = e.value(x);
    let y: string;
    if (p === 2 || p === 'fro') y = e.reduce('ReduceL2', v, dims, keep);
    else if (p === 1) y = e.reduce('ReduceL1', v, dims, keep);
    else if (p === Infinity) y = e.reduce('ReduceMax', e.op('Abs', [v]), dims, keep);
    else if (p === -Infinity) y = e.reduce('ReduceMin', e.op('Abs', [v]), dims, keep);
    else if (p === 0) y = e.reduce('ReduceSum', e.cast(e.op('Not', [e.op('Equal', [v, e.scalar(0, x.dtype)])]), x.dtype), dims, keep);
    else {
      const powered = e.op('Pow', [e.op('Abs', [v]), e.scalar(p, x.dtype)]);
      y = e.op('Pow', [e.reduce('ReduceSum', powered, dims, keep), e.scalar(1 / p, x.dtype)]);
    }
    e.bind(out as Tensor, y);
  },

  reshape: reshapeTo,
  view: reshapeTo,
  flatten: reshapeTo,
  unflatten: reshapeTo,
  squeeze: reshapeTo,
  unsqueeze: reshapeTo,
  expand: (e, args, out) => e.bind(out as Tensor, e.op('Expand', [e.value(args[0] as Tensor), e.ints((out as Tensor).shape)])),
  broadcastTo: (e, args, out) => e.bind(out as Tensor, e.op('Expand', [e.value(args[0] as Tensor), e.ints((out as Tensor).shape)])),
  expandAs: (e, args, out) => e.bind(out as Tensor, e.op('Expand', [e.value(args[0] as Tensor), e.ints((out as Tensor).shape)])),
  broadcastTensors: (e, args, out) => (out as Tensor[]).forEach((o, i) => e.bind(o, e.op('Expand', [e.value(args[i] as Tensor), e.ints(o.shape)]))),
  permute: (e, args, out) => {
    const x = args[0] as Tensor;
    permute(e, x, (args[1] as number[]).map((d) => normalizeDim(d, x.ndim)), out as Tensor);
  },
  transpose: (e, args, out) => {
    const x = args[0] as Tensor;
    const perm = Array.from({ length: x.ndim }, (_, i) => i);
    const [a, b] = [normalizeDim(args[1] as number, x.ndim), normalizeDim(args[2] as number, x.ndim)];
    [perm[a], perm[b]] = [perm[b], perm[a]];
    permute(e, x, perm, out as Tensor);
  },
  t: (e, args, out) => {
    const x = args[0] as Tensor;
    permute(e, x, Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i), out as Tensor);
  },
  slice: (e, args, out) => {
    const [x, dim, start = 0, , step = 1] = args as [Tensor, number, number?, number?, number?];
    const d = normalizeDim(dim, x.ndim);
    const size = x.shape[d];
    const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
    const s = clampIndex(start);
    const length = (out as Tensor).shape[d];
    e.bind(out as Tensor, e.slice(e.value(x), [s], [length === 0 ? s : s + (length - 1) * step + 1], [d], [step]));
  },
  narrow: (e, args, out) => {
    const [x, dim, start, length] = args as [Tensor, number, number, number];
    const d = normalizeDim(dim, x.ndim);
    const s = start < 0 ? start + x.shape[d] : start;
    e.bind(out as Tensor, e.slice(e.value(x), [s], [s + length], [d]));
  },
  select: (e, args, out) => {
    const [x, dim, index] = args as [Tensor, number, number];
    const d = normalizeDim(dim, x.ndim);
    const i = index < 0 ? index + x.shape[d] : index;
    e.bind(out as Tensor, e.op('Gather', [e.value(x), e.scalar(i, 'int64')], { axis: attr.int(d) }));
  },
  cat: (e, args, out) => {
    const o = out as Tensor;
    const parts = (args[0] as Tensor[]).filter((x) => !(x.ndim === 1 && x.numel === 0));
    if (parts.length === 1) return e.bind(o, e.value(parts[0], o.dtype));
    e.bind(o, e.op('Concat', parts.map((p) => e.value(p, o.dtype)), { axis: attr.int(normalizeDim((args[1] as number | undefined) ?? 0, o.ndim)) }));
  },
  stack: (e, args, out) => {
    const o = out as Tensor;
    const d = normalizeDim((args[1] as number | undefined) ?? 0, o.ndim);
    const parts = (args[0] as Tensor[]).map((p) => e.unsqueeze(e.value(p, o.dtype), [d]));
    e.bind(o, parts.length === 1 ? parts[0] : e.op('Concat', parts, { axis: attr.int(d) }));
  },
  split: (e, args, out) => splitInto(e, args[0] as Tensor, normalizeDim((args[2] as number | undefined) ?? 0, (args[0] as Tensor).ndim), out as Tensor[]),
  chunk: (e, args, out) => splitInto(e, args[0] as Tensor, normalizeDim((args[2] as number | undefined) ?? 0, (args[0] as Tensor).ndim), out as Tensor[]),
  pad: (e, args, out) => {
    const x = args[0] as Tensor;
    e.bind(out as Tensor, padValue(e, e.value(x), x.ndim, args[1] as number[], 'constant', e.scalar((args[3] as number | undefined) ?? 0, x.dtype)));
  },
  'F.pad': (e, args, out) => {
    const x = args[0] as Tensor;
    e.bind(out as Tensor, padMode(e, e.value(x), x.shape, args[1] as number[], (args[2] as string | undefined) ?? 'constant', (args[3] as number | undefined) ?? 0, x.dtype));
  },
  repeat: (e, args, out) => {
    const x = args[0] as Tensor;
    const repeats = args[1] as number[];
    const shape = [...new Array(repeats.length - x.ndim).fill(1), ...x.shape];
    e.bind(out as Tensor, e.op('Tile', [e.reshape(e.value(x), shape), e.ints(repeats)]));
  },
  tril: triangle(true),
  triu: triangle(false),
  flip: (e, args, out) => {
    const x = args[0] as Tensor;
    const dims = [...new Set((typeof args[1] === 'number' ? [args[1]] : args[1] as number[]).map((d) => normalizeDim(d, x.ndim)))];
    if (x.ndim === 0 || dims.length === 0) return e.bind(out as Tensor, e.value(x));
    e.bind(out as Tensor, e.slice(e.value(x), dims.map(() => -1), dims.map(() => MIN_INT64), dims, dims.map(() => -1)));
  },
  indexSelect: (e, args, out) => {
    const x = args[0] as Tensor;
    e.bind(out as Tensor, e.op('Gather', [e.value(x), e.value(args[2] as Tensor)], { axis: attr.int(normalizeDim(args[1] as number, x.ndim)) }));
  },
  gather: (e, args, out) => {
    const x = args[0] as Tensor;
    e.bind(out as Tensor, e.op('GatherElements', [e.value(x), e.value(args[2] as Tensor)], { axis: attr.int(normalizeDim(args[1] as number, x.ndim)) }));
  },
  scatterAdd: (e, args, out) => {
    const x = args[0] as Tensor;
    const inputs = [e.value(x), e.value(args[2] as Tensor), e.value(args[3] as Tensor, x.dtype)];
    e.bind(out as Tensor, e.op('ScatterElements', inputs, { axis: attr.int(normalizeDim(args[1] as number, x.ndim)), reduction: attr.string('add') }));
  },
  oneHot: (e, args, out) => {
    // labels[..., None] == arange(numClasses), as descent computes it (ONNX Runtime's OneHot lacks int32 kernels)
    const o = out as Tensor;
    const n = o.shape[o.ndim - 1];
    const classes = e.constant(Array.from({ length: n }, (_, i) => i), [n], 'int32');
    e.bind(o, e.cast(e.op('Equal', [e.unsqueeze(e.value(args[0] as Tensor), [-1]), classes]), 'int32'));
  },
  matmul: arithmetic('MatMul'),
  mm: arithmetic('MatMul'),
  bmmOp: arithmetic('MatMul'),
  dot: arithmetic('MatMul'),
  outer: (e, args, out) => {
    const [a, b] = operands(e, args, (out as Tensor).dtype);
    e.bind(out as Tensor, e.op('Mul', [e.unsqueeze(a, [1]), e.unsqueeze(b, [0])]));
  },
  addmm: (e, args, out) => {
    const o = out as Tensor;
    const { beta = 1, alpha = 1 } = (args[3] as { beta?: number; alpha?: number } | undefined) ?? {};
    const [input, m1, m2] = (args as Tensor[]).slice(0, 3).map((t) => e.value(t, o.dtype));
    e.bind(o, e.op('Gemm', [m1, m2, input], { alpha: attr.float(alpha), beta: attr.float(beta) }));
  },
  baddbmm: (e, args, out) => {
    const o = out as Tensor;
    const { beta = 1, alpha = 1 } = (args[3] as { beta?: number; alpha?: number } | undefined) ?? {};
    const [input, b1, b2] = (args as Tensor[]).slice(0, 3).map((t) => e.value(t, o.dtype));
    const product = e.op('Mul', [e.op('MatMul', [b1, b2]), e.scalar(alpha, o.dtype)]);
    e.bind(o, e.op('Add', [e.op('Mul', [input, e.scalar(beta, o.dtype)]), product]));
  },
  topk: (e, args, out) => {
    const [x, k, dim = -1, largest = true] = args as [Tensor, number, number?, boolean?];
    const { values, indices } = out as { values: Tensor; indices: Tensor };
    const [v, i] = e.opN('TopK', [e.value(x), e.ints([k])], 2, { axis: attr.int(normalizeDim(dim, x.ndim)), largest: attr.int(largest), sorted: attr.int(1) });
    e.bind(values, v);
    e.bind(indices, e.cast(i, 'int32'));
  },
  sort: (e, args, out) => {
    const [x, dim = -1, descending = false] = args as [Tensor, number?, boolean?];
    const { values, indices } = out as { values: Tensor; indices: Tensor };
    const [v, i] = sortValues(e, x, dim, descending);
    e.bind(values, v);
    e.bind(indices, i);
  },
  argsort: (e, args, out) => {
    const [x, dim = -1, descending = false] = args as [Tensor, number?, boolean?];
    e.bind(out as Tensor, sortValues(e, x, dim, descending)[1]);
  },
  cumsum: (e, args, out) => {
    const x = args[0] as Tensor;
    const o = out as Tensor;
    e.bind(o, e.op('CumSum', [e.value(x, o.dtype), e.scalar(normalizeDim(args[1] as number, x.ndim), 'int64')]));
  },
  // results that depend on the input's shape only (static here), not its values
  zerosLike: constantResult,
  onesLike: constantResult,
  fullLike: constantResult,
};

// A sort as a TopK over the whole dim; indices as int32.
function sortValues(e: Emit, x: Tensor, dim: number, descending: boolean): [string, string] {
  const d = normalizeDim(dim, x.ndim);
  const [v, i] = e.opN('TopK', [e.value(x), e.ints([x.shape[d]])], 2, { axis: attr.int(d), largest: attr.int(descending), sorted: attr.int(1) });
  return [v, e.cast(i, 'int32')];
}

function constantResult(): void {
  // nothing to emit: the tracer keeps the result as a constant (see trace.ts)
}

// tril / triu as a Where with a constant mask: works for every dtype (Trilu does not take bools everywhere).
function triangle(lower: boolean): OpEmitter {
  return (e, args, out) => {
    const x = args[0] as Tensor;
    const diagonal = (args[1] as number | undefined) ?? 0;
    const [rows, cols] = x.shape.slice(-2);
    const mask = new Uint8Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = (lower ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
    e.bind(out as Tensor, e.op('Where', [e.constant(mask, [rows, cols], 'bool'), e.value(x), e.scalar(0, x.dtype)]));
  };
}
