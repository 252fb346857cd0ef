// The reference kernels run on wasm storage through typed views of wasm memory, for what has no wasm
// kernel (yet): other dtypes, rare ops. Operands are placed first (which may page some in), then viewed,
// so no view is made before the last allocation of the call.
import type { Backend, Kernels } from '../backend.js';
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

/** Operands of at most this many elements (scalars, a loss, a 2-d point) are "tiny". */
const TINY = 4;

/**
 * `kernels` with every call whose storage operands are all tiny routed to the reference kernel on their
 * JS-heap arrays (small storages live there): a wasm call's fixed cost (placing operands, the walk, copying
 * results back) is tens of times the work of a scalar op, and autograd on scalars is all such ops.
 */
export function tinyOnHost(kernels: Backend): Backend {
  const table = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [name, reference] of Object.entries(arrayKernels) as [string, (...args: unknown[]) => unknown][]) {
    const kernel = table[name];
    table[name] = (...args: unknown[]) => {
      let tiny = false;
      for (const a of args) {
        if (!(a instanceof WasmStorage)) continue;
        if (a.length > TINY) return kernel(...args);
        tiny = true;
      }
      if (!tiny) return kernel(...args);
      for (let i = 0; i < args.length; i++) if (args[i] instanceof WasmStorage) args[i] = viewOf(args[i] as WasmStorage);
      return reference(...args);
    };
  }
  return kernels;
}
