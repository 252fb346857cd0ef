// The one way the bench starts a measured run in a fresh process: a PyTorch script or a Node child
// (bench/train-child.ts). Each prints one JSON object on its last line. DESCENT_BENCH_THREADS tells the
// child how many threads to use (bench/torch_env.py, bench/train-child.ts); DESCENT_BENCH_TORCH_DEVICE
// where PyTorch runs (cpu or cuda).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const TRAIN_CHILD = fileURLToPath(new URL('./train-child.js', import.meta.url));

/** True when Debian's PyTorch can be imported, so peers can run in the same benchmark. */
export function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether PyTorch here can run on CUDA (torch.cuda.is_available()), and if not why, in PyTorch's words
 * (a CPU-only build has no CUDA version; a CUDA build without a driver or GPU sees no device).
 */
export function torchCuda(): { available: true; device: string } | { available: false; reason: string } {
  if (!torchAvailable()) return { available: false, reason: `PyTorch not found (${PYTHON} -c "import torch" failed)` };
  const probe = [
    'import json, torch',
    'ok = torch.cuda.is_available()',
    'print(json.dumps({"ok": ok, "version": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0) if ok else None}))',
  ].join('\n');
  const info = JSON.parse(execFileSync(PYTHON, ['-c', probe], { encoding: 'utf8' }).trim().split('\n').pop()!) as { ok: boolean; version: string; cuda: string | null; device: string | null };
  if (info.ok) return { available: true, device: info.device! };
  const build = info.cuda === null ? 'a CPU-only build (torch.version.cuda is None)' : `built for CUDA ${info.cuda}, but it sees no CUDA device or driver`;
  return { available: false, reason: `torch.cuda.is_available() is False: PyTorch ${info.version} is ${build}` };
}

/** Runs `command` with DESCENT_BENCH_THREADS = threads; returns the JSON of its last stdout line or throws its error. */
function runJsonChild<T>(command: string, args: string[], threads: number, env: Record<string, string> = {}): T {
  const child = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, DESCENT_BENCH_THREADS: String(threads), ...env },
  });
  if (child.status !== 0) {
    const error = child.stderr.split('\n').find((l) => /^\w*Error: /.test(l));
    throw new Error(error?.replace(/^\w*Error: /, '') ?? `${args[0]} exited with ${child.status ?? child.signal}`);
  }
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Runs a PyTorch peer script (bench/torch_*.py) on `threads` threads, on the CPU or (`device` 'cuda') the GPU. */
export function runPython<T>(script: string, args: string[] = [], threads = 1, device: 'cpu' | 'cuda' = 'cpu'): T {
  return runJsonChild<T>(PYTHON, [script, ...args], threads, { DESCENT_BENCH_TORCH_DEVICE: device });
}

/** Runs one JavaScript library's training in a fresh Node process (bench/train-child.ts), `env` added to this one's. */
export function runNodeChild<T>(workload: string, library: string, threads = 1, env: Record<string, string> = {}): T {
  return runJsonChild<T>(process.execPath, [TRAIN_CHILD, workload, library], threads, env);
}
