// The webgpu backend's storage: one GPU buffer per tensor, taken from a pool of freed buffers by size
// class. Memory without dispose, as on wasm: the library releases what it knows to be dead (gradients
// consumed by backward, intermediates of library scopes) at once, and a FinalizationRegistry returns the
// buffers of tensors the collector reclaimed. A freed buffer may be reused at once: commands run in the
// order they were recorded, so a later kernel's writes land after every earlier kernel's reads.
//
// Element types: float32 as f32, int32 as i32, bool as u32 (0 or 1, one word per element: WGSL has no
// byte-addressed storage). WebGPU has no 64-bit floats, so float64 is refused.
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { type Device, type Storage, noteAllocation } from '../../tensor/storage.js';
import { clearBuffer, copyBuffer, destroyAfterSubmit, dispatch, finish, flush, kernel, pending, PARAM_WORDS } from './commands.js';
import { gpu } from './context.js';
import { type GpuBuffer, MAP_READ, USAGE } from './gpu-types.js';

/** Bytes per element on the GPU. */
export const ELEMENT_BYTES = 4;

/** A buffer and whether the library gave it back (a use after that is a bug, reported loudly). */
export class Block {
  released = false;
  constructor(public buffer: GpuBuffer | null, readonly capacity: number) {}
}

/** A tensor's elements on the GPU. The block is apart so that the finalizer's token keeps no storage alive. */
export class GpuStorage implements Storage {
  constructor(readonly device: Device, readonly dtype: DType, readonly length: number, readonly block: Block) {}
}

const pool = new Map<number, GpuBuffer[]>();
let pooledBytes = 0;
let liveBytes = 0;
/** Freed buffers kept for reuse, at most this many bytes; beyond, they are destroyed. */
const POOL_BUDGET = 512 * 2 ** 20;

const finalizer = new FinalizationRegistry<Block>((block) => {
  if (!block.released) free(block);
});

/** What the backend holds on the GPU now (bytes). */
export interface GpuMemoryStats {
  /** Bytes of buffers that hold tensors. */
  liveBytes: number;
  /** Bytes of freed buffers kept for reuse by size class. */
  pooledBytes: number;
}

export function gpuMemoryStats(): GpuMemoryStats {
  return { liveBytes, pooledBytes };
}

/** Buffer sizes: multiples of 256 bytes up to 4 KiB, then four classes per power of two. */
function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(256, (bytes + 255) & ~255);
  const quarter = 2 ** Math.floor(Math.log2(bytes)) / 4;
  return Math.ceil(bytes / quarter) * quarter;
}

function checkDtype(dtype: DType, op: string): void {
  if (dtype === 'float64') {
    throw new Error(`webgpu: ${op}: float64 is not supported (WebGPU has no 64-bit floats); use float32 (e.g. model.to('float32')) or keep float64 tensors on 'wasm'`);
  }
}

/** Forgets the pool (its buffers belong to a device that is gone). */
export function forgetPool(): void {
  pool.clear();
  pooledBytes = 0;
  assertions = [];
}

