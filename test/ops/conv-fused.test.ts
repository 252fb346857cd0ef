import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, Generator, backend, getBackend, grad, gradgradcheck, nn, noGrad, randn, setBackend } from '../../src/index.js';
import { assertClose } from '../helpers.js';

const { F } = nn;

type Conv = (x: Tensor, w: Tensor, b: Tensor | null) => Tensor;
const CASES: [string, number[], number[], boolean, Conv][] = [
  ['valid 3x3 with bias', [3, 2, 7, 7], [5, 2, 3, 3], true, (x, w, b) => F.conv2d(x, w, b)],
  ['stride/padding/dilation', [2, 3, 17, 9], [4, 3, 3, 2], true, (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [2, 1] })],
  ['same, even kernel, no bias', [1, 1, 7, 6], [7, 1, 2, 4], false, (x, w, b) => F.conv2d(x, w, b, { padding: 'same' })],
  ['1x1 on 1x1', [17, 7, 1, 1], [1, 7, 1, 1], true, (x, w, b) => F.conv2d(x, w, b)],
  ['unbatched', [2, 5, 5], [3, 2, 3, 3], true, (x, w, b) => F.conv2d(x, w, b, { padding: 1 })],
  ['groups (composed on every backend)', [2, 4, 6, 6], [6, 2, 3, 3], true, (x, w, b) => F.conv2d(x, w, b, { groups: 2 })],
  ['conv1d', [3, 2, 17], [4, 2, 3], true, (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 })],
  ['conv, relu, max pooling', [4, 3, 17, 17], [8, 3, 3, 3], true, (x, w, b) => F.maxPool2d(F.relu(F.conv2d(x, w, b)), 2)],
  ['overlapping max pooling', [2, 3, 7, 7], [5, 3, 1, 1], false, (x, w, b) => F.maxPool2d(F.conv2d(x, w, b), 3, { stride: 1, padding: 1 })],
];

// The fused backward kernels run in backward(); with createGraph the same gradients are composed of
// differentiable ops (unfold, matmul, fold, scatter-add), the reference here.
function run(backendName: string, conv: Conv, shapes: [number[], number[]], withBias: boolean, dtype: 'float32' | 'float64', composed = false) {
  setBackend(backendName);
  const g = new Generator().manualSeed(5);
  const x = randn(shapes[0], { generator: g, dtype, requiresGrad: true });
  const w = randn(shapes[1], { generator: g, dtype, requiresGrad: true });
  const b = withBias ? randn([shapes[1][0]], { generator: g, dtype, requiresGrad: true }) : null;
  const y = conv(x, w, b);
  const gradOut = randn(y.shape, { generator: g, dtype });
  const loss = y.mul(gradOut).sum();
  if (composed) {
    const inputs = b ? [x, w, b] : [x, w];
    const grads = grad(loss, inputs, { createGraph: true });
    return { y, grads: [grads[0], grads[1], grads[2] ?? null] as (Tensor | null)[] };
  }
  loss.backward();
  return { y, grads: [x.grad, w.grad, b?.grad ?? null] as (Tensor | null)[] };
}

test('conv2d through the fused kernels equals the composed path (wasm float32, js float64)', () => {
  const before = getBackend();
  try {
    for (const [name, xShape, wShape, withBias, conv] of CASES) {
      for (const [fused, dtype, rtol] of [['wasm', 'float32', 1e-4], ['js', 'float64', 1e-12]] as const) {
        const ours = run(fused, conv, [xShape, wShape], withBias, dtype);
        const reference = run('js', conv, [xShape, wShape], withBias, dtype, true);
        assertClose(ours.y, reference.y, { rtol, atol: rtol, message: `${name} ${fused} output` });
        for (let i = 0; i < 3; i++) {
          const [a, e] = [ours.grads[i], reference.grads[i]];
          if (e === null) assert.equal(a, null);
          else assertClose(a!, e, { rtol, atol: rtol, message: `${name} ${fused} grad ${['input', 'weight', 'bias'][i]}` });
        }
      }
    }
  } finally {
    setBackend(before);
  }
});

test('the fused convolution is one graph node whose backward can be differentiated again', () => {
  const before = getBackend();
  try {
    setBackend('js');
    assert.ok(backend().conv2d);
    const g = new Generator().manualSeed(9);
    const r = (...shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true, generator: g });
    const [x, w, b] = [r(2, 2, 5, 4), r(3, 2, 2, 3), r(3)];
    assert.equal(F.conv2d(x, w, b, { padding: [1, 0] }).gradFn?.name, 'ConvolutionBackward');
    gradgradcheck((xi, wi, bi) => F.conv2d(xi, wi, bi, { stride: [1, 2], padding: [1, 0] }).square(), [x, w, b]);
  } finally {
    setBackend(before);
  }
});

test('the fused convolution saves x and the weight for backward, not the bias (as torch)', () => {
  const before = getBackend();
  try {
    setBackend('wasm');
    const g = new Generator().manualSeed(2);
    const r = (...shape: number[]) => randn(shape, { generator: g, requiresGrad: true });
    const [x, w, b] = [r(2, 3, 5, 5), r(4, 3, 3, 3), r(4)];
    const y = F.conv2d(x, w, b);
    noGrad(() => b.add_(1)); // the bias's gradient does not depend on its value
    y.sum().backward();
    assertClose(b.grad!, Array(4).fill(2 * 9), { rtol: 1e-6 });
    const y2 = F.conv2d(x, w, b);
    noGrad(() => w.mul_(2));
    assert.throws(() => y2.sum().backward(), /modified|version|in place|inplace/i);
  } finally {
    setBackend(before);
  }
});
