import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, Tensor, type NestedNumbers, gradcheck, gradgradcheck, logSoftmax, nn, rand, randn, softmax, tensor } from '../../src/index.js';
import { assertClose } from '../helpers.js';

const F = nn.functional;
const g = new Generator(7);
const f64 = (shape: number[], requiresGrad = true) => randn(shape, { dtype: 'float64', generator: g, requiresGrad });
const ints = (values: NestedNumbers) => tensor(values, { dtype: 'int32' });
const doubles = (values: number[]) => tensor(values, { dtype: 'float64' });

test('gradcheck: regression losses (mse, l1, smoothL1, huber) in float64', () => {
  const x = f64([3, 4]);
  const y = f64([3, 4]);
  gradcheck((a, b) => F.mseLoss(a, b), [x, y]);
  gradcheck((a, b) => F.l1Loss(a, b, { reduction: 'sum' }), [x, y]);
  gradcheck((a, b) => F.smoothL1Loss(a, b, { beta: 0.7, reduction: 'none' }), [x, y]);
  gradcheck((a, b) => F.huberLoss(a, b, { delta: 0.5 }), [x, y]);
});

test('gradcheck: crossEntropy with weights, ignoreIndex, label smoothing and probability targets', () => {
  const logits = f64([4, 3]);
  const weight = doubles([0.5, 2, 1]);
  gradcheck((x) => F.crossEntropy(x, ints([0, 2, -100, 1]), { weight, labelSmoothing: 0.25 }), [logits]);
  gradcheck((x) => F.crossEntropy(x, ints([0, 2, 1, 1]), { reduction: 'none' }), [logits]);
  const probs = softmax(f64([4, 3]), 1);
  gradcheck((x, p) => F.crossEntropy(x, p, { weight, labelSmoothing: 0.1 }), [logits, probs.detach().requiresGrad_()]);
  gradcheck((x) => F.crossEntropy(x, ints([[1, 0], [2, 2]]), { reduction: 'sum' }), [f64([2, 3, 2])]);
  gradcheck((x) => F.nllLoss(x, ints([2, 0, 1, 1]), { weight }), [logits]);
});

test('gradcheck: binary cross-entropy (probabilities and logits with posWeight)', () => {
  const p = rand([2, 3], { dtype: 'float64', generator: g }).mul(0.8).add(0.1).requiresGrad_();
  const t = rand([2, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  gradcheck((a, b) => F.binaryCrossEntropy(a, b, { weight: doubles([1, 2, 0.5]) }), [p, t]);
  gradcheck((a, b) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: doubles([3, 1, 0.5]), reduction: 'sum' }), [f64([2, 3]), t]);
  gradcheck((a, b) => F.binaryCrossEntropyWithLogits(a, b), [f64([2, 3]), t]);
});

test('gradcheck: klDiv, cosineEmbedding, marginRanking, tripletMargin', () => {
  const logq = logSoftmax(f64([2, 4], false), 1).requiresGrad_();
  const pt = softmax(f64([2, 4], false), 1).requiresGrad_();
  gradcheck((a, b) => F.klDiv(a, b, { reduction: 'batchmean' }), [logq, pt]);
  gradcheck((a, b) => F.klDiv(a, b, { logTarget: true }), [logq, logSoftmax(f64([2, 4], false), 1).requiresGrad_()]);
  gradcheck((a, b) => F.cosineEmbeddingLoss(a, b, doubles([1, -1, -1]), { margin: -0.9 }), [f64([3, 4]), f64([3, 4])]);
  gradcheck((a, b) => F.marginRankingLoss(a, b, doubles([1, -1, 1, -1]), { margin: 5 }), [f64([4]), f64([4])]);
  gradcheck((a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 10, swap: true }), [f64([3, 4]), f64([3, 4]), f64([3, 4])]);
  gradcheck((a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 10, p: 3 }), [f64([3, 4]), f64([3, 4]), f64([3, 4])]);
});

test('gradcheck: ctcLoss through logSoftmax (batched, padded targets, every reduction)', () => {
  const logits = f64([6, 2, 4]);
  const targets = ints([[1, 2, 2], [3, 1, 0]]);
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    gradcheck((x) => F.ctcLoss(logSoftmax(x, 2), targets, [6, 5], [3, 2], { reduction }), [logits]);
  }
  gradcheck((x) => F.ctcLoss(logSoftmax(x, 1), ints([1, 3]), 5, 2, { blank: 2 }), [f64([5, 4])]);
});

