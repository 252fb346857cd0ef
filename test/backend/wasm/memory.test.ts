// The wasm heap (first-fit, coalescing, growing), and tensor storage on it (memory.ts): size classes,
// eviction to the JS heap past the budget, release by backward and by library scopes, reclamation by
// finalizers, small storages in the JS heap, and the errors that guard it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Arena, Heap, PAGE, loadRuntime } from '../../../src/backend/wasm/runtime.js';
import { DEFAULT_BUDGET, WasmStorage, releaseStorage } from '../../../src/backend/wasm/memory.js';
import { wasmBackend } from '../../../src/backend/wasm/index.js';
import { memoryStats, nn, noGrad, optim, randn, setMemoryBudget, tensor, zeros } from '../../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function freshHeap(): Heap {
  const runtime = loadRuntime(true);
  assert.ok(runtime, 'shared-memory kernels did not load');
  return new Heap(runtime);
}

test('heap: blocks are 64-byte aligned, disjoint, and a freed block is reused', () => {
  const heap = freshHeap();
  const a = heap.alloc(100)!;
  const b = heap.alloc(1)!;
  assert.equal(a % 64, 0);
  assert.equal(b % 64, 0);
  assert.ok(b >= a + 128, 'blocks do not overlap');
  heap.release(a);
  assert.equal(heap.alloc(128), a, 'first fit reuses the freed block');
  assert.throws(() => heap.release(a + 64), /no block at/);
});

test('heap: freed neighbours coalesce into one block', () => {
  const heap = freshHeap();
  const before = heap.stats().freeBlocks;
  const [a, b, c] = [heap.alloc(4096)!, heap.alloc(4096)!, heap.alloc(4096)!];
  heap.release(a);
  heap.release(c);
  assert.equal(heap.stats().freeBlocks, before + 1, 'a is a hole, c merged with the free tail');
  heap.release(b);
  assert.equal(heap.stats().freeBlocks, before, 'a, b, c and the tail are one block again');
  assert.equal(heap.alloc(3 * 4096), a, 'the merged block serves a request the size of all three');
});

test('heap: grows the memory when nothing fits, and refuses (null) past 2 GiB instead of throwing', () => {
  const heap = freshHeap();
  const start = heap.stats().memoryBytes;
  const big = heap.alloc(8 * start);
  assert.ok(big !== null);
  assert.ok(heap.stats().memoryBytes >= start + 7 * start, 'memory grew');
  for (const bytes of [3 * 2 ** 30, 2 ** 31 - 1, 2 ** 31, Infinity, NaN]) assert.equal(heap.alloc(bytes), null, `alloc(${bytes})`);
  heap.release(big);
  assert.equal(heap.stats().usedBytes, 0);
});

test('views into shared memory stay valid, and aliased, after the memory grows', () => {
  const runtime = loadRuntime(true)!;
  const heap = new Heap(runtime);
  const at = heap.alloc(1024)!;
  const view = new Float32Array(runtime.memory.buffer, at, 256);
  view.fill(3.5);
  const before = runtime.memory.buffer.byteLength;
  assert.ok(heap.alloc(64 * PAGE * 4) !== null);
  assert.ok(runtime.memory.buffer.byteLength > before, 'memory grew');
  assert.equal(view[255], 3.5);
  view[7] = -1;
  assert.equal(new Float32Array(runtime.memory.buffer, at, 256)[7], -1, 'old and new views see the same bytes');
});

test('the arena takes its scratch from the heap: a call bigger than its block gets another, then one block', () => {
  const runtime = loadRuntime(true)!;
  const heap = new Heap(runtime);
  const arena = new Arena(runtime, heap);
  const resident = heap.alloc(4096)!;
  const sizes = [1000, 300000, 5];
  const spots = sizes.map((n) => arena.alloc(n));
  for (const [i, at] of spots.entries()) {
    assert.ok(at + sizes[i] * 4 <= resident || at >= resident + 4096, 'scratch never overlaps a live block');
  }
  const blocks = heap.stats().blocks;
  arena.reset();
  assert.equal(heap.stats().blocks, 2, `the arena's ${blocks - 1} blocks became one`);
  const again = sizes.map((n) => arena.alloc(n));
  assert.ok(again[2] - again[0] < 1400000, 'the same call now fits in the one block');
});

const blockOf = (t: { storage: unknown }) => (t.storage as WasmStorage).block;

test('tensors live in wasm memory; small ones (scalars, 16 floats or fewer) in the JS heap', () => {
  const big = randn([1000]);
  assert.equal(big.device, 'wasm');
  assert.ok(blockOf(big).ptr >= 0, 'a 4000-byte tensor has a block of wasm memory');
  const small = tensor([1, 2, 3]);
  assert.equal(blockOf(small).capacity, 0);
  assert.deepEqual([...small.add(1).dataSync()], [2, 3, 4], 'small operands are copied in and their results back');
  assert.deepEqual([...big.add(small.sum()).dataSync()], [...big.dataSync()].map((v) => Math.fround(v + 6)));
});

