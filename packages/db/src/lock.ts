/**
 * One process at a time on an embedded database folder. PGlite takes no lock of its own: two
 * processes opening the same folder (the server and `pnpm db:backup`, say) both write to it and
 * corrupt it. The lock is a file beside the folder (`<dir>.lock`) holding the owner's pid and host;
 * a lock left by a process that no longer runs (killed, crashed) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

/** Folders this process holds, so a second open in the same process is refused too. */
const held = new Set<string>();

interface LockOwner {
  pid: number;
  host: string;
}

function readOwner(file: string): LockOwner | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && 'pid' in parsed && 'host' in parsed) {
      const { pid, host } = parsed;
      if (typeof pid === 'number' && typeof host === 'string') return { pid, host };
    }
    return null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock file names a live process other than a former incarnation of this pid. */
function isHeldByOther(owner: LockOwner | null, lockFile: string): owner is LockOwner {
  if (!owner) return false;
  if (owner.host !== hostname()) return true; // another machine on shared storage: cannot tell, so respect it
  if (owner.pid === process.pid) return held.has(lockFile);
  return isRunning(owner.pid);
}

/**
 * Takes the lock of an embedded database folder or throws `DataDirLockedError` naming the process
 * that holds it. Returns the release function (also run at process exit).
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + '\n');
      closeSync(fd);
      held.add(lockFile);
      const onExit = () => release();
      const release = () => {
        process.removeListener('exit', onExit);
        if (!held.delete(lockFile)) return;
        const owner = readOwner(lockFile);
        if (owner?.pid === process.pid) {
          try {
            unlinkSync(lockFile);
          } catch {
            // already gone
          }
        }
      };
      process.on('exit', onExit);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(lockFile);
      if (isHeldByOther(owner, lockFile)) {
        throw new DataDirLockedError(
          `the embedded database ${dataDir} is in use by process ${owner.pid} on ${owner.host}; stop it first (two processes on one embedded database corrupt it)`,
        );
      }
      // Stale: its owner is gone. Remove it and try once more (a racing process may win).
      try {
        unlinkSync(lockFile);
      } catch {
        // removed by the racing process
      }
    }
  }
  throw new DataDirLockedError(`the embedded database ${dataDir} was just opened by another process; stop it first`);
}
