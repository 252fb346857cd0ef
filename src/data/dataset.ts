import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { randperm } from '../tensor/creation.js';
import { indexSelect } from '../ops/indexing.js';
import { select } from '../ops/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { defaultCollate } from './collate.js';

/**
 * A map-style dataset: a length and item access by index, like torch.utils.data.Dataset.
 * `getBatch` is optional: a dataset that can fetch a whole batch at once (TensorDataset) lets the
 * DataLoader skip building one sample at a time; it must equal `defaultCollate(indices.map(getItem))`.
 * @example
 * const squares: Dataset<number> = { length: 10, getItem: (i) => i * i };
 */
export interface Dataset<T = unknown> {
  readonly length: number;
  getItem(index: number): T;
  getBatch?(indices: readonly number[]): unknown;
}

/** A valid index into a dataset of `length` (negative counts from the end), or an error naming `where`. */
export function checkIndex(where: string, index: number, length: number): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new Error(`${where}: index ${index} is out of range for a dataset of length ${length}`);
  }
  return index < 0 ? index + length : index;
}

/**
 * Samples are the i-th rows of several tensors that share their first dimension, like
 * torch.utils.data.TensorDataset. `getItem(i)` returns `[x[i], y[i], ...]`.
 * @example
 * const ds = new TensorDataset(randn([100, 4]), randint(0, 3, [100]));
 * const [x0, y0] = ds.getItem(0);
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    const n = tensors[0].ndim > 0 ? tensors[0].shape[0] : -1;
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new Error(`TensorDataset: size mismatch between tensors: tensor 0 has shape ${formatShape(tensors[0].shape)}, tensor ${i} has shape ${formatShape(t.shape)} (the first dimensions must be equal)`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex('TensorDataset', index, this.length);
    return noGrad(() => this.tensors.map((t) => select(t, 0, i)));
  }

  /** The rows at `indices`, stacked: one tensor per field (what defaultCollate makes of the items). */
  getBatch(indices: readonly number[]): Tensor[] {
    const idx = Tensor.fromArray(Int32Array.from(indices, (i) => checkIndex('TensorDataset', i, this.length)), [indices.length], 'int32');
    return noGrad(() => this.tensors.map((t) => indexSelect(t, 0, idx.to(t.device))));
  }
}

/**
 * The items of `dataset` at `indices`, in that order, like torch.utils.data.Subset.
 * @example const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class Subset<T> implements Dataset<T> {
  readonly indices: number[];

  constructor(readonly dataset: Dataset<T>, indices: readonly number[]) {
    this.indices = indices.map((i) => checkIndex('Subset', i, dataset.length));
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex('Subset', index, this.length)]);
  }

  getBatch(indices: readonly number[]): unknown {
    const mapped = indices.map((i) => this.indices[checkIndex('Subset', i, this.length)]);
    return this.dataset.getBatch ? this.dataset.getBatch(mapped) : defaultCollate(mapped.map((i) => this.dataset.getItem(i)));
  }
}

/**
 * Splits a dataset into non-overlapping subsets of the given lengths (or fractions summing to 1) after a
 * random permutation, exactly as torch.utils.data.random_split: the same seed gives the same subsets.
 * @example const [train, val] = randomSplit(ds, [0.8, 0.2], new Generator(42));
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths.slice();
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    sizes = lengths.map((frac, i) => {
      if (!(frac >= 0 && frac <= 1)) throw new Error(`randomSplit: fraction at index ${i} is not between 0 and 1 (got ${frac})`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1; // round robin, as PyTorch
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`randomSplit: lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(', ')}]`);
  }
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== n) throw new Error(`randomSplit: sum of input lengths (${sum}) does not equal the length of the dataset (${n})`);
  const perm = Array.from(randperm(n, { generator }).dataSync());
  let offset = 0;
  return sizes.map((size) => {
    const part = new Subset(dataset, perm.slice(offset, offset + size));
    offset += size;
    return part;
  });
}
