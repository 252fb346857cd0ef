import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getNumThreads, initThreads, matmul, randn, setNumThreads } from '../../../src/index.js';
import { workerJobCount } from '../../../src/backend/wasm/state.js';

// Node side of the async initializer (the browser side is browser.test.ts).
test('initThreads in Node sets the count and starts the workers at once', async () => {
  const before = getNumThreads();
  try {
    assert.equal(await initThreads(2), 2);
    assert.equal(getNumThreads(), 2);
    const jobs = workerJobCount();
    matmul(randn([256, 256]), randn([256, 256]));
    assert.equal(workerJobCount(), jobs + 1, 'the worker ran its share of the product');
    assert.equal(await initThreads(1), 1);
    assert.equal(getNumThreads(), 1);
  } finally {
    setNumThreads(before);
  }
});

test('initThreads and setNumThreads reject bad counts, naming themselves', async () => {
  await assert.rejects(initThreads(0), /initThreads: expected a positive integer, got 0/);
  await assert.rejects(initThreads(65), /initThreads: at most 64 threads, got 65/);
  assert.throws(() => setNumThreads(65), /setNumThreads: at most 64 threads, got 65/);
});
