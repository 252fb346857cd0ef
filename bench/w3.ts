// W3: CNN conv3x3x16 valid + ReLU + maxpool2 -> conv3x3x32 valid + ReLU + maxpool2 -> dense 10,
// softmax cross-entropy, Adam lr 1e-3, batch 128.
import { loadTfjs } from './js-peers.js';
import { LR, type TrainResult, runSchedule } from './training.js';

export const W3_EPOCHS = 2;

/** TensorFlow.js (channels-last, as its conv layers expect). */
export async function w3Tfjs(backendName: 'cpu' | 'wasm', epochs = W3_EPOCHS): Promise<TrainResult> {
  const tf = await loadTfjs(backendName);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(LR), loss: 'categoricalCrossentropy' });
  return runSchedule({
    async step(images, labels, count) {
      const x = tf.tensor4d(images, [count, 28, 28, 1]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
      const loss = await model.trainOnBatch(x, y);
      x.dispose();
      y.dispose();
      return Array.isArray(loss) ? loss[0] : loss;
    },
    predict(images, count) {
      return tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(images, [count, 28, 28, 1])), 1).dataSync() as Int32Array);
    },
  }, epochs);
}
