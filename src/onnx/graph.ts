/// <reference types="long" />
// An ONNX graph under construction, and its encoding as a ModelProto with protobufjs (through the onnx-proto
// package's generated definitions: no protobuf is written by hand here).
import onnxProto from 'onnx-proto';
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

const { onnx } = onnxProto;

/** The element types a graph holds: descent's dtypes, and int64 for the shapes and indices ONNX ops take. */
export type OnnxType = DType | 'int64';

/** TensorProto.DataType of each element type (what Cast's `to` takes). */
export const TYPE_CODES: Record<OnnxType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** An attribute value; numbers are ints or floats by how they are declared (see `attr`), as ONNX requires. */
export type Attr =
  | { int: number } | { float: number } | { string: string }
  | { ints: readonly number[] } | { floats: readonly number[] } | { strings: readonly string[] };

/** Attribute helpers: `attr.int(1)`, `attr.float(0.5)`, ... */
export const attr = {
  int: (value: number | boolean): Attr => ({ int: Number(value) }),
  float: (value: number): Attr => ({ float: value }),
  string: (value: string): Attr => ({ string: value }),
  ints: (values: readonly number[]): Attr => ({ ints: values }),
  floats: (values: readonly number[]): Attr => ({ floats: values }),
  strings: (values: readonly string[]): Attr => ({ strings: values }),
};

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
  name: string;
}

interface Initializer {
  name: string;
  type: OnnxType;
  shape: number[];
  bytes: Uint8Array;
}

