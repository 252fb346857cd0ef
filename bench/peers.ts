import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

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

/** Runs a Python benchmark script that prints one JSON object on its last line. */
export function runPython<T>(script: string, args: string[] = []): T {
  const out = execFileSync(PYTHON, [script, ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS } });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
