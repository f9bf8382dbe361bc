import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Daemons that start at the same instant on a stale lock (issue 17): six processes call DaemonLock.acquire in the same
 * millisecond, two hundred times over, each time next to a lock file left by a dead process. Exactly one may win each
 * round. The old lock deleted the stale file and created its own, so a racer that had read the stale pid could delete
 * the winner's fresh file and win too (about one round in thirty here); an advisory lock taken in one step cannot.
 * The racers are the built lock module (dist/, as the CLI runs it); test/faults/hostile-state.test.ts races the CLI.
 */
describe('the daemon lock under a start-up race', () => {
  const dir = tempDir('tracksync-lock-race-');

  it('lets exactly one of six simultaneous daemons hold it, round after round, and the others name it', async () => {
    const deadPid = await exitedPid();
    const racers: ChildProcess[] = Array.from({ length: 6 }, () =>
      fork(join(packageRoot(), 'test', 'fixtures', 'lock', 'racer.mjs'), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const next = (child: ChildProcess, key: string): Promise<Record<string, unknown>> =>
      new Promise((resolve) => {
        const on = (m: Record<string, unknown>): void => {
          if (key in m) {
            child.off('message', on);
            resolve(m);
          }
        };
        child.on('message', on);
      });
    try {
      await Promise.all(racers.map((r) => next(r, 'ready')));
      const winners: number[] = [];
      for (let round = 0; round < 200; round += 1) {
        const state = join(dir, `state-${round}`);
        mkdirSync(state, { recursive: true });
        writeFileSync(join(state, 'daemon.lock'), '999999\n'); // left by a daemon that died (the old lock's file)
        writeFileSync(join(state, 'daemon.pid'), `${deadPid}\n`); // and the pid file of one that died
        const go = Date.now() + 30;
        const answers = racers.map((r) => next(r, 'won'));
        for (const r of racers) r.send({ round, path: join(state, 'daemon.lock.sqlite'), go });
        const results = await Promise.all(answers);
        winners.push(results.filter((m) => m.won === true).length);
        const losers = results.filter((m) => m.won === false);
        expect(losers.every((m) => m.code === 'DAEMON_ALREADY_RUNNING')).toBe(true);
        // Each loser names the winner, not the dead daemon's pid and not "starting now" (read before the winner wrote).
        const winner = results.find((m) => m.won === true);
        if (winner) for (const m of losers) expect(m.message).toContain(`(pid ${String(winner.pid)})`);
        const released = racers.map((r) => next(r, 'released'));
        for (const r of racers) r.send({ release: true, round });
        await Promise.all(released);
      }
      expect(winners.filter((w) => w !== 1)).toEqual([]);
    } finally {
      for (const r of racers) r.send({ exit: true });
    }
  }, 120_000);
});

/** The pid of a process that has exited (so no process answers to it, barring reuse within the test). */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}
