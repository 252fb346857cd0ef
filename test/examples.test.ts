import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { sharedData, tempDir } from './helpers.js';

// Every program in examples/ is type-checked against src/ (strict, and only the syntax Node's type stripping
// runs: `node examples/x.ts`), then transpiled against the built library and run for a few steps (MAX_STEPS) on
// the real data, so the examples cannot drift from the API.
const root = new URL('../../', import.meta.url);
const scratch = new URL('build/example-programs/', root);
const built = (path: string) => pathToFileURL(fileURLToPath(new URL(`build/src/${path}`, root))).href;
const EXAMPLES = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.ts')).sort();
const read = (name: string) => readFileSync(new URL(`examples/${name}`, root), 'utf8');
const data = sharedData();

/** What each example must print after a few steps (its final figure). */
const PRINTS: Record<string, RegExp> = {
  'fashion-mnist.ts': /test accuracy \d+\.\d\d% on 10000 images/,
  'char-gpt.ts': /validation loss \d\.\d{4} nats\/char\nROMEO:[\s\S]{300}/,
  'names.ts': /validation loss \d\.\d{4} nats\/char\nsampled names \(\* new, not among the training names\): (\w*\*?, ){19}\w*\*?\n/,
  'text-classification.ts': /SMS spam: test accuracy \d+\.\d\d% on 1115 texts[\s\S]*sentiment: test accuracy \d+\.\d\d% on 600 texts/,
  'speech-digits.ts': /test accuracy \d+\.\d\d% on 300 recordings/,
  'movielens.ts': /matrix factorization: test RMSE \d\.\d{4}\n( \d|10)\. \d\.\d\d {2}.+\n/,
  'vae.ts': /test ELBO -\d+\.\d\d nats per image\nimages: /,
  'dcgan.ts': /epoch 1: discriminator loss \d\.\d{4}, generator loss \d\.\d{4}; .*dcgan-epoch-1\.png/,
};

test('every example has an expectation here, and a run command in its header', () => {
  assert.deepEqual(EXAMPLES, Object.keys(PRINTS).sort());
  for (const name of EXAMPLES) assert.match(read(name), new RegExp(`// Run: npm run build && node examples/${name.replace('.', '\\.')}`), name);
});

test('the examples type-check against the sources (strict, erasable syntax only)', () => {
  mkdirSync(scratch, { recursive: true });
  const files = EXAMPLES.map((name) => {
    const file = fileURLToPath(new URL(name, scratch));
    writeFileSync(file, read(name).replaceAll("from 'descent/node'", "from '../../src/node/index.js'").replaceAll("from 'descent'", "from '../../src/index.js'"));
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'], types: ['node'], skipLibCheck: true, erasableSyntaxOnly: true, verbatimModuleSyntax: true,
  } as ts.CompilerOptions);
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.deepEqual(problems, []);
});

for (const name of EXAMPLES) {
  const needsData = name !== 'dcgan.ts';
  test(`examples/${name} runs a few steps`, { skip: needsData && !data ? 'needs ../shared/data or DESCENT_DATA' : false }, () => {
    mkdirSync(scratch, { recursive: true });
    const file = new URL(name.replace(/\.ts$/, '.mjs'), scratch);
    const source = read(name).replaceAll("from 'descent/node'", `from '${built('node/index.js')}'`).replaceAll("from 'descent'", `from '${built('index.js')}'`);
    writeFileSync(file, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    const out = tempDir('descent-example-');
    const r = spawnSync(process.execPath, [fileURLToPath(file)], {
      encoding: 'utf8', timeout: 300_000, env: { ...process.env, MAX_STEPS: '2', OUT: out, ...(data ? { DESCENT_DATA: data } : {}) },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, PRINTS[name]);
    for (const png of r.stdout.match(/[^\s,;]+\.png/g) ?? []) assert.ok(existsSync(png), `${png} written`);
  });
}
