// W2: MLP 784-256-128-10 (ReLU), softmax cross-entropy, Adam lr 1e-3, batch 128.
import { loadTfjs } from './js-peers.js';
import { LR, type TrainResult, runSchedule } from './training.js';

export const W2_EPOCHS = 3;

/** TensorFlow.js (Keras layers, its own defaults for initialization). */
export async function w2Tfjs(backendName: 'cpu' | 'wasm', epochs = W2_EPOCHS): Promise<TrainResult> {
  const tf = await loadTfjs(backendName);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(LR), loss: 'categoricalCrossentropy' });
  return runSchedule({
    async step(images, labels, count) {
      const x = tf.tensor2d(images, [count, 784]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
      const loss = await model.trainOnBatch(x, y);
      x.dispose();
      y.dispose();
      return Array.isArray(loss) ? loss[0] : loss;
    },
    predict(images, count) {
      return tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(images, [count, 784])), 1).dataSync() as Int32Array);
    },
  }, epochs);
}