test('past the budget, least recently used storage is evicted to the JS heap and read back on use', () => {
  setMemoryBudget(32 * 2 ** 20);
  try {
    const keep = randn([64, 1024]); // 256 KiB, made first: the oldest
    const values = keep.dataSync();
    const before = memoryStats().evictions;
    const garbage: unknown[] = [];
    for (let i = 0; i < 200; i++) garbage.push(randn([256, 1024])); // 200 MiB held alive, past the budget
    assert.ok(memoryStats().evictions > before, 'blocks were evicted');
    assert.ok(memoryStats().residentBytes <= 33 * 2 ** 20, `tensors hold at most the budget (${memoryStats().residentBytes} bytes)`);
    assert.equal(blockOf(keep).ptr, -1, 'the oldest tensor was evicted');
    assert.deepEqual([...keep.mul(2).dataSync()], [...values].map((v) => v * 2), 'and comes back on use');
    assert.ok(blockOf(keep).ptr >= 0, 'paged in again');
    garbage.length = 0;
  } finally {
    setMemoryBudget(DEFAULT_BUDGET);
  }
});

test('a library model releases its forward intermediates with its graph: a step leaves only its gradients behind', () => {
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 8 * 8, 3));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = randn([16, 1, 8, 8]);
  const y = tensor(Array.from({ length: 16 }, (_, i) => i % 3), { dtype: 'int32' });
  const step = () => {
    opt.zeroGrad();
    nn.functional.crossEntropy(model(x), y).backward();
    opt.step();
  };
  for (let i = 0; i < 5; i++) step();
  const start = memoryStats();
  for (let i = 0; i < 100; i++) step();
  const end = memoryStats();
  // the gradients that zeroGrad drops (a user may still hold them) wait for finalizers or eviction
  const gradBytes = [...model.parameters()].reduce((n, p) => n + Math.max(64, Math.ceil((p.numel * 4) / 64) * 64), 0);
  assert.ok(end.residentBytes - start.residentBytes <= 100 * gradBytes, `resident bytes grew by ${end.residentBytes - start.residentBytes} over 100 steps (gradients: ${gradBytes} per step)`);
});

test('a synchronous loop that makes a fresh batch each step keeps a few batches in wasm memory, not one per step', () => {
  const model = new nn.Sequential(new nn.Linear(256, 64), new nn.ReLU(), new nn.Linear(64, 4));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const held = randn([128, 256]); // kept by the user, unused while training: moves out, reads back the same
  const values = held.dataSync();
  const batchBytes = 128 * 256 * 4;
  const step = () => {
    const x = randn([128, 256]); // dropped after the step: only a collection (never, in this loop) would free it
    opt.zeroGrad();
    nn.functional.mseLoss(model(x), zeros([128, 4])).backward();
    opt.step();
  };
  for (let i = 0; i < 5; i++) step();
  const start = memoryStats();
  for (let i = 0; i < 200; i++) step();
  const end = memoryStats();
  assert.ok(end.residentBytes - start.residentBytes <= 4 * batchBytes, `resident bytes grew by ${end.residentBytes - start.residentBytes} over 200 steps of ${batchBytes}-byte batches`);
  assert.ok(end.evictions - start.evictions >= 190, `the dropped batches were moved out (${end.evictions - start.evictions} evictions)`);
  for (const p of model.parameters()) if (blockOf(p).capacity > 0) assert.ok(blockOf(p).ptr >= 0, 'parameters used every step stay in wasm memory');
  assert.equal(blockOf(held).ptr, -1, 'a tensor unused for two steps moved out');
  assert.deepEqual([...held.dataSync()], [...values], 'and reads back unchanged');
});

for (const awaiting of [false, true]) {
  test(`20,000 training steps ${awaiting ? 'that await between steps' : 'in one synchronous loop'} keep wasm memory and RSS at a plateau`, async () => {
    setMemoryBudget(8 * 2 ** 20);
    try {
      const model = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 4));
      const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
      const x = randn([32, 32]);
      const y = randn([32, 4]);
      const samples: { memory: number; rss: number }[] = [];
      for (let i = 1; i <= 20000; i++) {
        opt.zeroGrad();
        nn.functional.mseLoss(model(x), y).backward();
        opt.step();
        if (awaiting) await new Promise((resolve) => setImmediate(resolve));
        if (i % 4000 === 0) samples.push({ memory: memoryStats().memoryBytes, rss: process.memoryUsage().rss });
      }
      const [first, last] = [samples[0], samples[samples.length - 1]];
      assert.equal(last.memory, first.memory, `wasm memory grew from ${first.memory} to ${last.memory} bytes`);
      // V8 and malloc grow in steps of tens of MiB of their own (Node 24: up to ~50 MiB somewhere in a run, seen
      // in CI); a leak of the gradients alone would be ~150 MiB over these 16,000 steps, of a whole step's
      // storage ~480 MiB
      assert.ok(last.rss - first.rss < 96 * 2 ** 20, `RSS grew from ${first.rss} to ${last.rss} bytes`);
    } finally {
      setMemoryBudget(DEFAULT_BUDGET);
    }
  });
}