test('ctcLoss of a single-frame, single-label input is -log p(label)', () => {
  const logp = logSoftmax(tensor([[0.3, -1, 2]], { dtype: 'float64' }).reshape([1, 1, 3]), 2);
  const loss = F.ctcLoss(logp, ints([[2]]), [1], [1], { reduction: 'sum' });
  assertClose(loss, -logp.dataSync()[2], { rtol: 1e-12 });
});

test('crossEntropy names the label and the number of classes when a label is out of range', () => {
  assert.throws(() => F.crossEntropy(randn([2, 5]), ints([1, 7])), /label 7 is out of range for 5 classes/);
  assert.throws(() => F.nllLoss(randn([2, 5]), ints([-1, 0])), /label -1 is out of range for 5 classes/);
});

test('losses name both shapes on a shape mismatch', () => {
  assert.throws(() => F.crossEntropy(randn([4, 3]), ints([1, 2])), /expected target of shape \[4\] for input of shape \[4,3\], got \[2\]/);
  assert.throws(() => F.mseLoss(randn([4, 3]), randn([2, 3])), /target shape \[2,3\] cannot be broadcast to input shape \[4,3\]/);
  assert.throws(() => F.binaryCrossEntropy(rand([4]), rand([4, 1])), /target shape \[4,1\] must match input shape \[4\]/);
  assert.throws(() => F.binaryCrossEntropyWithLogits(randn([3]), rand([2])), /target shape \[2\] must match input shape \[3\]/);
  assert.throws(() => F.crossEntropy(randn([4, 3]), rand([4, 2])), /class probabilities of the input's shape \[4,3\].*shape \[4,2\]/);
  assert.throws(() => F.crossEntropy(randn([4, 3]), ints([0, 1, 2, 0]), { weight: randn([4]) }), /weight of shape \[3\].*got \[4\]/);
});

test('bad arguments are errors, never NaN', () => {
  assert.throws(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])), /between 0 and 1, got 1.5/);
  assert.throws(() => F.mseLoss(randn([2]), randn([2]), { reduction: 'avg' as 'mean' }), /reduction must be 'none', 'mean' or 'sum'/);
  assert.throws(() => F.crossEntropy(randn([2, 3]), ints([0, 1]), { labelSmoothing: 1.5 }), /labelSmoothing must be between/);
  assert.throws(() => F.ctcLoss(logSoftmax(randn([4, 1, 3]), 2), ints([[1, 2]]), [5], [2]), /inputLengths to be at most 4/);
  assert.throws(() => F.ctcLoss(logSoftmax(randn([4, 1, 3]), 2), ints([[0, 2]]), [4], [2]), /target label 0 .* differ from the blank 0/);
  assert.throws(() => F.ctcLoss(logSoftmax(randn([4, 1, 3]), 2), ints([[1, 2]]), [4], [3]), /targetLengths to be at most 2/);
});

test('binaryCrossEntropy stays finite at probabilities of exactly 0 and 1 (logs clamped at -100)', () => {
  const loss = F.binaryCrossEntropy(tensor([0, 1]), tensor([1, 0]), { reduction: 'none' });
  assertClose(loss, [100, 100]);
});

test('loss modules hold their options and forward to the functional forms', () => {
  const x = randn([4, 3], { requiresGrad: true });
  const y = ints([0, 2, 1, 2]);
  const weight = tensor([1, 2, 3]);
  const ce = new nn.CrossEntropyLoss({ weight, labelSmoothing: 0.1, ignoreIndex: 2 });
  assertClose(ce(x, y), F.crossEntropy(x, y, { weight, labelSmoothing: 0.1, ignoreIndex: 2 }));
  assert.deepEqual(Object.keys(ce.stateDict()), ['weight']);
  const bce = new nn.BCEWithLogitsLoss({ posWeight: tensor([2, 1, 1]) });
  assert.deepEqual(Object.keys(bce.stateDict()), ['pos_weight']);
  const t = rand([4, 3]);
  assertClose(bce(x, t), F.binaryCrossEntropyWithLogits(x, t, { posWeight: tensor([2, 1, 1]) }));
  assertClose(new nn.MSELoss({ reduction: 'sum' })(x, t), F.mseLoss(x, t, { reduction: 'sum' }));
  assertClose(new nn.L1Loss()(x, t), F.l1Loss(x, t));
  assertClose(new nn.SmoothL1Loss({ beta: 0.3 })(x, t), F.smoothL1Loss(x, t, { beta: 0.3 }));
  assertClose(new nn.HuberLoss({ delta: 0.3 })(x, t), F.huberLoss(x, t, { delta: 0.3 }));
  assertClose(new nn.NLLLoss()(logSoftmax(x, 1), y), F.nllLoss(logSoftmax(x, 1), y));
  assertClose(new nn.BCELoss()(t, rand([4, 3], { generator: new Generator(1) })), F.binaryCrossEntropy(t, rand([4, 3], { generator: new Generator(1) })));
  assertClose(new nn.KLDivLoss({ reduction: 'batchmean' })(logSoftmax(x, 1), softmax(t, 1)), F.klDiv(logSoftmax(x, 1), softmax(t, 1), { reduction: 'batchmean' }));
  const s = tensor([1, -1, 1, -1]);
  assertClose(new nn.CosineEmbeddingLoss({ margin: 0.1 })(x, t, s), F.cosineEmbeddingLoss(x, t, s, { margin: 0.1 }));
  assertClose(new nn.MarginRankingLoss({ margin: 0.1 })(x.select(1, 0), t.select(1, 0), s), F.marginRankingLoss(x.select(1, 0), t.select(1, 0), s, { margin: 0.1 }));
  assertClose(new nn.TripletMarginLoss({ margin: 0.5 })(x, t, x.mul(2)), F.tripletMarginLoss(x, t, x.mul(2), { margin: 0.5 }));
  const lp = logSoftmax(randn([5, 2, 4]), 2);
  const ctc = new nn.CTCLoss({ blank: 3, reduction: 'sum' });
  assertClose(ctc(lp, ints([[0, 1], [2, 2]]), [5, 5], [2, 2]), F.ctcLoss(lp, ints([[0, 1], [2, 2]]), [5, 5], [2, 2], { blank: 3, reduction: 'sum' }));
  assert.ok(ce(x, y) instanceof Tensor);
});

