/// <reference types="node" />
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Callback } from '../train/callbacks.js';
import type { History } from '../train/trainer.js';
import type { GradientMonitor } from '../train/gradient-monitor.js';
import type { LrFindResult } from '../train/lr-finder.js';
import { ensureDir, writeFileAtomic } from './files.js';
import { faultPoint } from './fault.js';
import { lockRunFolder } from './run-lock.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Trainer } from '../train/trainer.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { MakeGridOptions } from '../vision/grid.js';
import { imagePng } from './image.js';

const require = createRequire(import.meta.url);

/**
 * Writes the metrics of a run as it trains: `metrics.jsonl` (one JSON object a line: `{"type":"step",...}`
 * after every optimizer step, `{"type":"epoch",...}` after every epoch) and `epochs.csv`. On resume the log is
 * rebuilt from the checkpoint's history, so it matches the resumed run: lines after the checkpoint are dropped,
 * and a line lost to a crash between a checkpoint and its append comes back (without `elapsed`, which the
 * history does not keep). Holds the lock of `dir` while training.
 * @example callbacks: [metricsLogger({ dir: 'runs/mnist' })]
 */
export function metricsLogger({ dir }: { dir: string }): Callback {
  const jsonl = join(dir, 'metrics.jsonl');
  const csv = join(dir, 'epochs.csv');
  let release: (() => void) | null = null;
  const append = (line: Record<string, unknown>) => {
    faultPoint('metrics:before-append');
    appendFileSync(jsonl, `${JSON.stringify(line)}\n`);
    faultPoint('metrics:after-append');
  };
  return {
    name: 'metricsLogger',
    readsOnly: true,
    onTrainBegin(t) {
      release = lockRunFolder(dir);
      if (existsSync(jsonl) || t.step > 0) writeFileAtomic(jsonl, rebuildLog(existsSync(jsonl) ? readFileSync(jsonl, 'utf8') : '', t.history, t.step));
      if (t.history.epochs.length > 0) writeFileAtomic(csv, toCsv(t.history.epochs));
      else if (existsSync(csv) && t.epoch === 0) writeFileAtomic(csv, '');
    },
    onStepEnd(_, info) {
      append({ type: 'step', ...info });
    },
    onEpochEnd(t, _epoch, logs) {
      append({ type: 'epoch', ...logs });
      writeFileAtomic(csv, toCsv(t.history.epochs));
    },
    onTrainEnd() {
      release?.();
      release = null;
    },
  };
}

type LogLine = Record<string, unknown> & { type: string; step: number };

// The log of a run up to `step`: its step lines (those already written, which carry `elapsed`, else from the
// history) and its epoch lines (from the history), in order.
function rebuildLog(text: string, history: History, step: number): string {
  const written = new Map<number, LogLine>();
  for (const l of text.split('\n')) {
    try {
      const r = JSON.parse(l) as LogLine;
      if (r.type === 'step' && r.step <= step) written.set(r.step, r);
    } catch {
      // an empty or cut line
    }
  }
  const steps: LogLine[] = history.steps.length ? history.steps.map((s) => written.get(s.step) ?? { type: 'step', ...s }) : [...written.values()];
  const epochs: LogLine[] = history.epochs.map((e) => ({ type: 'epoch', ...e }) as LogLine);
  const lines = [...steps, ...epochs].sort((a, b) => a.step - b.step || (a.type === 'step' ? -1 : 1) - (b.type === 'step' ? -1 : 1));
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}

function toCsv(rows: Array<Record<string, number>>): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns.join(','), ...rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(','))].join('\n') + '\n';
}

/** One run in a report: a name and its history (plus, optionally, its gradient monitor). */
export interface ReportRun {
  name: string;
  history: History;
  monitor?: GradientMonitor;
}

export interface ReportOptions {
  title?: string;
  runs: ReportRun[];
  lrFind?: LrFindResult;
  /** Extra lines shown under the title (the command, the final accuracy, ...). */
  notes?: string[];
  /** A results table (compare, tune): column names and rows. */
  table?: { columns: string[]; rows: (string | number)[][] };
  /** Images shown after the charts, in order (grids of samples, reconstructions: see imageLogger and imagePng). */
  images?: ReportImage[];
}

/** A PNG image in a report, with its caption. */
export interface ReportImage {
  title: string;
  png: Uint8Array;
}

export interface ImageLoggerOptions {
  /** The images to show after an epoch ([N, C, H, W], or one image), e.g. a generator's samples; runs under noGrad. */
  make: (trainer: Trainer, epoch: number) => Tensor | readonly Tensor[];
  /** How they are tiled (makeGrid's options). Default: 8 per row, padding 2, no normalization. */
  grid?: MakeGridOptions;
  /** Every how many epochs. Default 1. */
  every?: number;
  /** Caption (and file name stem). Default 'samples'. */
  name?: string;
  /** A folder to also write each grid to, as NAME-epoch-N.png (kept across a resume). */
  dir?: string;
}

