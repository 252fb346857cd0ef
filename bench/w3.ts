// W3: CNN conv3x3x16 valid + ReLU + maxpool2 -> conv3x3x32 valid + ReLU + maxpool2 -> dense 10,
// softmax cross-entropy, Adam lr 1e-3, batch 128.
import { loadTfjs, tfjsTrainer } from './js-peers.js';
import type { Mnist } from './mnist.js';
import { type TrainResult, runSchedule } from './training.js';

export const W3_EPOCHS = 2;

/** TensorFlow.js (channels-last, as its conv layers expect); `data` as runSchedule's. */
export async function w3Tfjs(backendName: 'cpu' | 'wasm' | 'webgpu', epochs = W3_EPOCHS, data?: Mnist): Promise<TrainResult> {
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
  return runSchedule(tfjsTrainer(tf, model, (images, count) => tf.tensor4d(images, [count, 28, 28, 1])), epochs, data);
}
