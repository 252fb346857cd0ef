// The descent lab: `npm run lab` serves it for development, `npm run lab:build` writes the static site
// to lab/dist/. The page imports descent from its TypeScript sources, so it follows the library.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistDigits } from './vite/mnist-digits.js';
import { offline } from './vite/offline.js';
import { buildReport } from './vite/report.js';
import { ISOLATION_HEADERS } from './vite/serve.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './', // the folder can be hosted under any path
  resolve: { alias: { descent: here('../src/index.ts'), mnist: here('src/no-mnist.ts') } },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { outDir: here('dist'), emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  plugins: [mnistDigits(), offline(), buildReport()],
});
