import { cli, readLines, waitFor } from '../helpers/cli.js';
import { loggingWorld } from '../helpers/logging-world.js';

/**
 * Two `tracksync run` processes with their own state folders on the same databases, as on two Macs: Notion is the only
 * thing they share, and it has no compare-and-swap, so the claim (write the lock, wait settleMs, read it back) is all
 * that keeps them apart. Every row must be worked on by exactly one of them, once. (With settleMs 0 this test fails:
 * both daemons read back before the other's write and process the same row.)
 */
describe('two daemons on the same databases, through the CLI', async () => {
  const { log, config, env, row, field } = await loggingWorld();
  // Each daemon holds at most 2 rows at a time, so neither can take the whole batch; the settle wait is the default 1
  // s.
  const configPath = config({
    schedule: { cycleCron: '*/1 * * * * *' },
    claims: {},
    concurrency: { maxItems: 2, claimBatchSize: 2 },
    notion: { requestsPerSecond: 20, burstPerSecond: 20 },
  });
  const daemonEnv = (state: string) => env(state, configPath, { TEST_HANDLER_SLEEP_MS: '300' });

  it('each row is processed once, by one of them, and both take part', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => row(`CLI: shared ${i}`));
    const daemons = [cli(['run'], daemonEnv('mac-studio')), cli(['run'], daemonEnv('macbook'))];
    try {
      await waitFor(() => ids.every((id) => field(id, 'Downloaded') === true), 'every row to be done', 120_000);
    } finally {
      for (const daemon of daemons) daemon.kill('SIGTERM');
      for (const daemon of daemons) expect((await daemon).exitCode).toBe(0);
    }
    const lines = readLines(log);
    for (const id of ids) {
      expect(lines.filter((l) => l.startsWith(`start ${id} `))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith(`done ${id} `))).toHaveLength(1);
      expect(field(id, 'Processing Lock')).toBe('');
    }
    const pids = new Set(lines.map((l) => l.match(/pid=(\d+)/)?.[1]));
    expect([...pids].sort()).toEqual(daemons.map((d) => String(d.pid)).sort());
  }, 180_000);
});
