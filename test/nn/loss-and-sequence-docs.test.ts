import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

// Each ```ts example of these docs is type-checked against src/ (strict), then transpiled and run against
// the built library, so the docs match the API. (docs/nn.md is listed too: this can replace test/nn/docs.test.ts.)
const root = new URL('../../../', import.meta.url);
const entry = pathToFileURL(fileURLToPath(new URL('build/src/index.js', root))).href;
const scratch = new URL('build/doc-snippets/', root);
const DOCS = ['losses.md', 'sequence-models.md', 'nn.md'];

function snippets(doc: string): string[] {
  const text = readFileSync(new URL(`docs/${doc}`, root), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const name = (doc: string, i: number) => `${doc.replace('.md', '')}-${i + 1}`;

test('the docs examples type-check against the sources (strict)', () => {
  mkdirSync(scratch, { recursive: true });
  const files: string[] = [];
  for (const doc of DOCS) {
    snippets(doc).forEach((code, i) => {
      const file = fileURLToPath(new URL(`${name(doc, i)}.ts`, scratch));
      writeFileSync(file, `${code.replaceAll("from 'descent'", "from '../../src/index.js'")}\nexport {};\n`);
      files.push(file);
    });
  }
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [], skipLibCheck: true,
  });
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.deepEqual(problems, []);
});

for (const doc of DOCS) {
  snippets(doc).forEach((code, i) => {
    test(`docs/${doc} example ${i + 1} runs`, async () => {
      mkdirSync(scratch, { recursive: true });
      const file = new URL(`${name(doc, i)}.mjs`, scratch);
      const js = ts.transpileModule(code.replaceAll("from 'descent'", `from '${entry}'`), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
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
}
