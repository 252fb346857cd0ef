// The tracer: runs a model's forward pass once on example inputs and records it as an ONNX graph. The library's
// layers are leaves, emitted whole (onnx/layers.ts); between them, the public ops the forward calls (functions
// wrapped in ops/trace.ts, Tensor methods swapped in while the trace runs) are emitted one by one (onnx/ops.ts).
// A value computed from the inputs by anything the tracer did not see is an error, never a silent constant.
import { Tensor } from '../tensor/tensor.js';
import { isDType } from '../tensor/dtype.js';
import type { Storage } from '../tensor/storage.js';
import { formatShape } from '../tensor/shape.js';
import { enableGrad } from '../autograd/grad-mode.js';
import { type OpTracer, withTracer } from '../ops/trace.js';
import { Module } from '../nn/module.js';
import * as nn from '../nn/index.js';
import { PackedSequence } from '../nn/utils/rnn.js';
import type { Graph } from './graph.js';
import { Emit, type ValueNames, tensorsIn } from './emit.js';
import { OPS, type OpEmitter } from './ops.js';
import { FUNCTIONAL_OPS, LAYERS, type ModuleEmitter, moduleName } from './layers.js';
import { RECURRENT_LAYERS } from './rnn.js';
import { ATTENTION_LAYERS } from './attention.js';

const EMITTERS: Record<string, OpEmitter> = { ...OPS, ...FUNCTIONAL_OPS };
const MODULES = new Map<unknown, ModuleEmitter>([...LAYERS, ...RECURRENT_LAYERS, ...ATTENTION_LAYERS]);

// Ops whose results are random: a trace would freeze one draw into the graph.
const RANDOM = new Set(['rand', 'randn', 'randint', 'randperm', 'randLike', 'randnLike', 'randintLike', 'multinomial', 'bernoulli', 'uniform_', 'normal_']);

// Tensor methods that are not ops (left alone), and the reads of values (an error on a traced value).
const NOT_OPS = new Set(['constructor', 'requiresGrad_', 'viewAs', 'size', 'toString', 'registerHook', 'retainGrad', 'backward']);
const READS = new Set(['item', 'toArray', 'dataSync', 'data']);

const dimsArg = (rest: unknown[]): unknown[] => (rest.length === 1 && Array.isArray(rest[0]) ? [...rest[0]] : rest);

// A method call as its function form: x.where(c, y) is where(c, x, y), x.reshape(2, 3) is reshape(x, [2, 3]), ...
const METHOD_FORMS: Record<string, (x: Tensor, rest: unknown[]) => [string, unknown[]]> = {
  reshape: (x, r) => ['reshape', [x, dimsArg(r)]],
  view: (x, r) => ['reshape', [x, dimsArg(r)]],
  permute: (x, r) => ['permute', [x, dimsArg(r)]],
  expand: (x, r) => ['expand', [x, dimsArg(r)]],
  repeat: (x, r) => ['repeat', [x, dimsArg(r)]],
  where: (x, [condition, other]) => ['where', [condition, x, other]],
  to: (x, [target]) => (isDType(target as string) ? ['cast', [x, target]] : ['clone', [x]]),
  float: (x) => ['cast', [x, 'float32']],
  double: (x) => ['cast', [x, 'float64']],
  int: (x) => ['cast', [x, 'int32']],
  bool: (x) => ['cast', [x, 'bool']],
  bmm: (x, r) => ['bmmOp', [x, ...r]],
  var: (x, r) => ['variance', [x, ...r]],
  T: (x) => ['t', [x]],
};

/** The library's layer classes by their forward method: any of them that is not a leaf must be traced through. */
const THROUGH = new Set<unknown>([
  nn.Sequential.prototype.forward, nn.Residual.prototype.forward, nn.TransformerEncoderLayer.prototype.forward, nn.TransformerEncoder.prototype.forward,
  nn.TransformerDecoderLayer.prototype.forward, nn.TransformerDecoder.prototype.forward, nn.Transformer.prototype.forward,
]);
const LIBRARY = new Map<unknown, string>();
for (const [name, value] of Object.entries(nn)) {
  if (typeof value === 'function' && value.prototype instanceof Module) LIBRARY.set((value.prototype as Module).forward, name);
}

/** Records a model's forward pass into `graph`: values bound to names (the graph inputs first) are traced. */
export class Tracer implements OpTracer, ValueNames {
  private readonly names = new Map<Tensor, string>();
  private readonly storages = new Set<Storage>();
  private readonly constants = new Map<Tensor, boolean>();
  private readonly paramNames = new Map<Tensor, string>();
  private depth = 0;
  readonly emit: Emit;

  constructor(readonly graph: Graph, model: Module) {
    this.emit = new Emit(graph, this);
    for (const [key, t] of Object.entries(model.stateDict())) if (!this.paramNames.has(t)) this.paramNames.set(t, key);
  }

  // ---- ValueNames ----

  bind(t: Tensor, name: string): void {
    if (!(t instanceof Tensor)) throw new Error('exportOnnx: internal error: an emitter bound a value to something that is not a Tensor');
    this.names.set(t, name);
    this.storages.add(t.storage);
  }

  nameOf(t: Tensor): string {
    const name = this.names.get(t);
    if (name !== undefined) return name;
    this.checkConstant(t);
    return this.graph.tensor(t, this.paramNames.get(t) ?? 'const');
  }

