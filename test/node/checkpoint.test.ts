import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpointCallback, latestCheckpoint, loadCheckpoint, resumeFrom, saveCheckpoint } from '../../src/node/index.js';
import { mlp, trainerFor, weightsOf } from '../train/setup.js';

const child = fileURLToPath(new URL('./train-child.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'descent-ckpt-'));

interface ChildRun { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Runs the child; `onLine` may return a signal to send to it. */
function runChild(dir: string, onLine: (line: string) => NodeJS.Signals | null = () => null): Promise<ChildRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
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

const finalWeights = (r: ChildRun) => JSON.parse(/^weights (.*)$/m.exec(r.stdout)![1]) as Record<string, number[]>;
const stepsOf = (r: ChildRun) => [...r.stdout.matchAll(/^step (\d+)$/gm)].map((m) => Number(m[1]));

test('checkpoints on disk: folder layout, latest.json, keep, and a restore that continues exactly', async () => {
  const dir = tmp();
  const straight = mlp();
  await trainerFor(straight, { epochs: 2 }).fit();
  const a = mlp();
  const folders: string[] = [];
  await trainerFor(a, { epochs: 1, callbacks: [checkpointCallback({ dir, everySteps: 3, keep: 2, onSave: (f) => folders.push(f) })] }).fit();
  assert.deepEqual(folders.map((f) => f.split(/[\\/]/).pop()), ['checkpoint-00000003', 'checkpoint-00000006', 'checkpoint-00000008']);
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-00000006', 'checkpoint-00000008', 'latest.json']);
  assert.deepEqual(readdirSync(join(dir, 'checkpoint-00000008')).sort(), ['model.safetensors', 'state.safetensors', 'trainer.json']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).step, 8);
  const b = mlp(77);
  const tb = trainerFor(b, { epochs: 2 });
  assert.ok(resumeFrom(tb, dir));
  assert.equal(tb.step, 8);
  await tb.fit();
  assert.deepEqual(weightsOf(b), weightsOf(straight));
  // an older checkpoint folder can be loaded directly
  assert.equal(loadCheckpoint(join(dir, 'checkpoint-00000006')).state.step, 6);
  assert.equal(latestCheckpoint(tmp()), null);
  assert.equal(resumeFrom(trainerFor(mlp(), { epochs: 1 }), tmp()), false);
});

test('a broken checkpoint is refused with a clear error', () => {
  const dir = tmp();
  saveCheckpoint(dir, trainerFor(mlp(), { epochs: 1 }).checkpoint());
  const folder = latestCheckpoint(dir)!;
  const bytes = readFileSync(join(folder, 'model.safetensors'));
  writeFileSync(join(folder, 'model.safetensors'), bytes.subarray(0, bytes.length - 10));
  assert.throws(() => loadCheckpoint(dir), /safetensors: .*model\.safetensors/);
  writeFileSync(join(dir, 'latest.json'), '{"checkpoint": "../../etc"}');
  assert.throws(() => loadCheckpoint(dir), /does not name a checkpoint folder/);
  assert.throws(() => loadCheckpoint(tmp()), /no checkpoint in/);
});

test('SIGKILL mid-epoch, then resume: only the steps since the last checkpoint are redone, the result is identical', async () => {
  const reference = await runChild(tmp());
  assert.equal(reference.code, 0, reference.stderr);
  assert.deepEqual(stepsOf(reference), Array.from({ length: 24 }, (_, i) => i + 1));
  const dir = tmp();
  const killed = await runChild(dir, (line) => (line === 'step 11' ? 'SIGKILL' : null));
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(!/^weights/m.test(killed.stdout));
  const saved = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).step as number;
  assert.ok(saved === 10 || saved === 12, `last checkpoint at step ${saved}`); // every 2 steps; mid-epoch 2
  const resumed = await runChild(dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, new RegExp(`^resumed at step ${saved}$`, 'm'));
  assert.equal(stepsOf(resumed)[0], saved + 1);
  assert.deepEqual(finalWeights(resumed), finalWeights(reference));
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary folders left behind');
});

test('SIGINT saves a checkpoint and exits cleanly; resuming finishes the same run', async () => {
  const reference = await runChild(tmp());
  const dir = tmp();
  const interrupted = await runChild(dir, (line) => (line === 'step 5' ? 'SIGINT' : null));
  assert.equal(interrupted.code, 130, interrupted.stderr);
  assert.match(interrupted.stderr, /SIGINT: finishing the current step and saving a checkpoint/);
  assert.match(interrupted.stdout, /^stopped interrupt$/m);
  const last = stepsOf(interrupted).at(-1)!;
  const pointer = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
  assert.equal(pointer.step, last, 'the checkpoint holds every step taken');
  assert.ok(existsSync(join(dir, pointer.checkpoint, 'model.safetensors')));
  const resumed = await runChild(dir);
  assert.equal(stepsOf(resumed)[0], last + 1);
  assert.deepEqual(finalWeights(resumed), finalWeights(reference));
});