/**
 * A callback that renders an image grid after every `every` epochs (generated samples, reconstructions) and
 * keeps them for the HTML report: `writeHtmlReport(path, { runs, images: logger.images })`.
 * @example
 * const samples = imageLogger({ make: () => generator(fixedNoise).view(-1, 1, 28, 28), grid: { normalize: true }, dir: 'runs/gan' });
 * await fit(model, { ..., callbacks: [samples] });
 * writeHtmlReport('runs/gan/report.html', { runs: [{ name: 'gan', history }], images: samples.images });
 */
export function imageLogger(options: ImageLoggerOptions): Callback & { images: ReportImage[] } {
  const { make, grid = {}, every = 1, name = 'samples', dir } = options;
  if (!Number.isInteger(every) || every < 1) throw new Error(`imageLogger: every must be a positive integer, got ${every}`);
  const images: (ReportImage & { epoch: number })[] = [];
  const file = (epoch: number) => join(dir!, `${name}-epoch-${epoch}.png`);
  return {
    name: `imageLogger:${name}`,
    images,
    onEpochEnd(trainer, epoch) {
      if (epoch % every !== 0) return;
      const png = imagePng(noGrad(() => make(trainer, epoch)), grid);
      images.push({ title: `${name}, epoch ${epoch}`, png, epoch });
      if (dir) {
        ensureDir(dir);
        writeFileAtomic(file(epoch), png);
      }
    },
    stateDict: () => ({ epochs: images.map((i) => i.epoch) }),
    loadStateDict(state) {
      images.length = 0;
      if (!dir) return;
      for (const epoch of (state.epochs as number[] | undefined) ?? []) {
        if (existsSync(file(epoch))) images.push({ title: `${name}, epoch ${epoch}`, png: readFileSync(file(epoch)), epoch });
      }
    },
  };
}

/** An ECharts option for one chart, with an id used as the PNG file name. */
export interface ChartSpec {
  id: string;
  title: string;
  option: Record<string, unknown>;
}

type Point = [number, number];

function lineChart(id: string, title: string, xName: string, series: { name: string; data: Point[] }[], logY = false): ChartSpec {
  return {
    id,
    title,
    option: {
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 60, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 25, min: 'dataMin', max: 'dataMax' },
      yAxis: { type: logY ? 'log' : 'value', scale: true },
      series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, showSymbol: s.data.length < 40, smooth: false })),
    },
  };
}

const finite = (p: Point) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/**
 * The charts of a report: loss per step (and validation loss per epoch), metrics per epoch, learning rate,
 * global gradient norm, gradient norm and update ratio per layer, the LR range test.
 */
