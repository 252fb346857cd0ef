// Packed, cache-blocked float32 GEMM with a 128-bit SIMD micro-kernel (the BLIS/GotoBLAS loop nest).
// C[b] = op(A[b]) @ op(B[b]); all pointers are byte addresses in linear memory, sizes are element counts.
//
// Every C element is summed in the same order (KC blocks in order, p in order within a block) whatever
// thread computes it, so results do not depend on the thread count (see gemm at the end).
//
// Compiled twice (scripts/build-wasm.mjs): with relaxed SIMD, each multiply-add is one
// f32x4.relaxed_madd (an FMA on x64 and arm64); without it, f32x4.mul then f32x4.add. Measured on a
// Zen 4 core, the micro-kernel alone runs 41 GFLOPS with mul + add and 53 with the FMA (93% of the
// 128-bit peak): two instructions per multiply-add saturate the front end and the FP pipes.

// The micro-kernel keeps an MR x NR tile of C in 8 v128 accumulators. V8 gives wasm 15 of x64's 16
// vector registers and issues the 4 broadcasts and 2 B loads of a step before its arithmetic, so
// 4 x 8 needs 8 + 4 + 2 (+ 1 product temporary without FMA) = 15; 5 x 8, 6 x 8 and 3 x 12 spilled
// accumulators to the stack and ran at half speed, and unrolling p by 2 spilled too.
export const MR: i32 = 4;
export const NR: i32 = 8;
// KC x NR of B (8 KiB) stays in L1, MC x KC of A (128 KiB) in L2, KC x NC of B in L2/L3. Other
// blockings measured within noise (KC 384/512, MC 64/96).
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 2048;

/** Bytes of per-thread scratch that gemm needs for its packed panels. */
export function gemmScratchBytes(): i32 {
  return (KC * NC + MC * KC + MR * NR) << 2;
}

// Ap[p*MR + r] = A(i0 + r, p0 + p), zero rows past `rows`.
export function packA(a: usize, rsA: i32, csA: i32, i0: i32, rows: i32, p0: i32, kc: i32, ap: usize): void {
  for (let ir = 0; ir < rows; ir += MR) {
    const mr = min(MR, rows - ir);
    const dst = ap + ((<usize>ir * <usize>kc) << 2);
    if (mr === MR && csA !== 1) {
      // transposed A: the MR rows of one column are contiguous
      for (let p = 0; p < kc; p++) {
        const src = a + ((<usize>(i0 + ir) * rsA + <usize>(p0 + p) * csA) << 2);
        const d = dst + ((<usize>p * MR) << 2);
        v128.store(d, v128.load(src)); // MR == 4 floats
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      if (r < mr) {
        let src = a + ((<usize>(i0 + ir + r) * rsA + <usize>p0 * csA) << 2);
        const step = <usize>csA << 2;
        let d = dst + (<usize>r << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(src));
          src += step;
          d += MR << 2;
        }
      } else {
        let d = dst + (<usize>r << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(d, 0);
          d += MR << 2;
        }
      }
    }
  }
}

// Bp[jpanel][p*NR + c] = B(p0 + p, j0 + jpanel*NR + c), zero columns past `cols`.
export function packB(b: usize, rsB: i32, csB: i32, p0: i32, kc: i32, j0: i32, cols: i32, bp: usize): void {
  for (let jr = 0; jr < cols; jr += NR) {
    const nr = min(NR, cols - jr);
    const dst = bp + ((<usize>jr * <usize>kc) << 2);
    if (nr === NR && csB === 1) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * rsB + <usize>(j0 + jr)) << 2);
        const d = dst + ((<usize>p * NR) << 2);
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
      continue;
    }
    for (let c = 0; c < NR; c++) {
      let d = dst + (<usize>c << 2);
      if (c < nr) {
        let src = b + ((<usize>p0 * rsB + <usize>(j0 + jr + c) * csB) << 2);
        const step = <usize>rsB << 2;
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(src));
          src += step;
          d += NR << 2;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(d, 0);
          d += NR << 2;
        }
      }
    }
  }
}

