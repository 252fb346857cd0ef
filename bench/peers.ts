// The one way the bench starts a measured run in a fresh process: a PyTorch script or a Node child
// (bench/train-child.ts). Each prints one JSON object on its last line. DESCENT_BENCH_THREADS tells the
// child how many threads to use (bench/torch_env.py, bench/train-child.ts).
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

/** Runs `command` with DESCENT_BENCH_THREADS = threads; returns the JSON of its last stdout line or throws its error. */
function runJsonChild<T>(command: string, args: string[], threads: number): T {
  const child = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, DESCENT_BENCH_THREADS: String(threads) },
  });
  if (child.status !== 0) {
    const error = child.stderr.split('\n').find((l) => /^\w*Error: /.test(l));
    throw new Error(error?.replace(/^\w*Error: /, '') ?? `${args[0]} exited with ${child.status ?? child.signal}`);
  }
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Runs a PyTorch peer script (bench/torch_*.py) on `threads` threads. */
export function runPython<T>(script: string, args: string[] = [], threads = 1): T {
  return runJsonChild<T>(PYTHON, [script, ...args], threads);
}

/** Runs one JavaScript library's training in a fresh Node process (bench/train-child.ts). */
export function runNodeChild<T>(workload: string, library: string, threads = 1): T {
  return runJsonChild<T>(process.execPath, [TRAIN_CHILD, workload, library], threads);
}
