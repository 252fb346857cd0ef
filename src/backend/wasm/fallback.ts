// The reference kernels run on wasm storage through typed views of wasm memory, for what has no wasm
// kernel (yet): other dtypes, rare ops. Operands are placed first (which may page some in), then viewed,
// so no view is made before the last allocation of the call.
import { type Kernels } from '../backend.js';
import { arrayKernels } from '../js/index.js';
import { beginCall, endCall, input, viewOf, WasmStorage } from './memory.js';

function viaViews(): Kernels {
  const out: Record<string, unknown> = {};
  for (const [name, kernel] of Object.entries(arrayKernels) as [string, (...args: unknown[]) => unknown][]) {
    out[name] = (...args: unknown[]) => {
      beginCall();
      for (const a of args) if (a instanceof WasmStorage && a.block.capacity > 0) input(a);
      for (let i = 0; i < args.length; i++) if (args[i] instanceof WasmStorage) args[i] = viewOf(args[i] as WasmStorage);
      try {
        return kernel(...args);
      } finally {
        endCall();
      }
    };
  }
  return out as unknown as Kernels;
}

export const fallback: Kernels = viaViews();
