// Loads the compiled kernels and owns their linear memory. The core is built without DOM or Node
// typings, so the few WebAssembly APIs used here are typed locally and read from globalThis.
import { plainMemoryRelaxedWasm, plainMemoryWasm, sharedMemoryRelaxedWasm, sharedMemoryWasm } from './generated/kernels.js';
import type { Ptr, WasmKernels } from './generated/kernels-api.js';

export type { Ptr };

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = object;
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** The exported kernels (assembly/index.ts), typed by the build from their AssemblyScript signatures. */
export type Kernels = WasmKernels;

export const PAGE = 65536;
export const MAX_PAGES = 32768; // 2 GiB: byte offsets stay below 2^31

const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lookup = new Uint8Array(128);
  for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length * 3) / 4 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = (lookup[text.charCodeAt(i)] << 18) | (lookup[text.charCodeAt(i + 1)] << 12)
      | (lookup[text.charCodeAt(i + 2)] << 6) | lookup[text.charCodeAt(i + 3)];
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** The kernels instantiated on one memory, plus what workers need to share it. */
export interface WasmRuntime {
  readonly kernels: Kernels;
  readonly memory: WasmMemory;
  readonly module: WasmModule;
  /** True when memory is a SharedArrayBuffer that worker threads can run kernels on. */
  readonly shared: boolean;
  /** True when the kernels use relaxed SIMD (GEMM's fused multiply-add). */
  readonly relaxed: boolean;
}

export function instantiate(module: WasmModule, memory: WasmMemory): Kernels {
  const imports = { env: { memory, abort: () => { throw new Error('descent wasm kernel aborted'); } } };
  return new wasmApi!.Instance(module, imports).exports as unknown as Kernels;
}

/**
 * Compiles the kernels synchronously (they are a few KiB) or returns null where WebAssembly or its
 * SIMD extension is missing. Shared memory is used when SharedArrayBuffer exists (Node, or a
 * cross-origin-isolated page), plain memory otherwise. The relaxed-SIMD build (fused multiply-add
 * in GEMM) is preferred where the engine validates it (Chrome >= 114, Node >= 22, or Node 20 with
 * --experimental-wasm-relaxed-simd); `relaxed: false` forces the other.
 */
export function loadRuntime(shared = typeof SharedArrayBuffer === 'function', relaxed = true): WasmRuntime | null {
  if (!wasmApi) return null;
  const candidates: [string, boolean][] = shared
    ? [[sharedMemoryRelaxedWasm, true], [sharedMemoryWasm, false]]
    : [[plainMemoryRelaxedWasm, true], [plainMemoryWasm, false]];
  for (const [encoded, isRelaxed] of candidates) {
    if (isRelaxed && !relaxed) continue;
    const bytes = decodeBase64(encoded);
    try {
      if (!wasmApi.validate(bytes)) continue; // no relaxed SIMD, SIMD or threads in this engine
      const memory = new wasmApi.Memory({ initial: 16, maximum: MAX_PAGES, shared });
      const module = new wasmApi.Module(bytes);
      return { kernels: instantiate(module, memory), memory, module, shared, relaxed: isRelaxed };
    } catch {
      // try the next build
    }
  }
  return null;
}

/**
 * A first-fit allocator of 64-byte aligned blocks over the kernels' memory above heapBase(), with
 * coalescing of freed neighbours. It grows the memory when no free block fits.
 * Tensor storage (memory.ts, which caches freed blocks by size class in front of it) and the Arena's
 * scratch both come from it, so they never overlap.
 */
export class Heap {
  /** Free blocks [at, at + size), sorted by address, never adjacent (neighbours are merged). */
  private readonly free: { at: number; size: number }[] = [];
  /** Sizes of the blocks handed out, by address. */
  private readonly used = new Map<number, number>();
  private end: number;

  constructor(readonly runtime: WasmRuntime) {
    const base = align(runtime.kernels.heapBase());
    this.end = runtime.memory.buffer.byteLength;
    if (this.end > base) this.free.push({ at: base, size: this.end - base });
    else this.end = base;
  }

