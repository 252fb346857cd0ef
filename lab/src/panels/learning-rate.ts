// Panel 3: the learning rate. The same network fitted with SGD at a rate too small, about right and too
// large; the learning-rate finder's sweep and its suggestion; the schedules as curves.
import type { Panel } from '../app/panel.js';
import type { Config, ConfigValue } from '../app/url-state.js';
import { Runner } from '../app/worker-client.js';
import type { LrConfig, LrProgress, LrRun, ScheduleId } from '../shared/jobs.js';
import { Form, button, formatValue, h } from '../ui/dom.js';
import { Plot, extent } from '../ui/plot.js';
import { coerce, debounce, figure, layout, legend, runJob, runningView } from './kit.js';

const defaults: Config = { small: 0.01, right: 0.1, large: 0.5, steps: 300, schedule: 'constant' };
const RUNS = [
  { key: 'small', title: 'Too small', color: '#f58231' },
  { key: 'right', title: 'About right', color: '#3cb44b' },
  { key: 'large', title: 'Too large', color: '#e6194b' },
] as const;
const SCHEDULES: { id: ScheduleId; label: string; color: string; code: string }[] = [
  { id: 'constant', label: 'constant', color: '#9a9aa8', code: 'no scheduler' },
  { id: 'step', label: 'StepLR', color: '#911eb4', code: 'new StepLR(opt, steps / 3, 0.3)' },
  { id: 'cosine', label: 'CosineAnnealingLR', color: '#4363d8', code: 'new CosineAnnealingLR(opt, steps)' },
  { id: 'onecycle', label: 'OneCycleLR', color: '#f58231', code: 'new OneCycleLR(opt, lr, { totalSteps: steps + 1 })' },
  { id: 'warmup', label: 'warmup, then cosine', color: '#3cb44b', code: 'new SequentialLR(opt, [new LinearLR(opt, 0.01, 1, steps / 10), new CosineAnnealingLR(opt, 0.9 * steps)], [steps / 10])' },
];

interface Finder {
  lrs: number[];
  losses: number[];
  smoothed: number[];
  suggestion: number;
  stopReason: string;
}

