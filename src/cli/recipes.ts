import { Generator, nn, type Tensor } from '../index.js';
import { DataLoader, loadMnist, type TensorDataset } from '../data/index.js';
import type { LossFn } from '../train/evaluate.js';

/** A ready-made training job: a model, data and defaults the CLI can override. */
export interface Recipe {
  name: string;
  description: string;
  /** Builds the model with the global seed already set. */
  model(): nn.Module;
  data(): Promise<{ train: TensorDataset; test: TensorDataset }>;
  loss: LossFn;
  metrics: string[];
  defaults: { optimizer: string; lr: number; batchSize: number; epochs: number; weightDecay?: number };
}

function convBlock(inC: number, outC: number): nn.Module[] {
  return [new nn.Conv2d(inC, outC, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(outC), new nn.ReLU()];
}

/**
 * The CNN of `npm start`: conv-BN-ReLU, max-pool, a residual block (two 3x3 conv-BN with a skip connection),
 * max-pool, and a linear classifier. With 8 channels about 5k parameters.
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

export const RECIPES: Record<string, Recipe> = {
  'mnist-cnn': {
    name: 'mnist-cnn',
    description: 'CNN with batch normalization and a residual block on the bundled 8,000/2,000 MNIST digits',
    model: () => mnistCnn(),
    data: () => loadMnist(),
    loss: nn.functional.crossEntropy,
    metrics: ['accuracy'],
    defaults: { optimizer: 'adam', lr: 0.01, batchSize: 64, epochs: 4 },
  },
  'mnist-mlp': {
    name: 'mnist-mlp',
    description: 'a 784-128-10 multilayer perceptron on the bundled digits (fast; the default for compare)',
    model: mnistMlp,
    data: () => loadMnist(),
    loss: nn.functional.crossEntropy,
    metrics: ['accuracy'],
    defaults: { optimizer: 'adam', lr: 1e-3, batchSize: 64, epochs: 3 },
  },
};

/** Builds loaders for a recipe with a seeded shuffle. */
export function loadersFor(ds: { train: TensorDataset; test: TensorDataset }, batchSize: number | 'full', seed: number): { train: DataLoader<Tensor[], Tensor[]>; test: DataLoader<Tensor[], Tensor[]> } {
  return {
    train: new DataLoader<Tensor[], Tensor[]>(ds.train, { batchSize, shuffle: true, generator: new Generator(seed) }),
    test: new DataLoader<Tensor[], Tensor[]>(ds.test, { batchSize: 500 }),
  };
}
