// Runs test/node/train-child.js in a child process and collects what it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./train-child.js', import.meta.url));

export interface ChildRun { code: number | null; signal: string | null; stdout: string; stderr: string }

export interface ChildOptions {
  /** Called with each line the child prints; may return a signal to send to it (once). */
  onLine?: (line: string) => NodeJS.Signals | null;
  /** Milliseconds the child waits after each step (default 15). */
  delayMs?: number;
  /** Checkpoint every this many steps (default 2). */
  everySteps?: number;
  env?: Record<string, string>;
}

export function runChild(dir: string, { onLine = () => null, delayMs = 15, everySteps = 2, env = {} }: ChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [child, dir, String(delayMs), String(everySteps)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    p.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      for (const line of text.split('\n')) {
        const signal = sent ? null : onLine(line);
        if (signal) { sent = true; p.kill(signal); }
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The exact bits of the final weights and optimizer state the child printed. */
export function finalState(r: ChildRun): unknown {
  const m = /^final (.*)$/m.exec(r.stdout);
  if (!m) throw new Error(`the child printed no final state (exit ${r.code}, signal ${r.signal}):\n${r.stderr}`);
  return JSON.parse(m[1]);
}
