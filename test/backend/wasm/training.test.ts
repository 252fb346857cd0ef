import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Tensor, Generator, gather, getBackend, logSoftmax, manualSeed, matmul, nn, noGrad, optim, randint, randn, relu, setBackend,
  setNumThreads, getNumThreads,
} from '../../../src/index.js';

/**
 * A 2-layer MLP trained by plain SGD, written with ops only: its forward and backward touch GEMM in
 * every transpose combination, broadcast adds, relu, log-softmax, gather and sums.
 */
function trainMlp(backendName: 'js' | 'wasm', steps: number): number[] {
  setBackend(backendName);
  const g = new Generator().manualSeed(7);
  const x = randn([128, 40], { generator: g });
  const y = randint(0, 10, [128, 1], { generator: g, dtype: 'int32' });
  const w1 = randn([40, 96], { generator: g }).mul(0.15).detach().requiresGrad_();
  const b1 = randn([96], { generator: g }).mul(0.1).detach().requiresGrad_();
  const w2 = randn([96, 10], { generator: g }).mul(0.1).detach().requiresGrad_();
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const hidden = relu(matmul(x, w1).add(b1));
    const logits = matmul(hidden, w2);
    const loss = gather(logSoftmax(logits, 1), 1, y).mean().neg();
    for (const p of [w1, b1, w2]) p.grad = null;
    loss.backward();
    noGrad(() => {
      for (const p of [w1, b1, w2]) p.sub_((p.grad as Tensor).mul(0.5));
    });
    losses.push(loss.item());
  }
  return losses;
}

test('an MLP trains to the same losses on the js and wasm backends (float32 tolerance)', () => {
  const before = getBackend();
  try {
    const reference = trainMlp('js', 25);
    const ours = trainMlp('wasm', 25);
    assert.ok(reference[24] < reference[0] * 0.5, `the model should learn: ${reference[0]} -> ${reference[24]}`);
    for (let i = 0; i < reference.length; i++) {
      assert.ok(Math.abs(ours[i] - reference[i]) <= 1e-4 * Math.abs(reference[i]) + 1e-5, `step ${i}: wasm ${ours[i]}, js ${reference[i]}`);
    }
  } finally {
    setBackend(before);
  }
});

test('training is deterministic for a fixed thread count, and 1 vs 2 threads agree', () => {
  const threads = getNumThreads();
  const before = getBackend();
  try {
    setNumThreads(2);
    const first = trainMlp('wasm', 5);
    const again = trainMlp('wasm', 5);
    assert.deepEqual(again, first);
    setNumThreads(1);
    assert.deepEqual(trainMlp('wasm', 5), first);
  } finally {
    setNumThreads(threads);
    setBackend(before);
  }
});

test('the wasm backend is selected by default where WebAssembly SIMD exists', () => {
  assert.equal(typeof WebAssembly.validate, 'function');
  assert.equal(getBackend(), 'wasm');
});

/** A small CNN from dt.nn trained with optim.Adam: conv (im2col/col2im), max pooling and its scatter-add backward. */
function trainCnn(backendName: 'js' | 'wasm', steps: number): number[] {
  setBackend(backendName);
  manualSeed(3);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 3 * 3, 10),
  );
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const lossFn = new nn.CrossEntropyLoss();
  const g = new Generator().manualSeed(11);
  const x = randn([32, 1, 14, 14], { generator: g });
  const y = randint(0, 10, [32], { generator: g, dtype: 'int32' });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = lossFn(model(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

test('an nn CNN with Adam trains to the same losses on the js and wasm backends', () => {
  const before = getBackend();
  try {
    const reference = trainCnn('js', 12);
    const ours = trainCnn('wasm', 12);
    assert.ok(reference[11] < reference[0] * 0.7, `the model should learn: ${reference[0]} -> ${reference[11]}`);
    for (let i = 0; i < reference.length; i++) {
      assert.ok(Math.abs(ours[i] - reference[i]) <= 1e-4 * Math.abs(reference[i]) + 1e-5, `step ${i}: wasm ${ours[i]}, js ${reference[i]}`);
    }
  } finally {
    setBackend(before);
  }
});

test('the CNN (fused convolutions) trains to the same losses on 1 and 2 threads, bit for bit', () => {
  const threads = getNumThreads();
  const before = getBackend();
  try {
    setNumThreads(2);
    const first = trainCnn('wasm', 4);
    assert.deepEqual(trainCnn('wasm', 4), first);
    setNumThreads(1);
    assert.deepEqual(trainCnn('wasm', 4), first);
  } finally {
    setNumThreads(threads);
    setBackend(before);
  }
});
