// The one place where the lab chooses descent's backend. Every lab worker calls startBackend() before
// its first job; when the library's backend selection changes, this file is the one to change.
import * as dt from 'descent';
import type { BackendInfo } from '../shared/protocol.js';

const isolated = (): boolean => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

/**
 * The wasm backend (SIMD kernels), on `threads` threads where the page is cross-origin isolated (Web
 * Workers nested in this worker), else on one. Falls back to the js backend where WebAssembly SIMD is missing.
 */
export async function startBackend(threads: number): Promise<BackendInfo> {
  let backend = 'wasm';
  try {
    dt.setBackend('wasm');
  } catch {
    backend = 'js'; // an engine without WebAssembly SIMD: the reference kernels still compute the same
    dt.setBackend('js');
  }
  const used = backend === 'wasm' && threads > 1 && isolated() ? await dt.initThreads(threads) : 1;
  return { backend, threads: used, crossOriginIsolated: isolated() };
}