interface GraphValue {
  name: string;
  type: OnnxType;
  shape: readonly number[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Little-endian bytes of the elements, as TensorProto.raw_data holds them.
function rawBytes(values: ArrayLike<number> | TypedArray, type: OnnxType): Uint8Array {
  const n = values.length;
  if (type === 'int64') {
    const out = new Uint8Array(8 * n);
    const view = new DataView(out.buffer);
    for (let i = 0; i < n; i++) view.setBigInt64(8 * i, BigInt(values[i]), true);
    return out;
  }
  if (type === 'bool') return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  const Array_ = type === 'float32' ? Float32Array : type === 'float64' ? Float64Array : Int32Array;
  const typed = values instanceof Array_ ? values : Array_.from(values as ArrayLike<number>);
  if (LITTLE_ENDIAN) return new Uint8Array(typed.buffer.slice(typed.byteOffset, typed.byteOffset + typed.byteLength));
  const out = new Uint8Array(typed.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    if (type === 'float32') view.setFloat32(4 * i, typed[i], true);
    else if (type === 'float64') view.setFloat64(8 * i, typed[i], true);
    else view.setInt32(4 * i, typed[i], true);
  }
  return out;
}

/**
 * A graph being built: nodes in order, initializers (weights and constants), inputs and outputs. Value names
 * are made unique here; `op` returns the name of a node's output.
 */
export class Graph {
  private readonly nodes: Node[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: GraphValue[] = [];
  private readonly outputs: GraphValue[] = [];
  private readonly used = new Set<string>();
  private readonly tensorNames = new Map<Tensor, string>();
  private readonly constantNames = new Map<string, string>();
  private counter = 0;
  /** A label for the nodes being emitted (the module path), to make node names readable. */
  scope = '';

  constructor(readonly opset: number) {}

  /** `hint`, or `hint_1`, `hint_2`, ... : a value name not used yet. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  op(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}): string {
    return this.opN(op, inputs, 1, attrs)[0];
  }

  /** Adds a node with `count` outputs; returns their names. Empty input names stand for omitted optional inputs. */
  opN(op: string, inputs: readonly string[], count: number, attrs: Record<string, Attr> = {}): string[] {
    const base = `${this.scope ? `${this.scope}/` : ''}${op}`;
    const outputs = Array.from({ length: count }, (_, i) => this.fresh(`${base}_output_${i}`));
    this.nodes.push({ op, inputs: [...inputs], outputs, attrs, name: this.fresh(base) });
    return outputs;
  }

  /** An initializer holding a tensor's current values (read now), named `name`; one per tensor. */
  tensor(t: Tensor, name = 'const'): string {
    const known = this.tensorNames.get(t);
    if (known !== undefined) return known;
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, type: t.dtype, shape: [...t.shape], bytes: rawBytes(t.dataSync(), t.dtype) });
    this.tensorNames.set(t, unique);
    return unique;
  }

  /** A constant initializer from values (shared between uses of the same values). */
  constant(values: ArrayLike<number> | TypedArray, shape: readonly number[], type: OnnxType, hint = 'const'): string {
    const key = `${type}|${shape.join(',')}|${Array.from(values as ArrayLike<number>).join(',')}`;
    const short = key.length < 4096;
    const known = short ? this.constantNames.get(key) : undefined;
    if (known !== undefined) return known;
    const name = this.fresh(hint);
    this.initializers.push({ name, type, shape: [...shape], bytes: rawBytes(values, type) });
    if (short) this.constantNames.set(key, name);
    return name;
  }

  /** A 1-d int64 constant (shapes, axes, pads, starts and ends of slices). */
  int64s(values: readonly number[]): string {
    return this.constant(values, [values.length], 'int64', 'ints');
  }

  /** A 0-d constant. */
  scalar(value: number, type: OnnxType): string {
    return this.constant([value], [], type, 'scalar');
  }

  addInput(name: string, type: OnnxType, shape: readonly number[]): void {
    if (this.used.has(name)) throw new Error(`exportOnnx: input name '${name}' is used twice`);
    this.used.add(name);
    this.inputs.push({ name, type, shape });
  }

  /**
   * Makes `value` a graph output called `name`: the node that made it is renamed when it can be, else an
   * Identity node (for inputs, initializers, and values given twice).
   */
  addOutput(value: string, name: string, type: OnnxType, shape: readonly number[]): void {
    if (this.outputs.some((o) => o.name === name) || (this.used.has(name) && name !== value)) throw new Error(`exportOnnx: output name '${name}' is used twice`);
    const producer = this.nodes.find((n) => n.outputs.includes(value));
    const isOutput = this.outputs.some((o) => o.name === value);
    if (producer && !isOutput && name !== value) {
      producer.outputs[producer.outputs.indexOf(value)] = name;
      for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === value ? name : i));
    } else if (name !== value || isOutput) {
      this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], attrs: {}, name: this.fresh(`${name}/Identity`) });
    }
    this.used.add(name);
    this.outputs.push({ name, type, shape });
  }

  /** The graph as an ONNX model: ModelProto bytes. */
  encode(meta: { irVersion: number; producerVersion: string; graphName: string; docString?: string }): Uint8Array {
    const valueInfo = (v: GraphValue) => ({
      name: v.name,
      type: { tensorType: { elemType: TYPE_CODES[v.type], shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
    });
    const attribute = (name: string, a: Attr) => {
      const T = onnx.AttributeProto.AttributeType;
      if ('int' in a) return { name, type: T.INT, i: a.int };
      if ('float' in a) return { name, type: T.FLOAT, f: a.float };
      if ('string' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.string) };
      if ('ints' in a) return { name, type: T.INTS, ints: [...a.ints] };
      if ('floats' in a) return { name, type: T.FLOATS, floats: [...a.floats] };
      return { name, type: T.STRINGS, strings: a.strings.map((s) => new TextEncoder().encode(s)) };
    };
    const model = onnx.ModelProto.create({
      irVersion: meta.irVersion,
      producerName: 'descent',
      producerVersion: meta.producerVersion,
      docString: meta.docString ?? '',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: meta.graphName,
        node: this.nodes.map((n) => ({
          opType: n.op, name: n.name, input: n.inputs, output: n.outputs,
          attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
        })),
        initializer: this.initializers.map((t) => ({ name: t.name, dataType: TYPE_CODES[t.type], dims: t.shape, rawData: t.bytes })),
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