export const learningRatePanel: Panel = {
  id: 'learning-rate',
  title: 'The learning rate',
  lead: 'The same network fitted three times with plain SGD: a rate too small crawls, the right one converges, a rate too large diverges.',
  defaults,
  mount(host, context) {
    let config: Config = { ...context.config };
    let data: { xs: number[]; ys: number[]; fitX: number[] } | null = null;
    let runs: LrRun[] = [];
    let finder: Finder | null = null;
    let schedules: { id: ScheduleId; lrs: number[] }[] = [];
    const runner = new Runner(context.worker);
    const form = new Form((key, value) => change(key, value));

    const cards = RUNS.map((spec, i) => {
      const fit = figure('the points and the network’s curve');
      const loss = figure('training loss (log scale)');
      const status = h('p', { class: 'run-status', 'aria-live': 'polite' });
      const element = h('div', { class: 'card', 'data-run': spec.key }, h('h3', {}, spec.title), form.number(spec.key, { label: 'learning rate', min: 0, max: 100 }), fit.element, loss.element, status);
      const fitPlot = new Plot(fit.body, { title: `${spec.title}: data and fitted curve`, x: { label: 'x', domain: [-2, 2] }, y: { label: 'y', domain: [-1.6, 1.6] }, aspect: 0.7, left: 34 });
      const lossPlot = new Plot(loss.body, { title: `${spec.title}: training loss by step`, x: { label: 'step' }, y: { label: 'loss', log: true }, aspect: 0.7, left: 40 });
      return { spec, index: i, element, fitPlot, lossPlot, status };
    });
    const finderFigure = figure('The learning-rate finder: loss while the rate grows exponentially (dt.train.lrFind)');
    const finderNote = h('p', { class: 'note', 'aria-live': 'polite' });
    const useSuggestion = button('Use the suggestion as “about right”', () => finder && change('right', Number(finder.suggestion.toPrecision(2))), { disabled: true });
    const scheduleFigure = figure('Learning-rate schedules (descent.optim.lrScheduler), as a fraction of the base rate');
    const scheduleCode = h('code', { class: 'formula' });
    const controls = [
      form.number('steps', { label: 'steps', min: 10, max: 5000, step: 1 }),
      form.select('schedule', 'schedule for the three runs', SCHEDULES.map((s) => ({ value: s.id, label: s.label }))), scheduleCode,
      h('div', { class: 'row buttons' }, button('Run again', () => void run(), { class: 'primary' })),
      h('p', { class: 'note' }, 'The network: Linear(1, 32), Tanh, Linear(32, 1), fitted to noisy points of sin(1.5x) by optim.SGD on the mean squared error, from the same initial weights in every run.'),
      finderNote, useSuggestion,
    ];
    host.append(layout(controls, [
      h('div', { class: 'triple' }, ...cards.map((c) => c.element)),
      h('div', { class: 'pair' }, finderFigure.element, scheduleFigure.element),
    ]));
    const finderPlot = new Plot(finderFigure.body, { title: 'Loss against learning rate during the range test, with the suggested rate', x: { label: 'learning rate', log: true }, y: { label: 'loss', log: true }, aspect: 0.7 });
    scheduleFigure.element.append(legend(SCHEDULES.map((s) => ({ color: s.color, label: s.label }))));
    const schedulePlot = new Plot(scheduleFigure.body, { title: 'Each schedule’s learning rate by step', x: { label: 'step' }, y: { label: 'lr / base lr', domain: [0, 1.05] }, aspect: 0.7 });

    function change(key: string, value: ConfigValue): void {
      config = { ...config, [key]: coerce(defaults, key, value) };
      form.set(config);
      context.setConfig(config);
      rerun();
    }

    function draw(): void {
      for (const card of cards) {
        const r = runs[card.index];
        card.fitPlot.draw((plot) => {
          if (!data) return;
          for (let i = 0; i < data.xs.length; i++) plot.dot(data.xs[i], data.ys[i], '#9a9aa8', 2, false);
          if (r) plot.line(data.fitX, r.fit, { color: card.spec.color, width: 2.5 });
        });
        card.lossPlot.setDomain([0, Number(config.steps)], extent(runs.flatMap((x) => x.losses), true));
        card.lossPlot.draw((plot) => r && plot.line(r.losses.map((_, i) => i + 1), r.losses, { color: card.spec.color, width: 2 }));
        const status = !r ? '' : r.status === 'diverged' ? `Diverged at step ${r.endStep}: the loss went past 10⁶.` : `${r.status === 'running' ? 'Step' : 'After'} ${r.losses.length} steps: loss ${formatValue(r.losses[r.losses.length - 1] ?? NaN)}.`;
        card.status.textContent = status;
        card.element.dataset.status = r?.status ?? 'idle';
        card.element.dataset.finalLoss = String(r?.losses[r.losses.length - 1] ?? '');
        card.element.dataset.endStep = String(r?.endStep ?? '');
      }
      if (finder) finderPlot.setDomain(extent(finder.lrs, true), extent(finder.smoothed.concat(finder.losses), true));
      finderPlot.draw((plot) => {
        if (!finder) return;
        plot.line(finder.lrs, finder.losses, { color: '#9a9aa8', width: 1 });
        plot.line(finder.lrs, finder.smoothed, { color: '#4363d8', width: 2.5 });
        plot.vline(finder.suggestion, { color: '#e6194b', width: 1.5, dash: [5, 4] });
        plot.text(`suggestion ${formatValue(finder.suggestion, 2)}`, finder.suggestion, plot.domains.y[1], '#e6194b');
      });
      scheduleCode.textContent = SCHEDULES.find((s) => s.id === config.schedule)?.code ?? '';
      const steps = schedules[0]?.lrs.length ?? 1;
      schedulePlot.setDomain([0, steps], [0, 1.05]);
      schedulePlot.draw((plot) => {
        for (const s of schedules) {
          const spec = SCHEDULES.find((x) => x.id === s.id)!;
          const selected = s.id === config.schedule;
          plot.line(s.lrs.map((_, i) => i), s.lrs, { color: spec.color, width: selected ? 3.5 : 1.5, alpha: selected ? 1 : 0.6 });
        }
      });
    }

    function absorb(progress: LrProgress): void {
      if (progress.kind === 'data') data = progress;
      else if (progress.kind === 'runs') runs = progress.runs;
      else if (progress.kind === 'schedules') schedules = progress.curves;
      else {
        finder = progress;
        finderNote.textContent = `The finder suggests lr ≈ ${formatValue(progress.suggestion, 2)}, where the smoothed loss falls fastest (${progress.stopReason}). Rates near the bottom of the curve are the fastest that still learn; past it, training diverges.`;
        finderNote.dataset.suggestion = String(progress.suggestion);
        useSuggestion.disabled = false;
      }
      draw();
    }

    async function run(): Promise<void> {
      const job: LrConfig = {
        lrs: [Number(config.small), Number(config.right), Number(config.large)], steps: Math.max(10, Math.round(Number(config.steps))),
        schedule: String(config.schedule) as ScheduleId, seed: 0,
      };
      runs = [];
      finder = null;
      useSuggestion.disabled = true;
      draw();
      await runJob(context, runner, 'learningRate', job, 'Training three networks, then sweeping the learning rate…', absorb,
        () => `Done: ${runs.map((r, i) => `${RUNS[i].title.toLowerCase()} (lr ${r.lr}) ${r.status === 'diverged' ? `diverged at step ${r.endStep}` : `reached loss ${formatValue(r.losses[r.losses.length - 1])}`}`).join('; ')}.`);
    }
    const rerun = debounce(() => void run(), 250);

    return runningView(config, (next) => {
      config = next;
      form.set(config);
    }, run);
  },
};
