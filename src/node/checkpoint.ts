/// <reference types="node" />
import { existsSync, fsyncSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Trainer, TrainerCheckpoint } from '../train/trainer.js';
import type { Callback } from '../train/callbacks.js';
import { loadSafetensors, saveSafetensors } from './safetensors-file.js';
import { writeFileAtomic } from './files.js';

/**
 * Checkpoints on disk. A checkpoint is a folder `DIR/checkpoint-<step>/` with
 *   model.safetensors  the model's state dict (PyTorch keys; opens in PyTorch and Hugging Face tools)
 *   state.safetensors  optimizer moments and other tensors of the trainer
 *   trainer.json       counters, history, optimizer/scheduler/loader/criteria state, random generator
 * and `DIR/latest.json` names the newest complete one. The folder is written under a temporary name, flushed,
 * and renamed; `latest.json` is replaced atomically afterwards, so a crash at any moment leaves the previous
 * checkpoint intact and `latest.json` pointing at a complete one.
 */

function fsyncDir(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // not supported everywhere (Windows); rename stays atomic
  }
}

export interface SaveCheckpointOptions {
  /** Complete checkpoints to keep (the newest); default 2. */
  keep?: number;
}

/**
 * Writes a trainer checkpoint into `dir` (created if needed) and returns the checkpoint folder.
 * @example saveCheckpoint('runs/mnist', trainer.checkpoint());
 */
export function saveCheckpoint(dir: string, ckpt: TrainerCheckpoint, { keep = 2 }: SaveCheckpointOptions = {}): string {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`saveCheckpoint: keep must be a positive integer, got ${keep}`);
  mkdirSync(dir, { recursive: true });
  const step = Number(ckpt.state.step);
  const name = `checkpoint-${String(step).padStart(8, '0')}`;
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  saveSafetensors(join(tmp, 'model.safetensors'), ckpt.model, { step: String(step), epoch: String(ckpt.state.epoch) });
  saveSafetensors(join(tmp, 'state.safetensors'), ckpt.tensors);
  writeFileAtomic(join(tmp, 'trainer.json'), JSON.stringify(ckpt.state));
  fsyncDir(tmp);
  const final = join(dir, name);
  if (existsSync(final)) {
    // the same step saved twice (end of epoch right after a periodic save): swap the new one in
    const old = join(dir, `.${name}.${process.pid}.old`);
    renameSync(final, old);
    renameSync(tmp, final);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, final);
  }
  fsyncDir(dir);
  writeFileAtomic(join(dir, 'latest.json'), JSON.stringify({ checkpoint: name, step, epoch: ckpt.state.epoch }));
  const all = readdirSync(dir).filter((f) => /^checkpoint-\d+$/.test(f)).sort();
  for (const f of all.slice(0, Math.max(0, all.length - keep))) if (f !== name) rmSync(join(dir, f), { recursive: true, force: true });
  return final;
}

/** The folder of the newest complete checkpoint in `dir` (or `dir` itself if it is one), or null if there is none. */
export function latestCheckpoint(dir: string): string | null {
  if (existsSync(join(dir, 'trainer.json'))) return dir;
  const pointer = join(dir, 'latest.json');
  if (!existsSync(pointer)) return null;
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(pointer, 'utf8')) as { checkpoint?: unknown }).checkpoint;
  } catch (e) {
    throw new Error(`loadCheckpoint: ${pointer} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof name !== 'string' || !/^checkpoint-\d+$/.test(name)) throw new Error(`loadCheckpoint: ${pointer} does not name a checkpoint folder`);
  return join(dir, name);
}

/**
 * Reads a checkpoint: `dir` is a run folder (its latest.json is followed) or a checkpoint folder.
 * @example trainer.restore(loadCheckpoint('runs/mnist'));
 */
export function loadCheckpoint(dir: string): TrainerCheckpoint {
  const folder = latestCheckpoint(dir);
  if (!folder) throw new Error(`loadCheckpoint: no checkpoint in ${dir} (expected latest.json or trainer.json)`);
  for (const f of ['model.safetensors', 'state.safetensors', 'trainer.json']) {
    if (!existsSync(join(folder, f))) throw new Error(`loadCheckpoint: ${folder} is incomplete: ${f} is missing`);
  }
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(readFileSync(join(folder, 'trainer.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`loadCheckpoint: ${join(folder, 'trainer.json')} is not valid JSON: ${(e as Error).message}`);
  }
  return { model: loadSafetensors(join(folder, 'model.safetensors')).tensors, tensors: loadSafetensors(join(folder, 'state.safetensors')).tensors, state };
}

/**
 * Restores `trainer` from the newest checkpoint in `dir` if there is one; returns whether it did.
 * @example if (resumeFrom(trainer, 'runs/mnist')) console.log(`resuming at step ${trainer.step}`);
 */
export function resumeFrom(trainer: Trainer, dir: string): boolean {
  if (!latestCheckpoint(dir)) return false;
  trainer.restore(loadCheckpoint(dir));
  return true;
}

export interface CheckpointCallbackOptions extends SaveCheckpointOptions {
  dir: string;
  /** Also save every this many optimizer steps (mid-epoch checkpoints). */
  everySteps?: number;
  /** Save every this many epochs (default 1). */
  everyEpochs?: number;
  /** Called with the folder after each save. */
  onSave?: (folder: string, trainer: Trainer) => void;
}

/**
 * Saves checkpoints while training: every `everyEpochs` epochs, every `everySteps` steps if given, and when
 * training ends (however it ends, so Ctrl-C leaves a checkpoint to resume from).
 * @example callbacks: [checkpointCallback({ dir: 'runs/mnist', everySteps: 100 })]
 */
export function checkpointCallback(options: CheckpointCallbackOptions): Callback {
  const { dir, everySteps, everyEpochs = 1, onSave } = options;
  if (everySteps !== undefined && !(Number.isInteger(everySteps) && everySteps >= 1)) throw new Error(`checkpointCallback: everySteps must be a positive integer, got ${everySteps}`);
  let lastSavedStep = -1;
  const save = (t: Trainer) => {
    const folder = saveCheckpoint(dir, t.checkpoint(), options);
    lastSavedStep = t.step;
    onSave?.(folder, t);
  };
  return {
    name: 'checkpoint',
    onStepEnd(t, info) {
      if (everySteps !== undefined && info.step % everySteps === 0) save(t);
    },
    onEpochEnd(t, epoch) {
      if (epoch % everyEpochs === 0) save(t);
    },
    onTrainEnd(t) {
      if (t.step !== lastSavedStep || t.batchInEpoch !== 0) save(t);
    },
  };
}

/**
 * Makes Ctrl-C (SIGINT) and SIGTERM stop training cleanly after the current step (the checkpoint callback then
 * saves); a second Ctrl-C exits at once. Returns a function that removes the handlers.
 * @example const release = stopOnSignals(trainer); await trainer.fit(); release();
 */
export function stopOnSignals(trainer: Trainer, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (trainer.stopRequested) {
        log(`\n${signal} again: exiting without waiting`);
        process.exit(130);
      }
      log(`\n${signal}: finishing the current step and saving a checkpoint (press Ctrl-C again to quit at once)`);
      trainer.stop(`interrupted by ${signal}`, 'interrupt');
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([s, h]) => process.off(s, h));
}
