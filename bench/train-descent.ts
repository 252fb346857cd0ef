// descent's side of W2/W3: the models written with dt.nn and trained with dt.optim.Adam.
import { type Tensor, argmax, manualSeed, nn, noGrad, optim, setBackend, tensor } from '../src/index.js';
import { LR, type TrainResult, type Trainer, runSchedule } from './training.js';

/** A Trainer for any descent model that maps images reshaped to `inputShape` to 10 logits. */
function descentTrainer(model: nn.Module<[Tensor], Tensor>, inputShape: number[]): Trainer {
  const opt = new optim.Adam(model.parameters(), { lr: LR });
  const lossFn = new nn.CrossEntropyLoss();
  const input = (images: Float32Array, count: number) => tensor(images, { shape: [count, ...inputShape] });
  return {
    step(images, labels, count) {
      opt.zeroGrad();
      const loss = lossFn(model(input(images, count)), tensor(labels));
      loss.backward();
      opt.step();
      return loss.item();
    },
    predict(images, count) {
      return noGrad(() => argmax(model(input(images, count)), 1).dataSync() as Int32Array);
    },
  };
}

/** W2 on descent: MLP 784-256-128-10. */
export function w2Descent(backendName: 'js' | 'wasm', epochs: number): Promise<TrainResult> {
  setBackend(backendName);
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  return runSchedule(descentTrainer(model, [784]), epochs);
}

/** W3 on descent: the CNN (NCHW). */
export function w3Descent(backendName: 'js' | 'wasm', epochs: number): Promise<TrainResult> {
  setBackend(backendName);
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 5 * 5, 10),
  );
  return runSchedule(descentTrainer(model, [1, 28, 28]), epochs);
}
