import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, Tensor, arange, manualSeed, rand, randn, tensor } from '../../src/index.js';
import { DataLoader, Subset, TensorDataset, defaultCollate, randomSplit, type Dataset } from '../../src/data/index.js';
import { assertClose, loadFixture, type FixtureTensor } from '../helpers.js';

interface LoaderCase {
  n: number; batch_size: number; shuffle: boolean; drop_last: boolean; seed: number; len: number;
  epochs: number[][][]; rand_after: FixtureTensor;
}
interface NestedCase { n: number; batch_size: number; seed: number; outer: number[][]; inner: number[][]; next_epoch: number[][] }
const fx = loadFixture<{ loaders: LoaderCase[]; splits: { n: number; lengths: number[]; seed: number; indices: number[][] }[]; nested: NestedCase }>('train_data');

test('DataLoader visits samples in the same order as torch DataLoader(shuffle, generator) over 3 epochs', () => {
  for (const c of fx.loaders) {
    const g = new Generator(c.seed);
    const loader = new DataLoader(new TensorDataset(arange(0, c.n, 1, { dtype: 'int32' })), {
      batchSize: c.batch_size, shuffle: c.shuffle, dropLast: c.drop_last, generator: g,
    });
    assert.equal(loader.length, c.len, `len for ${JSON.stringify({ ...c, epochs: 0 })}`);
    for (let e = 0; e < 3; e++) {
      const got = [...loader].map(([xb]) => Array.from(xb.dataSync()));
      assert.deepEqual(got, c.epochs[e], `epoch ${e} of case n=${c.n} bs=${c.batch_size} seed=${c.seed}`);
    }
    // the generator has advanced exactly as torch's did
    assertClose(rand([3], { generator: g }), c.rand_after, { rtol: 0, atol: 0 });
  }
});

test('batchSize makes the three variants: full batch, stochastic, mini-batch', () => {
  const ds = new TensorDataset(randn([10, 2]), arange(0, 10, 1, { dtype: 'int32' }));
  const full = [...new DataLoader(ds, { batchSize: 'full' })];
  assert.equal(full.length, 1);
  assert.deepEqual(full[0][0].shape, [10, 2]);
  const sgd = [...new DataLoader(ds, { batchSize: 1 })];
  assert.equal(sgd.length, 10);
  assert.deepEqual(sgd[0][0].shape, [1, 2]);
  const mini = new DataLoader(ds, { batchSize: 4 });
  assert.deepEqual([...mini].map(([, y]) => y.shape[0]), [4, 4, 2]);
  assert.deepEqual([...new DataLoader(ds, { batchSize: 4, dropLast: true })].map(([, y]) => y.shape[0]), [4, 4]);
  assert.equal(new DataLoader(ds, { batchSize: 20, dropLast: true }).length, 0);
  assert.deepEqual([...new DataLoader(ds, { batchSize: 20, dropLast: true })], []);
});

test('a loader state saved mid-epoch resumes the same batches and the same next epochs', () => {
  const ds = new TensorDataset(arange(0, 23, 1, { dtype: 'int32' }));
  const make = () => new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(3) });
  const reference = make();
  const ref = [0, 1, 2].map(() => [...reference].map(([b]) => Array.from(b.dataSync())));
  const a = make();
  const first: number[][] = [];
  for (const [b] of a) {
    first.push(Array.from(b.dataSync()));
    if (first.length === 2) break;
  }
  const state = JSON.parse(JSON.stringify(a.stateDict()));
  const b = make();
  b.loadStateDict(state);
  const rest = [...b].map(([x]) => Array.from(x.dataSync()));
  assert.deepEqual([...first, ...rest], ref[0]);
  assert.deepEqual([...b].map(([x]) => Array.from(x.dataSync())), ref[1]);
  assert.deepEqual([...b].map(([x]) => Array.from(x.dataSync())), ref[2]);
  assert.equal(b.epoch, 3);
});

test('leaving an epoch early and iterating again starts the next epoch, as torch does', () => {
  const ds = new TensorDataset(arange(0, 10, 1, { dtype: 'int32' }));
  const c = fx.loaders[0]; // n=10, batch 3, seed 0
  const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(0) });
  for (const [b] of loader) {
    assert.deepEqual(Array.from(b.dataSync()), c.epochs[0][0]);
    break;
  }
  assert.equal(loader.stateDict().position, 1); // the abandoned epoch can still be checkpointed
  const second = [...loader].map(([b]) => Array.from(b.dataSync()));
  assert.equal(loader.epoch, 2);
  assert.equal(second.length, 4);
  assert.notDeepEqual(second, c.epochs[0]);
});

test('without a generator the shuffle follows the global seed', () => {
  const ds = new TensorDataset(arange(0, 12, 1, { dtype: 'int32' }));
  const loader = new DataLoader(ds, { batchSize: 12, shuffle: true });
  manualSeed(5);
  const a = [...loader][0][0].toArray();
  manualSeed(5);
  const b = [...loader][0][0].toArray();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, Array.from({ length: 12 }, (_, i) => i));
});

