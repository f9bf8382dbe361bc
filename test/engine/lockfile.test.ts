import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonLock } from '../../src/engine/lockfile.js';
import { TrackSyncError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../helpers/tmp.js';

/** What `acquire` threw (it must throw). */
function refusal(take: () => unknown): TrackSyncError {
  try {
    take();
  } catch (error) {
    if (error instanceof TrackSyncError) return error;
    throw error;
  }
  throw new Error('expected the lock to be refused');
}

/**
 * One daemon per state directory (src/engine/lockfile.ts). Races between processes starting at the same instant are
 * test/engine/lock-race.test.ts; here, what a single daemon and the one after it rely on.
 */
describe('the daemon lock (src/engine/lockfile.ts)', () => {
  const dir = tempDir('tracksync-lockfile-');

  it('is held by one daemon, refused to a second with the holder named, and free again once released', () => {
    const state = join(dir, 'one');
    const path = join(state, 'daemon.lock.sqlite');
    const pidFile = join(state, 'daemon.pid');
    const lock = DaemonLock.acquire(path, process.pid);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);

    // A second start on the same state directory (in this process, so the kernel's own per-process lock cannot help).
    const error = refusal(() => DaemonLock.acquire(path, 4242));
    expect(error.code).toBe('DAEMON_ALREADY_RUNNING');
    // The message names the daemon that holds it, the directory, and the way out.
    expect(error.message).toContain(`(pid ${process.pid})`);
    expect(error.message).toContain(state);
    expect(error.message).toContain('TRACKSYNC_STATE_DIR');
    // The loser leaves the holder's pid file alone.
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);

    lock.release();
    expect(existsSync(pidFile)).toBe(false);
    // The next daemon (its pid: this process's parent, a live one) takes it and is the one named from now on.
    const next = DaemonLock.acquire(path, process.ppid);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.ppid}\n`);
    // Releasing the old lock again (a stop after a failed start) changes nothing: the next holder keeps its lock.
    lock.release();
    expect(refusal(() => DaemonLock.acquire(path)).message).toContain(`(pid ${process.ppid})`);
    next.release();
  });

  it('is free at once when its holder is killed (kill -9): no stale lock to wait out, whatever pid file is left', async () => {
    const state = join(dir, 'killed');
    const path = join(state, 'daemon.lock.sqlite');
    // The holder is another process running the built lock module, as the CLI does (the lock-race fixture).
    const holder = fork(join(packageRoot(), 'test', 'fixtures', 'lock', 'racer.mjs'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    try {
      const answer = new Promise<Record<string, unknown>>((resolve) =>
        holder.on('message', (m: Record<string, unknown>) => {
          if ('won' in m) resolve(m);
        }),
      );
      await new Promise((resolve) => holder.once('message', resolve)); // ready
      holder.send({ round: 0, path, go: Date.now() });
      expect(await answer).toMatchObject({ won: true, pid: holder.pid });
      expect(refusal(() => DaemonLock.acquire(path)).message).toContain(`(pid ${holder.pid})`);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    // The dead daemon's pid file is still there; the kernel dropped its lock with the process.
    expect(readFileSync(join(state, 'daemon.pid'), 'utf8')).toBe(`${holder.pid}\n`);
    const lock = DaemonLock.acquire(path);
    expect(readFileSync(join(state, 'daemon.pid'), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });
});
