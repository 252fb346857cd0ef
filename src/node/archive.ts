/// <reference types="node" />
// Reading the members of zip and tar(.gz) archives in memory: what dataset downloads need (the UCI and
// GroupLens zips, GitHub's tar.gz snapshots). zip: stored or deflated members (no zip64, no encryption).
import { gunzipSync, inflateRawSync } from 'node:zlib';

/** A file inside an archive: its path and bytes. */
export interface ArchiveMember {
  name: string;
  data: Uint8Array;
}

/**
 * The files of a zip archive (directories left out), optionally only those `wanted` says yes to.
 * @example const csv = readZip(bytes).find((m) => m.name === 'ml-latest-small/ratings.csv');
 */
export function readZip(bytes: Uint8Array, wanted: (name: string) => boolean = () => true): ArchiveMember[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // the end-of-central-directory record is in the last 22 + 65535 bytes (its comment is at most 64 KiB)
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('readZip: not a zip archive (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  const members: ArchiveMember[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw new Error(`readZip: central directory entry ${i} is damaged`);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/') || !wanted(name)) continue;
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`readZip: the local header of ${name} is damaged`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(start, start + compressed);
    if (raw.length !== compressed) throw new Error(`readZip: ${name} is truncated`);
    let data: Uint8Array;
    if (method === 0) data = raw.slice();
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`readZip: ${name} uses compression method ${method} (only stored and deflate are supported)`);
    if (data.length !== size) throw new Error(`readZip: ${name} inflates to ${data.length} bytes, the directory says ${size}`);
    members.push({ name, data });
  }
  return members;
}

function field(bytes: Uint8Array, from: number, length: number): string {
  let end = from;
  while (end < from + length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(from, end));
}

/**
 * The regular files of a tar archive (POSIX ustar, with pax long names), gzipped or not, optionally only
 * those `wanted` says yes to.
 * @example const wavs = readTar(bytes, (name) => name.endsWith('.wav'));
 */
export function readTar(bytes: Uint8Array, wanted: (name: string) => boolean = () => true): ArchiveMember[] {
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  const members: ArchiveMember[] = [];
  let longName: string | null = null;
  for (let at = 0; at + 512 <= tar.length;) {
    if (tar.subarray(at, at + 512).every((b) => b === 0)) break; // the end: zero blocks
    const size = parseInt(field(tar, at + 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size)) throw new Error(`readTar: bad size in the header at byte ${at}`);
    const type = String.fromCharCode(tar[at + 156]);
    const prefix = field(tar, at + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(tar, at, 100)}` : field(tar, at, 100));
    const body = tar.subarray(at + 512, at + 512 + size);
    if (body.length !== size) throw new Error(`readTar: ${name} is truncated`);
    longName = null;
    if (type === 'x') {
      // pax extended header: "LENGTH key=value\n" records; a path applies to the next entry
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(body));
      if (path) longName = path[1];
    } else if (type === 'L') {
      longName = field(body, 0, size); // GNU long name
    } else if ((type === '0' || type === '\0') && wanted(name)) {
      members.push({ name, data: body.slice() });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}
