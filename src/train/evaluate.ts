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

/** What evaluate and evaluateAsync share: one batch's forward and loss, the running sums and the result. */
class Evaluation<B> {
  readonly metrics: Metric[];
  private lossSum = 0;
  private count = 0;
  constructor(private readonly model: Module, private readonly options: EvaluateOptions<B>) {
    this.metrics = (options.metrics ?? []).map(toMetric);
    for (const m of this.metrics) m.reset();
  }

  /** The model's output, the target and the loss (null without a loss function) of a batch, without gradients. */
  run(batch: B): { output: Tensor; target: Tensor; loss: Tensor | null } {
    return noGrad(() => {
      const { output, target } = (this.options.forward ?? defaultForward)(this.model, batch);
      return { output, target, loss: this.options.loss ? this.options.loss(output, target) : null };
    });
  }

  /** Adds a batch: its loss read as a number (or null), and its output and target (on a device that reads synchronously) to the metrics. */
  add(lossValue: number | null, output: Tensor, target: Tensor): void {
    const n = target.ndim > 0 ? target.shape[0] : 1;
    if (lossValue !== null) this.lossSum += lossValue * n;
    this.count += n;
    noGrad(() => {
      for (const m of this.metrics) m.update(output, target);
    });
  }

  result(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.options.loss) out.loss = this.count ? this.lossSum / this.count : NaN;
    for (const m of this.metrics) out[m.name] = m.compute();
    return out;
  }
}

/**
 * The mean loss (weighted by batch size) and metrics of `model` over `data`, in eval mode without gradients;
 * the model's training mode is put back afterwards.
 * @example const { loss, accuracy } = evaluate(model, testLoader, { loss: nn.functional.crossEntropy, metrics: ['accuracy'] });
 */
export function evaluate<B>(model: Module, data: Iterable<B>, options: EvaluateOptions<B> = {}): Record<string, number> {
  const evaluation = new Evaluation(model, options);
  const wasTraining = model.training;
  model.eval();
  try {
    for (const batch of data) {
      const { output, target, loss } = evaluation.run(batch);
      evaluation.add(loss ? loss.item() : null, output, target);
    }
  } finally {
    model.train(wasTraining);
  }
  return evaluation.result();
}

/**
 * `evaluate` for every device, those that only read asynchronously (webgpu) included: the loss is read with
 * `await data()` and the metrics are updated on host copies of the output and target there (on devices that
 * read synchronously it gives evaluate's numbers). `fit` validates with it.
 * @example const { loss } = await evaluateAsync(model, testLoader, { loss: nn.functional.crossEntropy });
 */
export async function evaluateAsync<B>(model: Module, data: Iterable<B>, options: EvaluateOptions<B> = {}): Promise<Record<string, number>> {
  const evaluation = new Evaluation(model, options);
  const wasTraining = model.training;
  model.eval();
  try {
    for (const batch of data) {
      const { output, target, loss } = evaluation.run(batch);
      const lossValue = loss === null ? null : readsSync(loss) ? loss.item() : (await loss.data())[0];
      if (evaluation.metrics.length === 0 || readsSync(output)) evaluation.add(lossValue, output, target);
      else evaluation.add(lossValue, ...(await hostCopies(output, target)));
    }
  } finally {
    model.train(wasTraining);
  }
  return evaluation.result();
}

/** A copy of `t` on the js backend (for metrics, which read elements synchronously). */
export async function hostCopy(t: Tensor): Promise<Tensor> {
  return tensor(await t.data(), { shape: t.shape, dtype: t.dtype, device: 'js' });
}

/** Host copies of a model's output and target (for metrics on a device that reads only asynchronously). */
export function hostCopies(output: Tensor, target: Tensor): Promise<[Tensor, Tensor]> {
  return Promise.all([hostCopy(output), hostCopy(target)]);
}
