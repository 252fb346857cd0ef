import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, chromiumMissing, launchChromium } from '../../lab/vite/chromium.js';
import { type StaticServer, serveStatic } from '../../lab/vite/serve.js';

// The descent lab (lab/) in a real browser: the test builds the site with Vite, serves it with the
// cross-origin isolation headers, and drives Debian's Chromium with playwright-core. Every check reads
// the page's data (tables, data-* attributes, the URL), never pixels; screenshots of each panel are
// written to build/lab-screenshots/ for people to look at.
const missing = chromiumMissing();
if (missing && process.env.DESCENT_REQUIRE_BROWSER === '1') {
  test('a browser for the lab tests', () => assert.fail(`${CHROMIUM} is missing: apt-get install -y chromium`));
}
const skip = missing && `${CHROMIUM} is missing: apt-get install -y chromium to run the lab's browser tests`;

const root = fileURLToPath(new URL('../../../', import.meta.url)); // build/test/lab/ -> the repository
const site = join(root, 'build/lab-site');
const screenshots = join(root, 'build/lab-screenshots');
const PANELS = ['surfaces', 'batch', 'learning-rate', 'gradients', 'mnist'];
/** The in-page MNIST training must reach 90% held-out accuracy within this many steps (Adam, lr 0.003, batch 64). */
const MNIST_STEPS = 150;

type Row = Record<string, string>;

