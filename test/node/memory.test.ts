import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('a 20-epoch run does not grow in memory', () => {
  const child = fileURLToPath(new URL('./memory-child.js', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', child], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const samples = JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
  assert.equal(samples.length, 20);
  // after warm-up, the live heap plus typed-array memory stays flat: only the history (a few KB) grows
  const growth = samples[19] - samples[4];
  assert.ok(growth < 1_000_000, `memory grew by ${growth} bytes from epoch 5 to 20: ${samples.map((s) => (s / 1e6).toFixed(2)).join(' ')} MB`);
});
