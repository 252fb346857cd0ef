// descent's side of W2/W3: the models written with dt.nn and trained with dt.optim.Adam.
import { type Tensor, argmax, manualSeed, nn, noGrad, optim, setBackend, tensor, webgpuSynchronize } from '../src/index.js';
import type { Mnist } from './mnist.js';
import { LR, type TrainResult, type Trainer, runSchedule } from './training.js';
import { useWebgpu } from './webgpu.js';

/**
 * A Trainer for any descent model that maps images reshaped to `inputShape` to 10 logits. On webgpu the
 * reads are asynchronous (`await t.data()`) and the timing waits for the GPU (webgpuSynchronize).
 */
function descentTrainer(model: nn.Module<[Tensor], Tensor>, inputShape: number[], gpu = false): Trainer {
  const opt = new optim.Adam(model.parameters(), { lr: LR });
  const lossFn = new nn.CrossEntropyLoss();
  const input = (images: Float32Array, count: number) => tensor(images, { shape: [count, ...inputShape] });
  const train = (images: Float32Array, labels: Int32Array, count: number) => {
    opt.zeroGrad();
    const loss = lossFn(model(input(images, count)), tensor(labels));
    loss.backward();
    opt.step();
    return loss;
  };
  const predicted = (images: Float32Array, count: number) => noGrad(() => argmax(model(input(images, count)), 1));
  if (gpu) {
    return {
      step: async (...batch) => (await train(...batch).data())[0],
      predict: async (...batch) => (await predicted(...batch).data()) as Int32Array,
      synchronize: webgpuSynchronize,
    };
  }
  return {
    step: (...batch) => train(...batch).item(),
    predict: (...batch) => predicted(...batch).dataSync() as Int32Array,
  };
}

/** W2 on descent: MLP 784-256-128-10. */
export function w2Descent(backendName: 'js' | 'wasm', epochs: number): Promise<TrainResult> {
  setBackend(backendName);
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  return runSchedule(descentTrainer(model, [784]), epochs);
}

/** W3 on descent: the CNN (NCHW); on webgpu over `data` (bench/webgpu.ts's gpuW3Schedule). */
export async function w3Descent(backendName: 'js' | 'wasm' | 'webgpu', epochs: number, data?: Mnist): Promise<TrainResult> {
  if (backendName === 'webgpu') await useWebgpu();
  else setBackend(backendName);
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 5 * 5, 10),
  );
  return runSchedule(descentTrainer(model, [1, 28, 28], backendName === 'webgpu'), epochs, data);
}
