// The wasm backend's tensor storage. A tensor lives in the kernels' memory from creation to its end, so a
// chain of ops never copies its operands; JS sees elements only through reads.
//
// Memory without dispose. Finalizers (FinalizationRegistry) run only between jobs, and only after a full
// collection: a synchronous training loop reclaims nothing through them. So wasm memory is a write-back
// cache of storage:
// - the library releases storage whose lifetime it knows (gradients consumed by backward, see
//   autograd/engine.ts) at once;
// - finalizers release the rest whenever they do run;
// - when the memory would grow past its budget, the least recently used blocks are evicted: their bytes
//   move to an ArrayBuffer in the JS heap, which the collector reclaims at any time (also inside one job)
//   once no tensor holds it, and come back into wasm memory on their next use.
// Tensors dead but not yet finalized are the oldest blocks, so they are what eviction moves out; the
// parameters and optimizer state used every step stay.
// - at the end of each optimizer step (endStep), blocks no kernel used during the last STALE_STEPS steps
//   are evicted too: a loop's per-step inputs that it dropped would otherwise fill the budget before any
//   collection, since wasm memory does not count as pressure for the collector (the JS heap does). Storages of at most SMALL_BYTES (scalars,
// losses, per-channel statistics) always live in the JS heap and are copied into the call's scratch.
import { type DType, type TypedArray, allocate } from '../../tensor/dtype.js';
import { type Device, type Storage, noteAllocation } from '../../tensor/storage.js';
import { MAX_PAGES, PAGE, type Ptr } from './runtime.js';
import { arena, heap, runtime } from './state.js';

const SMALL_BYTES = 64;
/** The offset kernels read as 'no operand' (an optional bias, a momentum buffer when momentum is 0). */
export const NONE = 0 as Ptr;
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Where a storage's bytes are: a block of wasm memory (ptr >= 0), or an array in the JS heap. */
export class Block {
  ptr = -1;
  host: Uint8Array | null = null;
  lastUse = 0;
  released = false;
  /** Whether the finalization registry holds this block (see watch()). */
  registered = false;
  /** `capacity` is the size class of its wasm blocks, 0 for a small storage that stays in the JS heap. */
  constructor(readonly bytes: number, readonly capacity: number) {}
}

/** A tensor's elements on the wasm backend. The block is apart so that the LRU list never keeps a storage alive. */
export class WasmStorage implements Storage {
  constructor(
    readonly device: Device, readonly dtype: DType, readonly length: number, readonly block: Block,
    /** The elements of a small storage (its block's bytes in the JS heap), typed; null for the others. */
    readonly hostView: TypedArray | null = null,
  ) {}
}

/** Blocks in wasm memory, for eviction (blocks only: holding storages would keep them alive). */
const resident = new Set<Block>();
let residentBytes = 0;
/** Freed blocks kept by size class, so a training step reuses the pages of the previous one. */
const cache = new Map<number, number[]>();
let cachedBytes = 0;
let clock = 0;
const NO_CALL = Number.MAX_SAFE_INTEGER;
/** Blocks used at or after this tick are operands of the running kernel call: never evicted. */
let pinFloor = NO_CALL;
let evictions = 0;
let evictedBytes = 0;

// Only blocks in wasm memory are registered (with themselves as the token): an evicted or released block
// is unregistered, so that the registry, whose callbacks a synchronous loop never runs, holds no bytes
// and no entries for storage the collector or the library already handles. Registering costs about as much
// as a small kernel, and most storage of a training step is released within the step, so new storages wait
// in `young` and are registered in batches, only those still in wasm memory by then.
const finalizer = new FinalizationRegistry<Block>((block) => {
  if (!block.released) free(block);
});
const young: WasmStorage[] = [];
const YOUNG_BATCH = 256;

/** Has the finalizer watch `storage` (soon): registration happens for a batch of them at a time. */
function watch(storage: WasmStorage): void {
  young.push(storage);
  if (young.length === 1) queueMicrotask(watchYoung); // when the job ends, at the latest
  else if (young.length >= YOUNG_BATCH) watchYoung();
}

function watchYoung(): void {
  for (const s of young) {
    const block = s.block;
    if (block.released || block.ptr < 0 || block.registered) continue;
    finalizer.register(s, block, block);
    block.registered = true;
  }
  young.length = 0;
}

function unwatch(block: Block): void {
  if (!block.registered) return;
  finalizer.unregister(block);
  block.registered = false;
}

/** Default budget: tensors may hold this many bytes of wasm memory, then the least recently used are evicted. */
export const DEFAULT_BUDGET = 2 ** 30;
let budget = DEFAULT_BUDGET;

/**
 * Caps the wasm memory the tensors use (default 1 GiB of at most 2 GiB): past it, the least recently
 * used storage moves to the JS heap until next used. The memory never shrinks once grown, so a lower
 * budget also bounds what a process keeps.
 * @example setMemoryBudget(256 * 2 ** 20)
 */