  /**
   * Reserves `bytes` bytes (rounded up to 64); returns their byte offset, or null when they do not fit
   * (and the memory cannot grow, or `grow` is false).
   */
  alloc(bytes: number, grow = true): Ptr | null {
    if (!(bytes <= MAX_PAGES * PAGE - 64)) return null;
    const size = Math.max(64, align(bytes));
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) {
      if (!grow || !this.grow(size)) return null;
      i = this.free.findIndex((b) => b.size >= size);
    }
    const block = this.free[i];
    const at = block.at as Ptr;
    if (block.size === size) this.free.splice(i, 1);
    else {
      block.at += size;
      block.size -= size;
    }
    this.used.set(at, size);
    return at;
  }

  /** Returns the block at `at` (from alloc) to the free list, merged with free neighbours. */
  release(at: number): void {
    const size = this.used.get(at);
    if (size === undefined) throw new Error(`wasm heap: no block at ${at} to free`);
    this.used.delete(at);
    this.insertFree(at, size);
  }

  /** Bytes of the block at `at` (from alloc). */
  sizeOf(at: number): number | undefined {
    return this.used.get(at);
  }

  /** Free and used byte counts, and the memory's size (for tests and diagnostics). */
  stats(): { freeBytes: number; usedBytes: number; blocks: number; freeBlocks: number; memoryBytes: number } {
    let freeBytes = 0;
    for (const b of this.free) freeBytes += b.size;
    let usedBytes = 0;
    for (const s of this.used.values()) usedBytes += s;
    return { freeBytes, usedBytes, blocks: this.used.size, freeBlocks: this.free.length, memoryBytes: this.runtime.memory.buffer.byteLength };
  }

  private insertFree(at: number, size: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i].at < at) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if (prev && prev.at + prev.size === at) {
      prev.size += size;
      if (next && prev.at + prev.size === next.at) {
        prev.size += next.size;
        this.free.splice(i, 1);
      }
    } else if (next && at + size === next.at) {
      next.at = at;
      next.size += size;
    } else {
      this.free.splice(i, 0, { at, size });
    }
  }

  /** Grows the memory so that a block of `size` fits at its end (at least doubling small heaps). */
  private grow(size: number): boolean {
    const last = this.free[this.free.length - 1];
    const tail = last && last.at + last.size === this.end ? last.size : 0;
    const bytes = Math.max(size - tail, Math.min(this.end, 64 * 2 ** 20));
    let pages = Math.ceil(bytes / PAGE);
    pages = Math.min(pages, MAX_PAGES - this.end / PAGE);
    if (pages * PAGE + tail < size) return false;
    try {
      this.runtime.memory.grow(pages);
    } catch {
      return false;
    }
    const start = this.end;
    this.end = this.runtime.memory.buffer.byteLength;
    this.insertFree(start, this.end - start);
    return true;
  }
}

/**
 * Scratch for one kernel call (GEMM's packing buffers, partial sums, small operands copied in), which
 * reset() forgets. Allocations bump through a block taken from the Heap; when a call needs more,
 * another block is taken, and the next reset() trades them for one block of the combined size, so a
 * workload soon runs in one block.
 */
export class Arena {
  readonly heap: Heap;
  /** Blocks in use this call ([start, end) each); allocations bump `top` in the last one. */
  private blocks: { at: number; size: number }[] = [];
  private top = 0;

  constructor(readonly runtime: WasmRuntime, heap?: Heap) {
    this.heap = heap ?? new Heap(runtime);
    this.reset();
  }

  /** Forgets every allocation of the previous call. */
  reset(): void {
    if (this.blocks.length > 1) {
      const total = this.blocks.reduce((n, b) => n + b.size, 0);
      for (const b of this.blocks) this.heap.release(b.at);
      this.blocks = [];
      try {
        this.take(total);
      } catch {
        this.blocks = [];
      }
    }
    if (this.blocks.length === 0) this.take(PAGE);
    this.top = this.blocks[0].at;
  }

  /** Reserves `count` float32 slots; returns their byte offset. */
  alloc(count: number): Ptr {
    return this.allocBytes(count * 4);
  }

  /** Reserves `bytes` bytes (64-byte aligned); returns their byte offset. */
  allocBytes(bytes: number): Ptr {
    const size = align(bytes);
    const block = this.blocks[this.blocks.length - 1];
    if (this.top + size > block.at + block.size) this.top = this.take(Math.max(size, block.size));
    const at = this.top as Ptr;
    this.top += size;
    return at;
  }

  /** Takes a block of at least `bytes` from the heap; returns its start. */
  private take(bytes: number): Ptr {
    const at = this.heap.alloc(bytes);
    if (at === null) {
      const mib = Math.ceil((this.blocks.reduce((n, b) => n + b.size, 0) + bytes) / 2 ** 20);
      throw new Error(`wasm backend: a kernel call needs ${mib} MiB of wasm memory (at most ${MAX_PAGES / 16} MiB); setBackend('js') runs it in plain JS`);
    }
    this.blocks.push({ at, size: this.heap.sizeOf(at)! });
    return at;
  }
}

/** Rounds a byte offset up to 64 bytes (one cache line). */
export function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64; // not `& ~63`: sizes of 2 GiB and more would wrap to negative offsets
}
