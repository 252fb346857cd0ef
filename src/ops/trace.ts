// The one seam through which an exporter (descent/onnx) watches a forward pass: the public ops (dt.add, dt.cat,
// nn.functional.linear, ...) are exported wrapped by `traceable`, and Tensor methods are swapped by the tracer
// itself while it runs. With no tracer active a wrapper is a null check and a call.

/** Sees each public op called while it is active; `fn` is the op itself, to be called with `args`. */
export interface OpTracer {
  call(name: string, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown;
}

let active: OpTracer | null = null;

/** The tracer watching the ops now, if any. */
export function activeTracer(): OpTracer | null {
  return active;
}

/**
 * Runs `fn` with `tracer` watching every public op (not nested: a trace inside a trace is refused).
 * @example withTracer(recorder, () => model(input));
 */
export function withTracer<T>(tracer: OpTracer, fn: () => T): T {
  if (active !== null) throw new Error('trace: a forward pass is already being traced');
  active = tracer;
  try {
    return fn();
  } finally {
    active = null;
  }
}

/**
 * The functions of `ops` wrapped so that an active tracer sees each call under `prefix + name` (the object's
 * key, which bundlers keep, unlike function names). Other values are copied as they are.
 * @example export const { add, mul } = traceable('', elementwise);
 */
export function traceable<M extends object>(prefix: string, ops: M): M {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ops)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    const label = prefix + name;
    out[name] = (...args: unknown[]) => (active === null ? fn(...args) : active.call(label, fn, args));
  }
  return out as M;
}
