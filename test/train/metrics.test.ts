import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/index.js';
import {
  Accuracy, F1Score, MeanAbsoluteError, Perplexity, Precision, Recall, RootMeanSquaredError, TopKAccuracy, computeMetric, toMetric,
} from '../../src/train/metrics.js';
import { fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';

interface MetricsFixture {
  logits: FixtureTensor; target: FixtureTensor; y: FixtureTensor; yhat: FixtureTensor;
  accuracy: number; top3_accuracy: number; precision_macro: number; recall_macro: number; f1_macro: number;
  cross_entropy: number; perplexity: number; mae: number; rmse: number;
}
const fx = loadFixture<MetricsFixture>('train_metrics');
const logits = fromFixture(fx.logits);
const target = fromFixture(fx.target, { dtype: 'int32' });
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('classification metrics match torch / scikit-learn definitions on the same logits', () => {
  close(computeMetric('accuracy', logits, target), fx.accuracy, 'accuracy');
  close(computeMetric(new TopKAccuracy(3), logits, target), fx.top3_accuracy, 'top-3');
  close(computeMetric(new Precision({ numClasses: 5 }), logits, target), fx.precision_macro, 'precision');
  close(computeMetric(new Recall({ numClasses: 5 }), logits, target), fx.recall_macro, 'recall');
  close(computeMetric(new F1Score({ numClasses: 5 }), logits, target), fx.f1_macro, 'f1');
  close(computeMetric('perplexity', logits, target), fx.perplexity, 'perplexity');
  close(Math.log(computeMetric('perplexity', logits, target)), fx.cross_entropy, 'log perplexity = cross-entropy');
});

test('regression metrics match torch l1_loss and sqrt(mse_loss)', () => {
  const y = fromFixture(fx.y);
  const yhat = fromFixture(fx.yhat);
  close(computeMetric('mae', yhat, y), fx.mae, 'mae');
  close(computeMetric('rmse', yhat, y), fx.rmse, 'rmse');
});

test('metrics accumulated over batches equal the metric over the whole set', () => {
  for (const make of [() => new Accuracy(), () => new TopKAccuracy(2), () => new F1Score(), () => new Perplexity()]) {
    const whole = computeMetric(make(), logits, target);
    const m = make();
    for (let start = 0; start < 20; start += 7) {
      const end = Math.min(20, start + 7);
      m.update(logits.slice(0, start, end), target.slice(0, start, end));
    }
    close(m.compute(), whole, m.name);
    m.reset();
    assert.ok(Number.isNaN(m.compute()));
  }
  const mae = new MeanAbsoluteError();
  mae.update(tensor([1, 2]), tensor([0, 0]));
  mae.update(tensor([3]), tensor([0]));
  assert.equal(mae.compute(), 2);
  const rmse = new RootMeanSquaredError();
  rmse.update(tensor([3]), tensor([0]));
  rmse.update(tensor([4]), tensor([0]));
  close(rmse.compute(), Math.sqrt(12.5), 'rmse');
});

test('binary outputs are thresholded; class scores over dim 1 for sequences; ties go to the lower class', () => {
  assert.equal(computeMetric('accuracy', tensor([0.9, 0.2, 0.6]), tensor([1, 0, 0], { dtype: 'int32' })), 2 / 3);
  // [N=1, C=2, T=3]: predictions per position are argmax over C
  const seq = tensor([[[1, 0, 5], [0, 2, 1]]]);
  assert.equal(computeMetric('accuracy', seq, tensor([[0, 1, 1]], { dtype: 'int32' })), 2 / 3);
  assert.equal(computeMetric('accuracy', tensor([[1, 1]]), tensor([1], { dtype: 'int32' })), 0);
  assert.equal(computeMetric(new TopKAccuracy(1), tensor([[1, 1]]), tensor([1], { dtype: 'int32' })), 0);
  // no predictions for a class: precision 0 for it (zero_division=0); only seen classes count by default
  assert.equal(computeMetric('precision', tensor([[1, 0], [1, 0]]), tensor([0, 1], { dtype: 'int32' })), 0.25);
});

test('bad shapes, targets and names get clear errors', () => {
  assert.throws(() => computeMetric('accuracy', tensor([[1, 2, 3]]), tensor([0, 1], { dtype: 'int32' })), /accuracy: expected output \[N, C, \.\.\.\] for target \[2\]/);
  assert.throws(() => computeMetric('accuracy', tensor([[1, 2]]), tensor([5], { dtype: 'int32' })), /target 5 is out of range for 2 classes/);
  assert.throws(() => toMetric('acc'), /unknown metric 'acc' \(expected one of accuracy, top5Accuracy/);
  assert.equal(toMetric('top3Accuracy').name, 'top3Accuracy');
  assert.throws(() => computeMetric('mae', tensor([1, 2]), tensor([1])), /mae: output \[2\] and target \[1\]/);
});
