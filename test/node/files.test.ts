import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCsvDataset, readIdx, writeFileAtomic } from '../../src/node/index.js';
import { idxBytes } from '../data/idx-bytes.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('descent-node-');

test('readIdx reads plain and gzipped IDX files by their magic bytes', () => {
  const bytes = idxBytes(0x08, [2, 3], [0, 51, 102, 153, 204, 255]);
  writeFileSync(join(dir, 'plain-idx3-ubyte'), bytes);
  writeFileSync(join(dir, 'zipped-idx3-ubyte.gz'), gzipSync(bytes));
  const a = readIdx(join(dir, 'plain-idx3-ubyte'), { dtype: 'float32', scale: 255 });
  const b = readIdx(join(dir, 'zipped-idx3-ubyte.gz'), { dtype: 'float32', scale: 255 });
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  assert.ok(Math.abs(a.dataSync()[1] - 0.2) < 1e-7);
  writeFileSync(join(dir, 'bad.gz'), gzipSync(bytes).subarray(0, 12));
  assert.throws(() => readIdx(join(dir, 'bad.gz')), /looks gzipped but does not inflate/);
  writeFileSync(join(dir, 'short'), bytes.subarray(0, 15));
  assert.throws(() => readIdx(join(dir, 'short')), /needs 18 bytes but the file has 15 \(truncated\?\) \(file .*short\)/);
});

test('readCsvDataset reads a real CSV file from disk', () => {
  writeFileSync(join(dir, 'd.csv'), 'x1,x2,y\n1,2,0\n3,4,1\n');
  const ds = readCsvDataset(join(dir, 'd.csv'), { target: 'y' });
  assert.equal(ds.length, 2);
  assert.deepEqual(ds.getItem(1)[0].toArray(), [3, 4]);
});

test('writeFileAtomic replaces the file whole and leaves no temporary file behind', () => {
  const path = join(dir, 'state.json');
  writeFileAtomic(path, 'first');
  writeFileAtomic(path, new Uint8Array([104, 105]));
  assert.equal(readFileSync(path, 'utf8'), 'hi');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  assert.throws(() => writeFileAtomic(join(dir, 'no-such-dir', 'x'), 'x'), /ENOENT/);
});

test('the core entry imports nothing from Node (fs, zlib, process, worker_threads)', () => {
  const root = new URL('../../src/', import.meta.url);
  const offenders: string[] = [];
  const walk = (url: URL, rel: string) => {
    for (const entry of readdirSync(url, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (rel === '' && (entry.name === 'node' || entry.name === 'cli')) continue;
        walk(new URL(`${entry.name}/`, url), `${rel}${entry.name}/`);
      } else if (entry.name.endsWith('.js')) {
        // template literals are code for other realms (the wasm worker's source runs inside a Node worker)
        const text = readFileSync(new URL(entry.name, url), 'utf8').replace(/`[^`]*`/g, '``');
        if (/from ['"]node:|require\(|\bprocess\.|from ['"](fs|zlib|path|os|worker_threads|child_process)['"]|import\(['"]node:/.test(text)) offenders.push(rel + entry.name);
      }
    }
  };
  walk(root, '');
  assert.deepEqual(offenders, []);
});
