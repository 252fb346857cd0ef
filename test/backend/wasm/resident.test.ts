// The wasm heap (first-fit, coalescing, growing) and resident storage on it: views that survive memory
// growth, the budget fallback, reclamation by the garbage collector, and coexistence with the arena.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Arena, Heap, PAGE, loadRuntime } from '../../../src/backend/wasm/runtime.js';
import { MAX_PENDING_PER_OWNER, isResident, residentMemory, setResidentBudget } from '../../../src/backend/wasm/resident.js';
import { heap } from '../../../src/backend/wasm/state.js';
import { matmul, nn, optim, randn, tensor } from '../../../src/index.js';
import { wasm } from './util.js';

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

test('Parameter moves float32 storage into resident memory and still shares it with its source', () => {
  const t = randn([300]);
  const values = t.data.slice();
  const p = new nn.Parameter(t);
  assert.ok(isResident(p.data));
  assert.equal(p.data, t.data, 'the source tensor shares the parameter storage, as torch.nn.Parameter');
  assert.deepEqual([...p.data], [...values]);
  const q = new nn.Parameter(p);
  assert.equal(q.data, p.data, 'a parameter of a resident tensor shares it without copying');
  assert.ok(!isResident(new nn.Parameter(randn([3], { dtype: 'float64' })).data), 'float64 stays ordinary');
});

test('views of a resident parameter (reshape, view, detach) share it and see the in-place update', () => {
  const p = new nn.Parameter(randn([20, 30]));
  const [flat, viewed, detached] = [p.reshape([600]), p.view([30, 20]), p.detach()];
  p.grad = randn([20, 30]);
  const expected = Array.from(p.data, (v, i) => v - 0.5 * p.grad!.data[i]);
  new optim.SGD([p], { lr: 0.5 }).step();
  for (const v of [flat, viewed, detached]) {
    assert.equal(v.data, p.data);
    assert.ok(isResident(v.data));
  }
  assert.ok(Array.from(flat.data).every((v, i) => Math.abs(v - expected[i]) < 1e-6));
});

test('resident parameters survive kernels that grow the memory through the arena', () => {
  const p = new nn.Parameter(tensor([[1, 2], [3, 4]]));
  const x = randn([700, 900]);
  const y = matmul(x, randn([900, 800])); // tens of MB of scratch
  assert.equal(y.shape[0], 700);
  assert.deepEqual([...p.data], [1, 2, 3, 4]);
});

test('past the budget, allocations fall back to ordinary arrays and training still works', () => {
  const { budget } = residentMemory();
  try {
    setResidentBudget(residentMemory().bytes); // nothing more fits
    assert.equal(wasm().allocateResident!('float32', 1000), null);
    const model = new nn.Linear(300, 2);
    assert.ok(!isResident(model.weight.data));
    const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
    const before = model.weight.data.slice();
    model(randn([4, 300])).sum().backward();
    opt.step();
    assert.ok(model.weight.data.some((v, i) => v !== before[i]), 'the update happened');
    assert.ok(!isResident(opt.state.get(model.weight)!.expAvg.data));
  } finally {
    setResidentBudget(budget);
  }
  assert.throws(() => setResidentBudget(-1), /setResidentBudget: expected a byte count >= 0, got -1/);
});

test('a resident parameter gets resident gradients, at most MAX_PENDING_PER_OWNER awaiting reclamation', async () => {
  const p = new nn.Parameter(randn([1000]));
  const grads: Float32Array[] = [];
  for (let i = 0; i < MAX_PENDING_PER_OWNER + 2; i++) {
    p.grad = null; // zeroGrad()'s default: every backward makes a new gradient
    p.mul(2).sum().backward();
    grads.push(p.grad!.data as Float32Array);
  }
  const resident = grads.map((g) => isResident(g));
  assert.deepEqual(resident, grads.map((_, i) => i < MAX_PENDING_PER_OWNER), 'then ordinary arrays, until the old ones are reclaimed');
  assert.ok(grads.every((g) => g.every((v) => v === 2)));
  p.mul(3).sum().backward(); // accumulates in place, resident or not
  assert.equal(p.grad!.data, grads[grads.length - 1]);
  assert.equal(p.grad!.data[0], 5);
  grads.length = 0;
  p.grad = null;
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    p.mul(2).sum().backward();
    if (isResident(p.grad!.data)) break;
    p.grad = null;
  }
  assert.ok(isResident(p.grad!.data), 'after the old gradients are collected (between tasks), a new one is resident again');
});

test('resident blocks come back once their arrays are garbage collected', async () => {
  const start = residentMemory().bytes;
  (() => {
    for (let i = 0; i < 20; i++) new nn.Parameter(randn([10000]));
  })();
  assert.ok(residentMemory().bytes >= start + 20 * 40000);
  for (let i = 0; i < 20 && residentMemory().bytes > start; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10)); // finalizers run between tasks
  }
  assert.ok(residentMemory().bytes <= start, `${residentMemory().bytes} resident bytes left, ${start} before`);
  // the freed blocks are reused: as many parameters again take no new memory
  const memoryBytes = heap!.stats().memoryBytes;
  const again = Array.from({ length: 20 }, () => new nn.Parameter(randn([10000])));
  assert.ok(again.every((p) => isResident(p.data)));
  assert.equal(heap!.stats().memoryBytes, memoryBytes);
});
