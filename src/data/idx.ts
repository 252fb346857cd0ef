import { Tensor } from '../tensor/tensor.js';
import { type DType, allocate } from '../tensor/dtype.js';

// IDX element types: code -> [name, bytes per element]
const IDX_TYPES: Record<number, [string, number]> = {
  0x08: ['ubyte', 1], 0x09: ['byte', 1], 0x0b: ['short', 2], 0x0c: ['int', 4], 0x0d: ['float', 4], 0x0e: ['double', 8],
};

export interface IdxOptions {
  /** The tensor's dtype; default int32 for integer files, float32 for float, float64 for double. */
  dtype?: DType;
  /** Divides every value by this (255 turns MNIST's bytes into [0, 1]). */
  scale?: number;
}

/**
 * Parses an IDX file (the format of MNIST and Fashion-MNIST: magic 0 0 TYPE NDIM, NDIM big-endian
 * uint32 sizes, then big-endian data) into a tensor. Gzipped bytes must be inflated first
 * (`readIdx` in `descent/node` does both).
 * @example const images = parseIdx(bytes, { dtype: 'float32', scale: 255 }); // [60000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, options: IdxOptions = {}): Tensor {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error('parseIdx: these bytes are gzip-compressed; inflate them first (readIdx from descent/node does)');
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`parseIdx: not an IDX file (expected the magic bytes 00 00 TYPE NDIM, got ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
  }
  const type = IDX_TYPES[bytes[2]];
  if (!type) throw new Error(`parseIdx: unknown IDX element type 0x${bytes[2].toString(16)} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const ndim = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) throw new Error(`parseIdx: truncated header: ${ndim} dimensions need ${headerSize} bytes, the file has ${bytes.length}`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const [name, width] = type;
  const expected = headerSize + count * width;
  if (bytes.length !== expected) {
    throw new Error(`parseIdx: shape [${shape.join(', ')}] of ${name} needs ${expected} bytes but the file has ${bytes.length}${bytes.length < expected ? ' (truncated?)' : ''}`);
  }
  const dtype = options.dtype ?? (name === 'float' ? 'float32' : name === 'double' ? 'float64' : 'int32');
  const out = allocate(dtype, count);
  const read: (offset: number) => number =
    name === 'ubyte' ? (o) => view.getUint8(o)
      : name === 'byte' ? (o) => view.getInt8(o)
        : name === 'short' ? (o) => view.getInt16(o, false)
          : name === 'int' ? (o) => view.getInt32(o, false)
            : name === 'float' ? (o) => view.getFloat32(o, false)
              : (o) => view.getFloat64(o, false);
  const scale = options.scale ?? 1;
  for (let i = 0; i < count; i++) out[i] = read(headerSize + i * width) / scale;
  return Tensor.fromArray(out, shape, dtype);
}
