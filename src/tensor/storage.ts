// A tensor's elements live in a Storage owned by a Device (a backend: js, wasm, ...). Only the device reads
// or writes them; everything above reaches elements through Tensor's reads (item, toArray, dataSync, data)
// and through ops. This file is the seam's lower half: what tensor/ needs to know of devices, and which
// device new tensors go to.
import type { DType, TypedArray } from './dtype.js';

/** An opaque block of `length` elements of `dtype`, owned by `device`. */
export interface Storage {
  readonly device: Device;
  readonly dtype: DType;
  readonly length: number;
}

/** Storages that nodes of one graph hold for their backward; released when the last owner is freed (autograd/scope.ts). */
export interface Ownership {
  storages: Storage[];
  owners: number;
}

/** What tensor/ needs of a backend: storage in and out. Kernels are the Backend's (backend/backend.ts). */
export interface Device {
  readonly name: string;
  /** False for a device that reads only asynchronously (a GPU): ops skip their data-dependent shortcuts there. */
  readonly readsSync?: boolean;
  /** False for a device without 64-bit floats (WebGPU): ops that draw float64 uniforms draw them on the CPU. */
  readonly float64?: boolean;
  /** A zero-filled storage. */
  zeros(dtype: DType, length: number): Storage;
  /** A storage whose elements the caller will overwrite entirely (contents unspecified). */
  empty(dtype: DType, length: number): Storage;
  /** A storage holding a copy of `data`, which must have dtype's array type. */
  fromArray(data: TypedArray, dtype: DType): Storage;
  /** A copy of the elements, synchronously; a device that can only read asynchronously throws. */
  read(storage: Storage): TypedArray;
  /** A copy of the elements; every device supports it. */
  readAsync(storage: Storage): Promise<TypedArray>;
  /** Sets every element to `value` (converted as a typed array of the dtype converts it). */
  fill(storage: Storage, value: number): void;
  /** Writes `data` (dtype's array type, storage's length) over the elements. */
  write(storage: Storage, data: TypedArray): void;
  /**
   * Gives the storage's memory back now: the library calls it only where it knows no tensor can reach
   * the storage any more (gradients consumed by backward, intermediates of fused ops). Optional work:
   * a device whose memory the garbage collector reclaims may do nothing.
   */
  release(storage: Storage): void;
  /**
   * An optimizer step has ended (optional): a device that keeps storage in memory of its own, which the
   * garbage collector does not feel, may move out what recent steps did not use.
   */
  endStep?(): void;
  /**
   * For a device that reads only asynchronously: takes the elements of `storages` as they are at this point
   * of the work, and at the next read (of any tensor, or a synchronize) passes them to `describe`, throwing
   * its message if it returns one, as CUDA reports device-side assertions at the next synchronization.
   */
  assertLater?(storages: readonly Storage[], describe: (values: TypedArray[]) => string | null): void;
}

const devices = new Map<string, Device>();
let chosen: Device | null = null;
// Devices in the order they are preferred when the user has not chosen one.
const PREFERENCE = ['wasm', 'js'];

/** Makes a device available by name (backends call this when their module loads; it selects nothing). */
export function registerDevice(device: Device): void {
  devices.set(device.name, device);
}

/** The device new tensors are created on: the one set with setBackend, else the fastest registered. */
export function defaultDevice(): Device {
  if (chosen) return chosen;
  for (const name of PREFERENCE) {
    const d = devices.get(name);
    if (d) return d;
  }
  const first = devices.values().next();
  if (first.done) throw new Error('descent: no backend registered');
  return first.value;
}

/**
 * Where values that come from the host (files, the network) land: the default device where it reads
 * synchronously, else the preferred CPU device, as PyTorch loads onto the CPU.
 * @example Tensor.fromArray(values, shape, 'float32', hostDevice())
 */
export function hostDevice(): Device {
  const d = defaultDevice();
  if (d.readsSync !== false) return d;
  for (const name of PREFERENCE) {
    const cpu = devices.get(name);
    if (cpu) return cpu;
  }
  throw new Error('descent: no CPU backend registered');
}

/** A registered device by name, or an error listing those that exist. */
export function deviceNamed(name: string, caller: string): Device {
  const d = devices.get(name);
  if (!d) throw new Error(`${caller}: unknown backend '${name}' (available: ${[...devices.keys()].join(', ')})`);
  return d;
}

/**
 * Selects the backend new tensors are created on ('js' always exists; 'wasm' where WebAssembly SIMD
 * does). Tensors already made stay where they are: move them with `t.to(name)` or `module.to(name)`.
 * @example setBackend('js') // the reference kernels, e.g. to compare with the default
 */
export function setBackend(name: string): void {
  chosen = deviceNamed(name, 'setBackend');
}

/** The name of the backend new tensors are created on. @example getBackend() // 'wasm' */
export function getBackend(): string {
  return defaultDevice().name;
}

/** The names of the registered backends, in order of preference. */
export function listBackends(): string[] {
  return [...devices.keys()];
}

// Storages created while a log is open (autograd's backward opens one to free the gradients it made).
let allocationLog: Set<Storage> | null = null;

/** Backends call this for every storage they create. */
export function noteAllocation(storage: Storage): void {
  if (allocationLog !== null) allocationLog.add(storage);
}

/**
 * Runs `fn` with a log that collects the storages created meanwhile (also visible to `fn` as it grows);
 * an enclosing log sees them too.
 */
export function withAllocationLog<T>(fn: (log: Set<Storage>) => T): [T, Set<Storage>] {
  const outer = allocationLog;
  const log = new Set<Storage>();
  allocationLog = log;
  try {
    return [fn(log), log];
  } finally {
    if (outer !== null) for (const s of log) outer.add(s);
    allocationLog = outer;
  }
}
