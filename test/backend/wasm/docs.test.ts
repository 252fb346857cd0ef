import { test } from 'node:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { getBackend, getNumThreads, setBackend, setNumThreads } from '../../../src/index.js';

// Runs every ```ts example of docs/wasm.md against the built library, so the docs match the API.
const docUrl = new URL('../../../../docs/wasm.md', import.meta.url);
const entry = new URL('../../../src/index.js', import.meta.url).href;
const blocks = [...readFileSync(docUrl, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = new URL('./doc-snippets/', import.meta.url);
mkdirSync(dir, { recursive: true });

blocks.forEach((source, i) => {
  test(`docs/wasm.md example ${i + 1} runs`, async () => {
    const [backendBefore, threadsBefore] = [getBackend(), getNumThreads()];
    const js = ts.transpileModule(source.replaceAll("'descent'", `'${entry}'`), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = new URL(`example-${i + 1}.mjs`, dir);
    writeFileSync(file, js);
    try {
      await import(file.href);
    } finally {
      setBackend(backendBefore);
      setNumThreads(threadsBefore);
    }
  });
});
