/// <reference types="node" />
// What the commands print and write: lines, tables, the HTML report and PNG charts.
import { join, resolve } from 'node:path';
import type { GradientMonitor, History } from '../train/index.js';
import { ensureDir, writeHtmlReport, writePngCharts } from '../node/index.js';
import { UsageError } from './args.js';
import type { RunConfig } from './run-config.js';

/** Prints one line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints a table: the first column left-aligned, the others right-aligned; numbers with 4 decimals. */
export function printTable(columns: string[], rows: (string | number)[][]): void {
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4)) : v);
  const text = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i].length)));
  out(columns.map((c, i) => c.padEnd(widths[i])).join('  '));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of text) out(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '));
}

/** Writes report.html into `dir` (and PNG charts with `png`). */
export function report(dir: string, config: RunConfig, runs: { name: string; history: History; monitor?: GradientMonitor }[], png: boolean, extra: Partial<Parameters<typeof writeHtmlReport>[1]> = {}): void {
  const options = { title: `descent: ${config.recipe}`, runs, notes: [`config: ${JSON.stringify(config)}`], ...extra };
  writeHtmlReport(join(dir, 'report.html'), options);
  if (png) {
    try {
      const files = writePngCharts(dir, options);
      out(`charts: ${files.join(', ')}`);
    } catch (e) {
      out(`PNG charts skipped: ${(e as Error).message}`);
    }
  }
}

/**
 * The absolute path of an output folder (--out), created if needed; a folder that cannot be made (no
 * permission, a file in the way, /proc) is a usage error naming it, before any work.
 */
export function outputFolder(command: string, path: string): string {
  const dir = resolve(path);
  try {
    ensureDir(dir);
  } catch (e) {
    throw new UsageError(`descent ${command}: --out: ${(e as Error).message}`);
  }
  return dir;
}
