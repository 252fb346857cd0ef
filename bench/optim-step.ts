// Optimizer step on a ~1M-parameter model: the update is memory-bound, so time per step (and the bytes it
// must move) is the measure. Shapes and settings match bench/torch_optim_step.py. The parameters are a
// real model's (nn.Linear layers) and the gradients come from a real backward pass, so both take the path
// a training loop takes (resident parameters on the wasm backend, gradients as backward leaves them).
import { type Tensor, manualSeed, nn, optim, randn, setBackend } from '../src/index.js';

/** Linear-sized weights and biases totalling 1,000,640 parameters: Linear(784, 1024) and Linear(1024, 192). */
export const OPTIM_BENCH_SHAPES: number[][] = [[1024, 784], [1024], [192, 1024], [192]];
export const OPTIM_BENCH_RULES = ['SGD', 'Adam', 'AdamW'] as const;
export type OptimBenchRule = (typeof OPTIM_BENCH_RULES)[number];

/** float32 arrays each step reads and writes: SGD-momentum p, g, b in + p, b out; Adam p, g, m, v in + p, m, v out. */
export const ARRAYS_TOUCHED: Record<OptimBenchRule, number> = { SGD: 5, Adam: 7, AdamW: 7 };

/** The model's parameters, with gradients from one forward and backward pass on a small batch. */
export function benchParameters(): Tensor[] {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 192));
  model(randn([8, 784])).square().mean().backward();
  const params = [...model.parameters()];
  const shapes = params.map((p) => p.shape.join('x')).join(', ');
  if (shapes !== OPTIM_BENCH_SHAPES.map((s) => s.join('x')).join(', ')) throw new Error(`optim bench: unexpected parameter shapes ${shapes}`);
  return params;
}

function makeOptimizer(rule: OptimBenchRule, params: Tensor[]): { step(): unknown } {
  if (rule === 'SGD') return new optim.SGD(params, { lr: 1e-3, momentum: 0.9 });
  if (rule === 'Adam') return new optim.Adam(params, { lr: 1e-3 });
  return new optim.AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
}

/** CPU milliseconds of this process (user + system): on a shared machine it leaves out time spent waiting for a core. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Median CPU milliseconds per step over `repeats` timings of `steps` steps each (after a warm-up).
 * CPU time, not wall time, so that other processes on a busy machine do not decide the ratio to PyTorch,
 * which bench/torch_optim_step.py measures the same way.
 */
export function runOptimStep(rule: OptimBenchRule, steps = 20, repeats = 7): { msPerStep: number; params: number; gbPerSecond: number } {
  setBackend('wasm'); // the default backend, whichever an earlier workload left selected
  const params = benchParameters();
  const opt = makeOptimizer(rule, params);
  for (let i = 0; i < 5; i++) opt.step();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = cpuMs();
    for (let i = 0; i < steps; i++) opt.step();
    times.push((cpuMs() - start) / steps);
  }
  times.sort((a, b) => a - b);
  const msPerStep = times[Math.floor(times.length / 2)];
  const count = params.reduce((n, p) => n + p.numel, 0);
  return { msPerStep, params: count, gbPerSecond: (ARRAYS_TOUCHED[rule] * 4 * count) / (msPerStep * 1e6) };
}

/**
 * The memory floor for comparison: ms to stream the same bytes (read and write the arrays a step touches)
 * with Float32Array.set, i.e. memcpy at this machine's cache/memory bandwidth.
 */
export function memoryFloorMs(rule: OptimBenchRule, repeats = 7): number {
  const n = OPTIM_BENCH_SHAPES.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
  const arrays = Array.from({ length: ARRAYS_TOUCHED[rule] + 1 }, () => new Float32Array(n).fill(1));
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = cpuMs();
    // Each copy reads one array and writes one: ARRAYS_TOUCHED/2 copies move as many bytes as a step.
    for (let i = 0; i < 10; i++) for (let k = 0; k < ARRAYS_TOUCHED[rule] / 2; k++) arrays[k + 1].set(arrays[k]);
    times.push((cpuMs() - start) / 10);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
