// Pieces of WGSL every kernel shares, and the launch of a kernel on storages. A kernel's scalars arrive
// as u32 words in a uniform (binding 0) read with P(i), PI(i) (as i32) and PF(i) (as f32); its
// storages are bindings 1, 2, ... declared with `binding()`.
import type { DType } from '../../tensor/dtype.js';
import type { Storage } from '../../tensor/storage.js';
import { copyBuffer, dispatch, kernel, PARAM_WORDS } from './commands.js';
import { bufferOf, releaseScratch, scratch } from './memory.js';
import type { GpuBuffer } from './gpu-types.js';

/** The WGSL type of an element of `dtype` (bool is a u32 holding 0 or 1). */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/** `expr` (of `from`'s WGSL type) converted to type `to` with the reference's rules: to bool is != 0, float to int truncates. */
export function convert(expr: string, from: DType | 'f32' | 'i32', to: DType | 'f32' | 'i32'): string {
  const [f, t] = [from.length === 3 ? from : wgslType(from as DType), to.length === 3 ? to : wgslType(to as DType)];
  if (f === t) return expr;
  // !(x == 0) rather than x != 0: some drivers compile != as an ordered comparison, false for NaN
  if (t === 'u32') return `select(0u, 1u, !(${expr} == ${f === 'f32' ? '0.0' : f === 'i32' ? '0' : '0u'}))`;
  if (t === 'i32' && f === 'f32') return `truncToI32(${expr})`;
  return `${t}(${expr})`;
}

/** The header of every kernel: parameters and helpers. */
export const HEADER = `
@group(0) @binding(0) var<uniform> params: array<vec4<u32>, ${PARAM_WORDS / 4}>;
fn P(i: u32) -> u32 { return params[i / 4u][i % 4u]; }
fn PI(i: u32) -> i32 { return bitcast<i32>(P(i)); }
fn PF(i: u32) -> f32 { return bitcast<f32>(P(i)); }
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isInf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// (through a var: a constant NaN or infinity is a WGSL compile error)
fn nanF() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn infF() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
// float to int32 as a typed array stores it: toward zero, NaN and infinities to 0, wrapped modulo 2^32
fn truncToI32(x: f32) -> i32 {
  if (isNan(x) || isInf(x)) { return 0; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  return bitcast<i32>(u32(t - 4294967296.0 * floor(t / 4294967296.0))); // (exact: t is an integer multiple of its ulp)
}
`;

/** A storage binding: `array<type>` named `name` at `index`, read-only unless `write`. */
export function binding(index: number, name: string, type: string, write = false): string {
  return `@group(0) @binding(${index}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: array<${type}>;`;
}

/** A kernel over `n` items with workgroups of WG threads: the body sees `i`, the item's index (< P(0), which must be n). */
export const WG = 256;
export function elementwise(body: string): string {
  return `@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.y * groups.x * ${WG}u + gid.x;
  if (i >= P(0)) { return; }
  ${body}
}`;
}

const MAX_GROUPS = 65535;

/** Workgroup counts [x, y] covering `count` workgroups within the per-dimension limit. */
export function grid(count: number): [number, number] {
  if (count <= MAX_GROUPS) return [count, 1];
  const y = Math.ceil(count / MAX_GROUPS);
  return [Math.ceil(count / y), y];
}

/** Workgroups for `n` items of the elementwise shape. */
export function gridFor(n: number): [number, number] {
  return grid(Math.ceil(n / WG));
}

/** The bits of a float32 as a u32 parameter word. */
export function f32bits(x: number): number {
  f32[0] = x;
  return u32[0];
}
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** An int32 as a u32 parameter word. */
export const i32bits = (x: number): number => x >>> 0;

/**
 * Dispatches WGSL `code` on storages bound in order from 1; `writes` lists the positions (in `operands`)
 * the kernel writes. A storage bound both for writing and at another binding (an in-place op) is
 * read from a copy, since WebGPU forbids a writable binding to alias another.
 */
export function launch(code: string, params: ArrayLike<number>, operands: readonly Storage[], writes: readonly number[], groups: readonly [number, number?, number?]): void {
  const buffers: GpuBuffer[] = operands.map(bufferOf);
  const copies: GpuBuffer[] = [];
  for (const w of writes) {
    for (let j = 0; j < buffers.length; j++) {
      if (j === w || buffers[j] !== buffers[w]) continue;
      if (writes.includes(j)) throw new Error('webgpu: internal error: one storage bound for writing twice');
      const copy = scratch(buffers[w].size);
      copyBuffer(buffers[w], copy, buffers[w].size);
      copies.push(copy);
      for (let k = 0; k < buffers.length; k++) if (k !== w && buffers[k] === buffers[w]) buffers[k] = copy;
    }
  }
  dispatch(kernel(code), params, buffers, groups);
  for (const c of copies) releaseScratch(c);
}
