// Kernels where one workgroup walks one row: a row is the elements along an axis of [outer, size, inner]
// (row = o * inner + i, element r at (o * size + r) * inner + i), or any set the kernel addresses itself.
// Each thread folds a strided share of the row; wgSum/wgMax combine the shares through workgroup memory
// (every thread of the workgroup must call them: they hold barriers).
import type { Storage } from '../../tensor/storage.js';
import { allocateStorage, type GpuStorage } from './memory.js';
import type { DType } from '../../tensor/dtype.js';
import { binding, wgslType } from './wgsl.js';

export const ROW_THREADS = 256;

/** WGSL: the workgroup sum and maximum (NaN ignored by the maximum: it reaches the result through the values). */
export const ROW_REDUCE = `
var<workgroup> part: array<f32, ${ROW_THREADS}>;
fn wgSum(l: u32, v: f32) -> f32 {
  part[l] = v;
  workgroupBarrier();
  for (var half = ${ROW_THREADS / 2}u; half > 0u; half = half / 2u) {
    if (l < half) { part[l] = part[l] + part[l + half]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}
fn wgMax(l: u32, v: f32) -> f32 {
  part[l] = v;
  workgroupBarrier();
  for (var half = ${ROW_THREADS / 2}u; half > 0u; half = half / 2u) {
    if (l < half) { part[l] = select(part[l], part[l + half], part[l + half] > part[l]); }
    workgroupBarrier();
  }
  let top = part[0];
  workgroupBarrier();
  return top;
}
`;

/**
 * A kernel whose workgroup `row` (< P(0)) runs `body` with `l`, its thread's lane; for rows along an axis,
 * P(1) is the axis's size, P(2) the inner size, and `base + r * step` is element r of the row.
 */
export function rowMain(body: string): string {
  return `@compute @workgroup_size(${ROW_THREADS}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.y * groups.x + wid.x;
  if (row >= P(0)) { return; }
  let l = lid.x;
  let size = P(1);
  let step = P(2);
  let base = (row / step) * size * step + row % step;
  ${body}
}`;
}

/** A storage for a kernel's intermediate values on the device of `like` (release it with releaseStorage). */
export function temporary(like: Storage, dtype: DType, length: number): GpuStorage {
  return allocateStorage(like.device, dtype, length, false);
}

/** Storage bindings from 1 for the operands that are present: their declarations, the operands and which are written. */
export function bindPresent(list: readonly (readonly [name: string, storage: Storage | null, write?: boolean])[]): { code: string; operands: Storage[]; writes: number[] } {
  const present = list.filter(([, s]) => s !== null) as [string, Storage, boolean?][];
  return {
    code: present.map(([name, s, write], k) => binding(k + 1, name, wgslType(s.dtype), write)).join('\n'),
    operands: present.map(([, s]) => s),
    writes: present.flatMap(([, , write], k) => (write ? [k] : [])),
  };
}
