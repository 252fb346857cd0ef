import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

test('worker threads start where eval\'d code is an ES module (node --input-type=module -e)', () => {
  const index = new URL('../../../src/index.js', import.meta.url).href;
  const state = new URL('../../../src/backend/wasm/state.js', import.meta.url).href;
  const code = `const dt = await import(${JSON.stringify(index)}); const { workerJobCount } = await import(${JSON.stringify(state)});
await dt.initThreads(2); dt.matmul(dt.randn([256, 256]), dt.randn([256, 256])); console.log(workerJobCount());`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), '1', 'the worker ran its share of the product');
});
