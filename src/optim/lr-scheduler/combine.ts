import { type AnyOptimizer, LRScheduler, type Scheduler, SchedulerBase, groupsOf } from './scheduler.js';

/**
 * Runs schedulers one after another, switching at the milestones, as torch's SequentialLR; each scheduler
 * restarts from epoch 0 when its turn comes.
 * @example
 * const warmup = new optim.lrScheduler.LinearLR(opt, 0.1, 1, 5);
 * const decay = new optim.lrScheduler.CosineAnnealingLR(opt, 95);
 * const s = new optim.lrScheduler.SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR extends SchedulerBase {
  lastEpoch: number;
  private schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[], lastEpoch = -1) {
    super(optimizer, 'SequentialLR');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new Error(`SequentialLR: all schedulers must belong to the same optimizer; scheduler ${i} does not`);
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new Error(`SequentialLR: expected one milestone fewer than schedulers, got ${schedulers.length} schedulers and ${milestones.length} milestones`);
    }
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // Undo the initial steps the schedulers took when they were built, then start the first one.
    for (const g of groupsOf(optimizer)) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  protected override nested(): Scheduler[] {
    return this.schedulers;
  }
}

/**
 * Steps several schedulers together, their factors multiplying, as torch's ChainedScheduler.
 * @example
 * const s = new optim.lrScheduler.ChainedScheduler([
 *   new optim.lrScheduler.ConstantLR(opt, 0.1, 2),
 *   new optim.lrScheduler.ExponentialLR(opt, 0.9),
 * ]);
 */
export class ChainedScheduler extends SchedulerBase {
  private schedulers: Scheduler[];

  constructor(schedulers: Scheduler[]) {
    if (schedulers.length === 0) throw new Error('ChainedScheduler: expected at least one scheduler');
    super(schedulers[0].optimizer, 'ChainedScheduler');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0].optimizer) throw new Error(`ChainedScheduler: all schedulers must belong to the same optimizer; scheduler ${i} does not`);
    });
    this.schedulers = [...schedulers];
    this.recordLrs();
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.recordLrs();
  }

  protected override nested(): Scheduler[] {
    return this.schedulers;
  }
}
