import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randn } from '../../src/index.js';
import { loadSafetensors, saveSafetensors } from '../../src/node/index.js';
import { tempDir } from '../helpers.js';

test('saveSafetensors / loadSafetensors round-trip through a file, with format metadata', () => {
  const dir = tempDir('descent-st-');
  const path = join(dir, 'w.safetensors');
  const w = randn([3, 2]);
  saveSafetensors(path, { w });
  const { tensors, metadata } = loadSafetensors(path);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(Array.from(tensors.w.dataSync()), Array.from(w.dataSync()));
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 1));
  assert.throws(() => loadSafetensors(path), /safetensors: .* \(file .*w\.safetensors\)/);
});
