// Panel 2: batch, stochastic and mini-batch gradient descent. One line fitted to noisy points with the
// same learning rate and the same budget of epochs; only the batch size differs. Small batches take many
// cheap, noisy steps per epoch; the full batch takes one exact step per epoch.
import type { Panel } from '../app/panel.js';
import type { Config, ConfigValue } from '../app/url-state.js';
import { Runner } from '../app/worker-client.js';
import type { BatchConfig, BatchProgress, BatchRun } from '../shared/jobs.js';
import { type ContourLayer, contourLayer, drawContours } from '../ui/contour.js';
import { Form, button, formatValue, h, table } from '../ui/dom.js';
import { Plot, extent } from '../ui/plot.js';
import { coerce, debounce, figure, layout, legend, runJob, runningView, swatch } from './kit.js';

const GRID = 100;
const defaults: Config = { batch: 16, samples: 200, epochs: 20, lr: 0.1, momentum: 0, compare: true, axis: 'epochs' };

interface Setup {
  xs: number[];
  ys: number[];
  contours: ContourLayer;
  w: [number, number];
  b: [number, number];
  best: [number, number];
}

function runColor(size: number, samples: number): string {
  return size === 1 ? '#e6194b' : size >= samples ? '#3cb44b' : '#4363d8';
}

function runLabel(size: number, samples: number): string {
  return size === 1 ? 'batch 1 (stochastic)' : size >= samples ? `batch ${size} (full batch)` : `batch ${size} (mini-batch)`;
}

/** Share of updates after which the full-data loss went up. */
export function uphillShare(losses: number[]): number {
  let up = 0;
  for (let i = 1; i < losses.length; i++) if (losses[i] > losses[i - 1]) up++;
  return losses.length > 1 ? up / (losses.length - 1) : 0;
}

