// dt.train: the gradient descent loop (fit / Trainer), stopping criteria, callbacks and metrics.
export { Trainer, fit, globalGradNorm } from './trainer.js';
export type { FitOptions, History, StepRecord, TrainerCheckpoint } from './trainer.js';
export { evaluate, evaluateAsync, defaultForward } from './evaluate.js';
export type { EvaluateOptions, ForwardFn, LossFn } from './evaluate.js';
export { maxSteps, maxEpochs, gradNormBelow, lossBelow, plateau, timeLimit, earlyStopping, EarlyStopping, allOf, targetMetric } from './stopping.js';
export type { StoppingCriterion, StepInfo, EpochInfo, EarlyStoppingOptions } from './stopping.js';
export { lambdaCallback } from './callbacks.js';
export type { Callback, BatchLogs } from './callbacks.js';
export {
  Accuracy, TopKAccuracy, Precision, Recall, F1Score, MeanAbsoluteError, RootMeanSquaredError, Perplexity, METRICS, toMetric, computeMetric, freshMetric,
  metricState, loadMetricState,
} from './metrics.js';
export type { Metric } from './metrics.js';
export { splitTensors, joinTensors } from './state.js';
export { checkpointOnHost } from './checkpoint.js';
export { GradientMonitor } from './gradient-monitor.js';
export type { GradientMonitorOptions, GradientRecord, GradientWarning, LayerHealth } from './gradient-monitor.js';
export { lrFind, lrFindAsync } from './lr-finder.js';
export type { LrFindOptions, LrFindResult } from './lr-finder.js';
