import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GradientMonitor } from '../../src/train/index.js';
import { chartSpecs, metricsLogger, writeHtmlReport, writePngCharts } from '../../src/node/index.js';
import { mlp, trainerFor } from '../train/setup.js';
import { tempDir } from '../helpers.js';

test('metrics log (JSONL + CSV), HTML report and PNG charts of a run', async () => {
  const dir = tempDir('descent-report-');
  const monitor = new GradientMonitor({ every: 4 });
  const trainer = trainerFor(mlp(), { epochs: 2, callbacks: [monitor, metricsLogger({ dir })] });
  const history = await trainer.fit();
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l.type === 'step').length, 16);
  assert.deepEqual(lines.filter((l) => l.type === 'epoch').map((l) => l.epoch), [1, 2]);
  const csv = readFileSync(join(dir, 'epochs.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'epoch,step,loss,accuracy,val_loss,val_accuracy,lr,time');
  assert.equal(csv.length, 3);
  const options = { title: 'test <run>', runs: [{ name: 'adam', history, monitor }] };
  assert.deepEqual(chartSpecs(options).map((s) => s.id), ['loss', 'epochs', 'lr', 'grad-norm', 'layer-grad-norm', 'layer-update-ratio']);
  writeHtmlReport(join(dir, 'report.html'), options);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.ok(html.includes('<title>test &lt;run&gt;</title>'));
  assert.ok(html.includes('id="chart-layer-grad-norm"'));
  assert.ok(/echarts/.test(html) && !/<script src=/.test(html), 'self-contained');
  const files = writePngCharts(dir, options, { width: 300, height: 200 });
  assert.equal(files.length, 6);
  const png = readFileSync(files[0]);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // 'PNG'
  assert.ok(existsSync(join(dir, 'loss.png')));
});
