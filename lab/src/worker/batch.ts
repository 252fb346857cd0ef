// Batch, stochastic and mini-batch gradient descent on one problem: a line y = w x + b fitted to noisy
// points by nn.Linear(1, 1) and optim.SGD, once per batch size, from the same start, with the same
// budget of epochs. The page draws each run's (w, b) path on the contours of the full-data loss.
import * as dt from 'descent';
import type { BatchConfig, BatchProgress, BatchRun } from '../shared/jobs.js';
import { type Job, pacer } from './job.js';

export const BATCH_BOX = { w: [-2, 4] as [number, number], b: [-2.5, 2.5] as [number, number] };
export const BATCH_START = { w: -1.5, b: -2 };
const TRUE_LINE = { w: 2, b: 1, noise: 0.5 };
const MAX_UPDATES = 6000; // per run: batch size 1 over many epochs stops here

/** Mean squared error of every line (w, b) of the grid over all points: [gridSize, gridSize], top row = largest b. */
function lossGrid(x: dt.Tensor, y: dt.Tensor, size: number): Float32Array {
  const ws = dt.linspace(BATCH_BOX.w[0], BATCH_BOX.w[1], size).unsqueeze(0).expand([size, size]).reshape([size * size, 1]);
  const bs = dt.linspace(BATCH_BOX.b[1], BATCH_BOX.b[0], size).unsqueeze(1).expand([size, size]).reshape([size * size, 1]);
  return dt.noGrad(() => ws.mul(x.reshape([1, -1])).add(bs).sub(y.reshape([1, -1])).square().mean(1)).dataSync() as Float32Array;
}

export const batch: Job<BatchConfig, BatchProgress> = async (config, context) => {
  const generator = new dt.Generator(config.seed);
  const x = dt.rand([config.samples, 1], { generator }).mul(2).sub(1);
  const y = x.mul(TRUE_LINE.w).add(TRUE_LINE.b).add(dt.randn([config.samples, 1], { generator }).mul(TRUE_LINE.noise));
  // the least-squares line, the bottom of the bowl: the mean of y and the slope cov(x, y) / var(x)
  const xc = x.sub(x.mean());
  const bestW = xc.mul(y).sum().div(xc.square().sum()).item();
  const best: [number, number] = [bestW, y.mean().sub(x.mean().mul(bestW)).item()];
  context.emit({
    kind: 'setup', xs: Array.from(x.dataSync()), ys: Array.from(y.dataSync()), grid: lossGrid(x, y, config.gridSize),
    gridSize: config.gridSize, w: BATCH_BOX.w, b: BATCH_BOX.b, best,
  });
  const data = new dt.data.TensorDataset(x, y);
  const runs = config.batchSizes.map((batchSize) => {
    const model = new dt.nn.Linear(1, 1);
    dt.nn.init.constant_(model.weight, BATCH_START.w);
    dt.nn.init.constant_(model.bias!, BATCH_START.b);
    const fullLoss = () => dt.noGrad(() => dt.nn.functional.mseLoss(model(x), y)).item();
    const run: BatchRun = { batchSize, ws: [BATCH_START.w], bs: [BATCH_START.b], losses: [fullLoss()], seen: [0] };
    return {
      run,
      model,
      fullLoss,
      loader: new dt.data.DataLoader(data, { batchSize, shuffle: true, generator: new dt.Generator(config.seed + batchSize) }),
      opt: new dt.optim.SGD(model.parameters(), { lr: config.lr, momentum: config.momentum }),
      sent: 0,
    };
  });
  const breathe = pacer(context);
  for (let epoch = 0; epoch < config.epochs && !context.stopped; epoch++) {
    for (const r of runs) {
      for (const [xb, yb] of r.loader) {
        if (r.run.ws.length > MAX_UPDATES) break;
        r.opt.zeroGrad();
        dt.nn.functional.mseLoss(r.model(xb), yb).backward();
        r.opt.step();
        r.run.ws.push(r.model.weight.item());
        r.run.bs.push(r.model.bias!.item());
        r.run.losses.push(r.fullLoss());
        r.run.seen.push(r.run.seen[r.run.seen.length - 1] + xb.shape[0]);
        await breathe();
      }
    }
    context.emit({
      kind: 'runs',
      runs: runs.map((r) => {
        const from = r.sent;
        r.sent = r.run.ws.length;
        return { batchSize: r.run.batchSize, ws: r.run.ws.slice(from), bs: r.run.bs.slice(from), losses: r.run.losses.slice(from), seen: r.run.seen.slice(from) };
      }),
    });
  }
  return { epochs: config.epochs };
};