/** True when this build multiplies and adds with relaxed SIMD's fused f32x4.relaxed_madd. */
export function gemmFusedMultiplyAdd(): bool {
  return ASC_FEATURE_RELAXED_SIMD;
}

// acc + a * b (fused in the relaxed-SIMD build; the branch is resolved at compile time).
@inline
function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// C tile (MR x NR at c, row stride ldc elements) = (first ? 0 : C tile) + Ap panel @ Bp panel over kc.
// Storing the first KC block's sums directly (0 + s == s) spares zeroing C and reading it back.
@inline
function microKernel(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap, 0);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(ap, 4);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(ap, 8);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(ap, 12);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    ap += MR << 2;
    bp += NR << 2;
  }
  const row = ldc << 2;
  if (!first) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + row), c10);
    c11 = f32x4.add(v128.load(c + row, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * row), c20);
    c21 = f32x4.add(v128.load(c + 2 * row, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * row), c30);
    c31 = f32x4.add(v128.load(c + 3 * row, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  c += row;
  v128.store(c, c10);
  v128.store(c, c11, 16);
  c += row;
  v128.store(c, c20);
  v128.store(c, c21, 16);
  c += row;
  v128.store(c, c30);
  v128.store(c, c31, 16);
}

// C rows [i0, i0 + rows) x columns [jc, jc + nc) of one product (c: its row 0; row stride n)
// (first ? = : +=) packed A block (rows x kc) @ packed B block (kc x nc).
export function macroKernel(ap: usize, bp: usize, c: usize, i0: i32, rows: i32, jc: i32, nc: i32, kc: i32, n: i32, first: bool, tile: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bPanel = bp + ((<usize>jr * kc) << 2);
    for (let ir = 0; ir < rows; ir += MR) {
      const mr = min(MR, rows - ir);
      const aPanel = ap + ((<usize>ir * kc) << 2);
      const cTile = c + ((<usize>(i0 + ir) * n + <usize>(jc + jr)) << 2);
      if (mr === MR && nr === NR) {
        if (first) microKernel(aPanel, bPanel, kc, cTile, <usize>n, true);
        else microKernel(aPanel, bPanel, kc, cTile, <usize>n, false);
      } else {
        // edge tile: compute into an MR x NR buffer, then store or add its valid part
        microKernel(aPanel, bPanel, kc, tile, <usize>NR, true);
        for (let r = 0; r < mr; r++) {
          for (let q = 0; q < nr; q++) {
            const dst = cTile + ((<usize>r * n + q) << 2);
            const sum = load<f32>(tile + ((<usize>(r * NR + q)) << 2));
            store<f32>(dst, first ? sum : load<f32>(dst) + sum);
          }
        }
      }
    }
  }
}

// Rows of C per work unit (a multiple of MR, at most MC): whole A blocks when one thread runs or the
// batch alone gives every thread several entries, else small enough for 4 units per thread.
function unitRows(m: i32, batch: i32, threads: i32): i32 {
  const whole = min(MC, (m + MR - 1) / MR * MR);
  if (threads <= 1 || batch >= 2 * threads) return whole;
  const share = (m + 4 * threads - 1) / (4 * threads);
  return min(whole, max(MR, (share + MR - 1) / MR * MR));
}

/** Work units of a product (see gemm); the caller reserves (units + 16) * 4 bytes of zeroed sync memory. */
export function gemmUnits(m: i32, k: i32, n: i32, batch: i32, threads: i32): i32 {
  const rowBlocks = (m + unitRows(m, batch, threads) - 1) / unitRows(m, batch, threads);
  return batch * ((n + NC - 1) / NC) * max(1, (k + KC - 1) / KC) * rowBlocks;
}

// Claims the next unit: an atomic counter shared by the threads (a plain one in the single-threaded build).
@inline
export function claim(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const u = load<i32>(counter);
  store<i32>(counter, u + 1);
  return u;
}

// False on an instance whose thread may not block (a browser page's main thread: atomic.wait traps there).
let mayWait = true;

/** Tells this instance whether its thread may sleep in atomic.wait (false: it only spins). */
export function gemmSetMayWait(allowed: bool): void {
  mayWait = allowed;
}

