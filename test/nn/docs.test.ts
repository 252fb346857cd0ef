import { test } from 'node:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The examples in the docs are written as plain JavaScript inside ```ts fences, so they run as they are.
const root = new URL('../../../', import.meta.url);
const entry = pathToFileURL(fileURLToPath(new URL('build/src/index.js', root))).href;
const scratch = new URL('build/doc-snippets/', root);

function snippets(doc: string): string[] {
  const text = readFileSync(new URL(`docs/${doc}`, root), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

for (const doc of ['losses.md', 'sequence-models.md']) {
  snippets(doc).forEach((code, i) => {
    test(`docs/${doc} example ${i + 1} runs`, async () => {
      mkdirSync(scratch, { recursive: true });
      const file = new URL(`${doc.replace('.md', '')}-${i + 1}.mjs`, scratch);
      writeFileSync(file, code.replaceAll("from 'descent'", `from '${entry}'`));
      const log = console.log;
      console.log = () => {};
      try {
        await import(file.href);
      } finally {
        console.log = log;
      }
    });
  });
}
