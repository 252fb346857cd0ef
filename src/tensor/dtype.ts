import { type Shape, formatShape, sizeOf } from './shape.js';

/** Element types. Comparisons return `bool` tensors (stored as bytes), as in PyTorch. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

/**
 * `allocate` for a tensor of `shape`; when the engine refuses the size (a bare RangeError), the error names the
 * op, the shape and the bytes asked for.
 * @example const data = allocateFor('zeros', 'float32', [2, 3]);
 */
export function allocateFor<T = TypedArray>(op: string, dtype: DType, shape: Shape, alloc: (dtype: DType, size: number) => T = allocate as (dtype: DType, size: number) => T): T {
  const n = sizeOf(shape);
  try {
    return alloc(dtype, n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const gib = (n * BYTES[dtype]) / 2 ** 30;
    throw new RangeError(`${op}: cannot allocate a ${dtype} tensor of shape ${formatShape(shape)} (${n.toExponential(2)} elements, ${gib.toPrecision(3)} GiB): ${e.message}`);
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Copies (and converts) `source` into a new array of `dtype`, truncating toward zero for ints as PyTorch does. */
export function castArray(source: ArrayLike<number>, dtype: DType): TypedArray {
  const out = allocate(dtype, source.length);
  if (dtype === 'bool') for (let i = 0; i < source.length; i++) out[i] = source[i] !== 0 ? 1 : 0;
  else out.set(source);
  return out;
}

export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype of an op on two tensors: the wider of the two (PyTorch's promotion lattice, restricted to our dtypes). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * The dtype of a binary op, torch.result_type's rule: a 0-d operand only decides the dtype when its
 * category (bool < integer < floating) is higher than the dimensioned operand's, so float32 [n] + float64 []
 * stays float32 while int32 [n] + float64 [] is float64.
 * @example resultType('float32', false, 'float64', true) // 'float32'
 */
export function resultType(a: DType, aZeroDim: boolean, b: DType, bZeroDim: boolean): DType {
  if (a === b) return a;
  if (aZeroDim === bZeroDim) return promoteTypes(a, b);
  const [dimensioned, zeroDim] = aZeroDim ? [b, a] : [a, b];
  return CATEGORY[zeroDim] > CATEGORY[dimensioned] ? zeroDim : dimensioned;
}

/**
 * The dtype of an op between a tensor and a JS number. As in PyTorch, a scalar only changes the
 * category (an integer tensor times 0.5 is float32), never the width of a float tensor.
 */
export function promoteWithScalar(dtype: DType, scalar: number): DType {
  if (isFloating(dtype)) return dtype;
  if (!Number.isInteger(scalar)) return 'float32';
  return dtype === 'bool' ? 'int32' : dtype;
}
