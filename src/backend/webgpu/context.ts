// The GPU this backend runs on: an adapter and a device, requested once by `ready()` (what `await
// dt.init('webgpu')` calls). In a browser the API is `navigator.gpu`; in Node it is the optional npm
// package `webgpu` (Dawn's binding), imported only here, on first use.
import type { Gpu, GpuAdapter, GpuDevice } from './gpu-types.js';

export interface GpuContext {
  /** Held so that it lives as long as the device: Dawn's instance must not be collected under it. */
  readonly api: Gpu;
  readonly device: GpuDevice;
  /** The adapter's name as the driver gives it (e.g. 'SwiftShader Device (Subzero)'). */
  readonly adapterName: string;
}

let context: GpuContext | null = null;
let opening: Promise<GpuContext> | null = null;
let lostReason: string | null = null;

/** The GPU, or an error telling the user to initialize the backend first. */
export function gpu(): GpuContext {
  if (context) return context;
  if (lostReason !== null) throw new Error(`webgpu: the GPU device was lost (${lostReason}); call \`await dt.init('webgpu')\` again`);
  throw new Error("webgpu: the backend is not initialized: call `await dt.init('webgpu')` first (it requests the GPU adapter)");
}

/** Requests the adapter and device (once; later calls share the first). */
export function openGpu(): Promise<GpuContext> {
  if (context) return Promise.resolve(context);
  opening ??= open().finally(() => { opening = null; });
  return opening;
}

async function open(): Promise<GpuContext> {
  const api = await findApi();
  const adapter = await api.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      'webgpu: no GPU adapter found. A browser needs WebGPU enabled; Node needs a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver. '
      + 'Without a GPU on Linux, SwiftShader (shipped with Chromium) works: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json with libvulkan1 installed',
    );
  }
  const device = await adapter.requestDevice({ requiredLimits: largestLimits(adapter) });
  const ctx: GpuContext = { api, device, adapterName: adapterName(adapter) };
  lostReason = null;
  context = ctx;
  void device.lost.then((info) => {
    if (context === ctx) {
      context = null;
      lostReason = info.message || info.reason;
    }
  });
  return ctx;
}

async function findApi(): Promise<Gpu> {
  const fromNavigator = (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
  if (fromNavigator) return fromNavigator;
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (!isNode) throw new Error('webgpu: this browser has no WebGPU (navigator.gpu is missing)');
  const specifier = 'webgpu'; // a variable: bundlers must not pull the Node package into browser builds
  let binding: { create(flags: string[]): Gpu };
  try {
    binding = (await import(/* @vite-ignore */ specifier)) as typeof binding;
  } catch (e) {
    throw new Error(`webgpu: in Node the backend needs the optional dependency 'webgpu' (npm install webgpu): ${(e as Error).message}`);
  }
  return binding.create([]);
}

// Storage buffers as large as the adapter allows: the defaults (128 MiB per binding) are too small for big layers.
function largestLimits(adapter: GpuAdapter): Record<string, number> {
  const wanted = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage'];
  const limits: Record<string, number> = {};
  for (const name of wanted) {
    const value = adapter.limits[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return limits;
}

function adapterName(adapter: GpuAdapter): string {
  const info = adapter.info;
  const parts = [info?.description, info?.vendor, info?.architecture, info?.device].filter((s): s is string => !!s);
  return parts.length > 0 ? [...new Set(parts)].join(' / ') : 'unknown adapter';
}
