// A tiny static server for the built lab (the build report's paint timing and the browser tests):
// with `isolated`, it sends the two headers that make the page cross-origin isolated (threads).
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** COOP + COEP: the page gets SharedArrayBuffer, so descent's wasm kernels can run on Web Worker threads. */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json',
  '.gz': 'application/gzip', '.map': 'application/json',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the files under `root` on 127.0.0.1 (a free port); `/` is `index.html`.
 * @example const site = await serveStatic('lab/dist'); console.log(site.origin); await site.close();
 */
export function serveStatic(root: string, { isolated = true } = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== base && !file.startsWith(base + sep)) return void response.writeHead(403).end();
    readFile(file).then(
      (body) => response.writeHead(200, {
        ...(isolated ? ISOLATION_HEADERS : {}),
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
      }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done({
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
    }));
  });
}