export function setMemoryBudget(bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes >= 16 * PAGE)) {
    throw new Error(`setMemoryBudget: expected a number of bytes of at least 1 MiB, got ${bytes}`);
  }
  budget = Math.min(bytes, MAX_PAGES * PAGE);
}

/** What the wasm backend holds now (bytes), for diagnostics and tests. */
export interface WasmMemoryStats {
  /** The size of the kernels' memory (it never shrinks). */
  memoryBytes: number;
  /** Bytes of the blocks that hold tensors now. */
  residentBytes: number;
  /** Bytes of freed blocks kept for reuse by size class. */
  cachedBytes: number;
  /** How many blocks were evicted to the JS heap so far, and their bytes. */
  evictions: number;
  evictedBytes: number;
  budget: number;
}

export function memoryStats(): WasmMemoryStats {
  return {
    memoryBytes: runtime ? runtime.memory.buffer.byteLength : 0,
    residentBytes,
    cachedBytes,
    evictions,
    evictedBytes,
    budget,
  };
}

/** The block size for `bytes`: multiples of 64 up to 4 KiB, then four classes per power of two. */
function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(64, (bytes + 63) & ~63);
  const quarter = 2 ** (31 - Math.clz32(bytes)) / 4;
  return Math.ceil(bytes / quarter) * quarter;
}

let u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);

/** A byte view of the whole memory, refreshed after growth. */
export function memoryBytes(): Uint8Array {
  const buffer = runtime!.memory.buffer;
  if (u8.buffer !== buffer || u8.length !== buffer.byteLength) u8 = new Uint8Array(buffer);
  return u8;
}

/** A typed view of `length` elements of `dtype` at byte offset `at` (valid until memory next grows). */
export function viewAt(dtype: DType, at: number, length: number): TypedArray {
  const buffer = runtime!.memory.buffer;
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, at, length);
    case 'float64': return new Float64Array(buffer, at, length);
    case 'int32': return new Int32Array(buffer, at, length);
    case 'bool': return new Uint8Array(buffer, at, length);
  }
}

/**
 * Takes a block of `capacity` bytes: a cached one, free heap space, the cache's blocks merged back into the
 * heap, grown memory, or space made by evicting: the memory grows only when nothing held can serve.
 */
function take(capacity: number): number {
  const list = cache.get(capacity);
  if (list !== undefined && list.length > 0) {
    cachedBytes -= capacity;
    return list.pop()!;
  }
  const h = heap!;
  if (residentBytes + cachedBytes + capacity > budget) {
    flushCache();
    if (residentBytes + capacity > budget) evictFor(residentBytes + capacity - budget);
  }
  let at = h.alloc(capacity, false);
  if (at === null && cachedBytes > 0) {
    flushCache();
    at = h.alloc(capacity, false);
  }
  at ??= h.alloc(capacity);
  // the memory cannot grow (2 GiB): evict until the block fits, even below the budget
  while (at === null && evictFor(capacity) > 0) at = h.alloc(capacity);
  if (at === null) {
    throw new RangeError(`wasm backend: out of memory: a tensor of ${Math.ceil(capacity / 2 ** 20)} MiB does not fit in the 2 GiB of wasm memory (${Math.ceil(residentBytes / 2 ** 20)} MiB hold tensors); setBackend('js') runs in the JS heap`);
  }
  return at;
}

function flushCache(): void {
  for (const list of cache.values()) for (const at of list) heap!.release(at);
  cache.clear();
  cachedBytes = 0;
}

/**
 * Evicts the least recently used blocks that are not operands of the running call: at least `bytes`, and
 * an eighth of what is resident, so that a loop past its budget evicts in batches. Returns the bytes freed.
 */
function evictFor(bytes: number): number {
  const candidates = [...resident].filter((b) => b.lastUse < pinFloor).sort((a, b) => a.lastUse - b.lastUse);
  const target = Math.max(bytes, residentBytes / 8);
  let freed = 0;
  for (let i = 0; i < candidates.length && freed < target; i++) {
    freed += candidates[i].capacity;
    evict(candidates[i]);
  }
  return freed;
}

function evict(block: Block): void {
  const mem = memoryBytes();
  unwatch(block);
  block.host = mem.slice(block.ptr, block.ptr + block.bytes);
  heap!.release(block.ptr);
  resident.delete(block);
  residentBytes -= block.capacity;
  block.ptr = -1;
  evictions++;
  evictedBytes += block.bytes;
}

const STALE_STEPS = 2;
/** The clock at the end of each of the last STALE_STEPS + 1 optimizer steps, oldest first. */
const stepEnds: number[] = [];

/**
 * An optimizer step has ended: evicts the blocks unused since the end of the step STALE_STEPS steps ago
 * (the pages of freed blocks stay cached for the next step).
 */
export function endStep(): void {
  stepEnds.push(clock);
  if (stepEnds.length <= STALE_STEPS) return;
  const since = stepEnds.shift()!;
  for (const block of resident) if (block.lastUse <= since) evict(block);
}