test('crossEntropy with float labels says that class indices must be int32', () => {
  assert.throws(() => F.crossEntropy(randn([3, 4]), tensor([0, 2, 1])), /class indices must be int32/);
});

test('gradgradcheck: second derivatives of the losses (written with differentiable ops)', () => {
  const x = f64([3, 4]);
  const y = f64([3, 4]);
  gradgradcheck((a, b) => F.mseLoss(a, b), [x, y]);
  gradgradcheck((a, b) => F.huberLoss(a, b, { delta: 0.8 }), [x, y]);
  gradgradcheck((a) => F.crossEntropy(a, ints([0, 3, -100]), { weight: doubles([1, 2, 0.5, 1]), labelSmoothing: 0.2 }), [x]);
  const p = rand([3, 4], { dtype: 'float64', generator: g }).mul(0.8).add(0.1).requiresGrad_();
  gradgradcheck((a, b) => F.binaryCrossEntropy(a, b), [p, rand([3, 4], { dtype: 'float64', generator: g, requiresGrad: true })]);
  gradgradcheck((a, b) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: doubles([2, 1, 1, 0.5]) }), [x, rand([3, 4], { dtype: 'float64', generator: g, requiresGrad: true })]);
  gradgradcheck((a, b, c) => F.tripletMarginLoss(a, b, c, { margin: 10 }), [x, y, f64([3, 4])]);
});

test('an ignored target contributes 0 even where class 0 has probability 0 (log -inf)', () => {
  const logits = tensor([[-Infinity, 1, 2], [0.5, 0.1, -1]], { requiresGrad: true });
  const loss = F.crossEntropy(logits, ints([-100, 2]), { reduction: 'none' });
  assert.equal(loss.dataSync()[0], 0);
  loss.sum().backward();
  assert.ok(Array.from(logits.grad!.dataSync()).every(Number.isFinite));
});

test('regression losses refuse shapes that would broadcast silently (PyTorch warns); expanding on purpose works', () => {
  const input = tensor([[1], [2], [3], [4]]);
  const target = tensor([1, 2, 3, 4]);
  for (const [name, f] of [['mseLoss', F.mseLoss], ['l1Loss', F.l1Loss], ['huberLoss', F.huberLoss], ['smoothL1Loss', F.smoothL1Loss]] as const) {
    assert.throws(() => f(input, target), new RegExp(`${name}: target shape \\[4\\] differs from input shape \\[4,1\\]: they would broadcast to \\[4,4\\]`), name);
    assert.throws(() => f(input, target), /make the shapes equal \(target\.unsqueeze\(1\) or input\.squeeze\(1\)\), or broadcast on purpose: input\.expand\(\[4,4\]\) and target\.expand\(\[4,4\]\)/, name);
    assert.equal(f(input, target.unsqueeze(1)).item(), 0, `${name}: a perfect fit scores 0`);
    assert.ok(f(input.expand([4, 4]), target.expand([4, 4])).item() > 0, `${name}: deliberate broadcasting`);
  }
  assert.throws(() => F.mseLoss(randn([2, 3]), randn([3])), /target shape \[3\] differs from input shape \[2,3\].*or broadcast on purpose: target\.expandAs\(input\)/);
});
