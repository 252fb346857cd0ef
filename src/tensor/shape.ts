/** Shape arithmetic shared by ops and kernels. */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** NumPy broadcasting of two shapes; `op` names the caller in the error. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  if (shapesEqual(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast (dimension ${i - n}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative `dim` against `ndim`, with PyTorch's error for out-of-range dims. */
export function normalizeDim(dim: number, ndim: number, op = 'dim'): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new Error(`${op}: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Resolves `dim` (a number, a list, or undefined for all dims) to a sorted list of distinct axes. */
export function normalizeDims(dim: number | readonly number[] | undefined, ndim: number, op = 'dim'): number[] {
  // an empty list reduces over every dim, as torch.sum(x, dim=[]) does
  if (dim === undefined || (typeof dim !== 'number' && dim.length === 0)) return Array.from({ length: ndim }, (_, i) => i);
  const dims = (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, ndim, op));
  const sorted = [...new Set(dims)].sort((x, y) => x - y);
  if (sorted.length !== dims.length) throw new Error(`${op}: dim ${JSON.stringify(dim)} appears multiple times`);
  return ndim === 0 ? [] : sorted;
}

/** Checks that `shape` is a list of non-negative integers. */
export function checkShape(shape: Shape, op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${formatShape(shape)} (sizes must be non-negative integers)`);
  }
}
