// The ```ts examples of docs/tensors.md, docs/autograd.md and docs/backend.md type-check against the real API
// and run without throwing, so the docs cannot drift from the code.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS = ['tensors', 'autograd', 'backend'];

function examples(doc: string): string[] {
  const text = readFileSync(join(root, 'docs', `${doc}.md`), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true, noEmit: true, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  paths: { descent: [join(root, 'src/index.ts')] }, baseUrl: root,
};

test('docs examples type-check against src/', () => {
  const files = new Map<string, string>();
  for (const doc of DOCS) examples(doc).forEach((code, i) => files.set(join(root, 'docs', `${doc}.example${i}.mts`), code));
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(f) || exists(f);
  const program = ts.createProgram([...files.keys()], options, host);
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.has(d.file.fileName));
  const report = errors.map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.deepEqual(report, []);
});

for (const doc of DOCS) {
  test(`docs/${doc}.md examples run`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'descent-docs-'));
    const index = pathToFileURL(join(root, 'build/src/index.js')).href;
    const log = console.log;
    try {
      console.log = () => {};
      for (const [i, code] of examples(doc).entries()) {
        const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
        const file = join(dir, `example${i}.mjs`);
        writeFileSync(file, js.replaceAll("from 'descent'", `from '${index}'`));
        await import(pathToFileURL(file).href);
      }
    } finally {
      console.log = log;
    }
  });
}
