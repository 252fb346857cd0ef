// JavaScript peers, loaded on demand so a workload that does not need them does not pay for them:
// TensorFlow.js (cpu, wasm and webgpu backends) and jax-js (wasm and webgpu devices). In Node both find
// WebGPU at `navigator.gpu` only, so the webgpu ones get Dawn's from the `webgpu` package, as descent uses.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { LR, type Trainer } from './training.js';

// The peers' own .d.ts files do not type-check under this project's settings (missing globals such as
// Float16Array, EmscriptenModule), so they are imported by a computed specifier and typed here with
// just what the benchmarks use.
export interface TfTensor {
  dataSync(): Float32Array | Int32Array;
  data(): Promise<Float32Array | Int32Array>;
  dispose(): void;
  readonly shape: number[];
}
export interface TfLayer {
  apply(x: unknown): unknown;
}
export interface TfModel {
  compile(options: { optimizer: unknown; loss: string; metrics?: string[] }): void;
  trainOnBatch(x: TfTensor, y: TfTensor): Promise<number | number[]>;
  predict(x: TfTensor): TfTensor;
}
export interface Tfjs {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  tensor4d(values: Float32Array, shape: [number, number, number, number]): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  slice(x: TfTensor, begin: number[], size: number[]): TfTensor;
  oneHot(indices: TfTensor, depth: number): TfTensor;
  tensor1d(values: Int32Array, dtype: 'int32'): TfTensor;
  argMax(x: TfTensor, axis: number): TfTensor;
  tidy<T>(fn: () => T): T;
  sequential(config?: { layers: TfLayer[] }): TfModel;
  layers: {
    dense(config: { units: number; activation?: string; inputShape?: number[]; kernelInitializer?: string }): TfLayer;
    conv2d(config: { filters: number; kernelSize: number; activation?: string; inputShape?: number[]; padding?: string }): TfLayer;
    maxPooling2d(config: { poolSize: number; strides?: number }): TfLayer;
    flatten(config?: object): TfLayer;
  };
  train: { adam(learningRate: number): unknown };
}
interface TfjsWasm {
  setWasmPaths(prefix: string): void;
}
export interface JaxArray {
  readonly ref: JaxArray;
  reshape(shape: number[]): JaxArray;
  data(): Promise<Float32Array>;
  blockUntilReady(): Promise<JaxArray>;
  dispose(): void;
}
export interface Jax {
  init(...devices: string[]): Promise<string[]>;
  defaultDevice(device: string): void;
  numpy: {
    array(data: Float32Array): JaxArray;
    matmul(a: JaxArray, b: JaxArray): JaxArray;
  };
}

function importPeer<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}

/**
 * In Node: `navigator.gpu` from the `webgpu` package (Dawn, the optional dependency descent's webgpu
 * backend opens), with the constants (GPUBufferUsage ...) the peers read as globals. A browser has its own.
 */
async function provideNavigatorGpu(): Promise<void> {
  const scope = globalThis as { navigator?: { gpu?: unknown; userAgent?: string } };
  if (scope.navigator?.gpu) return;
  const dawn = await importPeer<{ create(flags: string[]): unknown; globals: object }>('webgpu');
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 21+ has a navigator without gpu; jax-js also reads navigator.userAgent
  if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  else scope.navigator = { gpu, userAgent: `Node.js/${process.version}` };
}

let tfjs: Tfjs | null = null;

/**
 * TensorFlow.js on `backend`. 'wasm' is the SIMD build, loaded from node_modules by file path; its
 * threaded build is off in Node (tfjs refuses it there: tensorflow/tfjs#3830), so it runs 1 thread.
 * 'webgpu' is @tensorflow/tfjs-backend-webgpu on Dawn's adapter (its default flags).
 */
export async function loadTfjs(backend: 'cpu' | 'wasm' | 'webgpu'): Promise<Tfjs> {
  if (!tfjs) {
    const warn = console.warn;
    console.warn = () => {}; // the "install tfjs-node" banner
    tfjs = await importPeer<Tfjs>('@tensorflow/tfjs');
    const wasm = await importPeer<TfjsWasm>('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
    console.warn = warn;
  }
  if (backend === 'webgpu') {
    await provideNavigatorGpu();
    await importPeer('@tensorflow/tfjs-backend-webgpu'); // registers the backend
  }
  if (!(await tfjs.setBackend(backend))) throw new Error(`TF.js could not initialize its ${backend} backend (no adapter?)`);
  await tfjs.ready();
  return tfjs;
}

let jax: Jax | null = null;

/** jax-js with `device` ('wasm' or 'webgpu') as the default. */
export async function loadJax(device: 'wasm' | 'webgpu' = 'wasm'): Promise<Jax> {
  if (device === 'webgpu') await provideNavigatorGpu();
  jax ??= await importPeer<Jax>('@jax-js/jax');
  const devices = await jax.init(device);
  if (!devices.includes(device)) throw new Error(`jax-js: init('${device}') found no ${device} device (it found ${devices.join(', ')})`);
  jax.defaultDevice(device);
  return jax;
}

/**
 * A Trainer (bench/training.ts) for a TF.js Keras model ending in softmax: Adam at the benchmarks'
 * rate, categorical cross-entropy on one-hot labels; `input` turns a batch of images into the
 * model's input tensor.
 */
export function tfjsTrainer(tf: Tfjs, model: TfModel, input: (images: Float32Array, count: number) => TfTensor): Trainer {
  model.compile({ optimizer: tf.train.adam(LR), loss: 'categoricalCrossentropy' });
  return {
    async step(images, labels, count) {
      const x = input(images, count);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
      const loss = await model.trainOnBatch(x, y);
      x.dispose();
      y.dispose();
      return Array.isArray(loss) ? loss[0] : loss;
    },
    async predict(images, count) {
      const predicted = tf.tidy(() => tf.argMax(model.predict(input(images, count)), 1));
      const classes = (await predicted.data()) as Int32Array; // data(), not dataSync(): webgpu reads asynchronously
      predicted.dispose();
      return classes;
    },
  };
}
