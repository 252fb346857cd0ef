// What browser.test.ts runs in a page: one model trained on webgpu (navigator.gpu) and on wasm. The file
// imports only the core library, so it loads in a browser as is, served from build/.
import { type Tensor, init, manualSeed, nn, optim, randint, randn, setBackend, webgpuAdapterName } from '../../../src/index.js';

export interface WebgpuPageReport {
  /** The adapter's name, or why there was none. */
  adapter: string;
  webgpu: number[];
  wasm: number[];
  /** The devices the webgpu run's parameters were on. */
  devices: string[];
}

// The model and data are made on wasm (the same draws for both runs), then moved to `device`.
async function train(device: string): Promise<{ losses: number[]; devices: string[] }> {
  setBackend('wasm');
  manualSeed(0);
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 3 * 3, 10)).to(device);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([32, 1, 8, 8]).to(device);
  const target = randint(0, 10, [32], { dtype: 'int32' }).to(device);
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    opt.zeroGrad();
    const loss: Tensor = lossFn(model(x), target);
    loss.backward();
    opt.step();
    losses.push((await loss.data())[0]);
  }
  return { losses, devices: [...new Set([...model.parameters()].map((p) => p.device))] };
}

/** `await init('webgpu')` in the page, then a few Adam steps of a small CNN on webgpu and on wasm. */
export async function trainOnWebgpuAndWasm(): Promise<WebgpuPageReport> {
  let adapter: string;
  try {
    await init('webgpu');
    adapter = webgpuAdapterName();
  } catch (e) {
    return { adapter: `no adapter: ${(e as Error).message}`, webgpu: [], wasm: [], devices: [] };
  }
  const gpu = await train('webgpu');
  const cpu = await train('wasm');
  return { adapter, webgpu: gpu.losses, wasm: cpu.losses, devices: gpu.devices };
}
