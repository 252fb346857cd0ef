// Panel 4: vanishing and exploding gradients. A deep MLP trains while descent's GradientMonitor measures
// every layer's gradient norm at every step; the heatmap shows them layer by layer, so each fix
// (He initialization, ReLU, batch norm, residual connections) is visible as the colors even out.
import type { Panel } from '../app/panel.js';
import type { Config, ConfigValue } from '../app/url-state.js';
import { Runner } from '../app/worker-client.js';
import type { GradientsConfig, GradientsProgress, GradientsRecord, GradientsResult } from '../shared/jobs.js';
import { css, heatmapImage, viridis } from '../ui/colors.js';
import { Form, button, formatValue, h } from '../ui/dom.js';
import { Plot, extent } from '../ui/plot.js';
import { coerce, debounce, figure, layout, legend, runJob, runningView } from './kit.js';

const defaults: Config = { depth: 20, width: 32, act: 'sigmoid', init: 'normal', bn: false, res: false, lr: 0.05, steps: 150 };
const PRESETS: { label: string; config: Config }[] = [
  { label: 'The problem: sigmoid, naive init', config: { act: 'sigmoid', init: 'normal', bn: false, res: false } },
  { label: 'Fix 1: He init + ReLU', config: { act: 'relu', init: 'he', bn: false, res: false } },
  { label: 'Fix 2: + batch norm', config: { act: 'relu', init: 'he', bn: true, res: false } },
  { label: 'Fix 3: + residual connections', config: { act: 'relu', init: 'he', bn: true, res: true } },
];
const LOG_RANGE: [number, number] = [-8, 2]; // heatmap colors: gradient norms from 1e-8 to 1e2
const VANISHING = 1e-3; // first layer's gradient below this fraction of the last layer's
const EXPLODING = 1e3;

export type Verdict = 'vanishing' | 'exploding' | 'healthy';

/**
 * How gradients flow through the net: the median over steps of (first layer's gradient norm / last
 * layer's); vanishing below 1e-3, exploding above 1e3 or when a norm or the loss is not finite.
 */
export function gradientVerdict(records: GradientsRecord[]): { verdict: Verdict; ratio: number } {
  if (records.length === 0) return { verdict: 'healthy', ratio: NaN };
  const broken = records.some((r) => !Number.isFinite(r.loss) || r.norms.some((n) => !Number.isFinite(n)));
  const ratios = records.map((r) => r.norms[0] / r.norms[r.norms.length - 1]).filter(Number.isFinite).sort((a, b) => a - b);
  const ratio = ratios.length ? ratios[Math.floor(ratios.length / 2)] : NaN;
  if (broken || ratio > EXPLODING || records.some((r) => r.norms.some((n) => n > 1e6))) return { verdict: 'exploding', ratio };
  return { verdict: ratio < VANISHING ? 'vanishing' : 'healthy', ratio };
}

const VERDICT_TEXT: Record<Verdict, string> = {
  vanishing: 'Vanishing gradients: the first layers get almost no gradient, so they barely learn.',
  exploding: 'Exploding gradients: the norms blow up (or overflow), so the steps are wild.',
  healthy: 'Healthy: every layer gets a gradient of a similar size.',
};