  // A tensor the graph will hold as a constant must not be computed from the inputs.
  private checkConstant(t: Tensor): void {
    if (this.storages.has(t.storage)) {
      throw new Error(`exportOnnx: a tensor of shape ${formatShape(t.shape)} is a view of a traced value made by an op the exporter did not see; use the public ops (dt.* and Tensor methods) in forward`);
    }
    const op = this.untracedOp(t);
    if (op !== null) {
      throw new Error(`exportOnnx: a tensor of shape ${formatShape(t.shape)} was computed from the inputs by an op the exporter did not see (autograd node ${op}); ` +
        'call the library\'s layers as registered submodules and the public ops (dt.*, nn.functional.*, Tensor methods) in forward');
    }
  }

  // The autograd node that consumed a traced value on the way to `t`, if any (the inputs require grad while
  // tracing, so everything computed from them has a node).
  private untracedOp(t: Tensor): string | null {
    const seen = new Set<Tensor>();
    const stack: Tensor[] = [t];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x) || this.constants.get(x) === true) continue;
      seen.add(x);
      for (const input of x.gradFn?.inputs ?? []) {
        if (this.names.has(input)) return x.gradFn!.name;
        stack.push(input);
      }
    }
    return null;
  }

  // ---- OpTracer: every public op goes through here while the trace runs ----

  call(name: string, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    if (this.depth > 0) return fn(...args);
    const op = name.startsWith('F.') && !(name in EMITTERS) ? name.slice(2) : name;
    if (RANDOM.has(op)) throw new Error(`exportOnnx: ${name} in forward is random; a traced graph would hold one draw as a constant`);
    if (!tensorsIn(args).some((t) => this.names.has(t))) return this.constantCall(args, () => fn(...args));
    const emitter = EMITTERS[op];
    if (!emitter) throw new Error(`exportOnnx: the op '${name}' is not supported in an exported forward (it was called on a value computed from the inputs)`);
    const out = this.inside(() => fn(...args));
    emitter(this.emit, args, out);
    for (const t of tensorsIn(out)) {
      if (!this.names.has(t) && op !== 'zerosLike' && op !== 'onesLike' && op !== 'fullLike') {
        throw new Error(`exportOnnx: internal error: '${name}' left a result unnamed`);
      }
    }
    return out;
  }

  // An op (or layer) on constants only: its result is a constant too, once the operands are checked to be.
  private constantCall<T>(args: unknown[], run: () => T): T {
    for (const t of tensorsIn(args)) this.checkConstant(t);
    const out = run();
    for (const t of tensorsIn(out)) this.constants.set(t, true);
    return out;
  }

  private inside<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /** Runs `run` with Tensor methods and module forwards routed through the tracer, then puts them back. */
  trace<T>(model: Module, run: () => T): T {
    const restoreMethods = this.swapMethods();
    const restoreModules = this.routeModules(model);
    try {
      return withTracer(this, () => enableGrad(run));
    } finally {
      restoreModules();
      restoreMethods();
    }
  }

  private swapMethods(): () => void {
    const proto = Tensor.prototype as unknown as Record<string, unknown>;
    const saved: [string, PropertyDescriptor][] = [];
    const tracer = this;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (NOT_OPS.has(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(proto, key)!;
      if (typeof desc.value === 'function') {
        const original = desc.value as (...a: unknown[]) => unknown;
        saved.push([key, desc]);
        proto[key] = function (this: Tensor, ...rest: unknown[]) {
          return tracer.method(key, this, rest, () => original.apply(this, rest));
        };
      } else if (key === 'T' && desc.get) {
        const getter = desc.get;
        saved.push([key, desc]);
        Object.defineProperty(proto, key, { configurable: true, get(this: Tensor) { return tracer.method(key, this, [], () => getter.call(this)); } });
      }
    }
    return () => {
      for (const [key, desc] of saved) Object.defineProperty(proto, key, desc);
    };
  }

  private method(key: string, self: Tensor, rest: unknown[], run: () => unknown): unknown {
    if (this.depth > 0) return run();
    if (READS.has(key)) {
      if (this.names.has(self)) throw new Error(`exportOnnx: forward reads the values of a traced tensor (${key}()); an exported graph cannot depend on the input's values this way`);
      return run();
    }
    const [name, args] = (METHOD_FORMS[key] ?? ((x: Tensor, r: unknown[]) => [key, [x, ...r]]))(self, rest);
    return this.call(name, () => run(), args);
  }

  // Each module's forward, while the trace runs: a leaf layer is run (unwatched) and emitted whole; any other
  // module runs its own forward, watched.
  private routeModules(model: Module): () => void {
    const routed: Module[] = [];
    for (const [path, m] of model.namedModules()) {
      const original = m.forward;
      const emitter = MODULES.get(original);
      const library = LIBRARY.get(original);
      const tracer = this;
      const forward = function (this: Module, ...args: unknown[]) {
        if (tracer.depth > 0) return original.apply(m, args);
        if (!emitter && library !== undefined && !THROUGH.has(original)) throw new Error(`exportOnnx: ${library} is not supported by the ONNX exporter`);
        if (!emitter) return original.apply(m, args);
        if (args.some((a) => a instanceof PackedSequence)) throw new Error(`exportOnnx: ${moduleName(m)} on a PackedSequence is not supported; export it on a padded tensor`);
        if (!tensorsIn(args).some((t) => tracer.names.has(t))) return tracer.constantCall(args, () => original.apply(m, args));
        const out = tracer.inside(() => original.apply(m, args));
        const scope = tracer.graph.scope;
        tracer.graph.scope = path || moduleName(m);
        try {
          emitter(tracer.emit, m, args, out);
        } finally {
          tracer.graph.scope = scope;
        }
        return out;
      };
      Object.defineProperty(m, 'forward', { value: forward, configurable: true, enumerable: false, writable: true });
      routed.push(m);
    }
    return () => {
      for (const m of routed) delete (m as unknown as { forward?: unknown }).forward;
    };
  }
}
