import { type Generator, type GeneratorState, defaultGenerator, Generator as GeneratorClass } from '../tensor/random.js';
import { randperm } from '../tensor/creation.js';
import type { Dataset } from './dataset.js';
import { type Collated, defaultCollate } from './collate.js';

export interface DataLoaderOptions<T, B> {
  /**
   * Samples per batch: 'full' (or any number >= the dataset length) gives one batch of everything, batch
   * gradient descent; 1 gives stochastic gradient descent; k gives mini-batches. Default 1, as PyTorch.
   */
  batchSize?: number | 'full';
  /** A new random order every epoch. */
  shuffle?: boolean;
  /** The stream that shuffles; its state is part of `stateDict()`. Default: a generator seeded from the global one each epoch. */
  generator?: Generator;
  /** Drops the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Turns a list of samples into a batch; default `defaultCollate`. */
  collate?: (samples: T[]) => B;
}

/** Where a loader stands, to resume an epoch in the middle after a restart. */
export interface DataLoaderState {
  /** The loader's own generator state, or null when it shuffles from the global generator. */
  generator: GeneratorState | null;
  /** The sample order of the epoch in progress, or null between epochs. */
  order: number[] | null;
  /** Batches of `order` already handed out. */
  position: number;
  epoch: number;
}

/**
 * Iterates over a dataset in batches, like torch.utils.data.DataLoader (single process). With the same
 * seeded generator the shuffled order is PyTorch's, epoch after epoch. Each `for...of` is one epoch (leaving
 * one early and iterating again starts the next epoch, as in PyTorch); `length` is the number of batches per
 * epoch. `stateDict()` taken mid-epoch and `loadStateDict()` continue that epoch where it stopped.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: new Generator(0) });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | null;
  private readonly collate: ((samples: T[]) => B) | null;
  private order: number[] | null = null;
  private position = 0;
  private epochsStarted = 0;
  private resumePending = false;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    if (!dataset || typeof dataset.getItem !== 'function' || !Number.isInteger(dataset.length)) {
      throw new Error('DataLoader: expected a Dataset (an object with an integer length and getItem(index))');
    }
    const { batchSize = 1, shuffle = false, dropLast = false } = options;
    if (batchSize !== 'full' && !(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new Error(`DataLoader: batchSize should be a positive integer or 'full', got ${String(batchSize)}`);
    }
    if (options.generator !== undefined && !(options.generator instanceof GeneratorClass)) {
      throw new Error('DataLoader: generator must be a Generator');
    }
    this.dataset = dataset;
    this.batchSize = batchSize === 'full' ? Math.max(dataset.length, 1) : batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = options.generator ?? null;
    this.collate = options.collate ?? null;
  }

  /** Batches per epoch (PyTorch's len(loader)). */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The number of epochs begun so far (including one resumed from a state dict). */
  get epoch(): number {
    return this.epochsStarted;
  }

  *[Symbol.iterator](): Iterator<B> {
    // As each iter() in PyTorch, every iteration is an epoch of its own (its own order and position), even when
    // the last one was left early or is still running in an outer loop; an epoch restored by loadStateDict
    // continues instead. The loader's state follows the iteration that handed out the latest batch.
    let order: number[];
    let start = 0;
    if (this.resumePending && this.order !== null) {
      [order, start] = [this.order, this.position];
    } else {
      order = this.startEpoch();
    }
    this.resumePending = false;
    const batches = this.length;
    for (let k = start; k < batches; k++) {
      const indices = order.slice(k * this.batchSize, (k + 1) * this.batchSize);
      this.order = order;
      this.position = k + 1;
      if (k + 1 === batches) this.finishEpoch();
      yield this.fetch(indices);
    }
    if (batches === 0) this.finishEpoch(); // an empty epoch (dropLast with too few samples)
  }

  /** The state needed to continue this loader exactly where it is (mid-epoch included). */
  stateDict(): DataLoaderState {
    return {
      generator: this.generator ? this.generator.getState() : null,
      order: this.order ? this.order.slice() : null,
      position: this.position,
      epoch: this.epochsStarted,
    };
  }

  /**
   * Restores a `stateDict()`: the next iteration continues the saved epoch from the saved batch. Checked whole first.
   * With `resume: false` the state is put back as an iteration left it (the next iteration starts a new epoch):
   * how a trainer takes back a batch it fetched ahead.
   */
  loadStateDict(state: DataLoaderState, { resume = true }: { resume?: boolean } = {}): void {
    const fail = (why: string) => { throw new Error(`DataLoader.loadStateDict: ${why}`); };
    if (!state || typeof state !== 'object' || !(state.order === null || Array.isArray(state.order))) {
      fail('not a DataLoader state (expected { generator, order, position, epoch })');
    }
    const n = this.dataset.length;
    if (!Number.isInteger(state.epoch) || state.epoch < 0) fail(`epoch must be a non-negative integer, got ${JSON.stringify(state.epoch)}`);
    if (!Number.isInteger(state.position) || state.position < 0) fail(`position must be a non-negative integer, got ${JSON.stringify(state.position)}`);
    if (state.order) {
      if (state.order.length !== n) fail(`the saved order has ${state.order.length} samples but the dataset has ${n}`);
      const seen = new Uint8Array(n);
      for (const i of state.order) {
        if (!Number.isInteger(i) || i < 0 || i >= n || seen[i]) fail(`the saved order is not a permutation of 0..${n - 1} (at ${JSON.stringify(i)})`);
        seen[i] = 1;
      }
      if (state.position > this.length) fail(`position ${state.position} is past the end of the epoch (${this.length} batches)`);
    } else if (state.position !== 0) {
      fail(`position ${state.position} without an order (between epochs the position is 0)`);
    }
    if (state.generator && !this.generator) fail('the state has a generator but this loader was built without one');
    if (state.generator) this.generator!.setState(state.generator);
    this.order = state.order ? state.order.slice() : null;
    this.position = state.position;
    this.resumePending = resume && this.order !== null;
    this.epochsStarted = state.epoch;
  }

  private startEpoch(): number[] {
    const n = this.dataset.length;
    // PyTorch's iterator first draws a 64-bit base seed for workers from the loader's generator
    const g = this.generator ?? defaultGenerator;
    g.nextUint32();
    g.nextUint32();
    this.epochsStarted++;
    return this.shuffle ? Array.from(randperm(n, { generator: this.samplerGenerator() }).dataSync()) : Array.from({ length: n }, (_, i) => i);
  }

  private finishEpoch(): void {
    // PyTorch's RandomSampler draws one more permutation (for a zero-length tail) once it is exhausted;
    // drawing it too keeps the next epoch's order equal to PyTorch's.
    if (this.shuffle && this.generator) randperm(this.dataset.length, { generator: this.generator });
    this.order = null;
    this.position = 0;
  }

  // Without a generator, PyTorch's RandomSampler seeds a fresh one from the global stream each epoch.
  private samplerGenerator(): Generator {
    if (this.generator) return this.generator;
    defaultGenerator.nextUint32();
    return new GeneratorClass(defaultGenerator.nextUint32()); // the low 32 bits of the 64-bit seed are all MT19937 uses
  }

  private fetch(indices: number[]): B {
    const ds = this.dataset;
    if (!this.collate && ds.getBatch) return ds.getBatch(indices) as B;
    const samples = indices.map((i) => ds.getItem(i));
    return this.collate ? this.collate(samples) : (defaultCollate(samples) as B);
  }
}
