// The wasm attention kernels against the reference: heads read from a packed q/k/v projection, from
// separate projections of another length, or from dense [B, L, E] operands; float, bool and causal masks
// with broadcast strides; dropout scale factors; the weights' own gradient. And the same results from
// one thread and two.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttentionGeometry } from '../../../src/backend/backend.js';
import { getNumThreads, setNumThreads } from '../../../src/index.js';
import { workerJobCount } from '../../../src/backend/wasm/state.js';
import { assertArraysClose, jsBackend, randomFloats, wasm } from './util.js';

const RTOL = 1e-4;
const ATOL = 1e-5;

interface Case {
  name: string;
  g: AttentionGeometry;
  /** Elements of the q, k and v arrays (one array when `packed`), and of the output. */
  sizes: [number, number, number, number];
  packed: boolean;
}

function selfAttention(N: number, L: number, H: number, d: number): Case {
  const E = H * d;
  const view = (offset: number) => [offset, L * 3 * E, d, 3 * E] as const;
  return {
    name: `self-attention N ${N}, L ${L}, ${H} heads of ${d}`,
    g: { batch: N, heads: H, queries: L, keys: L, headDim: d, valueDim: d, q: view(0), k: view(E), v: view(2 * E), out: [0, L * E, d, E], mask: null, maskKeeps: false, causal: false },
    sizes: [N * L * 3 * E, 0, 0, N * L * E],
    packed: true,
  };
}

function crossAttention(N: number, L: number, S: number, H: number, d: number, dv: number): Case {
  // sequence-first [len, N, H * d]
  return {
    name: `cross-attention L ${L}, S ${S}, head dims ${d} and ${dv}`,
    g: {
      batch: N, heads: H, queries: L, keys: S, headDim: d, valueDim: dv,
      q: [0, H * d, d, N * H * d], k: [0, H * d, d, N * H * d], v: [0, H * dv, dv, N * H * dv], out: [0, H * dv, dv, N * H * dv],
      mask: null, maskKeeps: false, causal: false,
    },
    sizes: [L * N * H * d, S * N * H * d, S * N * H * dv, L * N * H * dv],
    packed: false,
  };
}

const cases = [selfAttention(3, 9, 2, 4), selfAttention(2, 64, 4, 16), crossAttention(2, 5, 7, 3, 6, 5)];

function run(backend: typeof jsBackend, c: Case, g: AttentionGeometry, mask: Float32Array | Uint8Array | null, dropout: Float32Array | null, inputs: Float32Array[], gradOut: Float32Array, gradWeights: Float32Array | null) {
  const [q, k, v] = c.packed ? [inputs[0], inputs[0], inputs[0]] : inputs;
  const out = new Float32Array(c.sizes[3]);
  const weights = new Float32Array(g.batch * g.heads * g.queries * g.keys);
  backend.attention(q, k, v, mask, dropout, g, out, weights);
  const grads = inputs.map((t) => new Float32Array(t.length).fill(0.5)); // the kernel adds into them
  const [gq, gk, gv] = c.packed ? [grads[0], grads[0], grads[0]] : grads;
  backend.attentionBackward(q, k, v, weights, dropout, gradOut, gradWeights, g, gq, gk, gv);
  return { out, weights, grads };
}

for (const c of cases) {
  test(`attention and its backward equal the reference: ${c.name}`, () => {
    const { batch: B, heads: H, queries: L, keys: S } = c.g;
    const inputs = (c.packed ? [c.sizes[0]] : c.sizes.slice(0, 3)).map((n) => randomFloats(n).map((x) => x * 3));
    const gradOut = randomFloats(c.sizes[3]);
    const causalMask = Uint8Array.from({ length: L * S }, (_, i) => (i % S > Math.floor(i / S) ? 1 : 0));
    const variants: [string, Partial<AttentionGeometry>, Float32Array | Uint8Array | null, boolean, boolean][] = [
      ['no mask', {}, null, false, false],
      ['causal', { causal: true }, null, false, false],
      ['bool mask forbidding, [L, S]', { mask: [0, 0, S] }, causalMask, false, false],
      ['bool mask keeping, per batch [B, 1, 1, S]', { mask: [S, 0, 0], maskKeeps: true }, Uint8Array.from({ length: B * S }, (_, i) => (i % 3 === 0 ? 0 : 1)), false, false],
      ['float mask [B, H, L, S], dropout', { mask: [H * L * S, L * S, S] }, randomFloats(B * H * L * S), true, false],
      ['causal, dropout, gradient of the weights', { causal: true }, null, true, true],
    ];
    for (const [what, change, mask, dropout, weightsGrad] of variants) {
      const g = { ...c.g, ...change };
      const scales = dropout ? Float32Array.from(randomFloats(B * H * L * S), (x) => (x > -0.6 ? 1 / 0.8 : 0)) : null;
      const gradWeights = weightsGrad ? randomFloats(B * H * L * S) : null;
      const ours = run(wasm(), c, g, mask, scales, inputs, gradOut, gradWeights);
      const reference = run(jsBackend, c, g, mask, scales, inputs, gradOut, gradWeights);
      assertArraysClose(ours.out, reference.out, RTOL, ATOL, `${what}: output`);
      assertArraysClose(ours.weights, reference.weights, RTOL, ATOL, `${what}: weights`);
      ours.grads.forEach((gr, i) => assertArraysClose(gr, reference.grads[i], RTOL, ATOL, `${what}: gradient ${i}`));
    }
  });
}

test('a query whose keys are all masked out gives NaN, as the reference and PyTorch', () => {
  const c = selfAttention(1, 4, 1, 4);
  const g = { ...c.g, mask: [0, 0, 4] as const };
  const mask = Uint8Array.from({ length: 16 }, (_, i) => (i < 4 ? 1 : 0)); // query 0 may attend to nothing
  const input = randomFloats(c.sizes[0]);
  const out = new Float32Array(c.sizes[3]);
  wasm().attention(input, input, input, mask, null, g, out, new Float32Array(16));
  assert.ok(out.subarray(0, 4).every(Number.isNaN) && out.subarray(4).every(Number.isFinite));
});

test('attention gives the same bits on one thread and on two (heads split among threads)', () => {
  const c = selfAttention(8, 64, 4, 16);
  const input = randomFloats(c.sizes[0]);
  const gradOut = randomFloats(c.sizes[3]);
  const before = getNumThreads();
  try {
    setNumThreads(1);
    const one = run(wasm(), c, { ...c.g, causal: true }, null, null, [input], gradOut, null);
    setNumThreads(2);
    const jobs = workerJobCount();
    const two = run(wasm(), c, { ...c.g, causal: true }, null, null, [input], gradOut, null);
    assert.ok(workerJobCount() >= jobs + 2, 'a worker ran heads of the forward and of the backward');
    assert.deepEqual(two.out, one.out);
    assert.deepEqual(two.weights, one.weights);
    assert.deepEqual(two.grads, one.grads);
  } finally {
    setNumThreads(before);
  }
});
