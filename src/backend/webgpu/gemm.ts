// A tiled GEMM in WGSL that matmul and the convolutions share: C[b] (M x N) = A[b] (M x K) @ B[b] (K x N),
// where the caller writes how an element of A or B is loaded (a plain or transposed matrix, or an
// implicit im2col of an image) and how a result is stored (plus a bias, into an NCHW layout).
// A workgroup of 16 x 16 threads computes a 64 x 64 tile of C, each thread a 4 x 4 block (rows and columns
// 16 apart, so neighbouring threads touch neighbouring addresses); A and B advance through workgroup memory
// 16 columns/rows of K at a time. Batches are the z dimension of the dispatch.
import type { Storage } from '../../tensor/storage.js';
import { HEADER, launch } from './wgsl.js';

const TILE = 64;
const DEPTH = 16;
const MAX_GROUPS = 65535;

export interface GemmShader {
  /** Storage bindings from 1 (the output last). */
  bindings: string;
  /** Helper functions and `fn loadA(b: u32, row: u32, k: u32) -> f32` (called only in range). */
  loadA: string;
  /** `fn loadB(b: u32, k: u32, col: u32) -> f32` (called only in range). */
  loadB: string;
  /** `fn store(b: u32, row: u32, col: u32, v: f32)` (called only in range). */
  store: string;
  /** Whether neighbouring k of A (else neighbouring rows) are adjacent in memory, for coalesced loads; the same for B's k (else columns). */
  aAlongK: boolean;
  bAlongK: boolean;
}

/** Parameters from this word on belong to the caller (the GEMM uses M, N, K and the batch offset before it). */
export const GEMM_PARAMS = 4;

function shader(s: GemmShader): string {
  // element e (0..1023) of a tile maps to (row or column, k) so that consecutive threads read consecutive addresses
  const aPos = s.aAlongK ? `let ak = e % ${DEPTH}u; let am = e / ${DEPTH}u;` : `let am = e % ${TILE}u; let ak = e / ${TILE}u;`;
  const bPos = s.bAlongK ? `let bk = e % ${DEPTH}u; let bn = e / ${DEPTH}u;` : `let bn = e % ${TILE}u; let bk = e / ${TILE}u;`;
  return `${HEADER}${s.bindings}
${s.loadA}
${s.loadB}
${s.store}
var<workgroup> tileA: array<f32, ${TILE * DEPTH}>;
var<workgroup> tileB: array<f32, ${TILE * DEPTH}>;
@compute @workgroup_size(16, 16) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = P(0); let N = P(1); let K = P(2);
  let batch = wid.z + P(3);
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var q = 0u; q < 16u; q = q + 1u) { acc[q] = 0.0; }
  for (var k0 = 0u; k0 < K; k0 = k0 + ${DEPTH}u) {
    for (var l = 0u; l < 4u; l = l + 1u) {
      let e = tid + l * 256u;
      ${aPos}
      var va = 0.0;
      if (row0 + am < M && k0 + ak < K) { va = loadA(batch, row0 + am, k0 + ak); }
      tileA[ak * ${TILE}u + am] = va;
      ${bPos}
      var vb = 0.0;
      if (k0 + bk < K && col0 + bn < N) { vb = loadB(batch, k0 + bk, col0 + bn); }
      tileB[bk * ${TILE}u + bn] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk = kk + 1u) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var q = 0u; q < 4u; q = q + 1u) {
        a[q] = tileA[kk * ${TILE}u + lid.y + 16u * q];
        b[q] = tileB[kk * ${TILE}u + lid.x + 16u * q];
      }
      for (var i = 0u; i < 4u; i = i + 1u) {
        for (var j = 0u; j < 4u; j = j + 1u) { acc[i * 4u + j] = fma(a[i], b[j], acc[i * 4u + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let r = row0 + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j = j + 1u) {
      let c = col0 + lid.x + 16u * j;
      if (r < M && c < N) { store(batch, r, c, acc[i * 4u + j]); }
    }
  }
}`;
}

/**
 * Runs the GEMM `s` for `batch` products of M x K by K x N; `params` are the caller's words (from
 * GEMM_PARAMS on), `operands` its storages in binding order, `writes` the positions it writes.
 */
export function gemm(
  s: GemmShader, what: string, m: number, n: number, k: number, batch: number, params: number[], operands: Storage[], writes: number[],
): void {
  if (m === 0 || n === 0 || batch === 0) return;
  const [gx, gy] = [Math.ceil(n / TILE), Math.ceil(m / TILE)];
  if (gx > MAX_GROUPS || gy > MAX_GROUPS) throw new Error(`webgpu: ${what}: a product of ${m} x ${n} is too large (at most ${MAX_GROUPS * TILE} rows and columns)`);
  const code = shader(s);
  for (let first = 0; first < batch; first += MAX_GROUPS) {
    launch(code, [m, n, k, first, ...params], operands, writes, [gx, gy, Math.min(MAX_GROUPS, batch - first)]);
  }
}
