// What the browser tests share: Debian's Chromium (driven by playwright-core) and a tiny server of the
// compiled library and tests under build/, as native ES modules, under /isolated/ (COOP same-origin + COEP
// require-corp: crossOriginIsolated, SharedArrayBuffer) and under /plain/ (no headers).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

/** False when Chromium is there, else why the browser tests are skipped; with DESCENT_REQUIRE_BROWSER=1 its absence fails instead. */
export function chromiumOrSkip(): string | false {
  const missing = !existsSync(CHROMIUM);
  if (missing && process.env.DESCENT_REQUIRE_BROWSER === '1') {
    test('a browser for the browser tests', () => assert.fail(`${CHROMIUM} is missing: apt-get install -y chromium`));
  }
  return missing && `${CHROMIUM} is missing: apt-get install -y chromium to run the browser tests`;
}

const buildRoot = fileURLToPath(new URL('../../', import.meta.url)); // build/: holds src/ and test/
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json' };
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Serves build/ on 127.0.0.1 at a free port. */
export function startServer(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const [, kind, ...rest] = path.split('/');
    if (kind !== 'isolated' && kind !== 'plain') return void response.writeHead(404).end();
    const headers = kind === 'isolated' ? ISOLATION : {};
    if (rest.join('/') === '') {
      return void response.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<!doctype html><title>descent</title>');
    }
    const file = normalize(join(buildRoot, ...rest));
    if (!file.startsWith(buildRoot.endsWith(sep) ? buildRoot : buildRoot + sep) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
