// The webgpu backend in a real browser: headless Chromium with WebGPU on SwiftShader (its software
// Vulkan) trains a small CNN through navigator.gpu, and the same model on wasm in the same page.
import assert from 'node:assert/strict';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, chromiumOrSkip, startServer } from '../browser-server.js';
import type { WebgpuPageReport } from './browser-cases.js';

const skip = chromiumOrSkip();
const CASES = 'test/backend/webgpu/browser-cases.js';
// --enable-unsafe-webgpu: WebGPU on Linux; SwiftShader: an adapter without a GPU; --no-sandbox: as root
const FLAGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];

describe('webgpu in a real browser (Chromium, SwiftShader)', { skip }, () => {
  let server: Server;
  let browser: Browser;

  before(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test("await init('webgpu') in a page, then a CNN trains on the GPU to the losses it has on wasm", { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/plain/`);
    const report = await page.evaluate(async (url) => {
      const cases: typeof import('./browser-cases.js') = await import(url);
      return cases.trainOnWebgpuAndWasm();
    }, `/plain/${CASES}`) as WebgpuPageReport;
    await page.close();
    assert.match(report.adapter, /swiftshader/i, 'the page got SwiftShader as its WebGPU adapter');
    assert.deepEqual(report.devices, ['webgpu']);
    assert.equal(report.webgpu.length, 5);
    assert.ok(report.wasm[4] < report.wasm[0], `the model should learn: ${report.wasm}`);
    report.wasm.forEach((expected, i) => {
      assert.ok(Math.abs(report.webgpu[i] - expected) <= 1e-4 * Math.abs(expected), `step ${i}: webgpu ${report.webgpu[i]}, wasm ${expected}`);
    });
    assert.deepEqual(errors, []);
  });
});
