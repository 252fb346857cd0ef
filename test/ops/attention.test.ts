// The fused attention op on strided heads against the same attention from matmul and softmax, float64
// gradchecks (packed self-attention, cross-attention, the weights as an output, a float mask that needs
// a gradient), double backward, and the error of a second backward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, type Tensor, grad, gradcheck, gradgradcheck, randn, tensor } from '../../src/index.js';
import { type AttentionSizes, type HeadView, attention, composedAttention } from '../../src/ops/attention.js';
import type { AttentionGeometry, HeadStrides } from '../../src/index.js';
import { assertClose } from '../helpers.js';

interface Layout {
  name: string;
  sizes: AttentionSizes;
  /** q, k, v from the inputs (one packed tensor or three). */
  views: (inputs: Tensor[]) => [HeadView, HeadView, HeadView];
  shapes: number[][];
  outShape: number[];
  outStrides: HeadStrides;
}

function selfAttention(N: number, L: number, H: number, d: number): Layout {
  const E = H * d;
  const at = (t: Tensor, offset: number): HeadView => ({ tensor: t, strides: [offset, L * 3 * E, d, 3 * E] });
  return {
    name: `self-attention [N ${N}, L ${L}, 3 x ${H} x ${d}]`,
    sizes: { batch: N, heads: H, queries: L, keys: L, headDim: d, valueDim: d },
    views: ([qkv]) => [at(qkv, 0), at(qkv, E), at(qkv, 2 * E)],
    shapes: [[N, L, 3 * E]],
    outShape: [N, L, E],
    outStrides: [0, L * E, d, E],
  };
}

function crossAttention(N: number, L: number, S: number, H: number, d: number, dv: number): Layout {
  const seqFirst = (t: Tensor, width: number): HeadView => ({ tensor: t, strides: [0, H * width, width, N * H * width] });
  return {
    name: `cross-attention, sequence-first, L ${L}, S ${S}, value dim ${dv}`,
    sizes: { batch: N, heads: H, queries: L, keys: S, headDim: d, valueDim: dv },
    views: ([q, k, v]) => [seqFirst(q, d), seqFirst(k, d), seqFirst(v, dv)],
    shapes: [[L, N, H * d], [S, N, H * d], [S, N, H * dv]],
    outShape: [L, N, H * dv],
    outStrides: [0, H * dv, dv, N * H * dv],
  };
}

const layouts = [selfAttention(2, 5, 2, 3), crossAttention(2, 3, 4, 2, 3, 2)];

const geometryOf = (l: Layout, views: [HeadView, HeadView, HeadView], options: Partial<AttentionGeometry> = {}): AttentionGeometry => ({
  ...l.sizes, q: views[0].strides, k: views[1].strides, v: views[2].strides, out: l.outStrides, mask: null, maskKeeps: false, causal: false, ...options,
});

for (const l of layouts) {
  test(`attention equals its composed form, values and gradients through the output and the weights: ${l.name}`, () => {
    const { batch: B, heads: H, queries: L, keys: S } = l.sizes;
    for (const dtype of ['float64', 'float32'] as const) {
      const g = new Generator(3);
      const inputs = l.shapes.map((s) => randn(s, { dtype, generator: g, requiresGrad: true }));
      const views = l.views(inputs);
      const options = [
        {},
        { causal: true },
        { mask: tensor(Array.from({ length: L * S }, (_, i) => i % 4 === 1), { shape: [L, S] }), maskStrides: [0, 0, S] as const },
        { mask: randn([B, 1, 1, S], { dtype, generator: g }), maskStrides: [S, 0, 0] as const, dropout: randn([B, H, L, S], { dtype, generator: g }).gt(-0.5).to(dtype).mul(1.5) },
      ];
      const tol = dtype === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-4, atol: 1e-5 };
      for (const o of options) {
        const what = `${dtype} ${JSON.stringify(Object.keys(o))}`;
        const [out, weights] = attention(...views, l.sizes, l.outShape, l.outStrides, { ...o, needWeights: true });
        const g2 = geometryOf(l, views, { causal: 'causal' in o, mask: 'maskStrides' in o ? o.maskStrides : null });
        const [cOut, cWeights] = composedAttention(...views, g2, l.outShape, { ...o, needWeights: true });
        assertClose(out, cOut, { ...tol, message: `${what}: output` });
        assertClose(weights!, cWeights!, { ...tol, message: `${what}: weights` });
        const seedOut = randn(out.shape, { dtype, generator: g });
        const seedWeights = randn(weights!.shape, { dtype, generator: g });
        const fused = grad(out.mul(seedOut).sum().add(weights!.mul(seedWeights).sum()), inputs);
        const composed = grad(cOut.mul(seedOut).sum().add(cWeights!.mul(seedWeights).sum()), inputs);
        fused.forEach((gr, i) => assertClose(gr, composed[i], { ...tol, message: `${what}: gradient of input ${i}` }));
      }
    }
  });
}

test('gradcheck in float64: attention over strided heads, with a mask, causal, and its weights as a second output', () => {
  for (const l of layouts) {
    const g = new Generator(5);
    const inputs = l.shapes.map((s) => randn(s, { dtype: 'float64', generator: g, requiresGrad: true }));
    const S = l.sizes.keys;
    const mask = randn([l.sizes.queries, S], { dtype: 'float64', generator: g });
    assert.equal(gradcheck((...args: Tensor[]) => attention(...l.views(args), l.sizes, l.outShape, l.outStrides, { causal: true })[0], inputs), true);
    assert.equal(gradcheck((...args: Tensor[]) => {
      const [out, weights] = attention(...l.views(args), l.sizes, l.outShape, l.outStrides, { mask, maskStrides: [0, 0, S], needWeights: true });
      return [out, weights!];
    }, inputs), true);
  }
});

test('a float mask that needs a gradient gets one (the composed path), as PyTorch\'s additive attn_mask', () => {
  const l = selfAttention(1, 3, 1, 2);
  const g = new Generator(9);
  const qkv = randn(l.shapes[0], { dtype: 'float64', generator: g, requiresGrad: true });
  const bias = randn([3, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  assert.equal(gradcheck((x, m) => attention(...l.views([x]), l.sizes, l.outShape, l.outStrides, { mask: m, maskStrides: [0, 0, 3] })[0], [qkv, bias]), true);
});

test('gradgradcheck: attention\'s backward is differentiable (composed under createGraph)', () => {
  const l = selfAttention(1, 3, 2, 2);
  const qkv = randn(l.shapes[0], { dtype: 'float64', generator: new Generator(11), requiresGrad: true });
  assert.equal(gradgradcheck((x) => attention(...l.views([x]), l.sizes, l.outShape, l.outStrides, { causal: true })[0], [qkv]), true);
});

test('attention\'s saved softmax is freed by the first backward; another output\'s backward is then refused', () => {
  const l = selfAttention(1, 4, 2, 2);
  const qkv = randn(l.shapes[0], { requiresGrad: true });
  const dropout = randn([1, 2, 4, 4]).gt(0).to('float32').mul(2);
  const [out, weights] = attention(...l.views([qkv]), l.sizes, l.outShape, l.outStrides, { dropout, needWeights: true });
  out.sum().backward();
  assert.throws(() => weights!.sum().backward(), /trying to backward through attention's graph a second time/);
});