export function chartSpecs(options: ReportOptions): ChartSpec[] {
  const { runs } = options;
  const label = (run: ReportRun, what: string) => (runs.length > 1 ? `${run.name} ${what}` : what);
  const specs: ChartSpec[] = [];
  const stepSeries = (key: 'loss' | 'lr' | 'gradNorm') => runs.map((r) => ({ name: label(r, key), data: r.history.steps.map((s): Point => [s.step, s[key]]).filter(finite) }));
  const valLoss = runs.map((r) => ({ name: label(r, 'val_loss (epoch end)'), data: r.history.epochs.filter((e) => 'val_loss' in e).map((e): Point => [e.step, e.val_loss]).filter(finite) }));
  specs.push(lineChart('loss', 'Loss per step', 'step', [...stepSeries('loss'), ...valLoss.filter((s) => s.data.length > 0)], true));
  const metricKeys = [...new Set(runs.flatMap((r) => r.history.epochs.flatMap((e) => Object.keys(e))))].filter((k) => !['epoch', 'step', 'lr', 'time'].includes(k));
  if (metricKeys.length > 0 && runs.some((r) => r.history.epochs.length > 0)) {
    specs.push(lineChart('epochs', 'Loss and metrics per epoch', 'epoch', runs.flatMap((r) => metricKeys.map((k) => ({ name: label(r, k), data: r.history.epochs.map((e): Point => [e.epoch, e[k]]).filter(finite) })))));
  }
  specs.push(lineChart('lr', 'Learning rate', 'step', stepSeries('lr')));
  specs.push(lineChart('grad-norm', 'Gradient norm (all parameters)', 'step', stepSeries('gradNorm'), true));
  for (const r of runs) {
    if (!r.monitor || r.monitor.records.length === 0) continue;
    const layers = Object.keys(r.monitor.records[0].layers);
    const suffix = runs.length > 1 ? ` (${r.name})` : '';
    const per = (key: 'gradNorm' | 'updateRatio') => layers.map((l) => ({ name: l, data: r.monitor!.records.map((rec): Point => [rec.step, rec.layers[l]?.[key]]).filter((p) => finite(p) && p[1] > 0) }));
    specs.push(lineChart(`layer-grad-norm${runs.length > 1 ? `-${r.name}` : ''}`, `Gradient norm by layer${suffix}`, 'step', per('gradNorm'), true));
    specs.push(lineChart(`layer-update-ratio${runs.length > 1 ? `-${r.name}` : ''}`, `Update / weight ratio by layer${suffix}`, 'step', per('updateRatio'), true));
  }
  if (options.lrFind) {
    const f = options.lrFind;
    const spec = lineChart('lr-find', `LR range test (suggested ${f.suggestion.toExponential(2)})`, 'learning rate', [
      { name: 'loss', data: f.lrs.map((lr, i): Point => [lr, f.losses[i]]) },
      { name: 'smoothed loss', data: f.lrs.map((lr, i): Point => [lr, f.smoothedLosses[i]]) },
    ]);
    (spec.option.xAxis as Record<string, unknown>).type = 'log';
    specs.push(spec);
  }
  return specs;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A self-contained HTML report (ECharts is inlined; it opens offline): the charts of `chartSpecs`, a results
 * table, the stop reason and gradient warnings of each run.
 * @example writeHtmlReport('runs/mnist/report.html', { title: 'mnist-cnn', runs: [{ name: 'adam', history }] });
 */
export function writeHtmlReport(path: string, options: ReportOptions): void {
  const library = readFileSync(require.resolve('echarts/dist/echarts.common.min.js'), 'utf8');
  const specs = chartSpecs(options);
  const title = options.title ?? 'descent training report';
  const notes = [
    ...(options.notes ?? []),
    ...options.runs.map((r) => `${options.runs.length > 1 ? `${r.name}: ` : ''}stopped: ${r.history.stopReason ?? 'not stopped'}`),
    ...options.runs.flatMap((r) => (r.monitor?.warnings ?? []).map((w) => `${options.runs.length > 1 ? `${r.name}: ` : ''}gradient warning: ${w.message}`)),
  ];
  const table = options.table
    ? `<table><thead><tr>${options.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${options.table.rows
      .map((row) => `<tr>${row.map((v) => `<td>${escapeHtml(typeof v === 'number' ? formatCell(v) : v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
    : '';
  const images = (options.images ?? []).map((img) =>
    `<figure><img alt="${escapeHtml(img.title)}" src="data:image/png;base64,${Buffer.from(img.png).toString('base64')}"><figcaption>${escapeHtml(img.title)}</figcaption></figure>`).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}.chart{width:100%;max-width:900px;height:380px;margin:1em 0}
figure{display:inline-block;margin:1em 1em 1em 0}figure img{image-rendering:pixelated;min-width:256px}figcaption{text-align:center;color:#555}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}li{margin:2px 0}</style>
<script>${library.replace(/<\/script/gi, '<\\/script')}</script></head>
<body><h1>${escapeHtml(title)}</h1>
<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
${table}
${specs.map((s) => `<div class="chart" id="chart-${s.id}"></div>`).join('\n')}
${images}
<script>const specs = ${JSON.stringify(specs).replace(/</g, '\\u003c')};
for (const s of specs) echarts.init(document.getElementById('chart-' + s.id)).setOption(s.option);</script>
</body></html>
`;
  writeFileAtomic(path, html);
}

function formatCell(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toFixed(4);
}

/**
 * The report's charts as PNG files in `dir` (loss.png, epochs.png, lr.png, ...), rendered with ECharts'
 * server-side SVG renderer and resvg. Returns the files written.
 * @example writePngCharts('runs/mnist', { runs: [{ name: 'run', history }] });
 */
export function writePngCharts(dir: string, options: ReportOptions, { width = 900, height = 400 }: { width?: number; height?: number } = {}): string[] {
  const echarts = require('echarts') as { init: (dom: null, theme: null, opts: Record<string, unknown>) => { setOption(o: unknown): void; renderToSVGString(): string; dispose(): void } };
  const { Resvg } = require('@resvg/resvg-js') as { Resvg: new (svg: string, opts: Record<string, unknown>) => { render(): { asPng(): Uint8Array } } };
  ensureDir(dir);
  const files: string[] = [];
  for (const spec of chartSpecs(options)) {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
    chart.setOption(spec.option);
    const svg = chart.renderToSVGString();
    chart.dispose();
    const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng();
    const file = join(dir, `${spec.id}.png`);
    writeFileSync(file, png);
    files.push(file);
  }
  return files;
}
