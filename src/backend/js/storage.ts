// The js backend's storage: a typed array in the JS heap, which the garbage collector reclaims.
import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { Device, Storage } from '../../tensor/storage.js';

export class JsStorage implements Storage {
  constructor(readonly device: Device, readonly data: TypedArray, readonly dtype: DType) {}

  get length(): number {
    return this.data.length;
  }
}