// Waits until the word at `done` reaches `target`: spins briefly (the block is usually finishing on the
// other thread), then sleeps in 50 us naps so a preempted owner gets the core back.
@inline
function awaitBlock(done: usize, target: i32): void {
  let spins = 0;
  for (let v = atomic.load<i32>(done); v < target; v = atomic.load<i32>(done)) {
    if (++spins > 2000 && mayWait) atomic.wait<i32>(done, v, 50000);
  }
}

/**
 * Batched GEMM C[t] = op(A[t]) @ op(B[t]) for t < batch, run by `threads` threads at once on the same
 * arguments (each with its own scratch of gemmScratchBytes()). transA: A[t] stored [k, m]; transB:
 * B[t] stored [n, k]. Batch strides are in elements; 0 broadcasts one operand over the batch.
 *
 * The work is split into units (batch entry, NC column block, KC depth block, block of unitRows rows),
 * claimed in that order from a shared counter at `sync`, so a thread that runs faster (or is not
 * preempted) takes more of them. A unit of depth block p > 0 waits until its rows' block p - 1 is done
 * (progress words after the counter): every C element is summed in the same order whichever thread
 * runs which unit, so results do not depend on the thread count or on timing. A unit only waits for
 * units claimed before it, which are running or done, so the wait always ends.
 */
export function gemm(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool,
  aBatchStride: i32, bBatchStride: i32, batch: i32, threads: i32, sync: usize, scratch: usize,
): void {
  const rsA = transA ? 1 : k;
  const csA = transA ? m : 1;
  const rsB = transB ? 1 : n;
  const csB = transB ? k : 1;
  const rowsPerUnit = unitRows(m, batch, threads);
  const rowBlocks = (m + rowsPerUnit - 1) / rowsPerUnit;
  const colBlocks = (n + NC - 1) / NC;
  const depthBlocks = max(1, (k + KC - 1) / KC); // k = 0 still stores zeros
  const perEntry = colBlocks * depthBlocks * rowBlocks;
  const total = batch * perEntry;
  const progress = sync + 64; // one word per (entry, column block, row block): depth blocks done
  const bp = scratch;
  const ap = bp + ((<usize>KC * NC) << 2);
  const tile = ap + ((<usize>MC * KC) << 2);
  let packedB = -1; // which B block the scratch holds
  let packedA = -1; // which A block (a broadcast A is packed once for the whole batch)
  for (let u = claim(sync); u < total; u = claim(sync)) {
    const t = u / perEntry;
    let rest = u - t * perEntry;
    const jb = rest / (depthBlocks * rowBlocks);
    rest -= jb * depthBlocks * rowBlocks;
    const pb = rest / rowBlocks;
    const rb = rest - pb * rowBlocks;
    const done = progress + ((<usize>(t * colBlocks + jb) * rowBlocks + rb) << 2);
    if (ASC_FEATURE_THREADS && pb > 0) awaitBlock(done, pb); // the previous depth block of these rows
    const jc = jb * NC;
    const nc = min(NC, n - jc);
    const pc = pb * KC;
    const kc = min(KC, k - pc);
    const i0 = rb * rowsPerUnit;
    const rows = min(rowsPerUnit, m - i0);
    const bBlock = ((bBatchStride === 0 ? 0 : t) * colBlocks + jb) * depthBlocks + pb;
    if (bBlock !== packedB) {
      packB(b + ((<usize>t * bBatchStride) << 2), rsB, csB, pc, kc, jc, nc, bp);
      packedB = bBlock;
    }
    const aBlock = ((aBatchStride === 0 ? 0 : t) * depthBlocks + pb) * rowBlocks + rb;
    if (aBlock !== packedA) {
      packA(a + ((<usize>t * aBatchStride) << 2), rsA, csA, i0, rows, pc, kc, ap);
      packedA = aBlock;
    }
    macroKernel(ap, bp, c + ((<usize>t * m * n) << 2), i0, rows, jc, nc, kc, n, pb === 0, tile);
    if (ASC_FEATURE_THREADS) atomic.store<i32>(done, pb + 1);
  }
}
