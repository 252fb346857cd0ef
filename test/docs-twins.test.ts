import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

// A ```python block of the docs that starts with `# from tools/<file>.py` shows code that the fixture scripts run
// against PyTorch (the twins of descent's models): it must appear in that file word for word, so the docs cannot
// drift from what is tested. (CI has no PyTorch; the TypeScript examples are run by docs.test.ts.)
const root = new URL('../../', import.meta.url);
const DOCS = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

const blocks = DOCS.flatMap((doc) => [...readFileSync(new URL(doc, root), 'utf8').matchAll(/```python\n# from (tools\/[\w.-]+\.py)\n([\s\S]*?)```/g)]
  .map((m) => ({ doc, file: m[1], code: m[2].replace(/\n$/, '') })));

test('the docs show twins from the fixture scripts', () => assert.ok(blocks.length >= 2, `found ${blocks.length}`));

for (const { doc, file, code } of blocks) {
  test(`${doc}: the python from ${file} is the code in that file`, () => {
    const source = readFileSync(new URL(file, root), 'utf8');
    assert.ok(source.includes(code), `${doc} shows code that ${file} does not hold:\n${code}`);
  });
}
