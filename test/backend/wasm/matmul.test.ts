import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getNumThreads, setNumThreads } from '../../../src/index.js';
import { Arena, loadRuntime } from '../../../src/backend/wasm/runtime.js';
import { runtime } from '../../../src/backend/wasm/state.js';
import { assertArraysClose, getFloats, jsBackend, putFloats, randomFloats, wasm, zeroWords } from './util.js';

interface Case {
  batch: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  /** Broadcast A (or B) over the batch with a batch stride of 0. */
  shareA?: boolean;
  shareB?: boolean;
}

/** Runs one product on both backends; returns [wasm, js] results. */
function both({ batch, m, k, n, transA, transB, shareA = false, shareB = false }: Case): [Float32Array, Float32Array] {
  const a = randomFloats((shareA ? 1 : batch) * m * k);
  const b = randomFloats((shareB ? 1 : batch) * k * n);
  const sA = shareA ? 0 : m * k;
  const sB = shareB ? 0 : k * n;
  const ours = new Float32Array(batch * m * n).fill(NaN); // the kernel must overwrite, not accumulate
  const reference = new Float32Array(batch * m * n);
  wasm().matmul(a, b, ours, batch, m, k, n, transA, transB, sA, sB);
  jsBackend.matmul(a, b, reference, batch, m, k, n, transA, transB, sA, sB);
  return [ours, reference];
}

function check(c: Case): void {
  const [ours, reference] = both(c);
  // float32 accumulation against the reference's float64: error grows like sqrt(k) ulps of the terms
  assertArraysClose(ours, reference, 1e-5, 2e-6 * Math.sqrt(c.k + 1), `matmul ${JSON.stringify(c)}`);
}

const SIZES = [1, 7, 17, 129];
const FLAGS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

test('matmul matches the reference for odd sizes and every transpose combination', () => {
  for (const [transA, transB] of FLAGS) {
    for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) check({ batch: 1, m, k, n, transA, transB });
  }
});

test('matmul crosses the cache blocks (k > 256, m > 128, n > 2048)', () => {
  for (const [transA, transB] of FLAGS) {
    check({ batch: 1, m: 300, k: 520, n: 45, transA, transB });
    check({ batch: 1, m: 5, k: 300, n: 2100, transA, transB });
  }
});

test('matmul around the micro-kernel and block edges (MR 4, NR 8, KC 256, MC 128)', () => {
  // k = 256 is one KC block (stored directly), 257 adds a 1-deep second block onto it
  for (const [transA, transB] of FLAGS) {
    for (const m of [3, 4, 5, 128, 133]) for (const k of [255, 256, 257]) for (const n of [7, 8, 9, 16]) {
      check({ batch: 1, m, k, n, transA, transB });
    }
  }
});

test('batched matmul with batch strides, including 0 (broadcast)', () => {
  for (const [transA, transB] of FLAGS) {
    check({ batch: 3, m: 17, k: 7, n: 129, transA, transB });
    check({ batch: 4, m: 9, k: 33, n: 10, transA, transB, shareA: true });
    check({ batch: 4, m: 130, k: 20, n: 3, transA, transB, shareB: true });
    check({ batch: 2, m: 1, k: 17, n: 1, transA, transB, shareA: true, shareB: true });
  }
});

test('k = 0 gives zeros; empty products do nothing', () => {
  const [ours] = both({ batch: 2, m: 65, k: 0, n: 70, transA: false, transB: false });
  assert.ok(ours.every((v) => v === 0));
  const out = new Float32Array(0);
  wasm().matmul(new Float32Array(0), new Float32Array(0), out, 1, 0, 5, 0, false, false, 0, 0);
});

test('float64 and int32 products run the reference kernel exactly', () => {
  const a = Float64Array.from(randomFloats(40 * 30));
  const b = Float64Array.from(randomFloats(30 * 50));
  const ours = new Float64Array(40 * 50);
  const reference = new Float64Array(40 * 50);
  wasm().matmul(a, b, ours, 1, 40, 30, 50, false, true, 0, 0);
  jsBackend.matmul(a, b, reference, 1, 40, 30, 50, false, true, 0, 0);
  assert.deepEqual(ours, reference);
  const ia = Int32Array.from({ length: 64 * 64 }, (_, i) => (i % 7) - 3);
  const ic = new Int32Array(64 * 64);
  const ir = new Int32Array(64 * 64);
  wasm().matmul(ia, ia, ic, 1, 64, 64, 64, false, false, 0, 0);
  jsBackend.matmul(ia, ia, ir, 1, 64, 64, 64, false, false, 0, 0);
  assert.deepEqual(ic, ir);
});

