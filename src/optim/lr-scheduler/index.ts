// optim.lrScheduler: learning-rate schedules, as torch.optim.lr_scheduler.
export { LRScheduler } from './scheduler.js';
export type { Scheduler, AnyOptimizer } from './scheduler.js';
export { LambdaLR, MultiplicativeLR } from './lambda.js';
export { StepLR, MultiStepLR, ExponentialLR } from './step.js';
export { ConstantLR, LinearLR, PolynomialLR } from './warmup.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { CyclicLR, OneCycleLR } from './cyclic.js';
export type { CyclicLROptions, OneCycleLROptions } from './cyclic.js';
export { ReduceLROnPlateau } from './plateau.js';
export type { ReduceLROnPlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler } from './combine.js';
