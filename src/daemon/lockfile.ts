import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TrackSyncError } from '../errors.js';

/**
 * One daemon per state directory. The lock file holds the owner's pid; a file left by a dead process is taken over
 * (the kernel tells us the pid is gone), a live owner makes the second daemon exit with a message naming it.
 */
export class DaemonLock {
  readonly #path: string;
  #held = false;

  private constructor(path: string) {
    this.#path = path;
  }

  static acquire(path: string, pid = process.pid): DaemonLock {
    mkdirSync(dirname(path), { recursive: true });
    const lock = new DaemonLock(path);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, `${pid}\n`);
        closeSync(fd);
        lock.#held = true;
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(readFileSafe(path).trim());
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new TrackSyncError('DAEMON_ALREADY_RUNNING', `another tracksync (pid ${owner}) is already running on this state directory (${dirname(path)}); stop it first, or set TRACKSYNC_STATE_DIR to a different directory`);
        }
        try {
          unlinkSync(path); // left by a process that died without cleaning up
        } catch {
          // someone else removed it first; try again
        }
      }
    }
    throw new TrackSyncError('DAEMON_ALREADY_RUNNING', `could not take the daemon lock ${path}: another tracksync is starting at the same time`);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      unlinkSync(this.#path);
    } catch {
      // already gone
    }
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