/** Returns a block's memory for reuse (storage released or finalized). */
function free(block: Block): void {
  block.released = true;
  block.host = null;
  if (block.ptr < 0) return;
  resident.delete(block);
  residentBytes -= block.capacity;
  let list = cache.get(block.capacity);
  if (list === undefined) cache.set(block.capacity, (list = []));
  list.push(block.ptr);
  cachedBytes += block.capacity;
  block.ptr = -1;
}

/** A storage whose bytes are uninitialized (zeroed when `zero`). */
export function allocateStorage(device: Device, dtype: DType, length: number, zero: boolean): WasmStorage {
  const bytes = length * BYTES[dtype];
  let block: Block;
  let hostView: TypedArray | null = null;
  if (bytes <= SMALL_BYTES) {
    block = new Block(bytes, 0);
    hostView = allocate(dtype, length); // never asked for its .buffer: V8 keeps small arrays inside the JS heap
  } else {
    block = new Block(bytes, sizeClass(bytes));
    block.ptr = take(block.capacity);
    block.lastUse = ++clock;
    resident.add(block);
    residentBytes += block.capacity;
    if (zero) memoryBytes().fill(0, block.ptr, block.ptr + bytes);
  }
  const storage = new WasmStorage(device, dtype, length, block, hostView);
  if (block.capacity > 0) watch(storage);
  noteAllocation(storage);
  return storage;
}

/** Gives a storage's memory back now (the caller knows no tensor can reach it). */
export function releaseStorage(storage: Storage): void {
  const block = (storage as WasmStorage).block;
  if (block.released) return;
  unwatch(block);
  free(block);
}

function checkLive(block: Block): void {
  if (block.released) throw new Error('wasm backend: internal error: a storage was used after the library released it');
}

/** Brings an evicted storage back into wasm memory. */
function pageIn(storage: WasmStorage): void {
  const block = storage.block;
  const at = take(block.capacity);
  memoryBytes().set(block.host!, at);
  block.host = null;
  block.ptr = at;
  resident.add(block);
  residentBytes += block.capacity;
  watch(storage);
}

/** A copy of the elements. */
export function readStorage(storage: Storage): TypedArray {
  const s = storage as WasmStorage;
  const block = s.block;
  checkLive(block);
  const out = allocate(s.dtype, s.length);
  if (s.hostView !== null) {
    out.set(s.hostView);
    return out;
  }
  const bytes = new Uint8Array(out.buffer, 0, block.bytes);
  bytes.set(block.ptr >= 0 ? memoryBytes().subarray(block.ptr, block.ptr + block.bytes) : block.host!);
  return out;
}

/** Writes `data` (the dtype's array type) over the elements. */
export function writeStorage(storage: Storage, data: TypedArray): void {
  const s = storage as WasmStorage;
  const block = s.block;
  checkLive(block);
  if (s.hostView !== null) {
    s.hostView.set(data);
    return;
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, block.bytes);
  if (block.ptr >= 0) memoryBytes().set(bytes, block.ptr);
  else block.host!.set(bytes);
}

// ---- kernel calls ----
// A call's operands are placed first (input/output), then the kernel runs on their byte offsets, then
// endCall() copies small outputs back. Placing may evict or page in other blocks, never this call's.

const smallOutputs: [WasmStorage, Ptr][] = [];

/** Starts a kernel call: the arena's scratch of the previous call is forgotten. */
export function beginCall(): void {
  pinFloor = clock + 1;
  arena!.reset();
  smallOutputs.length = 0;
}

/** The byte offset of a storage the kernel reads. */
export function input(storage: Storage): Ptr {
  const s = storage as WasmStorage;
  const block = s.block;
  checkLive(block);
  if (s.hostView !== null) {
    const at = arena!.allocBytes(Math.max(block.bytes, 1));
    viewAt(s.dtype, at, s.length).set(s.hostView);
    return at as Ptr;
  }
  if (block.ptr < 0) pageIn(storage as WasmStorage);
  block.lastUse = ++clock;
  return block.ptr as Ptr;
}

/** The byte offset of a storage the kernel writes (and may read: in-place and accumulating kernels). */
export function output(storage: Storage): Ptr {
  const at = input(storage);
  if ((storage as WasmStorage).hostView !== null) smallOutputs.push([storage as WasmStorage, at]);
  return at;
}

/** Ends a kernel call: copies what it wrote into small storages back to the JS heap. */
export function endCall(): void {
  pinFloor = NO_CALL;
  if (smallOutputs.length === 0) return;
  for (const [s, at] of smallOutputs) s.hostView!.set(viewAt(s.dtype, at, s.length));
  smallOutputs.length = 0;
}

/**
 * A typed view of a storage for a reference (js) kernel: into wasm memory, or the small storage's own
 * array. Valid until the memory next grows: make every view of a call after its last allocation.
 */
export function viewOf(storage: Storage): TypedArray {
  const s = storage as WasmStorage;
  const block = s.block;
  checkLive(block);
  if (s.hostView !== null) return s.hostView;
  if (block.ptr < 0) pageIn(s);
  block.lastUse = ++clock;
  return viewAt(s.dtype, block.ptr, s.length);
}
