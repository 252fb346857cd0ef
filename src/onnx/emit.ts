// What an emitter (onnx/ops.ts, onnx/layers.ts, ...) works with: the graph, the names of traced values, and
// helpers for the patterns every emitter needs (casts, constants, reductions whose signature changed in opset 18).
import { Tensor } from '../tensor/tensor.js';
import { isFloating } from '../tensor/dtype.js';
import { type Attr, type Graph, type OnnxType, TYPE_CODES, attr } from './graph.js';

/** How the tracer names tensors: symbolic values (computed from the inputs) by name, others as constants. */
export interface ValueNames {
  /** The name of a traced value, or the constant holding a tensor's current values. */
  nameOf(t: Tensor): string;
  /** Records that `t` holds the value `name` (an op's output). */
  bind(t: Tensor, name: string): void;
}

export class Emit {
  constructor(readonly g: Graph, private readonly names: ValueNames) {}

  get opset(): number {
    return this.g.opset;
  }

  op(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}): string {
    return this.g.op(op, inputs, attrs);
  }

  opN(op: string, inputs: readonly string[], count: number, attrs: Record<string, Attr> = {}): string[] {
    return this.g.opN(op, inputs, count, attrs);
  }

  /** The value of a tensor (traced or constant), or a number as a 0-d constant of `type`. */
  value(x: Tensor | number | boolean, type?: OnnxType): string {
    if (x instanceof Tensor) return type === undefined || type === x.dtype ? this.names.nameOf(x) : this.cast(this.names.nameOf(x), type);
    if (type === undefined) throw new Error('exportOnnx: internal error: a number operand needs a type');
    return this.g.scalar(Number(x), type);
  }

  cast(name: string, to: OnnxType): string {
    return this.op('Cast', [name], { to: attr.int(TYPE_CODES[to]) });
  }

  bind(t: Tensor, name: string): void {
    this.names.bind(t, name);
  }

  ints(values: readonly number[]): string {
    return this.g.int64s(values);
  }

  scalar(value: number, type: OnnxType): string {
    return this.g.scalar(value, type);
  }

  constant(values: ArrayLike<number>, shape: readonly number[], type: OnnxType): string {
    return this.g.constant(values, shape, type);
  }

  /** A reduction over `axes` (ReduceSum takes them as an input since opset 13, the others since opset 18). */
  reduce(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd' | 'ReduceL1' | 'ReduceL2', x: string, axes: readonly number[], keepdims: boolean): string {
    if (op === 'ReduceSum' || this.opset >= 18) return this.op(op, [x, this.ints(axes)], { keepdims: attr.int(keepdims) });
    return this.op(op, [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims) });
  }

  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.ints(shape)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], { perm: attr.ints(perm) });
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.ints(axes)]);
  }

  squeeze(x: string, axes: readonly number[]): string {
    return this.op('Squeeze', [x, this.ints(axes)]);
  }

  /** x[start:end:step] along each listed axis. */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): string {
    const inputs = [x, this.ints(starts), this.ints(ends), this.ints(axes)];
    if (steps) inputs.push(this.ints(steps));
    return this.op('Slice', inputs);
  }

  /** y = x Wᵀ (+ b) over the last dim, for a weight [out, in] (Gemm for 2-d x, MatMul otherwise). */
  linear(x: string, xRank: number, weight: string, bias: string | null): string {
    if (xRank === 2) return this.op('Gemm', bias ? [x, weight, bias] : [x, weight], { transB: attr.int(1) });
    const y = this.op('MatMul', [x, this.transpose(weight, [1, 0])]);
    return bias ? this.op('Add', [y, bias]) : y;
  }
}

/** The ONNX type of a descent dtype's values after an op that computes in floating point. */
export function floatTypeOf(t: Tensor): OnnxType {
  return isFloating(t.dtype) ? t.dtype : 'float32';
}

/** Every tensor inside an argument list (arrays and plain objects, such as options, searched too). */
export function tensorsIn(value: unknown, out: Tensor[] = [], seen = new Set<object>()): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) tensorsIn(v, out, seen);
  }
  return out;
}