test('defaultCollate stacks tensors, numbers, arrays and objects like torch default_collate', () => {
  const batch = defaultCollate([
    { x: tensor([1, 2]), label: 0, w: 0.5, name: 'a', ok: true },
    { x: tensor([3, 4]), label: 1, w: 1, name: 'b', ok: false },
  ]);
  assert.deepEqual(batch.x.toArray(), [[1, 2], [3, 4]]);
  assert.equal(batch.label.dtype, 'int32');
  assert.equal(batch.w.dtype, 'float64');
  assert.equal(batch.ok.dtype, 'bool');
  assert.deepEqual(batch.name, ['a', 'b']);
  const pairs = defaultCollate([[tensor([1]), 2], [tensor([3]), 4]]);
  assert.deepEqual(pairs[1].toArray(), [2, 4]);
  assert.throws(() => defaultCollate([tensor([1, 2]), tensor([1])]), /same shape: element 0 has shape \[2\], element 1 has \[1\]/);
});

test('a plain Dataset object and a custom collate work; bad options get clear errors', () => {
  const squares: Dataset<number> = { length: 5, getItem: (i) => i * i };
  assert.deepEqual([...new DataLoader(squares, { batchSize: 2 })].map((t) => t.toArray()), [[0, 1], [4, 9], [16]]);
  const sums = new DataLoader(squares, { batchSize: 5, collate: (xs: number[]) => xs.reduce((a, b) => a + b, 0) });
  assert.deepEqual([...sums], [30]);
  assert.throws(() => new DataLoader(squares, { batchSize: 0 }), /batchSize should be a positive integer or 'full', got 0/);
  assert.throws(() => new DataLoader({} as Dataset, {}), /expected a Dataset/);
});

test('TensorDataset, Subset and randomSplit', () => {
  const x = randn([6, 3]);
  const y = arange(0, 6, 1, { dtype: 'int32' });
  const ds = new TensorDataset(x, y);
  const [x2, y2] = ds.getItem(2);
  assert.deepEqual(Array.from(x2.dataSync()), Array.from(x.dataSync().slice(6, 9)));
  assert.equal(y2.item(), 2);
  assert.deepEqual(ds.getItem(-1)[1].item(), 5);
  assert.throws(() => ds.getItem(6), /TensorDataset: index 6 is out of range for a dataset of length 6/);
  assert.throws(() => new TensorDataset(x, arange(0, 5)), /size mismatch between tensors: tensor 0 has shape \[6,3\], tensor 1 has shape \[5\]/);
  const sub = new Subset(ds, [4, 1]);
  assert.equal(sub.length, 2);
  assert.equal(sub.getItem(0)[1].item(), 4);
  const [bx, by] = sub.getBatch([1, 0]) as Tensor[];
  assert.deepEqual(Array.from(by.dataSync()), [1, 4]);
  assert.deepEqual(bx.shape, [2, 3]);
  for (const s of fx.splits) {
    const parts = randomSplit({ length: s.n, getItem: (i: number) => i }, s.lengths, new Generator(s.seed));
    assert.deepEqual(parts.map((p) => p.indices), s.indices, `randomSplit(${s.n}, [${s.lengths}], seed ${s.seed})`);
  }
  assert.throws(() => randomSplit(ds, [2, 2]), /sum of input lengths \(4\) does not equal the length of the dataset \(6\)/);
});

test('a loader iterated inside its own loop: each for...of is its own epoch and the outer one keeps its order, as torch', () => {
  const c = fx.nested;
  const loader = new DataLoader(new TensorDataset(arange(0, c.n, 1, { dtype: 'int32' })), { batchSize: c.batch_size, shuffle: true, generator: new Generator(c.seed) });
  const outer: unknown[] = [];
  let inner: unknown[] = [];
  for (const [b] of loader) {
    outer.push(b.toArray());
    if (outer.length === 1) inner = [...loader].map(([x]) => x.toArray());
  }
  assert.deepEqual(inner, c.inner);
  assert.deepEqual(outer, c.outer);
  assert.deepEqual([...loader].map(([x]) => x.toArray()), c.next_epoch);
});

test('loadStateDict with resume: false puts a state back as an abandoned iteration leaves it: the next for...of starts a new epoch', () => {
  const ids = new TensorDataset(arange(10));
  const first = (l: DataLoader<Tensor[], Tensor[]>) => {
    const seen: number[][] = [];
    for (const [b] of l) {
      seen.push(Array.from(b.dataSync()));
      if (seen.length === 2) break;
    }
    return seen;
  };
  const a = new DataLoader(ids, { batchSize: 3, shuffle: true, generator: new Generator(1) });
  const b = new DataLoader(ids, { batchSize: 3, shuffle: true, generator: new Generator(1) });
  first(a);
  first(b);
  const state = b.stateDict();
  for (const _ of b) break; // one more batch fetched (a new epoch), then taken back
  b.loadStateDict(state, { resume: false });
  assert.deepEqual(b.stateDict(), a.stateDict());
  assert.deepEqual([...b].map(([t]) => Array.from(t.dataSync())), [...a].map(([t]) => Array.from(t.dataSync())), 'both start the same new epoch');
  b.loadStateDict(state);
  assert.equal([...b].length, 2, 'by default the saved epoch continues (batches 3 and 4)');
});
