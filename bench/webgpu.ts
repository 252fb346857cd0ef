// The bench on the GPU: the adapter, the float32 peak W1 is judged against, and the knobs of `npm run bench
// gpu` (the WebGPU issue's set: W1, W3, W5, W6 on webgpu beside TF.js webgpu, jax-js webgpu and PyTorch CUDA).
// On SwiftShader (Chromium's software Vulkan, the adapter of machines without a GPU) the figures check
// correctness, not speed; DESCENT_BENCH_GPU_SIZES and DESCENT_BENCH_GPU_STEPS shrink the set for that.
import { backend, init, webgpuAdapterName } from '../src/index.js';
import { type Mnist, loadMnist } from './mnist.js';
import { W3_EPOCHS } from './w3.js';
import { WARMUP_STEPS } from './workloads.js';

export interface Adapter {
  /** The adapter's name as descent prints it, or null when webgpu cannot open here. */
  name: string | null;
  /** Why there is none (the backend's error, which says what is missing). */
  reason?: string;
  /** A software rasterizer (SwiftShader, llvmpipe, lavapipe): figures for correctness only. */
  software: boolean;
}

/** The adapter descent's webgpu backend opens here (in Node: Dawn from the optional `webgpu` package). */
export async function webgpuAdapter(): Promise<Adapter> {
  try {
    await backend('webgpu').ready!();
    const name = webgpuAdapterName();
    return { name, software: /swiftshader|llvmpipe|lavapipe|software/i.test(name) };
  } catch (e) {
    return { name: null, reason: (e as Error).message, software: false };
  }
}

/** Opens webgpu and makes it the default device (a child of the bench measuring descent on the GPU). */
export async function useWebgpu(): Promise<void> {
  await init('webgpu');
}

function positiveInts(variable: string): number[] | null {
  const text = process.env[variable];
  if (text === undefined || text === '') return null;
  const values = text.split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0)) throw new Error(`bench: ${variable}='${text}' must be positive integers separated by commas`);
  return values;
}

/** W1's sizes on the GPU: DESCENT_BENCH_GPU_SIZES (e.g. '64,128'), else the issue's n = 1024 .. 8192. */
export function gpuW1Sizes(): number[] {
  return positiveInts('DESCENT_BENCH_GPU_SIZES') ?? [1024, 2048, 4096, 8192];
}

/** W1's goal size: n = 4096 (the issue's), else the largest size measured. */
export function gpuW1GoalSize(): number {
  const sizes = gpuW1Sizes();
  return sizes.includes(4096) ? 4096 : Math.max(...sizes);
}

/**
 * The training workloads' length on the GPU. DESCENT_BENCH_GPU_STEPS = k (a smoke run) gives W5 and W6 one
 * warm-up and k timed steps, and W3 a few images (gpuW3Schedule); unset, each workload's own schedule.
 */
export function gpuSteps(): { steps: number; warmup: number } | null {
  const steps = positiveInts('DESCENT_BENCH_GPU_STEPS');
  return steps ? { steps: steps[0], warmup: 1 } : null;
}

/**
 * W3's schedule on the GPU: the bench's MNIST split and epochs, or (DESCENT_BENCH_GPU_STEPS = k, a smoke
 * run) 1 epoch of the first 16 k training images (batches of 16 k, up to 128) and 16 test images.
 */
export function gpuW3Schedule(): { data: Mnist; epochs: number } {
  const short = gpuSteps();
  const data = loadMnist();
  if (!short) return { data, epochs: W3_EPOCHS };
  const part = (split: Mnist['train'], count: number) => ({ images: split.images.subarray(0, count * 784), labels: split.labels.subarray(0, count), count });
  return { data: { train: part(data.train, short.steps * 16), test: part(data.test, 16) }, epochs: 1 };
}

/** W5/W6 on the GPU: timed steps and warm-up steps (each workload's own unless DESCENT_BENCH_GPU_STEPS). */
export function gpuStepSchedule(steps: number): { steps: number; warmup: number } {
  return gpuSteps() ?? { steps, warmup: WARMUP_STEPS };
}

export interface Peak {
  tflops: number;
  /** Where the figure comes from (the variable, or the table's datasheet). */
  source: string;
}

// Datasheet float32 peaks (non-tensor-core, boost clock) of a few GPUs, matched on the adapter's name;
// the first match wins, so a variant (PCIe, NVL) comes before its family.
const KNOWN_PEAKS: [RegExp, number, string][] = [
  [/H200 NVL/i, 60, 'NVIDIA H200 NVL datasheet'],
  [/H200/i, 67, 'NVIDIA H200 SXM datasheet'],
  [/H100 NVL/i, 60, 'NVIDIA H100 NVL datasheet'],
  [/H100 PCIe/i, 51, 'NVIDIA H100 PCIe datasheet'],
  [/H100/i, 67, 'NVIDIA H100 SXM datasheet'],
  [/A100/i, 19.5, 'NVIDIA A100 datasheet'],
  [/L40S/i, 91.6, 'NVIDIA L40S datasheet'],
  [/\bL4\b/i, 30.3, 'NVIDIA L4 datasheet'],
  [/\bT4\b/i, 8.1, 'NVIDIA T4 datasheet'],
  [/RTX 4090/i, 82.6, 'NVIDIA GeForce RTX 4090 specifications'],
  [/RTX 3090 Ti/i, 40, 'NVIDIA GeForce RTX 3090 Ti specifications'],
  [/RTX 3090/i, 35.6, 'NVIDIA GeForce RTX 3090 specifications'],
];

/** The GPU's float32 peak: DESCENT_GPU_PEAK_TFLOPS, else the small table above by adapter name, else null (unknown). */
export function float32Peak(adapter: string | null): Peak | null {
  const given = process.env.DESCENT_GPU_PEAK_TFLOPS;
  if (given !== undefined && given !== '') {
    const tflops = Number(given);
    if (!(tflops > 0)) throw new Error(`bench: DESCENT_GPU_PEAK_TFLOPS='${given}' must be a positive number (TFLOPS)`);
    return { tflops, source: 'DESCENT_GPU_PEAK_TFLOPS' };
  }
  const known = adapter === null ? undefined : KNOWN_PEAKS.find(([name]) => name.test(adapter));
  return known ? { tflops: known[1], source: `${known[2]}, boost clock` } : null;
}