test('backward releases the gradients it made: a .grad kept by the user stays valid', () => {
  const w = randn([100, 100], { requiresGrad: true });
  const x = randn([100, 100]);
  x.matmul(w).tanh().sum().backward();
  const g = w.grad!;
  const values = g.dataSync();
  for (let i = 0; i < 20; i++) randn([100, 100]); // reuse of freed blocks must not touch g
  assert.deepEqual([...g.dataSync()], [...values]);
  assert.ok(!blockOf(g).released);
});

test('intermediates of a library module are released with its graph; its output stays valid', () => {
  const bn = new nn.BatchNorm1d(50);
  const x = randn([64, 50], { requiresGrad: true });
  const out = bn(x);
  const values = out.dataSync();
  const saved = out.gradFn!.saved!.filter((t) => t !== x); // the batch statistics
  assert.ok(saved.length > 0 && saved.every((t) => !blockOf(t).released));
  out.sum().backward();
  assert.ok(saved.every((t) => blockOf(t).released), 'the saved intermediates were released');
  assert.deepEqual([...out.dataSync()], [...values]);
  assert.ok(x.grad !== null);
});

test('intermediates of library code that recorded no graph are released at once', () => {
  const x = randn([200, 50]);
  const before = memoryStats().residentBytes;
  const out = noGrad(() => nn.functional.layerNorm(x, [50]));
  assert.ok(memoryStats().residentBytes - before <= 2 * out.numel * 4, 'only the output (and no intermediate) stays');
});

test('a module with a user hook (or user forward) keeps its intermediates for the user', () => {
  const seen: unknown[] = [];
  const lin = new nn.Linear(50, 50);
  const model = new nn.Sequential(lin, new nn.ReLU());
  lin.registerForwardHook((_m, _args, out) => void seen.push(out));
  const x = randn([64, 50], { requiresGrad: true });
  model(x).sum().backward();
  const hooked = seen[0] as ReturnType<typeof randn>;
  assert.equal(hooked.dataSync().length, 64 * 50, 'the tensor the hook kept is still readable');
});

test('storage released by the library is refused afterwards, never read as garbage', () => {
  const t = randn([100]);
  releaseStorage(t.storage);
  assert.throws(() => t.dataSync(), /used after the library released it/);
});

test('storage that is garbage collected comes back to the heap (finalizers, between jobs)', async () => {
  const before = memoryStats().residentBytes;
  (() => {
    for (let i = 0; i < 50; i++) randn([256, 256]);
  })();
  assert.ok(memoryStats().residentBytes >= before + 50 * 256 * 1024);
  for (let i = 0; i < 5 && memoryStats().residentBytes > before + 1024 * 1024; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(memoryStats().residentBytes <= before + 1024 * 1024, 'the blocks were reclaimed');
});

test('zeros are zero even where a freed block is reused', () => {
  for (let i = 0; i < 10; i++) {
    const t = randn([1000]);
    releaseStorage(t.storage);
    assert.ok(zeros([1000]).dataSync().every((v) => v === 0));
  }
  assert.ok(wasmBackend);
});

test('a gradient backward made is released when zeroGrad drops it unread; one that user code read stays valid', () => {
  const w = randn([64, 64], { requiresGrad: true });
  const x = randn([8, 64]);
  const step = () => x.matmul(w).square().sum().backward();
  step();
  const unread = (w as unknown as { peekGrad(): ReturnType<typeof randn> }).peekGrad()!;
  w.grad = null;
  assert.throws(() => unread.dataSync(), /used after the library released it/, 'the unread gradient was released');
  step();
  const read = w.grad!; // user code holds it now
  const values = read.dataSync();
  w.grad = null;
  for (let i = 0; i < 10; i++) step();
  assert.deepEqual([...read.dataSync()], [...values], 'the gradient user code read is intact');
  const own = randn([64, 64]);
  w.grad = own; // assigned by the user: never the library's to release
  w.grad = null;
  assert.equal(own.dataSync().length, 64 * 64);
});