export const gradientsPanel: Panel = {
  id: 'gradients',
  title: 'Vanishing and exploding gradients',
  lead: 'A deep network trains while every layer’s gradient norm is measured at every step: watch them vanish, explode, or stay healthy.',
  defaults,
  mount(host, context) {
    let config: Config = { ...context.config };
    let layers: string[] = [];
    let records: GradientsRecord[] = [];
    let warnings: string[] = [];
    const runner = new Runner(context.worker);
    const form = new Form((key, value) => change({ [key]: value }));
    const verdictBox = h('div', { class: 'verdict', 'aria-live': 'polite' });
    const warningList = h('ul', { class: 'warnings' });
    const controls = [
      form.range('depth', { label: 'depth (hidden layers)', min: 2, max: 40 }),
      form.select('act', 'activation', [{ value: 'sigmoid', label: 'sigmoid' }, { value: 'tanh', label: 'tanh' }, { value: 'relu', label: 'ReLU' }, { value: 'gelu', label: 'GELU' }]),
      form.select('init', 'initialization', [{ value: 'normal', label: 'naive normal, N(0, 1)' }, { value: 'xavier', label: 'Xavier (Glorot) normal' }, { value: 'he', label: 'He (Kaiming) normal' }]),
      form.checkbox('bn', 'batch norm after each hidden Linear'),
      form.checkbox('res', 'residual connections (x + block(x))'),
      h('div', { class: 'row' }, form.number('lr', { label: 'lr (SGD, momentum 0.9)', min: 0, max: 10 }), form.number('steps', { label: 'steps', min: 1, max: 2000, step: 1 })),
      h('fieldset', {}, h('legend', {}, 'Presets'), h('div', { class: 'presets' }, ...PRESETS.map((p) => button(p.label, () => change(p.config), { class: 'quiet' })))),
      h('div', { class: 'row buttons' }, button('Run again', () => void run(), { class: 'primary' }), button('Stop', () => runner.stop())),
    ];
    const heatFigure = figure('Gradient norm of each layer’s weights at each step (GradientMonitor); layer 1 is the input layer');
    const colorBar = h('div', { class: 'colorbar', 'aria-hidden': 'true' },
      h('span', { style: `background: linear-gradient(to right, ${Array.from({ length: 9 }, (_, i) => css(viridis(i / 8))).join(', ')})` }),
      h('small', {}, `10${sup(LOG_RANGE[0])} (vanished)`), h('small', {}, `10${sup(LOG_RANGE[1])} and more`));
    heatFigure.element.append(colorBar);
    const profileFigure = figure('Gradient norm by layer: first step and latest step (log scale)');
    profileFigure.element.append(legend([{ color: '#9a9aa8', label: 'step 1' }, { color: '#4363d8', label: 'latest step' }]));
    const lossFigure = figure('Training loss (cross-entropy, two spirals)');
    host.append(layout(controls, [verdictBox, heatFigure.element, h('div', { class: 'pair' }, profileFigure.element, lossFigure.element), warningList]));
    const heatPlot = new Plot(heatFigure.body, { title: 'Heatmap of gradient norms, layers by steps', x: { label: 'step' }, y: { label: 'layer' }, aspect: 0.42, left: 40 });
    const profilePlot = new Plot(profileFigure.body, { title: 'Gradient norm of each layer at the first and latest steps', x: { label: 'layer' }, y: { label: 'gradient norm', log: true }, aspect: 0.7 });
    const lossPlot = new Plot(lossFigure.body, { title: 'Training loss by step', x: { label: 'step' }, y: { label: 'loss' }, aspect: 0.7 });

    function change(patch: Record<string, ConfigValue>): void {
      for (const [key, value] of Object.entries(patch)) config = { ...config, [key]: coerce(defaults, key, value) };
      form.set(config);
      context.setConfig(config);
      rerun();
    }

    function draw(): void {
      const count = layers.length;
      const steps = Math.max(1, Number(config.steps));
      heatPlot.setDomain([0.5, steps + 0.5], [0.5, Math.max(1, count) + 0.5]);
      heatPlot.draw((plot) => {
        if (!records.length || !count) return;
        // one column per step, one row per layer, the input layer at the bottom
        const values = new Float32Array(steps * count).fill(NaN);
        for (const r of records) r.norms.forEach((n, layer) => (values[(count - 1 - layer) * steps + r.step - 1] = Math.log10(n)));
        const image = heatmapImage(values, steps, count, (v) => (v - LOG_RANGE[0]) / (LOG_RANGE[1] - LOG_RANGE[0]));
        plot.image(image, false);
      });
      const first = records[0];
      const last = records[records.length - 1];
      profilePlot.setDomain([1, Math.max(2, count)], extent(records.flatMap((r) => r.norms), true));
      profilePlot.draw((plot) => {
        const layerIndex = layers.map((_, i) => i + 1);
        if (first) plot.line(layerIndex, first.norms, { color: '#9a9aa8', width: 2 });
        if (last) plot.line(layerIndex, last.norms, { color: '#4363d8', width: 2.5 });
      });
      lossPlot.setDomain([0, steps], extent(records.map((r) => r.loss)));
      lossPlot.draw((plot) => plot.line(records.map((r) => r.step), records.map((r) => r.loss), { color: '#e6194b', width: 2 }));
      const { verdict, ratio } = gradientVerdict(records);
      verdictBox.dataset.verdict = records.length ? verdict : '';
      verdictBox.dataset.ratio = String(ratio);
      verdictBox.dataset.steps = String(records.length);
      verdictBox.className = `verdict verdict-${verdict}`;
      verdictBox.replaceChildren(
        h('strong', {}, records.length ? VERDICT_TEXT[verdict] : 'Measuring…'),
        records.length && Number.isFinite(ratio) ? ` The input layer’s gradient is ${formatValue(ratio, 2)} × the output layer’s (median over ${records.length} steps).` : '',
      );
      warningList.replaceChildren(...warnings.map((w) => h('li', {}, `GradientMonitor: ${w}`)));
    }

    function absorb(progress: GradientsProgress): void {
      if (progress.kind === 'layers') layers = progress.names;
      else {
        records.push(...progress.records);
        warnings = progress.warnings;
      }
      draw();
    }

    async function run(): Promise<void> {
      const job: GradientsConfig = {
        depth: Math.round(Number(config.depth)), width: Math.round(Number(config.width)), activation: String(config.act) as GradientsConfig['activation'],
        init: String(config.init) as GradientsConfig['init'], batchNorm: config.bn === true, residual: config.res === true, lr: Number(config.lr),
        steps: Math.max(1, Math.round(Number(config.steps))), seed: 0,
      };
      records = [];
      warnings = [];
      layers = [];
      draw();
      const message = `Training a ${job.depth}-layer ${job.activation} network (${job.init} init${job.batchNorm ? ', batch norm' : ''}${job.residual ? ', residual' : ''})…`;
      await runJob(context, runner, 'gradients', job, message, absorb, (result: GradientsResult) => {
        const stopped = result.stopReason && !result.stopReason.startsWith('reached') ? ` Training stopped: ${result.stopReason.replace(/\.$/, '')}.` : '';
        return `Done: ${records.length} steps, ${gradientVerdict(records).verdict} gradients.${stopped}`;
      });
    }
    const rerun = debounce(() => void run(), 250);

    return runningView(config, (next) => {
      config = next;
      form.set(config);
    }, run);
  },
};

function sup(n: number): string {
  const digits: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
  return [...String(n)].map((c) => digits[c] ?? c).join('');
}
