// descent on webgpu, for the bench's webgpu column: the adapter, W1 (matmul GFLOPS) and training steps/s
// of any model (W5's CNN here). Each product and step is timed to the GPU's completion. On SwiftShader
// (Chromium's software Vulkan, the adapter of machines without a GPU) the figures check correctness, not speed.
import { type Tensor, backend, matmul, nn, optim, randint, randn, webgpuAdapterName, webgpuSynchronize } from '../src/index.js';
import { mnistCnn } from '../src/cli/recipes.js';
import type { W1Point } from './w1.js';

/** The adapter's name when webgpu runs here, else null (no adapter: no webgpu column). */
export async function webgpuAdapter(): Promise<string | null> {
  try {
    await backend('webgpu').ready!();
    return webgpuAdapterName();
  } catch {
    return null;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** W1 on webgpu: float32 n x n products, GFLOPS (median of 5 after a warm-up); sizes whose product would take over 30 s are skipped. */
export async function w1Webgpu(sizes: readonly number[]): Promise<W1Point[]> {
  const points: W1Point[] = [];
  let last: { n: number; ms: number } | null = null;
  for (const n of sizes) {
    if (last && last.ms * (n / last.n) ** 3 > 30_000) {
      points.push({ n, gflops: null, runs: 0 });
      continue;
    }
    const [a, b] = [randn([n, n]).to('webgpu'), randn([n, n]).to('webgpu')];
    const times: number[] = [];
    for (let run = 0; run < 6; run++) {
      await webgpuSynchronize();
      const start = performance.now();
      matmul(a, b);
      await webgpuSynchronize();
      if (run > 0) times.push(performance.now() - start); // run 0 compiles the kernel
    }
    last = { n, ms: median(times) };
    points.push({ n, gflops: (2 * n ** 3) / last.ms / 1e6, runs: times.length });
  }
  return points;
}

/**
 * Training steps per second of `model` with Adam on `device` (batches of random data), the median over
 * `steps` steps after two warm-up steps, each step ending with its loss read back.
 */
export async function trainStepsPerSecond(device: string, model: nn.Module, input: Tensor, target: Tensor, steps = 10): Promise<number> {
  model.to(device);
  const [x, y] = [input.to(device), target.to(device)];
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const lossFn = new nn.CrossEntropyLoss();
  const times: number[] = [];
  for (let step = 0; step < steps + 2; step++) {
    const start = performance.now();
    opt.zeroGrad();
    const loss = lossFn(model(x), y);
    loss.backward();
    opt.step();
    await loss.data();
    if (step >= 2) times.push(performance.now() - start);
  }
  return 1000 / median(times);
}

/** W5 (the npm-start CNN, batch 64, Adam) on `device`: steps/s over `steps` timed steps. */
export function w5StepsPerSecond(device: string, steps = 10): Promise<number> {
  return trainStepsPerSecond(device, mnistCnn(), randn([64, 1, 28, 28]), randint(0, 10, [64], { dtype: 'int32' }), steps);
}