describe('the descent lab in a real browser (Chromium)', { skip }, () => {
  let server: StaticServer;
  let browser: Browser;
  const errors: string[] = [];

  before(async () => {
    process.env.DESCENT_LAB_PAINT = '0'; // the paint timing is the build report's job, not the test's
    const { build } = await import('vite');
    await build({ configFile: join(root, 'lab/vite.config.ts'), build: { outDir: site }, logLevel: 'warn' });
    mkdirSync(screenshots, { recursive: true });
    server = await serveStatic(site);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page that records console errors and uncaught exceptions. */
  async function openPage(context: BrowserContext | Browser, hash = ''): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
    await page.goto(`${server.origin}/${hash}`);
    return page;
  }

  const section = (panel: string) => `section[data-panel="${panel}"]`;

  /** Waits until the panel has finished a run started after `runsBefore` runs. */
  async function finished(page: Page, panel: string, runsBefore = 0, timeout = 60_000): Promise<void> {
    await page.waitForFunction(([selector, before]) => {
      const element = document.querySelector<HTMLElement>(selector);
      return element && Number(element.dataset.runs ?? 0) > before && ['done', 'error'].includes(element.dataset.state ?? '');
    }, [section(panel), runsBefore] as const, { timeout });
    const state = await page.getAttribute(section(panel), 'data-state');
    assert.equal(state, 'done', `${panel}: ${await page.textContent(`${section(panel)} .status`)}`);
  }

  const runs = async (page: Page, panel: string) => Number(await page.getAttribute(section(panel), 'data-runs') ?? 0);

  /** After several changes in a row (each may start a run after a 250 ms pause): waits for the run of the last one. */
  async function settled(page: Page, panel: string, runsBefore: number): Promise<void> {
    for (let before = runsBefore; ;) {
      await finished(page, panel, before);
      before = await runs(page, panel);
      await page.waitForTimeout(400);
      if (await runs(page, panel) === before && await page.getAttribute(section(panel), 'data-state') === 'done') return;
    }
  }

  const rows = (page: Page, selector: string): Promise<Row[]> =>
    page.$$eval(selector, (elements) => elements.map((e) => ({ ...(e as HTMLElement).dataset })) as Row[]);

  test('every panel loads with no console error; a screenshot of each is written', { timeout: 120_000 }, async () => {
    const page = await openPage(browser);
    await page.setViewportSize({ width: 1200, height: 870 });
    for (const panel of PANELS) {
      await page.click(`#tab-${panel}`);
      assert.equal(await page.isVisible(section(panel)), true, `${panel} is shown`);
      assert.match(page.url(), new RegExp(`#/${panel}`));
      if (panel !== 'mnist') await finished(page, panel); // the MNIST panel waits for its Train button
      await page.screenshot({ path: join(screenshots, `${panel}.png`), fullPage: true });
      if (panel === 'surfaces') await page.screenshot({ path: join(screenshots, 'lab.png') }); // the README's picture (docs/img/lab.png)
    }
    assert.match(await page.textContent('#backend') ?? '', /wasm backend/);
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('Rosenbrock from (-1.5, 2): Adam reaches (1, 1); SGD with lr 0.01 is reported as diverged', { timeout: 60_000 }, async () => {
    const page = await openPage(browser, '#/surfaces?pace=0');
    await finished(page, 'surfaces');
    assert.equal(await page.inputValue('select[data-key="f"]'), 'rosenbrock');
    assert.equal(await page.inputValue('input[data-key="x"]'), '-1.5');
    assert.equal(await page.inputValue('input[data-key="y"]'), '2');
    const before = await runs(page, 'surfaces');
    await page.fill('input[data-key="sgd.lr"]', '0.01');
    await page.press('input[data-key="sgd.lr"]', 'Tab'); // change fires when the field is left
    await finished(page, 'surfaces', before);
    const results = await rows(page, `${section('surfaces')} table.results tbody tr`);
    const adam = results.find((r) => r.rule === 'adam')!;
    const sgd = results.find((r) => r.rule === 'sgd')!;
    assert.ok(Math.hypot(Number(adam.x) - 1, Number(adam.y) - 1) < 0.05, `Adam ended at (${adam.x}, ${adam.y})`);
    assert.ok(Number(adam.distance) < 0.05);
    assert.equal(sgd.status, 'diverged', `SGD: ${JSON.stringify(sgd)}`);
    assert.match(await page.textContent(`${section('surfaces')} tr[data-rule="sgd"]`) ?? '', /diverged at step \d+/);
    assert.match(page.url(), /sgd\.lr=0\.01/);
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('batch size: batch 1 takes 4,000 noisy updates in 20 epochs, the full batch 20 that never raise the loss', { timeout: 60_000 }, async () => {
    const page = await openPage(browser, '#/batch');
    await finished(page, 'batch');
    const results = await rows(page, `${section('batch')} table.results tbody tr`);
    const [one, mini, full] = ['1', '16', '200'].map((b) => results.find((r) => r.batch === b)!);
    assert.equal(Number(one.updates), 4000);
    assert.equal(Number(mini.updates), 20 * Math.ceil(200 / 16));
    assert.equal(Number(full.updates), 20);
    assert.ok(Number(one.uphill) > 0.2, `batch 1 raised the loss on ${one.uphill} of its updates`);
    assert.equal(Number(full.uphill), 0);
    assert.ok(Number(one.loss) < Number(full.loss), 'per epoch, many small steps get further than a few exact ones');
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('the learning rate: too small crawls, about right converges, too large diverges; the finder suggests a rate', { timeout: 60_000 }, async () => {
    const page = await openPage(browser, '#/learning-rate');
    await finished(page, 'learning-rate');
    const cards = await rows(page, `${section('learning-rate')} .card`);
    const [small, right, large] = ['small', 'right', 'large'].map((k) => cards.find((c) => c.run === k)!);
    assert.equal(large.status, 'diverged');
    assert.equal(right.status, 'done');
    assert.ok(Number(right.finalLoss) < Number(small.finalLoss) / 5, `right ${right.finalLoss} vs small ${small.finalLoss}`);
    const suggestion = Number(await page.getAttribute(`${section('learning-rate')} [data-suggestion]`, 'data-suggestion'));
    assert.ok(suggestion > 1e-4 && suggestion < 0.5, `the finder suggested ${suggestion}`);
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('the depth-20 sigmoid net shows vanishing gradients that He init + ReLU + batch norm remove', { timeout: 60_000 }, async () => {
    const page = await openPage(browser, '#/gradients');
    await finished(page, 'gradients');
    assert.equal(await page.inputValue('input[data-key="depth"]'), '20');
    assert.equal(await page.inputValue('select[data-key="act"]'), 'sigmoid');
    const sick = await rows(page, `${section('gradients')} .verdict`);
    assert.equal(sick[0].verdict, 'vanishing');
    assert.ok(Number(sick[0].ratio) < 1e-3, `first/last layer gradient ratio ${sick[0].ratio}`);
    const before = await runs(page, 'gradients');
    await page.selectOption('select[data-key="act"]', 'relu');
    await page.selectOption('select[data-key="init"]', 'he');
    await page.check('input[data-key="bn"]');
    await settled(page, 'gradients', before);
    assert.match(page.url(), /act=relu/);
    assert.match(page.url(), /init=he/);
    assert.match(page.url(), /bn=1/);
    const healthy = await rows(page, `${section('gradients')} .verdict`);
    assert.equal(healthy[0].verdict, 'healthy');
    const ratio = Number(healthy[0].ratio);
    assert.ok(ratio > 1e-2 && ratio < 1e2, `first/last layer gradient ratio ${ratio}`);
    assert.equal(Number(healthy[0].steps), 150);
    await page.close();
    assert.deepEqual(errors, []);
  });

  test(`MNIST: the CNN trained in the page reaches 90% held-out accuracy within ${MNIST_STEPS} steps; a drawn 1 reads as 1`, { timeout: 120_000 }, async () => {
    const page = await openPage(browser, `#/mnist?steps=${MNIST_STEPS}`);
    await page.click('[data-action="train"]');
    await finished(page, 'mnist', 0, 100_000);
    const summary = (await rows(page, `${section('mnist')} .summary`))[0];
    assert.equal(Number(summary.step), MNIST_STEPS);
    assert.ok(Number(summary.accuracy) >= 0.9, `held-out accuracy ${summary.accuracy} after ${MNIST_STEPS} steps`);
    assert.ok(Number(summary.first90) <= MNIST_STEPS);

    // a vertical stroke down the middle of the pad
    const pad = (await page.$('canvas.pad'))!;
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.85, { steps: 12 });
    await page.mouse.up();
    await page.waitForSelector(`${section('mnist')} .bars[data-prediction]`);
    const bars = (await rows(page, `${section('mnist')} .bars`))[0];
    const probabilities = JSON.parse(bars.probabilities) as number[];
    assert.equal(probabilities.length, 10);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assert.equal(bars.prediction, '1', `the stroke read as ${bars.prediction}: ${bars.probabilities}`);

    await page.click('[data-action="sample"]');
    await page.waitForFunction(() => /the label is \d/.test(document.querySelector('.draw .note')?.textContent ?? ''));
    await page.screenshot({ path: join(screenshots, 'mnist-trained.png'), fullPage: true });
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('the URL round-trips a configuration (and the share button copies it)', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await openPage(context, '#/surfaces?pace=0');
    await finished(page, 'surfaces');
    let before = await runs(page, 'surfaces');
    await page.selectOption('select[data-key="f"]', 'himmelblau');
    await finished(page, 'surfaces', before);
    before = await runs(page, 'surfaces');
    const canvas = (await page.$(`${section('surfaces')} canvas.plot`))!;
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width * 0.3, y: box.height * 0.3 } }); // sets the start
    await finished(page, 'surfaces', before);
    before = await runs(page, 'surfaces');
    await page.check('input[data-key="adagrad"]');
    await page.uncheck('input[data-key="sgd"]');
    await page.fill('input[data-key="adam.lr"]', '0.05');
    await page.press('input[data-key="adam.lr"]', 'Tab');
    await settled(page, 'surfaces', before);
    const url = page.url();
    assert.match(url, /f=himmelblau/);
    assert.match(url, /adagrad=1/);
    assert.match(url, /sgd=0/);
    assert.match(url, /adam\.lr=0\.05/);
    await page.click(`${section('surfaces')} [data-action="share"]`);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    const controls = async (p: Page) => p.$$eval(`${section('surfaces')} [data-key]`, (elements) => elements.map((e) => {
      const input = e as HTMLInputElement;
      return `${input.dataset.key}=${input.type === 'checkbox' ? input.checked : input.value}`;
    }));
    const results = (p: Page) => rows(p, `${section('surfaces')} table.results tbody tr`);
    const [expectedControls, expectedResults] = [await controls(page), await results(page)];

    const copy = await openPage(context, new URL(url).hash);
    await finished(copy, 'surfaces');
    assert.deepEqual(await controls(copy), expectedControls);
    assert.deepEqual(await results(copy), expectedResults, 'the same configuration gives the same paths');
    assert.equal(copy.url(), url);
    await context.close();
    assert.deepEqual(errors, []);
  });

  test('usable with the keyboard: arrow keys move between panels, and move and run the start point', { timeout: 60_000 }, async () => {
    const page = await openPage(browser, '#/surfaces?pace=0');
    await finished(page, 'surfaces');
    await page.focus('[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-batch', 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-batch');
    assert.match(page.url(), /#\/batch/);
    await page.keyboard.press('End');
    assert.equal(await page.isVisible(section('mnist')), true);
    await page.keyboard.press('Home');
    assert.equal(await page.isVisible(section('surfaces')), true);
    // Tab from the tabs reaches the panel's controls; the contour plot takes arrow keys and Enter
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.activeElement?.closest('section[data-panel="surfaces"]') !== null), 'Tab moves into the panel');
    const before = await runs(page, 'surfaces');
    await page.focus(`${section('surfaces')} canvas.plot`);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await finished(page, 'surfaces', before);
    assert.equal(Number(await page.inputValue('input[data-key="y"]')), 2.16);
    await page.close();
    assert.deepEqual(errors, []);
  });

  test('phone-size screens: every panel fits 390 px without sideways scrolling', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await openPage(context, '#/surfaces?pace=0');
    for (const panel of PANELS) {
      await page.evaluate((id) => (location.hash = `#/${id}`), panel);
      await page.waitForSelector(`${section(panel)}:not([hidden])`);
      if (panel !== 'mnist') await finished(page, panel);
      const [scrollWidth, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scrollWidth <= width, `${panel}: the page is ${scrollWidth} px wide on a ${width} px screen`);
      await page.screenshot({ path: join(screenshots, `${panel}-phone.png`), fullPage: true });
    }
    await context.close();
    assert.deepEqual(errors, []);
  });

  test('offline once loaded: with the server gone, the page, its workers and the MNIST digits come from the cache', { timeout: 90_000 }, async () => {
    const own = await serveStatic(site); // a server of its own, to stop
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
    await page.goto(`${own.origin}/#/surfaces?pace=0&steps=50`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    });
    await own.close();
    await page.reload();
    await finished(page, 'surfaces');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the service worker adds the isolation headers');
    await page.evaluate(() => (location.hash = '#/mnist?steps=5&eval=5'));
    await page.click('[data-action="train"]');
    await finished(page, 'mnist');
    assert.equal((await rows(page, `${section('mnist')} .summary`))[0].step, '5');
    await context.close();
    assert.deepEqual(errors, []);
  });
});
