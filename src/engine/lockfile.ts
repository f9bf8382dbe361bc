import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openLockDatabase, type Db } from '../../state/db.js';
import { TrackSyncError } from '../errors.js';

/**
 * One daemon per state directory, held by an advisory lock the kernel keeps: a write transaction (RESERVED lock, an
 * fcntl lock underneath) on a small SQLite file, open for the daemon's whole life. Taking it is one atomic step, so
 * two daemons starting at the same instant cannot both win; and the kernel drops it when the process dies, however it
 * dies, so there is never a stale lock to take over (the old pid file was deleted and re-created, which two daemons
 * racing on a stale file could both do). The owner's pid is written next to it, for the message only.
 */
/**
 * Locks held by this process. The lock lives as long as its SQLite connection, and better-sqlite3 closes a connection
 * that is garbage-collected: kept here, a lock never depends on its caller keeping a reference.
 */
const HELD = new Set<DaemonLock>();

export class DaemonLock {
  readonly #db: Db;
  readonly #pidFile: string;
  #held = true;

  private constructor(db: Db, pidFile: string) {
    this.#db = db;
    this.#pidFile = pidFile;
  }

  /** `path`: the lock file (state dir/daemon.lock.sqlite); `pid` the owner recorded for messages. */
  static acquire(path: string, pid = process.pid): DaemonLock {
    const pidFile = join(dirname(path), 'daemon.pid');
    const db = openLockDatabase(path);
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      const owner = waitForOwner(pidFile);
      const who = owner === undefined ? 'starting now' : `pid ${owner}`;
      throw new TrackSyncError(
        'DAEMON_ALREADY_RUNNING',
        `another tracksync (${who}) is already running on this state directory (${dirname(path)}); stop it first, or set TRACKSYNC_STATE_DIR to a different directory`,
      );
    }
    const temp = `${pidFile}.${pid}.tmp`;
    writeFileSync(temp, `${pid}\n`, { mode: 0o600 });
    renameSync(temp, pidFile);
    const lock = new DaemonLock(db, pidFile);
    HELD.add(lock);
    return lock;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    HELD.delete(this);
    rmSync(this.#pidFile, { force: true });
    try {
      this.#db.exec('ROLLBACK');
    } finally {
      this.#db.close();
    }
  }
}

/**
 * The winner of a race writes its pid a moment after it takes the lock, and a crashed daemon may have left an old pid
 * file behind: a loser waits up to OWNER_WAIT_MS for a pid that names a live process, so its message names the daemon
 * that holds the lock (a loser that read too early once said "starting now" in CI on a loaded machine). Synchronous,
 * like the rest of acquire: it runs once, at start-up, before anything else.
 */
const OWNER_WAIT_MS = 5_000;
const OWNER_POLL_MS = 25;

function waitForOwner(pidFile: string): number | undefined {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited <= OWNER_WAIT_MS; waited += OWNER_POLL_MS) {
    const owner = Number(readFileSafe(pidFile).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) return owner;
    Atomics.wait(pause, 0, 0, OWNER_POLL_MS);
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the lock.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