test('1 and 2 threads give bit-identical products, run after run', () => {
  const before = getNumThreads();
  try {
    for (const c of [
      { batch: 1, m: 257, k: 300, n: 129, transA: false, transB: true },
      { batch: 5, m: 17, k: 129, n: 200, transA: true, transB: false, shareB: true },
      // several depth blocks and row blocks claimed in turn: units wait for their rows' previous block
      { batch: 1, m: 64, k: 700, n: 96, transA: false, transB: false },
      { batch: 2, m: 40, k: 520, n: 2100, transA: true, transB: true },
      { batch: 3, m: 33, k: 257, n: 65, transA: false, transB: false, shareA: true },
    ]) {
      const a = randomFloats((c.shareA ? 1 : c.batch) * c.m * c.k);
      const b = randomFloats((c.shareB ? 1 : c.batch) * c.k * c.n);
      const run = (threads: number) => {
        setNumThreads(threads);
        const out = new Float32Array(c.batch * c.m * c.n);
        wasm().matmul(a, b, out, c.batch, c.m, c.k, c.n, c.transA, c.transB, c.shareA ? 0 : c.m * c.k, c.shareB ? 0 : c.k * c.n);
        const reference = new Float32Array(out.length);
        jsBackend.matmul(a, b, reference, c.batch, c.m, c.k, c.n, c.transA, c.transB, c.shareA ? 0 : c.m * c.k, c.shareB ? 0 : c.k * c.n);
        assertArraysClose(out, reference, 1e-5, 2e-6 * Math.sqrt(c.k + 1), `matmul on ${threads} threads ${JSON.stringify(c)}`);
        return out;
      };
      const one = run(1);
      for (let repeat = 0; repeat < 3; repeat++) assert.deepEqual(run(2), one, `${JSON.stringify(c)} run ${repeat}`);
      assert.equal(getNumThreads(), 2);
    }
  } finally {
    setNumThreads(before);
  }
});

test('setNumThreads rejects bad counts', () => {
  assert.throws(() => setNumThreads(0), /setNumThreads: expected a positive integer, got 0/);
  assert.throws(() => setNumThreads(1.5), /positive integer/);
});

// Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd; with it (and on engines
// that have it by default) the backend loads the fused multiply-add build, and the tests above run on it.
const RELAXED_CHILD = 'DESCENT_TEST_RELAXED_BUILD';

test('the mul + add build (engines without relaxed SIMD) matches the reference', () => {
  const plain = loadRuntime(runtime!.shared, false)!;
  assert.equal(plain.relaxed, false);
  assert.equal(plain.kernels.gemmFusedMultiplyAdd(), 0);
  const arena = new Arena(plain);
  for (const [transA, transB] of FLAGS) {
    for (const [m, k, n] of [[1, 1, 1], [7, 17, 129], [133, 257, 9], [4, 520, 8]]) {
      arena.reset();
      const a = randomFloats(m * k);
      const b = randomFloats(k * n);
      const aAt = putFloats(plain, arena, a);
      const bAt = putFloats(plain, arena, b);
      const cAt = arena.alloc(m * n);
      const scratch = arena.alloc(plain.kernels.gemmScratchBytes() / 4);
      const units = plain.kernels.gemmUnits(m, k, n, 1, 1);
      const sync = arena.alloc(units + 16);
      zeroWords(plain, sync, units + 16);
      plain.kernels.gemm(aAt, bAt, cAt, m, k, n, transA, transB, 0, 0, 1, 1, sync, scratch);
      const ours = getFloats(plain, cAt, m * n);
      const reference = new Float32Array(m * n);
      jsBackend.matmul(a, b, reference, 1, m, k, n, transA, transB, 0, 0);
      assertArraysClose(ours, reference, 1e-5, 2e-6 * Math.sqrt(k + 1), `mul + add gemm ${m}x${k}x${n} ${transA} ${transB}`);
    }
  }
});

// Node >= 22 (V8 >= 11.4) has relaxed SIMD on by default; Node 20 only in the child started with the flag.
const relaxedByDefault = Number(process.versions.node.split('.')[0]) >= 22;

test('the loaded build is the relaxed one where the engine has relaxed SIMD', { skip: !process.env[RELAXED_CHILD] && !relaxedByDefault }, () => {
  assert.equal(runtime?.relaxed, true);
  assert.equal(runtime?.kernels.gemmFusedMultiplyAdd(), 1);
});

test('the fused multiply-add builds pass this file and runtime.test too (rerun with relaxed SIMD enabled)', { skip: !!process.env[RELAXED_CHILD] || runtime?.relaxed }, () => {
  const env: Record<string, string | undefined> = { ...process.env, [RELAXED_CHILD]: '1' };
  delete env.NODE_TEST_CONTEXT; // set when this file runs under `node --test`: the child would report to it, not print
  // runtime.test.js checks the plain-memory build, which is then the relaxed plain-memory one
  const files = [fileURLToPath(import.meta.url), fileURLToPath(new URL('./runtime.test.js', import.meta.url))];
  const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--test', ...files], {
    env,
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, `relaxed-SIMD run failed:\n${child.stdout}\n${child.stderr}`);
  assert.match(child.stdout, /# fail 0/);
  assert.match(child.stdout, /# skipped 1\b/); // only the test that spawns this child
});
