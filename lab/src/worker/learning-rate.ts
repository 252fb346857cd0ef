// The learning rate: one small network fitted three times with plain SGD at three rates (too small,
// right, too large), the learning-rate finder's sweep, and the schedules drawn as curves. Each run can
// follow one of the schedules.
import * as dt from 'descent';
import { type LrConfig, type LrProgress, type LrRun, SCHEDULE_IDS, type ScheduleId } from '../shared/jobs.js';
import { type Job, pacer } from './job.js';

const SAMPLES = 128;
const FIT_POINTS = 80;
const DIVERGED_LOSS = 1e6;

function makeModel(seed: number): dt.nn.Sequential {
  dt.manualSeed(seed);
  return new dt.nn.Sequential(new dt.nn.Linear(1, 32), new dt.nn.Tanh(), new dt.nn.Linear(32, 1));
}

/** The scheduler `id` on `opt` for a run of `steps` steps (null: constant rate). */
function makeScheduler(id: ScheduleId, opt: dt.optim.Optimizer, steps: number): dt.optim.lrScheduler.Scheduler | null {
  const S = dt.optim.lrScheduler;
  const warmup = Math.max(1, Math.round(steps / 10));
  switch (id) {
    case 'constant': return null;
    case 'step': return new S.StepLR(opt, Math.max(1, Math.round(steps / 3)), 0.3);
    case 'cosine': return new S.CosineAnnealingLR(opt, steps);
    case 'onecycle': return new S.OneCycleLR(opt, opt.paramGroups[0].lr, { totalSteps: steps + 1 });
    case 'warmup': return new S.SequentialLR(opt, [new S.LinearLR(opt, 0.01, 1, warmup), new S.CosineAnnealingLR(opt, steps - warmup)], [warmup]);
  }
}

/** Each schedule's learning rate at every step, for a base rate of 1, read off the real schedulers. */
function scheduleCurves(steps: number): { id: ScheduleId; lrs: number[] }[] {
  return SCHEDULE_IDS.map((id) => {
    const opt = new dt.optim.SGD([dt.zeros([1], { requiresGrad: true })], { lr: 1 });
    const scheduler = makeScheduler(id, opt, steps);
    const lrs: number[] = [];
    for (let i = 0; i < steps; i++) {
      lrs.push(opt.paramGroups[0].lr);
      opt.step();
      scheduler?.step();
    }
    return { id, lrs };
  });
}

export const learningRate: Job<LrConfig, LrProgress> = async (config, context) => {
  const generator = new dt.Generator(config.seed);
  const x = dt.rand([SAMPLES, 1], { generator }).mul(4).sub(2);
  const y = x.mul(1.5).sin().add(dt.randn([SAMPLES, 1], { generator }).mul(0.1));
  const fitX = dt.linspace(-2, 2, FIT_POINTS).reshape([FIT_POINTS, 1]);
  context.emit({ kind: 'data', xs: Array.from(x.dataSync()), ys: Array.from(y.dataSync()), fitX: Array.from(fitX.dataSync()) });
  context.emit({ kind: 'schedules', steps: config.steps, curves: scheduleCurves(config.steps) });

  const runs = config.lrs.map((lr) => {
    const model = makeModel(config.seed);
    const opt = new dt.optim.SGD(model.parameters(), { lr });
    const curve = () => Array.from(dt.noGrad(() => model(fitX)).dataSync());
    const run: LrRun = { lr, losses: [], status: 'running', fit: curve() };
    return { run, model, opt, scheduler: makeScheduler(config.schedule, opt, config.steps), curve };
  });
  const breathe = pacer(context);
  const report = () => context.emit({ kind: 'runs', runs: runs.map((r) => ({ ...r.run, losses: [...r.run.losses] })) });
  for (let step = 1; step <= config.steps && !context.stopped; step++) {
    for (const r of runs) {
      if (r.run.status !== 'running') continue;
      r.opt.zeroGrad();
      const loss = dt.nn.functional.mseLoss(r.model(x), y);
      const value = loss.item();
      if (!(value < DIVERGED_LOSS)) { // NaN too
        r.run.status = 'diverged';
        r.run.endStep = step;
        continue;
      }
      r.run.losses.push(value);
      loss.backward();
      r.opt.step();
      r.scheduler?.step();
    }
    if (step % 10 === 0 || step === config.steps) {
      for (const r of runs) if (r.run.status === 'running') r.run.fit = r.curve();
      report();
    }
    await breathe();
  }
  for (const r of runs) if (r.run.status === 'running') r.run.status = context.stopped ? 'stopped' : 'done';
  report();
  if (context.stopped) return {};

  const model = makeModel(config.seed);
  const found = dt.train.lrFind(model, {
    data: [[x, y]], loss: dt.nn.functional.mseLoss, optimizer: new dt.optim.SGD(model.parameters(), { lr: 1 }),
    startLr: 1e-5, endLr: 10, numSteps: 100, smoothing: 0.9,
  });
  context.emit({ kind: 'finder', lrs: found.lrs, losses: found.losses, smoothed: found.smoothedLosses, suggestion: found.suggestion, stopReason: found.stopReason });
  return {};
};
