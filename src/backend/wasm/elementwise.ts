import type { Storage } from '../../tensor/storage.js';
import { runtime } from './state.js';
import { beginCall, endCall, input, output } from './memory.js';
import { fallback } from './fallback.js';

/** relu's backward in wasm for float32: out = y > 0 ? grad : 0. */
export function reluBackward(grad: Storage, y: Storage, out: Storage): void {
  if (!(grad.dtype === 'float32' && y.dtype === 'float32' && out.dtype === 'float32')) {
    fallback.reluBackward(grad, y, out);
    return;
  }
  beginCall();
  runtime!.kernels.reluBackward(input(grad), input(y), output(out), out.length);
  endCall();
}
