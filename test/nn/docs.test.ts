import { test } from 'node:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

// Runs every ```ts example of docs/nn.md against the built library, so the docs match the API.
const docUrl = new URL('../../../docs/nn.md', import.meta.url);
const entry = new URL('../../src/index.js', import.meta.url).href;
const blocks = [...readFileSync(docUrl, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = new URL('./doc-snippets/', import.meta.url);
mkdirSync(dir, { recursive: true });

blocks.forEach((source, i) => {
  test(`docs/nn.md example ${i + 1} runs`, async () => {
    const js = ts.transpileModule(source.replaceAll("'descent'", `'${entry}'`), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = new URL(`example-${i + 1}.mjs`, dir);
    writeFileSync(file, js);
    const log = console.log;
    console.log = () => {};
    try {
      await import(file.href);
    } finally {
      console.log = log;
    }
  });
});