/** A buffer of `capacity` bytes (a size class): a pooled one, or a new one, which WebGPU zero-fills. */
function take(capacity: number): { buffer: GpuBuffer; reused: boolean } {
  const reused = pool.get(capacity)?.pop();
  if (reused) {
    pooledBytes -= capacity;
    return { buffer: reused, reused: true };
  }
  const buffer = gpu().device.createBuffer({ size: capacity, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  return { buffer, reused: false };
}

/** A new storage, zero-filled when `zero`. */
export function allocateStorage(device: Device, dtype: DType, length: number, zero: boolean): GpuStorage {
  checkDtype(dtype, 'allocate');
  const capacity = sizeClass(length * ELEMENT_BYTES);
  const { buffer, reused } = take(capacity);
  if (reused && zero) clearBuffer(buffer, capacity);
  liveBytes += capacity;
  const block = new Block(buffer, capacity);
  const storage = new GpuStorage(device, dtype, length, block);
  finalizer.register(storage, block, block);
  noteAllocation(storage);
  return storage;
}

function free(block: Block): void {
  block.released = true;
  liveBytes -= block.capacity;
  recycle(block.buffer!);
  block.buffer = null;
}

function recycle(buffer: GpuBuffer): void {
  if (pooledBytes + buffer.size > POOL_BUDGET) {
    destroyAfterSubmit(buffer);
    return;
  }
  let list = pool.get(buffer.size);
  if (!list) pool.set(buffer.size, (list = []));
  list.push(buffer);
  pooledBytes += buffer.size;
}

/** Gives a storage's buffer back to the pool now (the library knows no tensor can reach it). */
export function releaseStorage(storage: Storage): void {
  const block = (storage as GpuStorage).block;
  if (block.released) return;
  finalizer.unregister(block);
  free(block);
}

/** The buffer of a live storage. */
export function bufferOf(storage: Storage): GpuBuffer {
  const block = (storage as GpuStorage).block;
  if (block.released) throw new Error('webgpu backend: internal error: a storage was used after the library released it');
  return block.buffer!;
}

/** A buffer of at least `bytes` from the pool, for a kernel's scratch (give it back with releaseScratch). */
export function scratch(bytes: number): GpuBuffer {
  return take(sizeClass(bytes)).buffer;
}

/** Returns a scratch buffer to the pool (commands recorded before still see its contents). */
export const releaseScratch = recycle;

/** The data in its GPU layout: bool bytes widened to u32 words. */
function gpuWords(data: TypedArray, dtype: DType): Float32Array | Int32Array | Uint32Array {
  if (dtype === 'bool') return Uint32Array.from(data as Uint8Array);
  return data as Float32Array | Int32Array;
}

// Copies a uniform slot into the buffer: small writes stay inside the batch instead of submitting it.
const WRITE_SMALL = `@group(0) @binding(0) var<uniform> params: array<vec4<u32>, ${PARAM_WORDS / 4}>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  let n = params[0][0];
  if (id.x < n) { let w = id.x + 1u; out[id.x] = params[w / 4u][w % 4u]; }
}`;

/** Writes `data` (the dtype's array type, the storage's length) over the elements. */
export function writeStorage(storage: Storage, data: TypedArray): void {
  const buffer = bufferOf(storage);
  const values = gpuWords(data, storage.dtype);
  if (values.length === 0) return;
  if (pending() && values.length < PARAM_WORDS) {
    const params = new Uint32Array(values.length + 1);
    params[0] = values.length;
    params.set(new Uint32Array(values.buffer, values.byteOffset, values.length), 1);
    dispatch(kernel(WRITE_SMALL), params, [buffer], [Math.ceil(values.length / 64)]);
    return;
  }
  flush(); // a queue write runs before commands still unsubmitted: submit them first
  gpu().device.queue.writeBuffer(buffer, 0, values, 0, values.length);
}

/** A storage holding a copy of `data`. */
export function storageFrom(device: Device, data: TypedArray, dtype: DType): GpuStorage {
  checkDtype(dtype, 'fromArray');
  const s = allocateStorage(device, dtype, data.length, false);
  writeStorage(s, data);
  return s;
}

/** A copy of the elements, once the GPU has computed them. */
export async function readStorage(storage: Storage): Promise<TypedArray> {
  const copy = copyForReading(storage as GpuStorage);
  const due = takeAssertions();
  try {
    await finishBefore(due);
  } catch (e) {
    copy.staging.destroy();
    throw e;
  }
  const [values] = await Promise.all([mapCopy(copy), checkAssertions(due)]);
  return values;
}

/** Waits for the GPU, then runs the checks ops asked for (webgpuSynchronize). */
export async function finishAndCheck(): Promise<void> {
  const due = takeAssertions();
  await finishBefore(due);
  await checkAssertions(due);
}

// Submits and waits; should that fail, the checks taken for this read stay due for the next one.
async function finishBefore(due: Assertion[]): Promise<void> {
  try {
    await finish();
  } catch (e) {
    assertions = [...due, ...assertions];
    throw e;
  }
}

interface ReadCopy {
  staging: GpuBuffer;
  bytes: number;
  dtype: DType;
}

// A mappable copy of the storage's elements as they are at this point of the recorded work.
function copyForReading(s: GpuStorage): ReadCopy {
  const bytes = s.length * ELEMENT_BYTES;
  const staging = gpu().device.createBuffer({ size: Math.max(4, bytes), usage: USAGE.MAP_READ | USAGE.COPY_DST });
  copyBuffer(bufferOf(s), staging, bytes);
  return { staging, bytes, dtype: s.dtype };
}

async function mapCopy({ staging, bytes, dtype }: ReadCopy): Promise<TypedArray> {
  try {
    await staging.mapAsync(MAP_READ, 0, Math.max(4, bytes));
    const words = staging.getMappedRange(0, Math.max(4, bytes)).slice(0, bytes);
    staging.unmap();
    switch (dtype) {
      case 'float32': return new Float32Array(words);
      case 'int32': return new Int32Array(words);
      default: return Uint8Array.from(new Uint32Array(words));
    }
  } finally {
    staging.destroy();
  }
}

interface Assertion {
  copies: ReadCopy[];
  describe: (values: TypedArray[]) => string | null;
}

let assertions: Assertion[] = [];

/** Device.assertLater: copies the storages now, checks them at the next read. */
export function assertLater(storages: readonly Storage[], describe: (values: TypedArray[]) => string | null): void {
  assertions.push({ copies: storages.map((s) => copyForReading(s as GpuStorage)), describe });
}

// The checks of the ops recorded so far, taken when a read starts: that read reports them, and checks of ops
// recorded while it waits go to a later read (the trainer records the next batch while a step's values are read).
function takeAssertions(): Assertion[] {
  const due = assertions;
  assertions = [];
  return due;
}

// The checks taken for a read, after the work that copied their values has run: throws the first failure.
async function checkAssertions(due: Assertion[]): Promise<void> {
  if (due.length === 0) return;
  const messages = await Promise.all(due.map(async (a) => a.describe(await Promise.all(a.copies.map(mapCopy)))));
  const failed = messages.filter((m): m is string => m !== null);
  if (failed.length > 0) {
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed checks)` : '';
    throw new Error(`${failed[0]}${more} [checked on webgpu at this read, after the op ran]`);
  }
}
