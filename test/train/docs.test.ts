import { test } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

// Runs every ```ts example of docs/data.md and docs/training.md against the built library (```typescript
// blocks are illustrations that need files the test does not have).
const entry = new URL('../../src/index.js', import.meta.url).href;
const nodeEntry = new URL('../../src/node/index.js', import.meta.url).href;
const dir = new URL('./doc-snippets/', import.meta.url);
mkdirSync(dir, { recursive: true });

for (const doc of ['data', 'training']) {
  const text = readFileSync(new URL(`../../../docs/${doc}.md`, import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  blocks.forEach((source, i) => {
    test(`docs/${doc}.md example ${i + 1} runs`, async () => {
      const js = ts.transpileModule(source.replaceAll("'descent/node'", `'${nodeEntry}'`).replaceAll("'descent'", `'${entry}'`), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const file = new URL(`${doc}-${i + 1}.mjs`, dir);
      writeFileSync(file, js);
      const log = console.log;
      const cwd = process.cwd();
      console.log = () => {};
      process.chdir(mkdtempSync(join(tmpdir(), 'descent-doc-'))); // examples that write runs/ write there
      try {
        await import(file.href);
      } finally {
        console.log = log;
        process.chdir(cwd);
      }
    });
  });
}
