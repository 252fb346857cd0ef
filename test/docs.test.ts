import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

// Every ```ts example in docs/*.md and README.md is type-checked against src/ (strict), then transpiled and
// run against the built library, so the docs cannot drift from the API. A fragment (an example with no
// import) runs in a block after its doc's setup example, the one that starts with `// Setup for the examples`.
const root = new URL('../../', import.meta.url);
const scratch = new URL('build/doc-snippets/', root);
const built = (path: string) => pathToFileURL(fileURLToPath(new URL(`build/src/${path}`, root))).href;
const DOCS = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function snippets(doc: string): string[] {
  const text = readFileSync(new URL(doc, root), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const name = (doc: string, i: number) => `${doc.replace(/^docs\//, '').replace('.md', '')}-${i + 1}`;
const cases = DOCS.flatMap((doc) => {
  const all = snippets(doc);
  const setup = all.find((code) => code.startsWith('// Setup for the examples'));
  return all.map((code, i) => ({ doc, i, code: setup && !/^import /m.test(code) ? `${setup}\n{\n${code}\n}\n` : code }));
});

test('the docs examples type-check against the sources (strict)', () => {
  mkdirSync(scratch, { recursive: true });
  const files = cases.map(({ doc, i, code }) => {
    const file = fileURLToPath(new URL(`${name(doc, i)}.ts`, scratch));
    const source = code.replaceAll("from 'descent/node'", "from '../../src/node/index.js'").replaceAll("from 'descent/onnx'", "from '../../src/onnx/index.js'").replaceAll("from 'descent'", "from '../../src/index.js'");
    writeFileSync(file, `${source}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: ['node'], skipLibCheck: true,
  });
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.deepEqual(problems, []);
});

for (const { doc, i, code } of cases) {
  test(`${doc} example ${i + 1} runs`, async () => {
    mkdirSync(scratch, { recursive: true });
    const file = new URL(`${name(doc, i)}.mjs`, scratch);
    const source = code.replaceAll("from 'descent/node'", `from '${built('node/index.js')}'`).replaceAll("from 'descent/onnx'", `from '${built('onnx/index.js')}'`).replaceAll("from 'descent'", `from '${built('index.js')}'`);
    writeFileSync(file, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    const log = console.log;
    console.log = () => {};
    try {
      await import(file.href);
    } finally {
      console.log = log;
    }
  });
}
