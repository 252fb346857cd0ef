// Panel 1: optimizers racing on 2-D loss surfaces. Each chosen rule starts at the same point; the worker
// steps them all through descent's autograd and optimizers and streams their paths.
import type { Panel } from '../app/panel.js';
import type { Config, ConfigValue } from '../app/url-state.js';
import { Runner } from '../app/worker-client.js';
import type { PathChunk, SurfacesConfig, SurfacesProgress } from '../shared/jobs.js';
import { RULES } from '../shared/rules.js';
import { SURFACES, type SurfaceId, surfaceInfo } from '../shared/surfaces.js';
import { type ContourLayer, contourLayer, drawContours } from '../ui/contour.js';
import { Form, button, formatValue, h, table } from '../ui/dom.js';
import { Plot, extent } from '../ui/plot.js';
import { coerce, debounce, figure, layout, runJob, runningView, swatch } from './kit.js';

const GRID = 140;
const PACES = [{ value: '100', label: 'slow' }, { value: '400', label: 'normal' }, { value: '2000', label: 'fast' }, { value: '0', label: 'instant' }];
const SHOWN_BY_DEFAULT = new Set(['sgd', 'momentum', 'rmsprop', 'adam', 'lbfgs']);

const defaults: Config = { f: 'rosenbrock', x: -1.5, y: 2, steps: 1000, pace: 400 };
for (const rule of RULES) {
  defaults[rule.id] = SHOWN_BY_DEFAULT.has(rule.id);
  for (const [key, value] of Object.entries(rule.defaults)) defaults[`${rule.id}.${key}`] = value;
}

