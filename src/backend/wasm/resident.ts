// Resident storage: float32 arrays that are views into the kernels' own memory, so kernels (the fused
// optimizer updates) read and write them in place instead of copying them in and out of the arena.
// Only on shared memory: a SharedArrayBuffer view made before memory.grow stays valid after it, while
// growing plain memory detaches every view. Blocks come back through a FinalizationRegistry when their
// view is collected; that happens only between tasks, so a synchronous loop may see them late. A
// budget caps the resident bytes: past it, allocations return null and callers use ordinary arrays.
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { heap, runtime } from './state.js';

/** Default cap on resident bytes (1 GiB of the 2 GiB the kernels' memory can reach). */
export const DEFAULT_RESIDENT_BUDGET = 2 ** 30;

/**
 * Arrays allocated for one owner (a parameter's gradients) that may await reclamation at once. A loop that
 * never yields replaces a gradient every step and reclaims none: this bounds that garbage to a few copies
 * of the parameters, after which gradients are ordinary arrays (the optimizer then copies them in).
 */
export const MAX_PENDING_PER_OWNER = 2;

let budget = DEFAULT_RESIDENT_BUDGET;
let residentBytes = 0;
const views = new WeakSet<TypedArray>();
/** Per owner, how many of its arrays are alive or not yet reclaimed. */
const pendingByOwner = new WeakMap<TypedArray, { count: number }>();
const reclaim = new FinalizationRegistry<{ at: number; pending: { count: number } | null }>(({ at, pending }) => {
  residentBytes -= heap!.sizeOf(at) ?? 0;
  heap!.release(at);
  if (pending) pending.count--;
});

/** True where resident storage is possible: the kernels loaded on shared memory. */
export function residentSupported(): boolean {
  return runtime !== null && runtime.shared;
}

/**
 * A zero-filled float32 array living in the kernels' memory, or null where that is impossible (plain
 * memory, another dtype, the budget spent, memory exhausted, or MAX_PENDING_PER_OWNER arrays of `owner`
 * not yet reclaimed): the caller then allocates as usual.
 */
export function allocateResident(dtype: DType, size: number, owner?: TypedArray): TypedArray | null {
  if (dtype !== 'float32' || size === 0 || !residentSupported()) return null;
  const bytes = size * 4;
  if (residentBytes + bytes > budget) return null;
  let pending: { count: number } | null = null;
  if (owner) {
    pending = pendingByOwner.get(owner) ?? { count: 0 };
    if (pending.count >= MAX_PENDING_PER_OWNER) return null;
    pendingByOwner.set(owner, pending);
  }
  const at = heap!.alloc(bytes);
  if (at === null) return null;
  const view = new Float32Array(runtime!.memory.buffer, at, size);
  view.fill(0); // the block may hold a freed tensor's values
  residentBytes += heap!.sizeOf(at)!;
  views.add(view);
  if (pending) pending.count++;
  reclaim.register(view, { at, pending });
  return view;
}

/** True when `data` is resident storage (a view from allocateResident, not a subarray of one). */
export function isResident(data: TypedArray): boolean {
  return views.has(data);
}

/** Resident bytes in use and the budget. @example residentMemory() // { bytes: 4003840, budget: 1073741824 } */
export function residentMemory(): { bytes: number; budget: number } {
  return { bytes: residentBytes, budget };
}

/**
 * Caps resident storage at `bytes` (default 1 GiB); allocations past it fall back to ordinary arrays.
 * @example setResidentBudget(256 * 2 ** 20) // at most 256 MiB of tensors in wasm memory
 */
export function setResidentBudget(bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes >= 0)) throw new Error(`setResidentBudget: expected a byte count >= 0, got ${bytes}`);
  budget = bytes;
}
