// A backend seen through typed arrays, for kernel tests: each call copies typed-array arguments into the
// backend's storage, runs its kernel, and copies every storage back into its array (so outputs land there).
import type { ArrayKernels, Backend } from '../../src/index.js';
import { allocate, dtypeOfArray } from '../../src/tensor/dtype.js';
import { arrayKernels } from '../../src/backend/js/index.js';
import type { Storage } from '../../src/tensor/storage.js';

export type ArrayBackend = ArrayKernels & { name: string; allocate: typeof allocate; backend: Backend };

export function onArrays(backend: Backend): ArrayBackend {
  const out: Record<string, unknown> = { name: backend.name, allocate, backend };
  for (const name of Object.keys(arrayKernels)) {
    out[name] = (...args: unknown[]) => {
      const pairs: [ArrayBufferView & ArrayLike<number> & { set(a: ArrayLike<number>): void }, Storage][] = [];
      const mapped = args.map((a) => {
        if (!ArrayBuffer.isView(a)) return a;
        const array = a as never;
        const s = backend.fromArray(array, dtypeOfArray(array));
        pairs.push([array, s]);
        return s;
      });
      const result = (backend as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...mapped);
      for (const [array, s] of pairs) array.set(backend.read(s));
      return result;
    };
  }
  return out as unknown as ArrayBackend;
}
