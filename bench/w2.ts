// W2: MLP 784-256-128-10 (ReLU), softmax cross-entropy, Adam lr 1e-3, batch 128.
import { loadTfjs, tfjsTrainer } from './js-peers.js';
import { type TrainResult, runSchedule } from './training.js';

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
  return runSchedule(tfjsTrainer(tf, model, (images, count) => tf.tensor2d(images, [count, 784])), epochs);
}
