/// <reference types="node" />
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Trainer, TrainerCheckpoint } from '../train/trainer.js';
import { checkpointOnHost, readableNow } from '../train/checkpoint.js';
import type { Callback } from '../train/callbacks.js';
import { loadSafetensors, saveSafetensors } from './safetensors-file.js';
import { ensureDir, writeFileAtomic } from './files.js';
import { faultPoint } from './fault.js';
import { LOCK_FILE, lockRunFolder } from './run-lock.js';

/**
 * Checkpoints on disk. A checkpoint is a folder `DIR/checkpoint-<step>/` with
 *   model.safetensors  the model's state dict (PyTorch keys; opens in PyTorch and Hugging Face tools)
 *   state.safetensors  optimizer moments and other tensors of the trainer
 *   trainer.json       counters, history, optimizer/scheduler/loader/criteria state, random generator
 * and `DIR/latest.json` names the newest complete one. The folder is written under a temporary name, flushed,
 * and renamed; `latest.json` is replaced atomically afterwards. A crash at any instant leaves a run that
 * resumes: when the same step is saved twice (a periodic save, then the end of the epoch) the older folder
 * is renamed aside before the new one moves in, and a reader that finds `latest.json` naming a folder caught
 * between the two renames takes the complete one under its temporary name. `recoverRunFolder` (run by the
 * checkpoint callback when training begins) puts such a folder back and deletes what crashes left behind.
 */

const CHECKPOINT = /^checkpoint-(\d+)$/;
const FILES = ['model.safetensors', 'state.safetensors', 'trainer.json'];

function fsyncDir(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // not supported everywhere (Windows); rename stays atomic
  }
}

/** The folder name of the checkpoint of `step`. */
export function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(8, '0')}`;
}

/** Whether `folder` holds every file of a checkpoint (trainer.json is written last). */
function isComplete(folder: string): boolean {
  return FILES.every((f) => existsSync(join(folder, f)));
}

/** The checkpoint folders of `dir`, oldest first by step number (names past 99,999,999 steps sort too). */
function checkpointFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => CHECKPOINT.test(f)).sort((a, b) => Number(CHECKPOINT.exec(a)![1]) - Number(CHECKPOINT.exec(b)![1]));
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
  const step = Number(ckpt.state.step);
  if (!Number.isInteger(step) || step < 0) throw new Error(`saveCheckpoint: the checkpoint's step must be a non-negative integer, got ${String(ckpt.state.step)}`);
  ensureDir(dir);
  const name = checkpointName(step);
  faultPoint('checkpoint:begin');
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  saveSafetensors(join(tmp, 'model.safetensors'), ckpt.model, { step: String(step), epoch: String(ckpt.state.epoch) });
  faultPoint('checkpoint:model-written');
  saveSafetensors(join(tmp, 'state.safetensors'), ckpt.tensors);
  faultPoint('checkpoint:state-written');
  writeFileAtomic(join(tmp, 'trainer.json'), JSON.stringify(ckpt.state)); // last: its presence marks the folder complete
  fsyncDir(tmp);
  faultPoint('checkpoint:folder-complete');
  const final = join(dir, name);
  if (existsSync(final)) {
    // the same step saved twice (end of epoch right after a periodic save): swap the new one in
    faultPoint('checkpoint:before-swap');
    const old = join(dir, `.${name}.${process.pid}.old`);
    rmSync(old, { recursive: true, force: true });
    renameSync(final, old);
    faultPoint('checkpoint:between-renames');
    renameSync(tmp, final);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, final);
  }
  fsyncDir(dir);
  faultPoint('checkpoint:renamed');
  writeFileAtomic(join(dir, 'latest.json'), JSON.stringify({ checkpoint: name, step, epoch: ckpt.state.epoch }));
  faultPoint('checkpoint:latest-written');
  const all = checkpointFolders(dir);
  for (const f of all.slice(0, Math.max(0, all.length - keep))) if (f !== name) rmSync(join(dir, f), { recursive: true, force: true });
  faultPoint('checkpoint:pruned');
  return final;
}

// A complete copy of checkpoint `name` that a crash left under a temporary name: the new one (.tmp) before
// the one it was replacing (.old).
function recoveryFolder(dir: string, name: string): string | null {
  const candidates = readdirSync(dir)
    .filter((f) => f.startsWith(`.${name}.`) && /\.\d+\.(tmp|old)$/.test(f) && isComplete(join(dir, f)))
    .sort((a, b) => Number(b.endsWith('.tmp')) - Number(a.endsWith('.tmp')));
  return candidates.length ? join(dir, candidates[0]) : null;
}

