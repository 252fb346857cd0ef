// Offline once loaded: `vite build` writes a service worker (sw.js) that caches every file of the build
// when the page first loads and answers from that cache afterwards, network or not. It also adds the
// cross-origin isolation headers to what it serves, so that on a host that cannot send them (GitHub
// Pages, a plain file server) the page is isolated from its second load on and descent gets threads.
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { ISOLATION_HEADERS } from './serve.js';

function serviceWorker(cacheName: string, files: string[]): string {
  return `// descent lab service worker, written by lab/vite/offline.ts
const CACHE = ${JSON.stringify(cacheName)};
const FILES = ${JSON.stringify(files)};
const HEADERS = ${JSON.stringify(ISOLATION_HEADERS)};
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('descent-lab-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
function isolated(response) {
  if (response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = (await cache.match(request, { ignoreSearch: true }))
      ?? (request.mode === 'navigate' ? await cache.match(new URL('./', self.registration.scope).href) : undefined);
    return isolated(hit ?? await fetch(request));
  })());
});
`;
}

export function offline(): Plugin {
  return {
    name: 'descent-lab:offline',
    apply: 'build',
    enforce: 'post',
    transformIndexHtml: () => [{
      tag: 'script',
      attrs: { type: 'module' },
      children: "if ('serviceWorker' in navigator) navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('descent lab: no offline cache:', e.message));",
      injectTo: 'body',
    }],
    generateBundle(_options, bundle) {
      const names = Object.keys(bundle).filter((name) => !name.endsWith('.map')).sort();
      const hash = createHash('sha256');
      for (const name of names) {
        const item = bundle[name];
        hash.update(name).update(item.type === 'chunk' ? item.code : item.source);
      }
      const files = ['./', ...names.map((name) => `./${name}`)];
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: serviceWorker(`descent-lab-${hash.digest('hex').slice(0, 12)}`, files) });
    },
  };
}
