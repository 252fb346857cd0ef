// Sorting along an axis of [outer, n, inner] (argsort, topk): each line (o, i) is copied into a scratch row
// of keys and positions padded to a power of two P, sorted there by a bitonic network, and the first k
// positions are written out. Keys compare by value (NaN the largest, as PyTorch), then by position, so the
// order is a total one and the network's result is the stable order the reference gives; padding sorts last.
// Blocks of up to LOCAL elements are sorted and merged in workgroup memory; the merge steps that span
// blocks of a longer row run one dispatch per step over global memory.
import type { Storage } from '../../tensor/storage.js';
import { releaseStorage } from './memory.js';
import { temporary } from './rows.js';
import { binding, convert, elementwise, grid, gridFor, HEADER, launch } from './wgsl.js';

/** Elements of a block sorted in workgroup memory (keys and positions: 8 KiB). */
const LOCAL = 1024;
const THREADS = 256;

/** WGSL: `before(ka, ia, kb, ib)`, whether key ka at position ia comes first (padding, position PAD, last). */
function orderCode(key: 'f32' | 'i32', descending: boolean): string {
  const nan = key === 'f32' ? 'let an = isNan(a); let bn = isNan(b); if (an) { return select(1, 0, bn); } if (bn) { return -1; }' : '';
  return `
const PAD = 0xffffffffu;
fn compareValues(a: ${key}, b: ${key}) -> i32 { ${nan} if (a < b) { return -1; } if (b < a) { return 1; } return 0; }
fn before(ka: ${key}, ia: u32, kb: ${key}, ib: u32) -> bool {
  if (ia == PAD) { return false; }
  if (ib == PAD) { return true; }
  let c = compareValues(ka, kb);
  if (c != 0) { return c ${descending ? '>' : '<'} 0; }
  return ia < ib;
}
`;
}

export function argsort(x: Storage, outer: number, n: number, inner: number, descending: boolean, out: Storage): void {
  topk(x, outer, n, inner, n, descending, out);
}

export function topk(x: Storage, outer: number, n: number, inner: number, k: number, largest: boolean, out: Storage): void {
  const rows = outer * inner;
  if (rows === 0 || n === 0 || k === 0) return;
  const key = x.dtype === 'float32' ? 'f32' : 'i32';
  const width = 2 ** Math.ceil(Math.log2(n));
  const keys = temporary(x, key === 'f32' ? 'float32' : 'int32', rows * width);
  const positions = temporary(x, 'int32', rows * width);
  const head = `${HEADER}${orderCode(key, largest)}${binding(1, 'keys', key, true)}${binding(2, 'idx', 'u32', true)}`;

  const load = `${HEADER}${binding(1, 'x', x.dtype === 'float32' ? 'f32' : x.dtype === 'int32' ? 'i32' : 'u32')}${binding(2, 'keys', key, true)}${binding(3, 'idx', 'u32', true)}
${elementwise(`let width = P(1); let n = P(2); let inner = P(3);
  let row = i / width; let r = i % width;
  if (r < n) { keys[i] = ${convert(`x[((row / inner) * n + r) * inner + row % inner]`, x.dtype, key)}; idx[i] = r; }
  else { keys[i] = ${key}(0); idx[i] = 0xffffffffu; }`)}`;
  launch(load, [rows * width, width, n, inner], [x, keys, positions], [1, 2], gridFor(rows * width));

  const block = Math.min(width, LOCAL);
  const local = (first: number, last: number) => {
    if (block < 2) return;
    launch(localCode(head, key), [block, first, last, width, rows * width], [keys, positions], [0, 1], grid(rows * width / block));
  };
  local(2, block);
  for (let size = 2 * block; size <= width; size *= 2) {
    for (let j = size / 2; j >= block; j /= 2) {
      launch(`${head}${GLOBAL_STEP}`, [rows * width / 2, width, size, j], [keys, positions], [0, 1], gridFor(rows * width / 2));
    }
    local(size, size);
  }

  const write = `${HEADER}${binding(1, 'idx', 'u32')}${binding(2, 'out', 'i32', true)}
${elementwise(`let k = P(1); let inner = P(2); let width = P(3);
  let row = (i / (k * inner)) * inner + i % inner;
  out[i] = i32(idx[row * width + (i / inner) % k]);`)}`;
  launch(write, [outer * k * inner, k, inner, width], [positions, out], [1], gridFor(outer * k * inner));
  releaseStorage(keys);
  releaseStorage(positions);
}

// one step (size P(2), distance P(3)) of the network over whole rows in global memory: a thread per pair
const GLOBAL_STEP = `
${elementwise(`let width = P(1); let size = P(2); let j = P(3);
  let half = width / 2u;
  let p = i % half;
  let e = (p / j) * 2u * j + p % j;
  let a = (i / half) * width + e; let b = a + j;
  let ka = keys[a]; let ia = idx[a]; let kb = keys[b]; let ib = idx[b];
  if (before(kb, ib, ka, ia) == ((e & size) == 0u)) { keys[a] = kb; idx[a] = ib; keys[b] = ka; idx[b] = ia; }`)}`;

// the steps of sizes P(1)..P(2) whose distances stay within a block of P(0) elements (of P(4) in all), in workgroup memory
function localCode(head: string, key: string): string {
  return `${head}
var<workgroup> sk: array<${key}, ${LOCAL}>;
var<workgroup> si: array<u32, ${LOCAL}>;
@compute @workgroup_size(${THREADS}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let blk = wid.y * groups.x + wid.x;
  let block = P(0); let first = P(1); let last = P(2); let width = P(3);
  let start = blk * block;
  let live = start < P(4);
  if (live) { for (var e = lid.x; e < block; e = e + ${THREADS}u) { sk[e] = keys[start + e]; si[e] = idx[start + e]; } }
  workgroupBarrier();
  let offset = start % width; // the block's first position in its row
  for (var size = first; size <= last; size = size * 2u) {
    for (var j = min(size, block) / 2u; j > 0u; j = j / 2u) {
      for (var t = lid.x; t < block / 2u; t = t + ${THREADS}u) {
        let e = (t / j) * 2u * j + t % j; let f = e + j;
        let ke = sk[e]; let ie = si[e]; let kf = sk[f]; let jf = si[f];
        if (before(kf, jf, ke, ie) == (((offset + e) & size) == 0u)) { sk[e] = kf; si[e] = jf; sk[f] = ke; si[f] = ie; }
      }
      workgroupBarrier();
    }
  }
  if (live) { for (var e = lid.x; e < block; e = e + ${THREADS}u) { keys[start + e] = sk[e]; idx[start + e] = si[e]; } }
}`;
}
