// The benchmarks' dataset: the `mnist` package's 10,000 digits (28x28, values in [0, 1]), permuted
// with a fixed seed; the first 8,000 train, the last 2,000 test. Written once to a binary file so the
// Python peers train on exactly the same samples in the same order.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator, randperm } from '../src/index.js';

export interface MnistSplit {
  /** [count, 784] row-major pixels. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

export const PIXELS = 784;
const SEED = 0;
const TRAIN = 8000;

let cached: Mnist | null = null;

/** Loads, permutes (seed 0) and splits the digits. */
export function loadMnist(): Mnist {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const images: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = (JSON.parse(readFileSync(join(digitsDir, `${digit}.json`), 'utf8')) as { data: number[] }).data;
    for (let at = 0; at + PIXELS <= raw.length; at += PIXELS) {
      images.push(raw.slice(at, at + PIXELS));
      labels.push(digit);
    }
  }
  const order = randperm(labels.length, { generator: new Generator().manualSeed(SEED), device: 'js' }).dataSync(); // 'js': readable at once on every default device
  const split = (from: number, to: number): MnistSplit => {
    const count = to - from;
    const x = new Float32Array(count * PIXELS);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      x.set(images[order[from + i]], i * PIXELS);
      y[i] = labels[order[from + i]];
    }
    return { images: x, labels: y, count };
  };
  cached = { train: split(0, TRAIN), test: split(TRAIN, labels.length) };
  return cached;
}

/**
 * Writes the split (or `data`, a part of it) to `file` for the Python peers: int32 header [trainCount, testCount, 784], then
 * train images (float32), train labels (int32), test images, test labels.
 */
export function writeMnistBinary(file: string, data: Mnist = loadMnist()): string {
  const { train, test } = data;
  mkdirSync(dirname(file), { recursive: true });
  const parts = [new Int32Array([train.count, test.count, PIXELS]), train.images, train.labels, test.images, test.labels];
  writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  return file;
}
