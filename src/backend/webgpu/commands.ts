// Command batching. Kernels are recorded into one command encoder (one compute pass while only
// dispatches follow each other) and submitted together: on a read, before a direct buffer write, or
// after MAX_DISPATCHES dispatches. Each dispatch's scalars (sizes, strides, coefficients) take a
// 256-byte slot of one uniform buffer, written once per batch just before the submit: a queue write is
// ordered before the command buffers submitted after it and after those submitted before it, so one
// uniform buffer serves every batch.
import { gpu } from './context.js';
import { type GpuBindGroupLayout, type GpuBuffer, type GpuCommandEncoder, type GpuComputePass, type GpuComputePipeline, USAGE } from './gpu-types.js';

/** Bytes of one dispatch's parameters (64 words: shapes and strides of rank up to 8 for three operands fit). */
export const PARAM_BYTES = 256;
export const PARAM_WORDS = PARAM_BYTES / 4;
const MAX_DISPATCHES = 512;

/** A compiled compute shader and the layout of its bind group 0. */
export interface Kernel {
  readonly pipeline: GpuComputePipeline;
  readonly layout: GpuBindGroupLayout;
}

interface Batch {
  encoder: GpuCommandEncoder;
  pass: GpuComputePass | null;
  dispatches: number;
}

let batch: Batch | null = null;
const words = new Uint32Array(PARAM_WORDS * MAX_DISPATCHES);
let uniforms: GpuBuffer | null = null;
/** Buffers to destroy once the commands that use them are submitted. */
let doomed: GpuBuffer[] = [];
/** Errors the device reported for submitted batches, thrown at the next read. */
let errors: string[] = [];
let pendingScopes: Promise<void>[] = [];
const kernels = new Map<string, Kernel>();

/** The compiled kernel for WGSL `code` (compiled once per device and code). */
export function kernel(code: string): Kernel {
  let k = kernels.get(code);
  if (!k) {
    const { device } = gpu();
    open(); // compile errors land in the batch's error scope
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    k = { pipeline, layout: pipeline.getBindGroupLayout(0) };
    kernels.set(code, k);
  }
  return k;
}

function open(): Batch {
  if (batch) return batch;
  const { device } = gpu();
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  batch = { encoder: device.createCommandEncoder(), pass: null, dispatches: 0 };
  return batch;
}

/** The batch's encoder outside any pass, for copies and clears. */
function encoderOutsidePass(): GpuCommandEncoder {
  const b = open();
  if (b.pass) {
    b.pass.end();
    b.pass = null;
  }
  return b.encoder;
}

/**
 * Records one dispatch: `params` (u32 words, at most PARAM_WORDS) go to binding 0 as a uniform,
 * `buffers` to bindings 1, 2, ... in order.
 */
export function dispatch(k: Kernel, params: ArrayLike<number>, buffers: readonly GpuBuffer[], groups: readonly [number, number?, number?]): void {
  if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
  if (params.length > PARAM_WORDS) throw new Error(`webgpu: internal error: ${params.length} parameter words (at most ${PARAM_WORDS})`);
  if (batch && batch.dispatches === MAX_DISPATCHES) flush();
  const b = open();
  const slot = b.dispatches++;
  words.set(params, slot * PARAM_WORDS);
  const { device } = gpu();
  uniforms ??= device.createBuffer({ size: PARAM_BYTES * MAX_DISPATCHES, usage: USAGE.UNIFORM | USAGE.COPY_DST });
  const entries = [{ binding: 0, resource: { buffer: uniforms, offset: slot * PARAM_BYTES, size: PARAM_BYTES } }];
  buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer, offset: 0, size: buffer.size } }));
  const group = device.createBindGroup({ layout: k.layout, entries });
  b.pass ??= b.encoder.beginComputePass();
  b.pass.setPipeline(k.pipeline);
  b.pass.setBindGroup(0, group);
  b.pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
}

export function copyBuffer(source: GpuBuffer, destination: GpuBuffer, bytes: number): void {
  if (bytes > 0) encoderOutsidePass().copyBufferToBuffer(source, 0, destination, 0, bytes);
}

export function clearBuffer(buffer: GpuBuffer, bytes: number): void {
  if (bytes > 0) encoderOutsidePass().clearBuffer(buffer, 0, bytes);
}

/** Whether commands are recorded but not yet submitted. */
export function pending(): boolean {
  return batch !== null;
}

/** Destroys `buffer` once the commands recorded so far (which may use it) are submitted. */
export function destroyAfterSubmit(buffer: GpuBuffer): void {
  if (batch) doomed.push(buffer);
  else buffer.destroy();
}

/** Submits the recorded commands (nothing waits for them). */
export function flush(): void {
  if (!batch) return;
  const { device } = gpu();
  const b = batch;
  batch = null;
  if (b.pass) b.pass.end();
  if (b.dispatches > 0) device.queue.writeBuffer(uniforms!, 0, words, 0, b.dispatches * PARAM_WORDS);
  device.queue.submit([b.encoder.finish()]);
  for (const buffer of doomed) buffer.destroy();
  doomed = [];
  const scopes = [device.popErrorScope(), device.popErrorScope()];
  pendingScopes.push(Promise.all(scopes).then((found) => {
    for (const e of found) if (e) errors.push(e.message);
  }));
}

/**
 * Submits, waits until the GPU has run everything submitted, and throws the first error the device
 * reported for it (a kernel that failed validation, memory exhausted).
 */
export async function finish(): Promise<void> {
  flush();
  const scopes = pendingScopes;
  pendingScopes = [];
  await Promise.all([gpu().device.queue.onSubmittedWorkDone(), ...scopes]);
  throwReported();
}

/** Throws (once) the errors the device reported so far. */
function throwReported(): void {
  if (errors.length === 0) return;
  const first = errors[0];
  const more = errors.length - 1;
  errors = [];
  throw new Error(`webgpu: the GPU rejected a command: ${first}${more > 0 ? ` (and ${more} more errors)` : ''}`);
}

/** Forgets compiled kernels and batch state (a new device was opened). */
export function resetCommands(): void {
  batch = null;
  uniforms = null;
  doomed = [];
  errors = [];
  pendingScopes = [];
  kernels.clear();
}
