// The configuration, progress and result of each job the lab's workers run (see worker/main.ts).
import type { SurfaceId } from './surfaces.js';

export type RunStatus = 'running' | 'done' | 'converged' | 'diverged' | 'stopped';

/** Rule `id` of shared/rules.ts with its options. */
export interface RuleChoice {
  id: string;
  options: Record<string, number>;
}

export interface SurfacesConfig {
  surface: SurfaceId;
  start: [number, number];
  steps: number;
  rules: RuleChoice[];
  /** Steps per second to animate the race; 0 runs as fast as it can. */
  pace: number;
  /** The contour grid is gridSize x gridSize (0: no grid, the page has it). */
  gridSize: number;
}

export interface PathChunk {
  id: string;
  /** New points of the path since the last chunk: positions after each step, and the loss there. */
  xs: number[];
  ys: number[];
  losses: number[];
  status: RunStatus;
  /** The step at which it diverged or converged. */
  endStep?: number;
}

export type SurfacesProgress =
  | { kind: 'grid'; size: number; values: Float32Array }
  | { kind: 'paths'; step: number; chunks: PathChunk[] };

export interface BatchConfig {
  /** The batch sizes to run side by side (1 = stochastic, n = full batch). */
  batchSizes: number[];
  samples: number;
  epochs: number;
  lr: number;
  momentum: number;
  seed: number;
  gridSize: number;
}

export interface BatchRun {
  batchSize: number;
  /** (weight, bias) after each update, and the full-data loss there. */
  ws: number[];
  bs: number[];
  losses: number[];
  /** Samples seen at each point (epochs = samples / n). */
  seen: number[];
}

export type BatchProgress =
  | { kind: 'setup'; xs: number[]; ys: number[]; grid: Float32Array; gridSize: number; w: [number, number]; b: [number, number]; best: [number, number] }
  | { kind: 'runs'; runs: BatchRun[] };

export interface LrConfig {
  lrs: [number, number, number];
  steps: number;
  schedule: ScheduleId;
  seed: number;
}

export const SCHEDULE_IDS = ['constant', 'step', 'cosine', 'onecycle', 'warmup'] as const;
export type ScheduleId = (typeof SCHEDULE_IDS)[number];

export interface LrRun {
  lr: number;
  losses: number[];
  status: RunStatus;
  endStep?: number;
  /** The model's curve on fitX at the last report. */
  fit: number[];
}

export type LrProgress =
  | { kind: 'data'; xs: number[]; ys: number[]; fitX: number[] }
  | { kind: 'runs'; runs: LrRun[] }
  | { kind: 'finder'; lrs: number[]; losses: number[]; smoothed: number[]; suggestion: number; stopReason: string }
  | { kind: 'schedules'; steps: number; curves: { id: ScheduleId; lrs: number[] }[] };

export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'gelu';
export type InitId = 'normal' | 'xavier' | 'he';

export interface GradientsConfig {
  depth: number;
  width: number;
  activation: Activation;
  init: InitId;
  batchNorm: boolean;
  residual: boolean;
  lr: number;
  steps: number;
  seed: number;
}

export interface GradientsRecord {
  step: number;
  loss: number;
  /** L2 norm of each Linear layer's weight gradient, input layer first. */
  norms: number[];
}

export type GradientsProgress =
  | { kind: 'layers'; names: string[] }
  | { kind: 'records'; records: GradientsRecord[]; warnings: string[] };

export interface GradientsResult {
  stopReason: string | null;
  warnings: string[];
}

export interface MnistConfig {
  rule: string;
  lr: number;
  batchSize: number;
  steps: number;
  evalEvery: number;
  seed: number;
  /** Where the packed digits are (see lab/vite/mnist-digits.ts). */
  digitsUrl: string;
}

export type MnistProgress =
  | { kind: 'data'; train: number; test: number }
  | { kind: 'train'; steps: number[]; losses: number[] }
  | { kind: 'eval'; step: number; accuracy: number; loss: number };

export interface MnistPrediction {
  probabilities: number[];
}

export interface MnistSample {
  pixels: number[];
  label: number;
  index: number;
}
