import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { noGrad } from '../../src/index.js';
import { CHROMIUM, chromiumMissing, launchChromium } from '../../lab/vite/chromium.js';
import { type StaticServer, serveStatic } from '../../lab/vite/serve.js';
import { assertClose } from '../helpers.js';
import { type BrowserExport, browserCase, exportBrowserCase } from './browser-case.js';
import { runOnnx } from './ort.js';

// descent/onnx in a real browser: a page bundled by Vite (as an application bundles descent) exports a model
// to a Uint8Array, which must be the bytes Node exports and run in ONNX Runtime with descent's outputs.
const missing = chromiumMissing();
if (missing && process.env.DESCENT_REQUIRE_BROWSER === '1') {
  test('a browser for the descent/onnx browser test', () => assert.fail(`${CHROMIUM} is missing: apt-get install -y chromium`));
}
const skip = missing && `${CHROMIUM} is missing: apt-get install -y chromium to run the browser test of descent/onnx`;

const root = fileURLToPath(new URL('../../../', import.meta.url)); // build/test/onnx/ -> the repository
const site = join(root, 'build/onnx-browser-site');

describe('descent/onnx in a real browser (Chromium)', { skip }, () => {
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    const { build } = await import('vite');
    await build({
      configFile: false, root: join(root, 'test/onnx/browser'), base: './', logLevel: 'warn',
      build: { outDir: site, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
    });
    server = await serveStatic(site);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('exportOnnx returns a Uint8Array in the page: the bytes Node writes, which ONNX Runtime runs with descent\'s outputs', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => 'exportBrowserCase' in window);
    const inPage = await page.evaluate(() => (window as unknown as { exportBrowserCase(): BrowserExport }).exportBrowserCase());
    await page.close();
    assert.deepEqual(errors, []);
    assert.equal(inPage.isUint8Array, true, 'exportOnnx returns a Uint8Array in the page');
    const inNode = exportBrowserCase();
    assert.ok(inNode.bytes.length > 1000, `a model of ${inNode.bytes.length} bytes`);
    const first = inNode.bytes.findIndex((b, i) => b !== inPage.bytes[i]);
    assert.equal(first, -1, `the page exports the bytes Node exports (${inPage.bytes.length} and ${inNode.bytes.length} bytes differ at byte ${first})`);
    assert.equal(inPage.bytes.length, inNode.bytes.length, 'the page exports as many bytes as Node');

    const { model, input } = browserCase();
    model.eval();
    const [scores] = await runOnnx(new Uint8Array(inPage.bytes), [input]);
    assertClose(scores, noGrad(() => (model as unknown as (x: typeof input) => typeof input)(input)), { rtol: 1e-4, atol: 1e-5 });
  });
});
