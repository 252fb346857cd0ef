import { Tensor } from '../tensor/tensor.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { allocate } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { hostDevice } from '../tensor/storage.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors), the weights format of Hugging Face and
 * PyTorch: 8 bytes of little-endian u64 header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { str: str } }`, then the data, each
 * tensor little-endian and row-major at [begin, end) of the data section, which it covers without holes.
 */

// The reference implementation refuses larger headers; so do we (and it bounds what a corrupt length can cost).
const MAX_HEADER_SIZE = 100_000_000;

const WRITE_CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

// Element types we read: code -> [bytes per element, the dtype it loads as]. Types we have no dtype for are
// widened (U8/I8/I16 to int32, F16/BF16 to float32) and I64 narrowed to int32 when every value fits.
const READ_TYPES: Record<string, [number, DType]> = {
  F64: [8, 'float64'], F32: [4, 'float32'], I32: [4, 'int32'], BOOL: [1, 'bool'],
  I64: [8, 'int32'], I16: [2, 'int32'], I8: [1, 'int32'], U8: [1, 'int32'], F16: [2, 'float32'], BF16: [2, 'float32'],
};

export type SafetensorsMetadata = Record<string, string>;

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: SafetensorsMetadata | null;
  /**
   * The tensors stored in a type descent has no dtype for, and the dtype they were loaded as: F16 and BF16
   * become float32 (exactly: every half value is a float32), U8/I8/I16 int32, and I64 int32 when it fits.
   */
  converted: Record<string, { from: string; to: DType }>;
}

// The file's element types that load as a dtype of another width (what `converted` reports).
const CONVERTED = new Set(['F16', 'BF16', 'I64', 'I16', 'I8', 'U8']);

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

/**
 * Encodes named tensors as a safetensors file. Tensors are laid out by element size (largest first) then
 * name, and the header is padded with spaces to a multiple of 8, as the reference writer does, so every tensor
 * is aligned. Metadata values must be strings.
 * @example const bytes = serializeSafetensors(model.stateDict(), { format: 'pt' });
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata: SafetensorsMetadata | null = null): Uint8Array {
  if (metadata !== null) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') fail(`metadata values must be strings, got ${typeof v} for '${k}'`);
    }
  }
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) fail(`'${name}' is not a Tensor`);
    if (name === '__metadata__') fail("'__metadata__' is reserved and cannot name a tensor");
  }
  const width = (t: Tensor) => ELEMENT_BYTES[t.dtype];
  entries.sort(([a, x], [b, y]) => width(x) !== width(y) ? width(y) - width(x) : a < b ? -1 : a > b ? 1 : 0);
  const header: Record<string, unknown> = {};
  if (metadata !== null) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const size = t.numel * width(t);
    header[name] = { dtype: WRITE_CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const [, t] of entries) {
    writeLittleEndian(t.dataSync(), view, at);
    at += t.numel * width(t);
  }
  return out;
}

const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

function writeLittleEndian(data: TypedArray, view: DataView, at: number): void {
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
  else if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i], true);
  else if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) view.setInt32(at + 4 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setUint8(at + i, data[i] ? 1 : 0);
}

interface Entry {
  name: string;
  code: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads and checks the header; returns the entries, the metadata and where the data section starts. */
export function parseSafetensorsHeader(bytes: Uint8Array): { entries: Entry[]; metadata: SafetensorsMetadata | null; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) fail('expected the file contents as a Uint8Array');
  if (bytes.length < 8) fail(`file too small: ${bytes.length} bytes cannot hold the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) fail(`header length ${n64} is larger than the ${MAX_HEADER_SIZE}-byte limit (corrupt file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes; truncated?)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail("the header is not a JSON object (it must start with '{')");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`the header is not valid JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: SafetensorsMetadata | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        fail('__metadata__ must be an object of string values');
      }
      metadata = { ...(info as SafetensorsMetadata) };
      continue;
    }
    if (info === null || typeof info !== 'object') fail(`'${name}': expected { dtype, shape, data_offsets }`);
    const { dtype: code, shape, data_offsets: offsets } = info as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof code !== 'string' || !(code in READ_TYPES)) {
      fail(`'${name}': unsupported dtype ${JSON.stringify(code)} (expected one of ${Object.keys(READ_TYPES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) fail(`'${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`'${name}': data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) fail(`'${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) fail(`'${name}': data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes; truncated?)`);
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = numel * READ_TYPES[code][0];
    if (end - begin !== expected) {
      fail(`'${name}': shape ${formatShape(shape as number[])} of ${code} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push({ name, code, shape: shape as number[], begin, end });
  }
  // The data section must be covered exactly once: no overlaps, no holes, nothing after the last tensor.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const e of sorted) {
    if (e.begin < expectedBegin) fail(`'${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the tensor before (which ends at ${expectedBegin})`);
    if (e.begin > expectedBegin) fail(`'${e.name}': data_offsets [${e.begin}, ${e.end}] leave a hole after byte ${expectedBegin}`);
    expectedBegin = e.end;
  }
  if (expectedBegin !== dataLength) fail(`the tensors cover ${expectedBegin} bytes of data but the file holds ${dataLength}`);
  return { entries, metadata, dataStart };
}

/**
 * Decodes a safetensors file into tensors (F32, F64, I32 and BOOL as they are; U8, I8, I16 and I64 as int32,
 * F16 and BF16 as float32, each such conversion listed in `converted`). A truncated or inconsistent file is an
 * error saying what is wrong; nothing is read outside the bytes given.
 * @example const { tensors, converted } = parseSafetensors(bytes); model.loadStateDict(tensors);
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  const { entries, metadata, dataStart } = parseSafetensorsHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: Record<string, Tensor> = {};
  const converted: SafetensorsContents['converted'] = {};
  for (const e of entries) {
    const [width, dtype] = READ_TYPES[e.code];
    const count = (e.end - e.begin) / width;
    const out = allocate(dtype, count);
    const at = dataStart + e.begin;
    readLittleEndian(e, view, at, count, out);
    tensors[e.name] = Tensor.fromArray(out, e.shape.slice(), dtype, hostDevice());
    if (CONVERTED.has(e.code)) converted[e.name] = { from: e.code, to: dtype };
  }
  return { tensors, metadata, converted };
}

function readLittleEndian(e: Entry, view: DataView, at: number, count: number, out: TypedArray): void {
  switch (e.code) {
    case 'F32': for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true); break;
    case 'F64': for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true); break;
    case 'I32': for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, true); break;
    case 'I16': for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, true); break;
    case 'I8': for (let i = 0; i < count; i++) out[i] = view.getInt8(at + i); break;
    case 'U8': for (let i = 0; i < count; i++) out[i] = view.getUint8(at + i); break;
    case 'BOOL':
      for (let i = 0; i < count; i++) {
        const b = view.getUint8(at + i);
        if (b > 1) fail(`'${e.name}': BOOL byte ${i} is ${b}, expected 0 or 1`);
        out[i] = b;
      }
      break;
    case 'I64':
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v > 2147483647n || v < -2147483648n) fail(`'${e.name}': I64 value ${v} does not fit int32 (descent has no int64 dtype)`);
        out[i] = Number(v);
      }
      break;
    case 'F16': for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, true)); break;
    case 'BF16': {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        f.setUint32(0, view.getUint16(at + 2 * i, true) << 16);
        out[i] = f.getFloat32(0);
      }
      break;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