export const surfacesPanel: Panel = {
  id: 'surfaces',
  title: 'Optimizers on loss surfaces',
  lead: 'Pick a surface and some update rules, click to set the start, and watch their paths race to the minimum.',
  defaults,
  mount(host, context) {
    let config: Config = { ...context.config };
    let layer: { surface: string; contours: ContourLayer } | null = null;
    let paths: PathChunk[] = []; // each rule's whole path so far
    const runner = new Runner(context.worker);

    const form = new Form((key, value) => change(key, value));
    const formula = h('p', { class: 'formula' });
    const note = h('p', { class: 'note' });
    const ruleRows = RULES.map((rule) => h('div', { class: 'rule', 'data-rule': rule.id },
      h('div', { class: 'rule-name' }, swatch(rule.color), form.checkbox(rule.id, rule.label)),
      h('div', { class: 'rule-options' }, ...rule.options.map((o) => form.number(`${rule.id}.${o.key}`, { label: o.label, min: o.min, max: o.max }))),
    ));
    const controls = [
      form.select('f', 'Loss surface', SURFACES.map((s) => ({ value: s.id, label: s.label }))), formula, note,
      h('div', { class: 'row' }, form.number('x', { label: 'start x' }), form.number('y', { label: 'start y' })),
      h('div', { class: 'row' }, form.number('steps', { label: 'steps', min: 1, max: 20000, step: 1 }), form.select('pace', 'speed', PACES)),
      h('div', { class: 'row buttons' }, button('Run again', () => run(), { class: 'primary' }), button('Stop', () => runner.stop())),
      h('fieldset', { class: 'rules' }, h('legend', {}, 'Update rules (descent.optim)'), ...ruleRows),
    ];
    const surfaceFigure = figure('Paths on the loss surface (click to start there; or focus it, move the start with the arrow keys and press Enter)');
    const lossFigure = figure('Loss above the minimum, by step (log scale)');
    const results = table('Where each rule got to', ['rule', 'steps', 'x', 'y', 'loss', 'to the nearest minimum', 'status']);
    host.append(layout(controls, [h('div', { class: 'pair' }, surfaceFigure.element, lossFigure.element), results.element]));

    const surfacePlot = new Plot(surfaceFigure.body, { title: 'Contour plot of the loss surface with each rule’s path', x: { label: 'x' }, y: { label: 'y' }, aspect: 1, maxHeight: 560 });
    const lossPlot = new Plot(lossFigure.body, { title: 'Loss minus the minimum value, by step, for each rule', x: { label: 'step' }, y: { label: 'loss − minimum', log: true }, aspect: 1, maxHeight: 560 });
    surfacePlot.canvas.tabIndex = 0;

    const info = () => surfaceInfo(String(config.f));
    const chosen = () => RULES.filter((r) => config[r.id] === true);

    function setStart(x: number, y: number): void {
      config = { ...config, x: Number(x.toPrecision(4)), y: Number(y.toPrecision(4)) };
      form.set(config);
      context.setConfig(config);
      run();
    }

    surfacePlot.canvas.addEventListener('click', (event) => setStart(...surfacePlot.toData(event.clientX, event.clientY)));
    surfacePlot.canvas.addEventListener('keydown', (event) => {
      const s = info();
      const [dx, dy] = [(s.x[1] - s.x[0]) / 50, (s.y[1] - s.y[0]) / 50];
      const move = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] }[event.key];
      if (event.key === 'Enter') run();
      if (!move) return;
      event.preventDefault();
      config = { ...config, x: Number((Number(config.x) + move[0]).toPrecision(4)), y: Number((Number(config.y) + move[1]).toPrecision(4)) };
      form.set(config);
      context.setConfig(config);
      draw(); // the start moves; Enter runs from it
    });

    function change(key: string, value: ConfigValue): void {
      config = { ...config, [key]: coerce(defaults, key, value) };
      if (key === 'f') [config.x, config.y] = info().start;
      form.set(config);
      context.setConfig(config);
      describe();
      rerun();
    }

    function describe(): void {
      formula.textContent = `f(x, y) = ${info().formula}`;
      note.textContent = info().note;
    }

    const distance = (x: number, y: number) => Math.min(...info().minima.map(([mx, my]) => Math.hypot(x - mx, y - my)));

    function draw(): void {
      const s = info();
      surfacePlot.setDomain(s.x, s.y);
      surfacePlot.options.aspect = (s.y[1] - s.y[0]) / (s.x[1] - s.x[0]); // one unit is as long on both axes
      surfacePlot.draw((plot) => {
        if (layer?.surface === s.id) drawContours(plot, layer.contours);
        for (const [mx, my] of s.minima) plot.dot(mx, my, '#fff', 5, false);
        for (const path of paths) {
          const rule = RULES.find((r) => r.id === path.id)!;
          plot.line(path.xs, path.ys, { color: rule.color, width: 2 });
          const last = path.xs.length - 1;
          if (last >= 0) plot.dot(path.xs[last], path.ys[last], rule.color, 4.5);
        }
        plot.dot(Number(config.x), Number(config.y), '#111', 5);
      });
      const steps = paths.flatMap((p) => p.losses.map((_, i) => i));
      lossPlot.setDomain([0, Math.max(10, ...steps)], extent(paths.flatMap((p) => p.losses.map((l) => l - s.minValue)), true));
      lossPlot.draw((plot) => {
        for (const path of paths) {
          const rule = RULES.find((r) => r.id === path.id)!;
          plot.line(path.losses.map((_, i) => i), path.losses.map((l) => l - s.minValue), { color: rule.color, width: 1.8 });
        }
      });
    }

    function report(): void {
      results.body.replaceChildren(...paths.map((path) => {
        const rule = RULES.find((r) => r.id === path.id)!;
        const last = path.xs.length - 1;
        const [x, y, loss] = [path.xs[last], path.ys[last], path.losses[last]];
        const d = distance(x, y);
        const status = path.status === 'diverged' ? `diverged at step ${path.endStep}` : path.status === 'converged' ? `converged at step ${path.endStep}` : path.status;
        return h('tr', { 'data-rule': path.id, 'data-status': path.status, 'data-x': x, 'data-y': y, 'data-loss': loss, 'data-distance': d, 'data-steps': last, 'data-end-step': path.endStep },
          h('th', { scope: 'row' }, swatch(rule.color), rule.label), h('td', {}, String(last)), h('td', {}, formatValue(x, 4)), h('td', {}, formatValue(y, 4)),
          h('td', {}, formatValue(loss)), h('td', {}, formatValue(d)), h('td', { class: `status-${path.status}` }, status));
      }));
    }

    function absorb(progress: SurfacesProgress): void {
      if (progress.kind === 'grid') {
        layer = { surface: String(config.f), contours: contourLayer(progress.values, progress.size, info().minValue) };
      } else {
        for (const chunk of progress.chunks) merge(chunk);
        report();
      }
      draw();
    }

    function merge(chunk: PathChunk): void {
      const path = paths.find((p) => p.id === chunk.id);
      if (!path) return;
      path.xs.push(...chunk.xs);
      path.ys.push(...chunk.ys);
      path.losses.push(...chunk.losses);
      path.status = chunk.status;
      path.endStep = chunk.endStep;
    }

    async function run(): Promise<void> {
      const s = info();
      const rules = chosen().map((r) => ({ id: r.id, options: Object.fromEntries(r.options.map((o) => [o.key, Number(config[`${r.id}.${o.key}`])])) }));
      paths = rules.map((r) => ({ id: r.id, xs: [], ys: [], losses: [], status: 'running' }));
      const job: SurfacesConfig = {
        surface: s.id as SurfaceId, start: [Number(config.x), Number(config.y)], steps: Math.max(1, Math.round(Number(config.steps))), rules,
        pace: Number(config.pace), gridSize: layer?.surface === s.id ? 0 : GRID,
      };
      report();
      draw();
      await runJob(context, runner, 'surfaces', job, `Running ${rules.length} rules on ${s.label} from (${job.start.join(', ')})…`, absorb, (result: { steps: number }) => {
        const diverged = paths.filter((p) => p.status === 'diverged').map((p) => RULES.find((r) => r.id === p.id)!.label);
        return `Done: ${result.steps} steps on ${s.label}.${diverged.length ? ` Diverged: ${diverged.join(', ')}.` : ''}`;
      });
    }
    const rerun = debounce(() => void run(), 250);

    return runningView(config, (next) => {
      config = next;
      form.set(config);
      describe();
    }, run);
  },
};
