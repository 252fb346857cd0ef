import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { type ChildRun, finalState, runChild } from './train-run.js';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, checkpointCallback, latestCheckpoint, loadCheckpoint, lockRunFolder, metricsLogger, recoverRunFolder, resumeFrom, saveCheckpoint } from '../../src/node/index.js';
import { mlp, trainerFor, weightsOf } from '../train/setup.js';
import { tempDir } from '../helpers.js';

const tmp = () => tempDir('descent-ckpt-');

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
  const killed = await runChild(dir, { onLine: (line) => (line === 'step 11' ? 'SIGKILL' : null) });
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
  const interrupted = await runChild(dir, { onLine: (line) => (line === 'step 5' ? 'SIGINT' : null) });
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

test('checkpoint folders past step 99,999,999 sort by number: pruning keeps the newest', async () => {
  const dir = tmp();
  const t = trainerFor(mlp(), { maxSteps: 1 });
  await t.fit();
  const at = (step: number) => ({ ...t.checkpoint(), state: { ...t.checkpoint().state, step } });
  saveCheckpoint(dir, at(99_999_999), { keep: 2 });
  saveCheckpoint(dir, at(100_000_000), { keep: 2 });
  saveCheckpoint(dir, at(100_000_001), { keep: 2 });
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-100000000', 'checkpoint-100000001', 'latest.json']);
  assert.equal(loadCheckpoint(dir).state.step, 100_000_001);
});

test('a crash between the two renames of a same-step save leaves a resumable run; recovery puts it back and cleans up', async () => {
  const dir = tmp();
  const source = trainerFor(mlp(), { maxSteps: 3 });
  await source.fit();
  saveCheckpoint(dir, source.checkpoint());
  // what a kill after rename(final, old) and before rename(tmp, final) leaves: latest.json naming a missing folder
  const name = 'checkpoint-00000003';
  renameSync(join(dir, name), join(dir, `.${name}.4242.old`));
  cpSync(join(dir, `.${name}.4242.old`), join(dir, `.${name}.4242.tmp`), { recursive: true });
  writeFileSync(join(dir, '.latest.json.4242.1700000000000.tmp'), '{"checkpoint": "chec'); // a cut temporary file
  assert.equal(latestCheckpoint(dir), join(dir, `.${name}.4242.tmp`), 'the complete new copy is found');
  const t = trainerFor(mlp(7), { maxSteps: 5 });
  assert.ok(resumeFrom(t, dir));
  assert.equal(t.step, 3);
  rmSync(join(dir, `.${name}.4242.tmp`), { recursive: true });
  assert.equal(latestCheckpoint(dir), join(dir, `.${name}.4242.old`), 'else the complete old copy');
  recoverRunFolder(dir);
  assert.deepEqual(readdirSync(dir).sort(), [name, 'latest.json']);
  assert.equal(loadCheckpoint(dir).state.step, 3);
  // latest.json lost (a crash before the first one was written): the newest complete folder
  rmSync(join(dir, 'latest.json'));
  assert.equal(latestCheckpoint(dir), join(dir, name));
  // a folder named by latest.json that is gone, with nothing to recover, is an error, not a fresh start
  writeFileSync(join(dir, 'latest.json'), '{"checkpoint": "checkpoint-00000009"}');
  assert.throws(() => latestCheckpoint(dir), /latest\.json names checkpoint-00000009, which is missing/);
});

test('training leaves no temporary files behind, and cleans up those of a crashed run', async () => {
  const dir = tmp();
  writeFileSync(join(dir, '.epochs.csv.999999.1.tmp'), 'x');
  mkdirSync(join(dir, '.checkpoint-00000002.999999.tmp'));
  writeFileSync(join(dir, '.checkpoint-00000002.999999.tmp', 'model.safetensors'), 'cut');
  await trainerFor(mlp(), { maxSteps: 4, callbacks: [checkpointCallback({ dir, everySteps: 2 }), metricsLogger({ dir })] }).fit();
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-00000002', 'checkpoint-00000004', 'latest.json', 'metrics.jsonl']);
});

test('the run folder lock: a second writer is refused, a dead writer\'s lock is taken over, holders in one process share it', () => {
  const dir = tmp();
  const lock = join(dir, LOCK_FILE);
  const hostname = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("os").hostname())'], { encoding: 'utf8' }).stdout;
  writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname, started: '2026-01-01T00:00:00.000Z' }));
  assert.throws(() => lockRunFolder(dir), new RegExp(`the run folder .* is in use by another training \\(pid ${process.ppid} on .*since 2026-01-01T00:00:00\\.000Z\\); wait for it to finish or write elsewhere`));
  assert.match(readFileSync(lock, 'utf8'), new RegExp(`"pid":${process.ppid}`), 'a live lock is left alone');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(lock, JSON.stringify({ pid: Number(dead), host: hostname, started: '2026-01-01T00:00:00.000Z' }));
  const release = lockRunFolder(dir);
  assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid, 'a dead process\'s lock is taken over');
  const again = lockRunFolder(dir); // the CLI and the callbacks of one process share the lock
  again();
  assert.ok(existsSync(lock));
  release();
  assert.ok(!existsSync(lock), 'the last release removes it');
  writeFileSync(lock, 'not json');
  lockRunFolder(dir)();
  assert.deepEqual(readdirSync(dir), []);
});

test('two trainings in one folder: the second is refused and the first finishes untouched', async () => {
  const reference = await runChild(tmp(), { delayMs: 0 });
  const dir = tmp();
  let intruder: Promise<ChildRun> | null = null;
  const onLine = (line: string) => {
    if (line === 'step 2') intruder = runChild(dir, { delayMs: 0 }); // started while the first trains (60 ms a step)
    return null;
  };
  const first = await runChild(dir, { onLine, delayMs: 60 });
  const second = await intruder!;
  assert.equal(second.code, 1);
  assert.match(second.stderr, /the run folder .* is in use by another training \(pid \d+ on .*\); wait for it to finish or write elsewhere/);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(finalState(first), finalState(reference));
});

test('metrics.jsonl: a line lost between a checkpoint and its append is rebuilt on resume', async () => {
  const dir = tmp();
  const callbacks = () => [checkpointCallback({ dir, everySteps: 2 }), metricsLogger({ dir })];
  await trainerFor(mlp(), { maxSteps: 4, callbacks: callbacks() }).fit();
  const jsonl = join(dir, 'metrics.jsonl');
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
  writeFileSync(jsonl, `${lines.slice(0, 2).join('\n')}\n{"type":"st`); // step 3 and 4 lost, a cut line
  const t = trainerFor(mlp(3), { maxSteps: 6, callbacks: callbacks() });
  assert.ok(resumeFrom(t, dir));
  await t.fit();
  const steps = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(steps.map((r) => [r.type, r.step]), [1, 2, 3, 4, 5, 6].map((k) => ['step', k]));
  assert.deepEqual(Object.keys(steps[2]).sort(), ['epoch', 'gradNorm', 'loss', 'lr', 'step', 'type']);
});
