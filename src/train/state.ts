import { Tensor } from '../tensor/tensor.js';

/**
 * Splits a nested state (optimizer and scheduler state dicts) into JSON and tensors: each tensor becomes
 * `{ "$tensor": key }` and goes into `tensors[key]` (copied). JSON has no NaN or infinities; they become
 * `{ "$number": "NaN" | "Infinity" | "-Infinity" }`.
 */
export function splitTensors(value: unknown, prefix: string, tensors: Record<string, Tensor>): unknown {
  if (value instanceof Tensor) {
    tensors[prefix] = value.clone().detach();
    return { $tensor: prefix };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (Array.isArray(value)) return value.map((v, i) => splitTensors(v, `${prefix}.${i}`, tensors));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = splitTensors(v, `${prefix}.${k}`, tensors);
    return out;
  }
  return value;
}

/** The inverse of splitTensors. */
export function joinTensors(value: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(value)) return value.map((v) => joinTensors(v, tensors));
  if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    if (typeof rec.$tensor === 'string' && Object.keys(rec).length === 1) {
      const t = tensors[rec.$tensor];
      if (!t) throw new Error(`checkpoint: the state refers to tensor '${rec.$tensor}', which the checkpoint does not hold`);
      return t;
    }
    if (typeof rec.$number === 'string' && Object.keys(rec).length === 1) return Number(rec.$number);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) out[k] = joinTensors(v, tensors);
    return out;
  }
  return value;
}
