// Loads the compiled kernels and owns their linear memory. The core is built without DOM or Node
// typings, so the few WebAssembly APIs used here are typed locally and read from globalThis.
import { plainMemoryRelaxedWasm, plainMemoryWasm, sharedMemoryRelaxedWasm, sharedMemoryWasm } from './generated/kernels.js';

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

/** The exported kernels (see assembly/index.ts); pointers are byte offsets into memory. */
export interface Kernels {
  heapBase(): number;
  gemmScratchBytes(): number;
  gemmFusedMultiplyAdd(): number;
  gemmUnits(m: number, k: number, n: number, batch: number, threads: number): number;
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    aBatchStride: number, bBatchStride: number, batch: number, threads: number, sync: number, scratch: number): void;
  [kernel: string]: (...args: number[]) => number | void;
}

export const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB: byte offsets stay below 2^31

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
 * A bump allocator over the kernels' memory, reset at every kernel call: operands are copied in,
 * the kernel runs, results are copied out. Nothing lives in wasm memory between calls, so tensors
 * stay plain typed arrays that the garbage collector frees.
 */
export class Arena {
  private top = 0;
  private view: Float32Array;
  private bytes: Uint8Array;
  private readonly base: number;

  constructor(readonly runtime: WasmRuntime) {
    this.base = align(runtime.kernels.heapBase());
    this.view = new Float32Array(runtime.memory.buffer);
    this.bytes = new Uint8Array(runtime.memory.buffer);
    this.reset();
  }

  /** Forgets every allocation of the previous call. */
  reset(): void {
    this.top = this.base;
  }

  /** Reserves `count` float32 slots; returns their byte offset. */
  alloc(count: number): number {
    return this.allocBytes(count * 4);
  }

  /** Reserves `bytes` bytes (64-byte aligned); returns their byte offset. */
  allocBytes(bytes: number): number {
    const at = this.top;
    this.top = align(at + bytes);
    const needed = this.top - this.runtime.memory.buffer.byteLength;
    if (needed > 0) {
      try {
        this.runtime.memory.grow(Math.ceil(needed / PAGE));
      } catch {
        const mib = Math.ceil(this.top / 2 ** 20);
        this.reset();
        throw new Error(`wasm backend: a kernel call needs ${mib} MiB of wasm memory (at most ${MAX_PAGES / 16} MiB); setBackend('js') runs it in plain JS`);
      }
    }
    return at;
  }

  /** A float32 view of the whole memory, refreshed after growth. */
  f32(): Float32Array {
    const buffer = this.runtime.memory.buffer;
    if (this.view.buffer !== buffer || this.view.length * 4 !== buffer.byteLength) {
      this.view = new Float32Array(buffer);
      this.bytes = new Uint8Array(buffer);
    }
    return this.view;
  }

  /** Copies `data` in (bytes as they are) and returns its byte offset. */
  put(data: Float32Array | Int32Array | Uint8Array): number {
    const at = this.allocBytes(data.byteLength);
    if (data instanceof Float32Array) this.f32().set(data, at >> 2);
    else this.byteView().set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return at;
  }

  /** Copies `out.byteLength` bytes starting at byte offset `at` out into `out`. */
  get(at: number, out: Float32Array | Int32Array | Uint8Array): void {
    if (out instanceof Float32Array) out.set(this.f32().subarray(at >> 2, (at >> 2) + out.length));
    else new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(this.byteView().subarray(at, at + out.byteLength));
  }

  private byteView(): Uint8Array {
    this.f32();
    return this.bytes;
  }
}

/** Rounds a byte offset up to 64 bytes (one cache line). */
export function align(bytes: number): number {
  return (bytes + 63) & ~63;
}
