import assert from 'node:assert/strict';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM, chromiumOrSkip, startServer } from '../browser-server.js';
import { spawnSync } from 'node:child_process';
import { type GemmReport, type TrainReport } from './browser-cases.js';
import { runtime } from '../../../src/backend/wasm/state.js'; // loaded without engine flags: relaxed where the engine has it by default

// trainCase in a Node child with relaxed SIMD on or off, to match the browser's kernels (Chromium has it).
// Node >= 22 has relaxed SIMD on by default (and Node 24 refuses the flag); Node 20 needs the flag.
function trainInNode(relaxed: boolean): TrainReport {
  const cases = new URL('./browser-cases.js', import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(cases)}); console.log(JSON.stringify(await m.trainCase(2)));`;
  const flags = relaxed && !runtime?.relaxed ? ['--experimental-wasm-relaxed-simd'] : [];
  const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(child.status, 0, `trainCase in Node failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as TrainReport;
}

// The wasm backend's Web Worker threads in a real browser: Debian's Chromium, driven by
// playwright-core, loads the compiled library from build/ (browser-server.ts), under /isolated/
// (crossOriginIsolated, SharedArrayBuffer) and under /plain/ (no SharedArrayBuffer, one thread).
const skip = chromiumOrSkip();
const CASES = 'test/backend/wasm/browser-cases.js';
const WORKER = 'test/backend/wasm/browser-worker.js';

describe('wasm threads in a real browser (Chromium, Web Workers)', { skip }, () => {
  let server: Server;
  let browser: Browser;
  let origin: string;
  const pageErrors: string[] = [];

  before(async () => {
    server = await startServer();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // --no-sandbox: Chromium's sandbox refuses to start as root and in most containers
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function openPage(kind: 'isolated' | 'plain'): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${kind}: ${error.message}`));
    await page.goto(`${origin}/${kind}/`);
    return page;
  }

  function inPage<T>(page: Page, kind: 'isolated' | 'plain', name: 'gemmCase' | 'trainCase'): Promise<T> {
    return page.evaluate(async ([url, name]) => {
      const cases: typeof import('./browser-cases.js') = await import(url);
      return cases[name]();
    }, [`/${kind}/${CASES}`, name] as const) as Promise<T>;
  }

  test('page main thread, isolated: await initThreads(2) starts a worker that computes part of a GEMM exactly', { timeout: 20_000 }, async () => {
    const page = await openPage('isolated');
    const report = await inPage<GemmReport>(page, 'isolated', 'gemmCase');
    await page.close();
    assert.equal(report.crossOriginIsolated, true);
    assert.equal(report.backend, 'wasm');
    assert.equal(report.threadsBefore, 1, 'one thread until initThreads resolves');
    assert.equal(report.initialized, 2);
    assert.equal(report.threads, 2);
    assert.ok(report.exactVsJs, 'GEMM on 2 threads differs from the js backend');
    assert.ok(report.sameOnOneThread, 'GEMM on 2 threads differs from 1 thread');
    assert.ok(report.workerJobs >= 2, `the worker ran ${report.workerJobs} of the 2 threaded products' shares`);
    assert.match(report.tooManyError, /await initThreads\(3\)/);
    assert.deepEqual(pageErrors, []);
  });

  test('inside a dedicated module Worker that imports descent: the same, with nested workers', { timeout: 20_000 }, async () => {
    const page = await openPage('isolated');
    const report = await page.evaluate((url) => new Promise<GemmReport>((resolve, reject) => {
      const worker = new Worker(url, { type: 'module' });
      worker.onmessage = (event: MessageEvent<{ result?: GemmReport; error?: string }>) => {
        if (event.data.result) resolve(event.data.result);
        else reject(new Error(event.data.error));
      };
      worker.onerror = (event) => reject(new Error(`the worker failed: ${event.message}`));
      worker.postMessage('gemm');
    }), `/isolated/${WORKER}`);
    await page.close();
    assert.equal(report.crossOriginIsolated, true);
    assert.equal(report.threadsBefore, 1);
    assert.equal(report.threads, 2);
    assert.ok(report.exactVsJs, 'GEMM on 2 threads differs from the js backend');
    assert.ok(report.sameOnOneThread, 'GEMM on 2 threads differs from 1 thread');
    assert.ok(report.workerJobs >= 2, `the nested worker ran ${report.workerJobs} shares`);
    assert.deepEqual(pageErrors, []);
  });

  test('a page without cross-origin isolation runs on one thread without error', { timeout: 20_000 }, async () => {
    const page = await openPage('plain');
    const report = await inPage<GemmReport>(page, 'plain', 'gemmCase');
    await page.close();
    assert.equal(report.crossOriginIsolated, false);
    assert.equal(report.backend, 'wasm', 'SIMD kernels on plain memory');
    assert.equal(report.initialized, 1);
    assert.equal(report.threads, 1);
    assert.match(report.tooManyError, /cross-origin-isolated page/);
    assert.ok(report.exactVsJs);
    assert.equal(report.workerJobs, 0);
    assert.deepEqual(pageErrors, []);
  });

  test('a few Adam steps of an MLP give the same losses in the page (2 threads) as in Node (2 threads)', { timeout: 20_000 }, async () => {
    const page = await openPage('isolated');
    const inBrowser = await inPage<TrainReport>(page, 'isolated', 'trainCase');
    await page.close();
    const inNode = trainInNode(inBrowser.relaxed);
    assert.equal(inNode.relaxed, inBrowser.relaxed);
    assert.equal(inBrowser.threads, 2);
    assert.equal(inNode.threads, 2);
    assert.ok(inBrowser.workerJobs > 0 && inNode.workerJobs > 0, 'both runs split products among threads');
    assert.ok(inNode.losses[4] < inNode.losses[0], `the model should learn: ${inNode.losses}`);
    assert.deepEqual(inBrowser.losses, inNode.losses);
    assert.deepEqual(pageErrors, []);
  });
});
