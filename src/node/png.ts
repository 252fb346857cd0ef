/// <reference types="node" />
// A small PNG encoder (8-bit grey, grey+alpha, RGB or RGBA; no filtering; zlib from Node) and the matching
// decoder for files it wrote (tests, round trips). The PNG spec: https://www.w3.org/TR/png/
import { deflateSync, inflateSync } from 'node:zlib';
import type { ImageBytes } from '../vision/grid.js';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 }; // channels -> PNG color type
const CHANNELS: Record<number, number> = { 0: 1, 4: 2, 2: 3, 6: 4 };

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of PNG chunks (and zip, gzip). @example crc32(new TextEncoder().encode('IEND')) // 0xae426082 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/**
 * The bytes of a PNG file holding `image` (8 bits per channel).
 * @example writeFileSync('x.png', encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 255]) }));
 */
export function encodePng(image: ImageBytes): Uint8Array {
  const { width, height, channels, data } = image;
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new Error(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new Error(`encodePng: width and height must be positive integers, got ${width} x ${height}`);
  if (data.length !== width * height * channels) throw new Error(`encodePng: expected ${width * height * channels} bytes for ${width} x ${height} x ${channels}, got ${data.length}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, colorType, 0, 0, 0], 8); // bit depth 8, deflate, adaptive filtering, no interlace
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height); // each scanline: filter type 0 (none), then the pixels
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The pixels of an 8-bit, non-interlaced PNG whose scanlines use filter 0 (what encodePng writes); CRCs checked.
 * @example const { width, height, data } = decodePng(readFileSync('grid.png'));
 */
export function decodePng(bytes: Uint8Array): ImageBytes {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('decodePng: not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw new Error(`decodePng: bad CRC in chunk ${type}`);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      if (body[8] !== 8 || body[12] !== 0) throw new Error('decodePng: only 8-bit, non-interlaced images are supported');
      channels = CHANNELS[body[9]] ?? 0;
      if (!channels) throw new Error(`decodePng: unsupported color type ${body[9]}`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error('decodePng: only filter type 0 scanlines are supported');
    data.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, data };
}
