// A backend seen through typed arrays, for kernel tests: each call copies typed-array arguments into the
// backend's storage, runs its kernel, and copies every storage back into its array (so outputs land there).
import type { ArrayKernels, Backend } from '../../src/index.js';
import { type DType, type TypedArray, allocate, dtypeOfArray } from '../../src/tensor/dtype.js';
import { arrayKernels } from '../../src/backend/js/index.js';
import type { Storage } from '../../src/tensor/storage.js';

export type ArrayBackend = ArrayKernels & {
  name: string;
  allocate: typeof allocate;
  backend: Backend;
  /** Relative precision of its floats: 1e-12 (float64) unless the backend computes in float32. */
  precision?: number;
  /** Kernels it does not implement (their tests are skipped, saying so). */
  missing?: readonly string[];
};

/** The same kernels returning promises: for a backend that reads asynchronously. Awaiting works on both kinds. */
export type AsyncArrayBackend = {
  [K in keyof ArrayKernels]: (...args: Parameters<ArrayKernels[K]>) => ReturnType<ArrayKernels[K]> | Promise<ReturnType<ArrayKernels[K]>>;
} & Omit<ArrayBackend, keyof ArrayKernels>;

type Writable = TypedArray & { set(a: ArrayLike<number>): void };

// Storage for each typed-array argument (in `dtypeFor`'s dtype), with the arrays to copy results back into.
function toStorages(backend: Backend, args: unknown[], dtypeFor: (a: TypedArray) => DType): { mapped: unknown[]; pairs: [Writable, Storage][] } {
  const pairs: [Writable, Storage][] = [];
  const mapped = args.map((a) => {
    if (!ArrayBuffer.isView(a)) return a;
    const array = a as Writable;
    const dtype = dtypeFor(array);
    const s = backend.fromArray(dtype === dtypeOfArray(array) ? array : Float32Array.from(array), dtype);
    pairs.push([array, s]);
    return s;
  });
  return { mapped, pairs };
}

const call = (backend: Backend, name: string, args: unknown[]) => (backend as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);

export function onArrays(backend: Backend): ArrayBackend {
  const out: Record<string, unknown> = { name: backend.name, allocate, backend };
  for (const name of Object.keys(arrayKernels)) {
    out[name] = (...args: unknown[]) => {
      const { mapped, pairs } = toStorages(backend, args, dtypeOfArray);
      const result = call(backend, name, mapped);
      for (const [array, s] of pairs) array.set(backend.read(s));
      return result;
    };
  }
  return out as unknown as ArrayBackend;
}

/**
 * For a backend that reads only asynchronously (webgpu) and computes in float32: float64 arrays go in as
 * float32, and each call resolves once its outputs are back in the arrays.
 */
export function onArraysAsync(backend: Backend, missing: readonly string[]): AsyncArrayBackend {
  const out: Record<string, unknown> = { name: backend.name, allocate, backend, precision: 1e-5, missing };
  const dtypeFor = (a: TypedArray): DType => (a instanceof Float64Array ? 'float32' : dtypeOfArray(a));
  for (const name of Object.keys(arrayKernels)) {
    out[name] = async (...args: unknown[]) => {
      const { mapped, pairs } = toStorages(backend, args, dtypeFor);
      const result = call(backend, name, mapped);
      for (const [array, s] of pairs) array.set(await backend.readAsync(s));
      return result;
    };
  }
  return out as unknown as AsyncArrayBackend;
}
