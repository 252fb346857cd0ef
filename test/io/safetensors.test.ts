import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor, randn, tensor, zeros, nn } from '../../src/index.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/index.js';
import { assertClose, fromFixture, loadFixture, type FixtureTensor } from '../helpers.js';

const fixtureBytes = () => new Uint8Array(readFileSync(new URL('../../../test/fixtures/train_weights.safetensors', import.meta.url)));

// A file by hand: header JSON (no padding), then raw data.
function fileOf(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('reads a safetensors file written from a PyTorch state dict (F32, F64, I32, BOOL, 0-d)', () => {
  const expected = loadFixture<Record<string, FixtureTensor>>('train_weights');
  const { tensors, metadata } = parseSafetensors(fixtureBytes());
  assert.deepEqual(metadata, { format: 'pt', source: 'tools/gen_train_fixtures.py' });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected).sort());
  for (const [k, e] of Object.entries(expected)) {
    assert.equal(tensors[k].dtype, e.dtype, k);
    assertClose(tensors[k], e, { rtol: 0, atol: 0, message: k });
  }
  assert.deepEqual(tensors['extra.scalar'].shape, []);
});

test('write then read gives back every tensor bit for bit, aligned, with metadata', () => {
  const sd: Record<string, Tensor> = {
    'a.weight': randn([3, 4]),
    'b.f64': randn([2], { dtype: 'float64' }),
    'c.idx': tensor([1, -2, 2147483647], { dtype: 'int32' }),
    'd.mask': tensor([true, false]),
    'e.scalar': tensor(2.5),
    'f.empty': zeros([0, 3]),
  };
  const bytes = serializeSafetensors(sd, { note: 'x' });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0);
  const { tensors, metadata } = parseSafetensors(bytes);
  assert.deepEqual(metadata, { note: 'x' });
  for (const [k, t] of Object.entries(sd)) {
    assert.equal(tensors[k].dtype, t.dtype);
    assert.deepEqual(tensors[k].shape, t.shape);
    assert.deepEqual(Array.from(tensors[k].dataSync()), Array.from(t.dataSync()), k);
  }
  assert.equal(parseSafetensors(serializeSafetensors({})).metadata, null);
  assert.throws(() => serializeSafetensors({ x: zeros([1]) }, { n: 1 as unknown as string }), /metadata values must be strings, got number for 'n'/);
});

test('a model state dict goes through safetensors and back into another model', () => {
  class Net extends nn.Module<[Tensor], Tensor> {
    weight = new nn.Parameter(randn([2, 3]));
    bias = new nn.Parameter(randn([2]));
    constructor() {
      super();
      this.registerBuffer('runningMean', randn([2]));
    }
    forward(x: Tensor) { return x; }
  }
  const a = new Net();
  const b = new Net();
  b.loadStateDict(parseSafetensors(serializeSafetensors(a.stateDict())).tensors);
  for (const [k, t] of Object.entries(a.stateDict())) assert.deepEqual(Array.from(b.stateDict()[k].dataSync()), Array.from(t.dataSync()), k);
  assert.ok('running_mean' in parseSafetensors(serializeSafetensors(a.stateDict())).tensors);
});

test('widens U8/I8/I16/F16/BF16 and narrows I64 when it fits', () => {
  const data = new Uint8Array(2 + 2 + 2 + 16 + 1 + 1);
  const v = new DataView(data.buffer);
  v.setUint16(0, 0x3c00, true); // F16 1.0
  v.setUint16(2, 0x3fc0, true); // BF16 1.5
  v.setInt16(4, -300, true);
  v.setBigInt64(6, -5n, true);
  v.setBigInt64(14, 7n, true);
  v.setUint8(22, 200);
  v.setInt8(23, -100);
  const file = fileOf({
    h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, bf: { dtype: 'BF16', shape: [], data_offsets: [2, 4] },
    s: { dtype: 'I16', shape: [1], data_offsets: [4, 6] }, l: { dtype: 'I64', shape: [2], data_offsets: [6, 22] },
    u: { dtype: 'U8', shape: [1], data_offsets: [22, 23] }, i: { dtype: 'I8', shape: [1], data_offsets: [23, 24] },
  }, data);
  const { tensors } = parseSafetensors(file);
  assert.deepEqual([tensors.h.dataSync()[0], tensors.bf.dataSync()[0], tensors.s.dataSync()[0], ...tensors.l.dataSync(), tensors.u.dataSync()[0], tensors.i.dataSync()[0]], [1, 1.5, -300, -5, 7, 200, -100]);
  assert.equal(tensors.l.dtype, 'int32');
  v.setBigInt64(6, 1n << 40n, true);
  assert.throws(() => parseSafetensors(fileOf({ l: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data.subarray(6, 14))), /I64 value 1099511627776 does not fit int32/);
});

test('a truncated, corrupt or lying file gets a clear error and no out-of-bounds read', () => {
  const good = fixtureBytes();
  const f32 = new Uint8Array(8);
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 5), /file too small: 5 bytes/],
    [good.subarray(0, 40), /header length \d+ runs past the end of the file \(40 bytes; truncated\?\)/],
    [good.subarray(0, good.length - 3), /run past the end of the data|cover \d+ bytes of data but the file holds/],
    [(() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 1n << 60n, true); return b; })(), /larger than the 100000000-byte limit/],
    [fileOf(null, f32, '{"a": {"dtype": "F32"'), /not valid JSON/],
    [fileOf(null, f32, '[1, 2]'), /not a JSON object/],
    [fileOf({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32), /'a': shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    [fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32), /overlap the tensor before/],
    [fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32), /leave a hole after byte 0/],
    [fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32), /cover 4 bytes of data but the file holds 8/],
    [fileOf({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32), /'a': data_offsets \[0, 16\] run past the end of the data \(8 bytes; truncated\?\)/],
    [fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, f32), /end before they begin/],
    [fileOf({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32), /shape must be a list of non-negative integers/],
    [fileOf({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, f32), /unsupported dtype "C64"/],
    [fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, f32), /data_offsets must be \[begin, end\]/],
    [fileOf({ __metadata__: { n: 1 }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32), /__metadata__ must be an object of string values/],
    [fileOf({ a: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, new Uint8Array([7])), /BOOL byte 0 is 7, expected 0 or 1/],
  ];
  for (const [bytes, pattern] of cases) assert.throws(() => parseSafetensors(bytes), (e: Error) => {
    assert.match(e.message, /^safetensors: /);
    assert.match(e.message, pattern);
    return true;
  });
  // a view into a larger buffer is read within its own bounds
  const big = new Uint8Array(good.length + 100);
  big.set(good, 50);
  assert.deepEqual(Object.keys(parseSafetensors(big.subarray(50, 50 + good.length)).tensors).length, Object.keys(parseSafetensors(good).tensors).length);
});

test('the npm start CNN loads weights saved by PyTorch and computes the same logits', async () => {
  const { mnistCnn } = await import('../../src/cli/recipes.js');
  const fx = loadFixture<{ x: FixtureTensor; logits: FixtureTensor }>('train_cnn');
  const bytes = new Uint8Array(readFileSync(new URL('../../../test/fixtures/train_cnn.safetensors', import.meta.url)));
  const model = mnistCnn();
  model.loadStateDict(parseSafetensors(bytes).tensors); // strict: every PyTorch key matches
  model.eval();
  assertClose(model(fromFixture(fx.x, { dtype: 'float32' })), fx.logits, { rtol: 1e-4, atol: 1e-5 });
});
