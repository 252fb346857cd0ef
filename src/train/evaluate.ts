import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Module } from '../nn/module.js';
import { type Metric, toMetric } from './metrics.js';
import { tensor } from '../tensor/creation.js';
import { readsSync } from '../ops/util.js';

/** A loss: a function (nn.functional.crossEntropy) or a loss module (new nn.CrossEntropyLoss()). */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/**
 * Turns a batch into the model's output and the target; the default takes `[input, target]`. A `penalty`
 * (a scalar) is added to the loss that training minimizes, and left out of what is logged and evaluated: a
 * regularizer that depends on the batch, such as an L2 penalty on the embedding rows the batch looked up
 * (Keras' `add_loss`).
 */
export type ForwardFn<B> = (model: Module, batch: B) => { output: Tensor; target: Tensor; penalty?: Tensor };

/**
 * How `fit` and `evaluate` run a batch unless told otherwise: `[input, target]` -> `{ output: model(input), target }`.
 * @example const { output, target } = defaultForward(model, [x, y]);
 */
export function defaultForward<B>(model: Module, batch: B): { output: Tensor; target: Tensor } {
  if (!Array.isArray(batch) || batch.length < 2 || !(batch[0] instanceof Tensor) || !(batch[1] instanceof Tensor)) {
    throw new Error('fit: a batch must be [input, target] tensors (as a DataLoader over a TensorDataset gives); pass `forward: (model, batch) => ({ output, target })` for other batches');
  }
  return { output: model(batch[0]) as Tensor, target: batch[1] };
}

export interface EvaluateOptions<B> {
  loss?: LossFn;
  metrics?: (Metric | string)[];
  forward?: ForwardFn<B>;
}

/**
 * The mean loss (weighted by batch size) and metrics of `model` over `data`, in eval mode without gradients;
 * the model's training mode is put back afterwards.
 * @example const { loss, accuracy } = evaluate(model, testLoader, { loss: nn.functional.crossEntropy, metrics: ['accuracy'] });
 */
export function evaluate<B>(model: Module, data: Iterable<B>, options: EvaluateOptions<B> = {}): Record<string, number> {
  const forward = options.forward ?? defaultForward;
  const metrics = (options.metrics ?? []).map(toMetric);
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let count = 0;
  try {
    noGrad(() => {
      for (const m of metrics) m.reset();
      for (const batch of data) {
        const { output, target } = forward(model, batch);
        const n = target.ndim > 0 ? target.shape[0] : 1;
        if (options.loss) lossSum += options.loss(output, target).item() * n;
        count += n;
        for (const m of metrics) m.update(output, target);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const out: Record<string, number> = {};
  if (options.loss) out.loss = count ? lossSum / count : NaN;
  for (const m of metrics) out[m.name] = m.compute();
  return out;
}

/**
 * `evaluate` for every device, those that only read asynchronously (webgpu) included: the loss is read with
 * `await data()` and the metrics are updated on host copies of the output and target there (on devices that
 * read synchronously it gives evaluate's numbers). `fit` validates with it.
 * @example const { loss } = await evaluateAsync(model, testLoader, { loss: nn.functional.crossEntropy });
 */
export async function evaluateAsync<B>(model: Module, data: Iterable<B>, options: EvaluateOptions<B> = {}): Promise<Record<string, number>> {
  const forward = options.forward ?? defaultForward;
  const metrics = (options.metrics ?? []).map(toMetric);
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let count = 0;
  try {
    for (const m of metrics) m.reset();
    for (const batch of data) {
      const { output, target, loss } = noGrad(() => {
        const { output, target } = forward(model, batch);
        return { output, target, loss: options.loss ? options.loss(output, target) : null };
      });
      const n = target.ndim > 0 ? target.shape[0] : 1;
      if (loss) lossSum += (readsSync(loss) ? loss.item() : (await loss.data())[0]) * n;
      count += n;
      if (metrics.length === 0) continue;
      const [seen, truth] = readsSync(output) ? [output, target] : await Promise.all([hostCopy(output), hostCopy(target)]);
      noGrad(() => {
        for (const m of metrics) m.update(seen, truth);
      });
    }
  } finally {
    model.train(wasTraining);
  }
  const out: Record<string, number> = {};
  if (options.loss) out.loss = count ? lossSum / count : NaN;
  for (const m of metrics) out[m.name] = m.compute();
  return out;
}

/** A copy of `t` on the js backend (for metrics, which read elements synchronously). */
export async function hostCopy(t: Tensor): Promise<Tensor> {
  return tensor(await t.data(), { shape: t.shape, dtype: t.dtype, device: 'js' });
}
