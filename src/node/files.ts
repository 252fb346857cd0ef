/// <reference types="node" />
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Tensor } from '../tensor/tensor.js';
import { type IdxOptions, parseIdx } from '../data/idx.js';
import { type CsvDatasetOptions, csvDataset } from '../data/csv.js';
import type { TensorDataset } from '../data/dataset.js';
import { type FaultPoint, faultPoint } from './fault.js';

/**
 * Reads an IDX file (MNIST, Fashion-MNIST), plain or gzipped (recognized by its magic bytes, not its name).
 * @example const images = readIdx('train-images-idx3-ubyte.gz', { dtype: 'float32', scale: 255 });
 */
export function readIdx(path: string, options: IdxOptions = {}): Tensor {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`readIdx: ${path} looks gzipped but does not inflate: ${(e as Error).message}`);
    }
  }
  try {
    return parseIdx(bytes, options);
  } catch (e) {
    throw new Error(`${(e as Error).message} (file ${path})`);
  }
}

/**
 * Reads a numeric CSV file into a TensorDataset of [features, target].
 * @example const ds = readCsvDataset('iris.csv', { target: 'species' });
 */
export function readCsvDataset(path: string, options: CsvDatasetOptions): TensorDataset {
  return csvDataset(readFileSync(path, 'utf8'), options);
}

/**
 * Writes a file so that a crash never leaves it half-written: the bytes go to a temporary file in the same
 * folder, are flushed to disk (fsync), then renamed over the target (rename is atomic on one file system).
 * @example writeFileAtomic('run/checkpoint.json', JSON.stringify(state));
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(tmp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  faultPoint(`write:${basename(path)}` as FaultPoint);
  renameSync(tmp, path);
  // make the rename itself durable
  try {
    const dirFd = openSync(dirname(path), 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  } catch {
    // some platforms (Windows) cannot open or fsync a folder; the rename is still atomic
  }
}

/**
 * Creates the folder `path` and any missing parents, one at a time (a recursive mkdir spins forever where the
 * file system refuses new folders, as /proc does); an error names the folder that could not be made.
 * @example ensureDir('runs/mnist');
 */
export function ensureDir(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  while (!existsSync(p)) {
    missing.unshift(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  if (existsSync(p) && !statSync(p).isDirectory()) throw new Error(`cannot create the folder ${path}: ${p} is a file, not a folder (ENOTDIR)`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(folder).isDirectory()) continue;
      const why = code === 'EACCES' || code === 'EPERM' ? `no permission to write in ${dirname(folder)}` : code === 'ENOENT' ? `${dirname(folder)} does not accept new folders` : (e as Error).message;
      throw new Error(`cannot create the folder ${folder}: ${why} (${code})`);
    }
  }
}