export const batchPanel: Panel = {
  id: 'batch',
  title: 'Batch, stochastic, mini-batch',
  lead: 'The same line fitted with the same learning rate and the same number of epochs: only the batch size differs.',
  defaults,
  mount(host, context) {
    let config: Config = { ...context.config };
    let setup: Setup | null = null;
    let runs: BatchRun[] = [];
    const runner = new Runner(context.worker);
    const form = new Form((key, value) => change(key, value));
    const batchSlider = form.range('batch', { label: 'batch size', min: 1, max: Number(config.samples) });
    const controls = [
      batchSlider,
      h('div', { class: 'row buttons' },
        button('1', () => change('batch', 1), { class: 'quiet', 'aria-label': 'batch size 1 (stochastic)' }),
        button('16', () => change('batch', 16), { class: 'quiet', 'aria-label': 'batch size 16 (mini-batch)' }),
        button('full', () => change('batch', Number(config.samples)), { class: 'quiet', 'aria-label': 'full batch' })),
      form.checkbox('compare', 'also run batch 1 and the full batch'),
      h('div', { class: 'row' }, form.number('lr', { label: 'lr (SGD)', min: 0, max: 10 }), form.number('momentum', { label: 'momentum', min: 0, max: 0.999 })),
      h('div', { class: 'row' }, form.number('epochs', { label: 'epochs', min: 1, max: 200, step: 1 }), form.number('samples', { label: 'points', min: 2, max: 2000, step: 1 })),
      form.select('axis', 'loss curve against', [{ value: 'epochs', label: 'epochs (data seen)' }, { value: 'updates', label: 'updates (steps taken)' }]),
      h('div', { class: 'row buttons' }, button('Run again', () => void run(), { class: 'primary' })),
      h('p', { class: 'note' }, 'Each update computes the gradient of the mean squared error on one batch (descent.data.DataLoader, shuffled) and takes one optim.SGD step. The loss drawn is always the loss on all the points.'),
    ];
    const pathFigure = figure('Paths of (weight, bias) on the contours of the loss on all points');
    const lossFigure = figure('Loss on all points');
    const dataFigure = figure('The points and each run’s line');
    const legendHost = h('div');
    const results = table('Each run', ['batch size', 'updates', 'epochs', 'final loss', 'updates that raised the loss']);
    host.append(layout(controls, [legendHost, h('div', { class: 'pair' }, pathFigure.element, lossFigure.element), h('div', { class: 'pair' }, dataFigure.element, results.element)]));

    const pathPlot = new Plot(pathFigure.body, { title: 'Paths of weight and bias on the loss contours', x: { label: 'weight w' }, y: { label: 'bias b' }, aspect: 0.85 });
    const lossPlot = new Plot(lossFigure.body, { title: 'Loss on all points by epoch or update', x: { label: 'epochs' }, y: { label: 'mean squared error', log: true }, aspect: 0.85 });
    const dataPlot = new Plot(dataFigure.body, { title: 'The data points and the fitted lines', x: { label: 'x', domain: [-1, 1] }, y: { label: 'y' }, aspect: 0.7 });

    function change(key: string, value: ConfigValue): void {
      config = { ...config, [key]: coerce(defaults, key, value) };
      const samples = Math.max(2, Math.round(Number(config.samples)));
      config.batch = Math.min(Math.max(1, Math.round(Number(config.batch))), samples);
      batchSlider.querySelector('input')!.max = String(samples);
      form.set(config);
      context.setConfig(config);
      if (key === 'axis') draw();
      else rerun();
    }

    const sizes = () => {
      const samples = Number(config.samples);
      const chosen = Number(config.batch);
      return config.compare ? [...new Set([1, chosen, samples])].sort((a, b) => a - b) : [chosen];
    };

    function draw(): void {
      const samples = Number(config.samples);
      legendHost.replaceChildren(legend(runs.map((r) => ({ color: runColor(r.batchSize, samples), label: runLabel(r.batchSize, samples) }))));
      if (setup) pathPlot.setDomain(setup.w, setup.b);
      pathPlot.draw((plot) => {
        if (!setup) return;
        drawContours(plot, setup.contours);
        plot.dot(setup.best[0], setup.best[1], '#fff', 5, false);
        for (const r of runs) {
          plot.line(r.ws, r.bs, { color: runColor(r.batchSize, samples), width: r.batchSize === 1 ? 1 : 2, alpha: r.batchSize === 1 ? 0.8 : 1 });
          plot.dot(r.ws[r.ws.length - 1], r.bs[r.bs.length - 1], runColor(r.batchSize, samples));
        }
      });
      const byEpochs = config.axis === 'epochs';
      const xOf = (r: BatchRun) => (byEpochs ? r.seen.map((s) => s / samples) : r.seen.map((_, i) => i));
      lossPlot.options.x.label = byEpochs ? 'epochs' : 'updates';
      lossPlot.options.x.log = !byEpochs;
      lossPlot.setDomain(byEpochs ? [0, Number(config.epochs)] : [1, Math.max(10, ...runs.map((r) => r.seen.length))], extent(runs.flatMap((r) => r.losses), true));
      lossPlot.draw((plot) => {
        for (const r of runs) plot.line(xOf(r), r.losses, { color: runColor(r.batchSize, samples), width: r.batchSize === 1 ? 1 : 2 });
      });
      dataPlot.setDomain([-1, 1], setup ? extent(setup.ys) : [0, 1]);
      dataPlot.draw((plot) => {
        if (!setup) return;
        for (let i = 0; i < setup.xs.length; i++) plot.dot(setup.xs[i], setup.ys[i], '#9a9aa8', 2, false);
        for (const r of runs) {
          const [w, b] = [r.ws[r.ws.length - 1], r.bs[r.bs.length - 1]];
          plot.line([-1, 1], [b - w, b + w], { color: runColor(r.batchSize, samples), width: 2 });
        }
      });
    }

    function report(): void {
      const samples = Number(config.samples);
      results.body.replaceChildren(...runs.map((r) => {
        const updates = r.ws.length - 1;
        const uphill = uphillShare(r.losses);
        const loss = r.losses[r.losses.length - 1];
        return h('tr', { 'data-batch': r.batchSize, 'data-updates': updates, 'data-loss': loss, 'data-uphill': uphill },
          h('th', { scope: 'row' }, swatch(runColor(r.batchSize, samples)), String(r.batchSize)), h('td', {}, String(updates)),
          h('td', {}, formatValue(r.seen[r.seen.length - 1] / samples)), h('td', {}, formatValue(loss, 4)), h('td', {}, `${Math.round(uphill * 100)}%`));
      }));
    }

    function absorb(progress: BatchProgress): void {
      if (progress.kind === 'setup') {
        setup = { xs: progress.xs, ys: progress.ys, contours: contourLayer(progress.grid, progress.gridSize, 0), w: progress.w, b: progress.b, best: progress.best };
      } else {
        for (const next of progress.runs) {
          const r = runs.find((x) => x.batchSize === next.batchSize);
          if (!r) continue;
          r.ws.push(...next.ws);
          r.bs.push(...next.bs);
          r.losses.push(...next.losses);
          r.seen.push(...next.seen);
        }
        report();
      }
      draw();
    }

    async function run(): Promise<void> {
      const job: BatchConfig = {
        batchSizes: sizes(), samples: Number(config.samples), epochs: Math.max(1, Math.round(Number(config.epochs))), lr: Number(config.lr),
        momentum: Number(config.momentum), seed: 0, gridSize: GRID,
      };
      runs = job.batchSizes.map((batchSize) => ({ batchSize, ws: [], bs: [], losses: [], seen: [] }));
      draw();
      await runJob(context, runner, 'batch', job, `Training with batch sizes ${job.batchSizes.join(', ')} for ${job.epochs} epochs…`, absorb,
        () => `Done: ${job.epochs} epochs. ${runs.map((r) => `batch ${r.batchSize}: ${r.ws.length - 1} updates`).join(', ')}.`);
    }
    const rerun = debounce(() => void run(), 250);

    return runningView(config, (next) => {
      config = next;
      batchSlider.querySelector('input')!.max = String(config.samples);
      form.set(config);
    }, run);
  },
};