function readPointer(dir: string): string | null {
  const pointer = join(dir, 'latest.json');
  if (!existsSync(pointer)) return null;
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(pointer, 'utf8')) as { checkpoint?: unknown }).checkpoint;
  } catch (e) {
    throw new Error(`loadCheckpoint: ${pointer} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof name !== 'string' || !CHECKPOINT.test(name)) throw new Error(`loadCheckpoint: ${pointer} does not name a checkpoint folder`);
  return name;
}

/**
 * The folder of the newest complete checkpoint in `dir` (or `dir` itself if it is one), or null if there is none.
 * @example const folder = latestCheckpoint('runs/mnist'); // 'runs/mnist/checkpoint-00000300'
 */
export function latestCheckpoint(dir: string): string | null {
  if (existsSync(join(dir, 'trainer.json'))) return dir;
  const name = readPointer(dir);
  if (name === null) {
    // a crash between the first checkpoint's rename and its latest.json
    const complete = checkpointFolders(dir).filter((f) => isComplete(join(dir, f)));
    return complete.length ? join(dir, complete[complete.length - 1]) : null;
  }
  const folder = join(dir, name);
  if (isComplete(folder)) return folder;
  const recovered = recoveryFolder(dir, name);
  if (recovered) return recovered;
  throw new Error(`loadCheckpoint: ${join(dir, 'latest.json')} names ${name}, which is ${existsSync(folder) ? 'incomplete' : 'missing'}`);
}

/**
 * After a crash: puts back a checkpoint caught between the two renames of a save, and deletes the temporary
 * folders and files that crashes left in `dir`. Run it while holding the folder's lock (the checkpoint
 * callback does, when training begins).
 * @example recoverRunFolder('runs/mnist');
 */
export function recoverRunFolder(dir: string): void {
  if (!existsSync(dir)) return;
  const name = readPointer(dir);
  if (name !== null && !isComplete(join(dir, name))) {
    const recovered = recoveryFolder(dir, name);
    if (recovered) {
      rmSync(join(dir, name), { recursive: true, force: true });
      renameSync(recovered, join(dir, name));
      fsyncDir(dir);
    }
  }
  for (const f of readdirSync(dir)) {
    const leftover = /^\.checkpoint-\d+\.\d+\.(tmp|old)$/.test(f) // checkpoint folders being written or replaced
      || /^\..+\.\d+\.\d+\.tmp$/.test(f) // writeFileAtomic's temporary files
      || (f.startsWith(`${LOCK_FILE}.`) && /\.\d+\.(stale|draft)$/.test(f) && !isRunning(Number(f.split('.').at(-2))));
    if (leftover) rmSync(join(dir, f), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads a checkpoint: `dir` is a run folder (its latest.json is followed) or a checkpoint folder.
 * @example trainer.restore(loadCheckpoint('runs/mnist'));
 */
export function loadCheckpoint(dir: string): TrainerCheckpoint {
  const folder = latestCheckpoint(dir);
  if (!folder) throw new Error(`loadCheckpoint: no checkpoint in ${dir} (expected latest.json or trainer.json)`);
  for (const f of FILES) {
    if (!existsSync(join(folder, f))) throw new Error(`loadCheckpoint: ${folder} is incomplete: ${f} is missing`);
  }
  const path = join(folder, 'trainer.json');
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`loadCheckpoint: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new Error(`loadCheckpoint: ${path} does not hold a JSON object`);
  return { model: loadSafetensors(join(folder, 'model.safetensors')).tensors, tensors: loadSafetensors(join(folder, 'state.safetensors')).tensors, state };
}

/**
 * Restores `trainer` from the newest checkpoint in `dir` if there is one; returns whether it did. A checkpoint
 * that does not fit the trainer is refused with the folder named, and the trainer left as it was.
 * @example if (resumeFrom(trainer, 'runs/mnist')) console.log(`resuming at step ${trainer.step}`);
 */
export function resumeFrom(trainer: Trainer, dir: string): boolean {
  const folder = latestCheckpoint(dir);
  if (!folder) return false;
  const ckpt = loadCheckpoint(folder);
  try {
    trainer.restore(ckpt);
  } catch (e) {
    throw new Error(`${(e as Error).message} (checkpoint ${folder})`);
  }
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
 * training ends (however it ends, so Ctrl-C leaves a checkpoint to resume from). While training it holds the
 * lock of `dir` (a second process training into the same folder is refused), and when training begins it
 * cleans up after a crash (recoverRunFolder).
 * @example callbacks: [checkpointCallback({ dir: 'runs/mnist', everySteps: 100 })]
 */
export function checkpointCallback(options: CheckpointCallbackOptions): Callback {
  const { dir, everySteps, everyEpochs = 1, onSave } = options;
  if (everySteps !== undefined && !(Number.isInteger(everySteps) && everySteps >= 1)) throw new Error(`checkpointCallback: everySteps must be a positive integer, got ${everySteps}`);
  if (!(Number.isInteger(everyEpochs) && everyEpochs >= 1)) throw new Error(`checkpointCallback: everyEpochs must be a positive integer, got ${everyEpochs}`);
  let lastSavedStep = -1;
  let release: (() => void) | null = null;
  const write = (t: Trainer, ckpt: TrainerCheckpoint) => {
    const folder = saveCheckpoint(dir, ckpt, options);
    lastSavedStep = t.step;
    onSave?.(folder, t);
  };
  // synchronous where the tensors can be read so; on a GPU they are read first (the trainer waits for callbacks)
  const save = (t: Trainer): void | Promise<void> => {
    const ckpt = t.checkpoint();
    return readableNow(ckpt) ? write(t, ckpt) : checkpointOnHost(ckpt).then((host) => write(t, host));
  };
  return {
    name: 'checkpoint',
    readsOnly: true,
    onTrainBegin() {
      release = lockRunFolder(dir);
      recoverRunFolder(dir);
    },
    onStepEnd(t, info) {
      if (everySteps !== undefined && info.step % everySteps === 0) return save(t);
    },
    onEpochEnd(t, epoch) {
      if (epoch % everyEpochs === 0) return save(t);
    },
    async onTrainEnd(t) {
      try {
        if (t.step !== lastSavedStep || t.batchInEpoch !== 0) await save(t);
      } finally {
        release?.();
        release = null;
      }
    },
  };
}
