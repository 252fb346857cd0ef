/// <reference types="node" />
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDir } from './files.js';

/** The lock file in a run folder; it names the process that writes there. */
export const LOCK_FILE = '.descent.lock';

interface Owner {
  pid: number;
  host: string;
  started: string;
}

// Locks this process holds, by folder, with how many holders in this process (callbacks and the CLI share one).
const held = new Map<string, number>();
let exitHookInstalled = false;

/**
 * Takes the lock of a run folder: one writing process at a time (two trainings in one folder would mix their
 * checkpoints, config and metrics). A second process is refused with an error naming the holder; a lock left
 * by a process that no longer runs (a crash, `kill -9`) is taken over. Holders in the same process share
 * the lock. Returns the release function; the lock also goes when the process exits.
 * @example const release = lockRunFolder('runs/mnist'); try { ... } finally { release(); }
 */
export function lockRunFolder(dir: string): () => void {
  const key = resolve(dir);
  const count = held.get(key) ?? 0;
  if (count === 0) acquire(key);
  held.set(key, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(key) ?? 1) - 1;
    if (left > 0) held.set(key, left);
    else {
      held.delete(key);
      removeIfMine(key);
    }
  };
}

function acquire(dir: string): void {
  ensureDir(dir);
  const path = join(dir, LOCK_FILE);
  const mine: Owner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  // written whole under a private name, then linked into place: the link fails if a lock exists, and a reader
  // never sees a half-written lock
  const draft = `${path}.${process.pid}.draft`;
  writeFileSync(draft, JSON.stringify(mine));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, path);
        installExitHook();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot lock the run folder ${dir}: ${(e as Error).message}`);
      }
      const owner = readOwner(path);
      if (owner && isRunning(owner)) {
        throw new Error(
          `the run folder ${dir} is in use by another training (pid ${owner.pid} on ${owner.host}, since ${owner.started}); ` +
            `wait for it to finish or write elsewhere. If that process is gone, delete ${path}.`,
        );
      }
      takeOverStale(path, owner);
    }
    throw new Error(`cannot lock the run folder ${dir}: other processes keep taking the lock`);
  } finally {
    rmSync(draft, { force: true });
  }
}

// Moves a stale lock aside (rename is atomic: of several processes, one moves it); if what was moved is not the
// stale lock that was judged (another process has just taken the folder over), it is put back.
function takeOverStale(path: string, judged: Owner | null): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: try again
  }
  const moved = readOwner(aside);
  const same = judged === null ? moved === null || !isRunning(moved) : moved !== null && moved.pid === judged.pid && moved.started === judged.started;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // a third process locked it meanwhile; the one we moved was live: it will find its lock taken (rare)
    }
  }
  rmSync(aside, { force: true });
}

function readOwner(path: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null; // unreadable or not ours: stale
  }
}

function isRunning(owner: Owner): boolean {
  if (owner.host !== hostname()) return true; // another machine (a shared file system): cannot tell, assume so
  if (owner.pid === process.pid) return false; // a lock of an earlier process with our pid, not one we hold
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but belongs to another user
  }
}

function removeIfMine(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of held.keys()) removeIfMine(dir);
  });
}
