/// <reference types="node" />
// Downloads that survive cut connections: bytes go to NAME.part (never taken for the file), an interrupted
// transfer resumes with an HTTP Range request (or starts over when the server ignores it), and the caller
// renames the part into place only after checking it.
import { closeSync, existsSync, fsyncSync, openSync, rmSync, statSync, writeSync } from 'node:fs';

export interface DownloadOptions {
  /** Further attempts after an interrupted transfer, each resuming where the last stopped. Default 2. */
  retries?: number;
  /** Called as bytes arrive: how many so far, and the total when the server says. */
  onProgress?: (received: number, total: number | null) => void;
}

/**
 * Fetches `url` into `part` (resuming a part left by an earlier run) and returns once the server's whole
 * body is there; throws, keeping the part for the next run, when the transfer breaks more than `retries` times.
 * @example await downloadToPart('https://example.org/data.csv', '/tmp/data.csv.part');
 */
export async function downloadToPart(url: string, part: string, { retries = 2, onProgress }: DownloadOptions = {}): Promise<void> {
  let lastError: Error | null = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await attemptDownload(url, part, onProgress);
      return;
    } catch (e) {
      lastError = e as Error;
      if ((e as { fatal?: boolean }).fatal) break;
    }
  }
  const kept = existsSync(part) ? statSync(part).size : 0;
  throw new Error(`download ${url}: ${lastError?.message} (after ${retries + 1} attempts; ${kept} bytes kept in ${part}, the next run resumes there)`);
}

async function attemptDownload(url: string, part: string, onProgress?: DownloadOptions['onProgress']): Promise<void> {
  const offset = existsSync(part) ? statSync(part).size : 0;
  const response = await fetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, redirect: 'follow' });
  if (response.status === 416 && offset > 0) {
    // the part is as long as (or longer than) the file: start over rather than trust it
    rmSync(part, { force: true });
    throw new Error('the server refused to resume (416); starting over');
  }
  let start = 0;
  if (response.status === 206 && offset > 0) {
    const range = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== offset) throw Object.assign(new Error(`the server resumed at ${range?.[1]} instead of ${offset}`), { fatal: true });
    start = offset;
  } else if (response.status !== 200) {
    throw Object.assign(new Error(`HTTP ${response.status} ${response.statusText}`), { fatal: response.status >= 400 && response.status < 500 });
  }
  const length = response.headers.get('content-length');
  const total = length === null ? null : start + Number(length);
  const fd = openSync(part, start > 0 ? 'a' : 'w');
  let received = start;
  try {
    if (!response.body) throw new Error('the response has no body');
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      writeSync(fd, chunk);
      received += chunk.length;
      onProgress?.(received, total);
    }
    fsyncSync(fd);
  } catch (e) {
    throw new Error(`the connection broke after ${received} of ${total ?? 'unknown'} bytes (${(e as Error).message})`);
  } finally {
    closeSync(fd);
  }
  if (total !== null && received !== total) throw new Error(`the transfer ended after ${received} of ${total} bytes`);
}
