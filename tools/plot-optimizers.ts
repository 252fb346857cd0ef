// Races the update rules on the Rosenbrock function and an ill-conditioned quadratic, with descent itself,
// and renders docs/img/optim-race.svg (paths over the loss landscape) and docs/img/optim-loss.svg (loss per
// step) with Vega-Lite. Run: npx tsc -p tools/plot-optimizers.tsconfig.json && node build/tools/plot-optimizers.js
import { writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { type Tensor, optim, tensor } from '../src/index.js';

type Fn = (xy: Tensor) => Tensor;
interface Problem {
  name: string;
  f: Fn;
  start: [number, number];
  x: [number, number];
  y: [number, number];
  steps: number;
}

const rosenbrock: Fn = (xy) => {
  const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
  return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
};
const quadratic: Fn = (xy) => xy.pow(2).mul(tensor([0.5, 25], { dtype: 'float64' })).sum();

const PROBLEMS: Problem[] = [
  { name: 'Rosenbrock (1-x)² + 100(y-x²)²', f: rosenbrock, start: [-1.5, 2], x: [-2, 2], y: [-1, 3], steps: 1000 },
  { name: 'Ill-conditioned quadratic ½(x² + 50y²)', f: quadratic, start: [-1.8, 1.2], x: [-2, 2], y: [-1.5, 1.5], steps: 300 },
];

type Make = (p: Tensor[], problem: Problem) => optim.Optimizer<optim.BaseOptions, optim.ParamState>;
const rosen = (p: Problem) => p.f === rosenbrock;
const RULES: Record<string, Make> = {
  SGD: (p, pr) => new optim.SGD(p, { lr: rosen(pr) ? 1e-3 : 0.035 }),
  'SGD + Nesterov': (p, pr) => new optim.SGD(p, { lr: rosen(pr) ? 2e-4 : 0.01, momentum: 0.9, nesterov: true }),
  Adagrad: (p) => new optim.Adagrad(p, { lr: 0.5 }),
  RMSprop: (p) => new optim.RMSprop(p, { lr: 0.01 }),
  Adam: (p) => new optim.Adam(p, { lr: 0.05 }),
  NAdam: (p) => new optim.NAdam(p, { lr: 0.05 }),
  Lion: (p) => new optim.Lion(p, { lr: 0.01 }),
  AdamWScheduleFree: (p) => new optim.AdamWScheduleFree(p, { lr: 0.1 }) as unknown as optim.Optimizer<optim.BaseOptions, optim.ParamState>,
  'L-BFGS': (p) => new optim.LBFGS(p, { maxIter: 1, lineSearchFn: 'strongWolfe' }),
};

interface Point { rule: string; problem: string; step: number; x: number; y: number; loss: number }

function race(problem: Problem): Point[] {
  const points: Point[] = [];
  for (const [rule, make] of Object.entries(RULES)) {
    const xy = tensor(problem.start, { dtype: 'float64', requiresGrad: true });
    const opt = make([xy], problem);
    const record = (step: number) => {
      const loss = problem.f(xy).item();
      points.push({ rule, problem: problem.name, step, x: xy.data[0], y: xy.data[1], loss: Math.max(loss, 1e-12) });
    };
    record(0);
    for (let s = 1; s <= problem.steps; s++) {
      opt.step(() => {
        opt.zeroGrad();
        const l = problem.f(xy);
        l.backward();
        return l;
      });
      record(s);
    }
  }
  return points;
}

function landscape(problem: Problem, n = 24): Array<{ x: number; y: number; x2: number; y2: number; logf: number }> {
  const cells = [];
  const [dx, dy] = [(problem.x[1] - problem.x[0]) / n, (problem.y[1] - problem.y[0]) / n];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [x, y] = [problem.x[0] + i * dx, problem.y[0] + j * dy];
      const f = problem.f(tensor([x + dx / 2, y + dy / 2], { dtype: 'float64' })).item();
      cells.push({ x: Number(x.toFixed(4)), y: Number(y.toFixed(4)), x2: Number((x + dx).toFixed(4)), y2: Number((y + dy).toFixed(4)), logf: Number(Math.log10(f + 1e-3).toFixed(2)) });
    }
  }
  return cells;
}

async function render(spec: vl.TopLevelSpec, file: string): Promise<void> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  writeFileSync(file, await view.toSVG());
  console.log('wrote', file);
}

const color = { field: 'rule', type: 'nominal', title: 'rule', scale: { scheme: 'tableau10' } } as const;

async function main(): Promise<void> {
  const all = PROBLEMS.map((p) => ({ problem: p, points: race(p) }));
  const pathPanels = all.map(({ problem, points }) => {
    const inBox = points.filter((q) => q.x >= problem.x[0] && q.x <= problem.x[1] && q.y >= problem.y[0] && q.y <= problem.y[1]);
    const xScale = { domain: problem.x, nice: false };
    const yScale = { domain: problem.y, nice: false };
    return {
      title: problem.name,
      width: 380,
      height: 300,
      layer: [
        {
          data: { values: landscape(problem) },
          mark: { type: 'rect', stroke: null },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: xScale, title: 'x' },
            x2: { field: 'x2' },
            y: { field: 'y', type: 'quantitative', scale: yScale, title: 'y' },
            y2: { field: 'y2' },
            color: { field: 'logf', type: 'quantitative', scale: { scheme: 'greys' }, legend: null },
          },
        },
        {
          data: { values: inBox.filter((q) => q.step < 100 || q.step % 5 === 0).map(({ rule, step, x, y }) => ({ rule, step, x: Number(x.toFixed(3)), y: Number(y.toFixed(3)) })) },
          mark: { type: 'line', strokeWidth: 1.6, clip: true },
          encoding: { x: { field: 'x', type: 'quantitative', scale: xScale }, y: { field: 'y', type: 'quantitative', scale: yScale }, order: { field: 'step' }, color },
        },
        {
          data: { values: [{ x: problem.f === rosenbrock ? 1 : 0, y: problem.f === rosenbrock ? 1 : 0 }] },
          mark: { type: 'point', shape: 'cross', size: 120, color: 'black', filled: true },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
      ],
    };
  });
  await render({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', hconcat: pathPanels, resolve: { scale: { color: 'independent' } }, background: 'white' } as vl.TopLevelSpec, 'docs/img/optim-race.svg');

  const lossPanels = all.map(({ problem, points }) => ({
    title: `${problem.name}: loss per step`,
    width: 380,
    height: 260,
    data: { values: points.filter((q) => q.step % (problem.steps / 100) === 0).map(({ rule, step, loss }) => ({ rule, step, loss: Number(loss.toPrecision(4)) })) },
    mark: { type: 'line', strokeWidth: 1.6 },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, axis: { format: '.0e' } },
      color,
    },
  }));
  await render({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', hconcat: lossPanels, background: 'white' } as vl.TopLevelSpec, 'docs/img/optim-loss.svg');

  for (const { problem, points } of all) {
    const finals = Object.keys(RULES).map((r) => `${r}: ${points.filter((q) => q.rule === r).at(-1)!.loss.toExponential(2)}`);
    console.log(`${problem.name} after ${problem.steps} steps -> ${finals.join(', ')}`);
  }
}

await main();
