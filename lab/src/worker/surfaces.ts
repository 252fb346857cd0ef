// The loss-surface race: each chosen rule minimizes the 2-D function from the same start, one step at a
// time through descent's autograd and optimizers; the page gets the paths in chunks as they grow.
import * as dt from 'descent';
import type { PathChunk, RunStatus, SurfacesConfig, SurfacesProgress } from '../shared/jobs.js';
import { type SurfaceId, surfaceInfo } from '../shared/surfaces.js';
import { type Job, pacer } from './job.js';
import { makeOptimizer } from './rules.js';

type Formula = (x: dt.Tensor, y: dt.Tensor) => dt.Tensor;

/** Elementwise in x and y: the same formula draws the contour grid and gives each step's loss. */
export const FORMULAS: Record<SurfaceId, Formula> = {
  rosenbrock: (x, y) => dt.sub(1, x).square().add(y.sub(x.square()).square().mul(100)),
  quadratic: (x, y) => x.square().mul(0.5).add(y.square().mul(10)),
  beale: (x, y) => dt.sub(1.5, x).add(x.mul(y)).square()
    .add(dt.sub(2.25, x).add(x.mul(y.square())).square())
    .add(dt.sub(2.625, x).add(x.mul(y.pow(3))).square()),
  himmelblau: (x, y) => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square()),
  saddle: (x, y) => x.square().add(y.pow(4).div(4)).sub(y.square()),
  rastrigin: (x, y) => x.square().sub(x.mul(2 * Math.PI).cos().mul(10)).add(y.square().sub(y.mul(2 * Math.PI).cos().mul(10))).add(20),
};

/** The function on a size x size grid over the plot box, row by row from the top (largest y). */
export function surfaceGrid(id: SurfaceId, size: number): Float32Array {
  const info = surfaceInfo(id);
  const xs = dt.linspace(info.x[0], info.x[1], size).unsqueeze(0).expand([size, size]);
  const ys = dt.linspace(info.y[1], info.y[0], size).unsqueeze(1).expand([size, size]);
  return dt.noGrad(() => FORMULAS[id](xs, ys)).dataSync() as Float32Array;
}

interface Racer {
  id: string;
  p: dt.Tensor;
  opt: dt.optim.Optimizer;
  closure: () => dt.Tensor;
  status: RunStatus;
  endStep?: number;
  still: number;
  chunk: PathChunk;
}

const STILL_STEPS = 10; // a rule that moves less than 1e-7 for this many steps has converged

export const surfaces: Job<SurfacesConfig, SurfacesProgress> = async (config, context) => {
  const info = surfaceInfo(config.surface);
  const f = FORMULAS[info.id];
  if (config.gridSize > 0) context.emit({ kind: 'grid', size: config.gridSize, values: surfaceGrid(info.id, config.gridSize) });
  const reach = 100 * Math.max(info.x[1] - info.x[0], info.y[1] - info.y[0]);
  const racers: Racer[] = config.rules.map(({ id, options }) => {
    const p = dt.tensor(config.start, { requiresGrad: true });
    const opt = makeOptimizer(id, [p], options);
    const closure = () => {
      opt.zeroGrad();
      const loss = f(p.select(0, 0), p.select(0, 1));
      loss.backward();
      return loss;
    };
    const start = dt.noGrad(() => f(dt.tensor(config.start[0]), dt.tensor(config.start[1]))).item();
    return { id, p, opt, closure, status: 'running', still: 0, chunk: { id, xs: [config.start[0]], ys: [config.start[1]], losses: [start], status: 'running' } };
  });
  const flush = (step: number) => {
    context.emit({ kind: 'paths', step, chunks: racers.map((r) => ({ ...r.chunk, status: r.status, endStep: r.endStep })) });
    for (const r of racers) r.chunk = { id: r.id, xs: [], ys: [], losses: [], status: r.status };
  };
  const breathe = pacer(context);
  const chunkSteps = config.pace > 0 ? Math.max(1, Math.round(config.pace / 30)) : 25;
  let step = 0;
  while (step < config.steps && !context.stopped && racers.some((r) => r.status === 'running')) {
    step++;
    for (const r of racers) {
      if (r.status !== 'running') continue;
      const [x0, y0] = r.p.dataSync();
      r.opt.step(r.closure);
      const [x, y] = r.p.dataSync();
      const loss = dt.noGrad(() => f(dt.tensor(x), dt.tensor(y))).item();
      const far = !(Math.abs(x) < reach && Math.abs(y) < reach);
      if (!Number.isFinite(loss) || far) {
        r.status = 'diverged';
        r.endStep = step;
        continue;
      }
      r.chunk.xs.push(x);
      r.chunk.ys.push(y);
      r.chunk.losses.push(loss);
      r.still = Math.hypot(x - x0, y - y0) < 1e-7 ? r.still + 1 : 0;
      if (r.still >= STILL_STEPS) {
        r.status = 'converged';
        r.endStep = step;
      }
    }
    if (step % chunkSteps === 0) {
      flush(step);
      if (config.pace > 0) await context.pause((1000 * chunkSteps) / config.pace);
    }
    await breathe();
  }
  for (const r of racers) if (r.status === 'running') r.status = context.stopped ? 'stopped' : 'done';
  flush(step);
  return { steps: step };
};
