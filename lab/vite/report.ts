// What `vite build` reports for the lab: the size of what a visitor downloads (raw and gzipped; the
// code apart from the MNIST digits) and the time to first paint, measured in Debian's Chromium on the
// built site (median of three cold loads from localhost). Printed, and written to build-report.json.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { chromiumMissing, launchChromium } from './chromium.js';
import { DIGITS_FILE } from './mnist-digits.js';
import { serveStatic } from './serve.js';

interface FileSize {
  file: string;
  bytes: number;
  gzip: number;
}

export interface BuildReport {
  files: FileSize[];
  /** Everything but the MNIST digits and the service worker: what the first paint needs, and the workers. */
  code: { bytes: number; gzip: number };
  data: { bytes: number };
  paint: { firstPaintMs: number; firstContentfulPaintMs: number; firstChartMs: number; loads: number } | { skipped: string };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Cold loads of the built site in Chromium: paint timings from the Paint Timing API, and the lab's own mark. */
export async function measurePaint(dir: string, loads = 3): Promise<BuildReport['paint']> {
  if (chromiumMissing()) return { skipped: 'no /usr/bin/chromium' };
  const site = await serveStatic(dir);
  const browser = await launchChromium();
  try {
    const runs: number[][] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext(); // empty cache, no service worker
      const page = await context.newPage();
      await page.goto(`${site.origin}/`);
      await page.waitForFunction(() => performance.getEntriesByName('lab:first-chart').length > 0, undefined, { timeout: 30_000 });
      runs.push(await page.evaluate(() => {
        const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
        return [at('first-paint'), at('first-contentful-paint'), at('lab:first-chart')];
      }));
      await context.close();
    }
    const [firstPaintMs, firstContentfulPaintMs, firstChartMs] = [0, 1, 2].map((k) => Math.round(median(runs.map((r) => r[k]))));
    return { firstPaintMs, firstContentfulPaintMs, firstChartMs, loads };
  } finally {
    await browser.close();
    await site.close();
  }
}

export function buildReport(): Plugin {
  let outDir = '';
  let log: (message: string) => void = console.log;
  return {
    name: 'descent-lab:report',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = config.build.outDir;
      log = (message) => config.logger.info(message);
    },
    async closeBundle() {
      const files = listFiles(outDir).filter((f) => !f.endsWith('build-report.json')).map((path) => {
        const body = readFileSync(path);
        return { file: relative(outDir, path), bytes: statSync(path).size, gzip: gzipSync(body).length };
      }).sort((a, b) => b.bytes - a.bytes);
      const code = files.filter((f) => f.file !== DIGITS_FILE && f.file !== 'sw.js');
      const sum = (xs: FileSize[], key: 'bytes' | 'gzip') => xs.reduce((n, f) => n + f[key], 0);
      const paint = process.env.DESCENT_LAB_PAINT === '0' ? { skipped: 'DESCENT_LAB_PAINT=0' } : await measurePaint(outDir);
      const report: BuildReport = {
        files,
        code: { bytes: sum(code, 'bytes'), gzip: sum(code, 'gzip') },
        data: { bytes: files.find((f) => f.file === DIGITS_FILE)?.bytes ?? 0 },
        paint,
      };
      writeFileSync(join(outDir, 'build-report.json'), `${JSON.stringify(report, null, 2)}\n`);
      const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
      const lines = [
        `descent lab: code ${kib(report.code.bytes)} (${kib(report.code.gzip)} gzipped) in ${code.length} files; MNIST digits ${kib(report.data.bytes)}`,
        'skipped' in paint
          ? `descent lab: time to first paint not measured (${paint.skipped})`
          : `descent lab: first paint ${paint.firstPaintMs} ms, first contentful paint ${paint.firstContentfulPaintMs} ms, first chart drawn ${paint.firstChartMs} ms (Chromium, localhost, median of ${paint.loads} cold loads)`,
      ];
      log(lines.join('\n'));
    },
  };
}
