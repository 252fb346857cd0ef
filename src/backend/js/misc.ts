import type { TypedArray } from '../../tensor/dtype.js';

/** out = x converted to out's type: float to int truncates toward zero (as torch), anything to bool is x != 0. */
export function cast(x: TypedArray, out: TypedArray): void {
  if (out instanceof Uint8Array) for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
  else if (out instanceof Int32Array && !(x instanceof Int32Array || x instanceof Uint8Array)) {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  } else out.set(x);
}

export function fill(out: TypedArray, value: number): void {
  out.fill(value);
}

/** The first element of `index` outside [0, size), or null. */
export function indexOutOfRange(index: Int32Array, size: number): number | null {
  for (let i = 0; i < index.length; i++) if (index[i] < 0 || index[i] >= size) return index[i];
  return null;
}

/**
 * torch's embedding_renorm_: each row of `weight` (rows of `dim`) named in `rows` whose p-norm exceeds
 * maxNorm is scaled by maxNorm / (norm + 1e-7), once per distinct row, in place.
 */
export function renormRows(weight: TypedArray, dim: number, rows: Int32Array, maxNorm: number, p: number): void {
  for (const i of new Set(rows)) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = Math.abs(weight[i * dim + j]);
      norm += p === Infinity ? 0 : v ** p;
      if (p === Infinity) norm = Math.max(norm, v);
    }
    if (p !== Infinity) norm = norm ** (1 / p);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < dim; j++) weight[i * dim + j] *= scale;
    }
  }
}
