// TF.js twins of W5, W7 and W8 (same architectures, hyperparameters and batches; TF.js's own initial
// weights, since it cannot draw PyTorch's). W6 has none: TF.js layers has no causal self-attention, and a
// hand-written one with a custom training loop is a different program from the one users of TF.js write.
import { type TfTensor, loadTfjs } from './js-peers.js';
import { CHAR_BATCH, CNN, CONTEXT, LSTM, type StepWorkload, VAE, charBatch, fashionBatch, loadCorpus, mnistBatch } from './workloads.js';

/** The part of TF.js these twins use beyond bench/js-peers.ts's Tfjs (typed here for the same reason). */
interface TfGraph {
  input(config: { shape: number[] }): unknown;
  model(config: { inputs: unknown; outputs: unknown }): { compile(o: object): void; trainOnBatch(x: TfTensor, y: TfTensor): Promise<number | number[]> };
  layers: {
    conv2d(config: object): TfApply;
    batchNormalization(config: object): TfApply;
    activation(config: { activation: string }): TfApply;
    maxPooling2d(config: { poolSize: number }): TfApply;
    flatten(): TfApply;
    dense(config: object): TfApply;
    add(): { apply(xs: unknown[]): unknown };
    embedding(config: object): TfApply;
    lstm(config: object): TfApply;
  };
  train: { adam(lr: number): TfOptimizer };
  tensor2d(values: Float32Array | Int32Array, shape: [number, number], dtype?: string): TfTensor;
  tensor3d(values: Float32Array, shape: [number, number, number]): TfTensor;
  tensor4d(values: Float32Array, shape: [number, number, number, number]): TfTensor;
  oneHot(indices: TfTensor, depth: number): TfTensor;
  tensor1d(values: Int32Array, dtype: 'int32'): TfTensor;
  variable(initial: TfTensor): TfTensor;
  zeros(shape: number[]): TfTensor;
  randomUniform(shape: number[], min: number, max: number): TfTensor;
  randomNormal(shape: number[]): TfTensor;
  tidy<T>(fn: () => T): T;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: TfTensor, b: TfTensor | number): TfTensor;
  sub(a: TfTensor | number, b: TfTensor | number): TfTensor;
  mul(a: TfTensor, b: TfTensor | number): TfTensor;
  div(a: TfTensor, b: number): TfTensor;
  exp(x: TfTensor): TfTensor;
  log(x: TfTensor): TfTensor;
  relu(x: TfTensor): TfTensor;
  sigmoid(x: TfTensor): TfTensor;
  square(x: TfTensor): TfTensor;
  sum(x: TfTensor): TfTensor;
  clipByValue(x: TfTensor, min: number, max: number): TfTensor;
}
interface TfApply {
  apply(x: unknown): unknown;
}
interface TfOptimizer {
  minimize(loss: () => TfTensor, returnCost: true): TfTensor;
}

/** `step(k)` trains on batch k and returns the loss. */
export type TfjsStep = (k: number) => Promise<number> | number;

async function lossOf(trained: Promise<number | number[]>): Promise<number> {
  const loss = await trained;
  return Array.isArray(loss) ? loss[0] : loss;
}

/** W5: the npm-start CNN, channels-last; Keras batch norm with PyTorch's momentum (0.1 = Keras 0.9) and eps. */
function cnn(tf: TfGraph): TfjsStep {
  const c = 8;
  const conv = () => tf.layers.conv2d({ filters: c, kernelSize: 3, padding: 'same', useBias: false });
  const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  const relu = () => tf.layers.activation({ activation: 'relu' });
  const input = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(relu().apply(bn().apply(conv().apply(input))));
  const branch = bn().apply(conv().apply(relu().apply(bn().apply(conv().apply(x)))));
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(relu().apply(tf.layers.add().apply([x, branch])));
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(tf.layers.flatten().apply(x));
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(CNN.lr), loss: 'categoricalCrossentropy' });
  return (k) => {
    const { images, labels } = mnistBatch(k);
    const x = tf.tensor4d(images, [CNN.batch, 28, 28, 1]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
    return lossOf(model.trainOnBatch(x, y)).finally(() => (x.dispose(), y.dispose()));
  };
}

/** W7: embedding, LSTM returning every step, softmax head; sparse categorical cross-entropy. */
function lstm(tf: TfGraph): TfjsStep {
  const corpus = loadCorpus();
  const input = tf.input({ shape: [CONTEXT] });
  const hidden = tf.layers.lstm({ units: LSTM.hidden, returnSequences: true })
    .apply(tf.layers.embedding({ inputDim: corpus.vocab, outputDim: LSTM.embedding }).apply(input));
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: corpus.vocab, activation: 'softmax' }).apply(hidden) });
  model.compile({ optimizer: tf.train.adam(LSTM.lr), loss: 'sparseCategoricalCrossentropy' });
  return (k) => {
    const { x, y } = charBatch(corpus, k);
    const tokens = tf.tensor2d(x, [CHAR_BATCH, CONTEXT], 'int32');
    const targets = tf.tensor3d(Float32Array.from(y), [CHAR_BATCH, CONTEXT, 1]); // its sparse loss floors float labels
    return lossOf(model.trainOnBatch(tokens, targets)).finally(() => (tokens.dispose(), targets.dispose()));
  };
}

/** W8: the VAE in TF.js ops with a hand-written loss (Keras's fit has no place for the KL term's two outputs). */
function vae(tf: TfGraph): TfjsStep {
  const linear = (inputs: number, outputs: number) => {
    const bound = 1 / Math.sqrt(inputs); // PyTorch's default Linear range
    return { w: tf.variable(tf.randomUniform([inputs, outputs], -bound, bound)), b: tf.variable(tf.randomUniform([outputs], -bound, bound)) };
  };
  const [fc1, fcMu, fcLogvar, fc3, fc4] = [[784, VAE.hidden], [VAE.hidden, VAE.latent], [VAE.hidden, VAE.latent], [VAE.latent, VAE.hidden], [VAE.hidden, 784]]
    .map(([i, o]) => linear(i, o));
  const apply = (l: { w: TfTensor; b: TfTensor }, x: TfTensor) => tf.add(tf.matMul(x, l.w), l.b);
  const opt = tf.train.adam(VAE.lr);
  return (k) => {
    const x = tf.tensor2d(fashionBatch(k), [VAE.batch, 784]);
    const cost = opt.minimize(() => {
      const h = tf.relu(apply(fc1, x));
      const mu = apply(fcMu, h);
      const logvar = apply(fcLogvar, h);
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.randomNormal(mu.shape)));
      const p = tf.clipByValue(tf.sigmoid(apply(fc4, tf.relu(apply(fc3, z)))), 1e-7, 1 - 1e-7);
      const bce = tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))));
      const kl = tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar)));
      return tf.div(tf.mul(tf.add(bce, tf.mul(kl, 0.5)), -1), VAE.batch);
    }, true);
    const loss = cost.dataSync()[0];
    cost.dispose();
    x.dispose();
    return loss;
  };
}

/** The TF.js twin of `name` on `backend`, or null where there is none (W6). */
export async function tfjsStep(name: StepWorkload, backend: 'cpu' | 'wasm' | 'webgpu'): Promise<TfjsStep | null> {
  if (name === 'W6') return null;
  const tf = (await loadTfjs(backend)) as unknown as TfGraph;
  return name === 'W5' ? cnn(tf) : name === 'W7' ? lstm(tf) : vae(tf);
}
