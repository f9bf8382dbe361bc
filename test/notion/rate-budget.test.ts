import { execa } from 'execa';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { TrackSyncError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { gatewayFor, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Notion's rate limits are per integration (and per workspace), so every tracksync process using one token must draw
 * on one budget: the daemon, `tracksync sync`, `links` and `feeds` share it through the state directory's SQLite.
 */
describe('one Notion rate budget for every process on a state directory', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();

  it('keeps two processes together within the configured rate (5 a second, bursts of 5)', async () => {
    const stateDir = join(dir, 'shared');
    const rate = 5;
    const burst = 5;
    const count = 12;
    const startAt = Date.now() + 1_500; // both processes are up by then, and start at the same moment
    const env = {
      ...sandbox.env(),
      TRACKSYNC_STATE_DIR: stateDir,
      RATE: String(rate),
      BURST: String(burst),
      COUNT: String(count),
      START_AT: String(startAt),
    };
    // The state directory's schema exists before the two start (as it does once any tracksync has run there).
    Store.open(join(stateDir, 'tracksync.sqlite')).close();
    const worker = join(packageRoot(), 'test', 'fixtures', 'notion-burst.mjs');
    const runs = await Promise.all([1, 2].map(() => execa(process.execPath, [worker], { env, extendEnv: true })));
    const sends = runs.flatMap((run) => JSON.parse(run.stdout) as number[]).sort((a, b) => a - b);
    expect(sends).toHaveLength(2 * count);
    // Never more than `burst` slots within one second, across both processes (two budgets, one per process, would
    // grant 2 x 5 within a few milliseconds). The times are the budget's own grants, so load cannot blur them.
    for (let i = 0; i + burst < sends.length; i += 1)
      expect(sends[i + burst]! - sends[i]!).toBeGreaterThanOrEqual(1_000);
    // ...and the average held: the bucket starts with `burst` tokens, the rest come at `rate` a second (3.8 s here;
    // two budgets would take 1.4 s).
    expect(sends.at(-1)! - sends[0]!).toBeGreaterThanOrEqual(((2 * count - burst) / rate) * 1000);
  });

  it('holds every process back for a Retry-After longer than a minute', async () => {
    const stateDir = join(dir, 'retry-after');
    const first = Store.open(join(stateDir, 'tracksync.sqlite'));
    const second = Store.open(join(stateDir, 'tracksync.sqlite')); // another process's connection to the same file
    afterAll(() => {
      first.close();
      second.close();
    });
    sandbox.setFaults([{ path: '^/users/me$', status: 429, retryAfterSeconds: 90, times: 1 }]);
    const a = gatewayFor(sandbox, { store: first.notion });
    const b = gatewayFor(sandbox, { store: second.notion });
    const errorA = await a.whoAmI().catch((e: unknown) => e);
    expect(errorA).toMatchObject({ code: 'NOTION_RATE_LIMITED' });
    const before = sandbox.requests().at(-1)?.seq ?? 0;
    const errorB = await b.whoAmI().catch((e: unknown) => e);
    expect(errorB).toBeInstanceOf(TrackSyncError);
    expect(errorB).toMatchObject({ code: 'NOTION_RATE_LIMITED', kind: 'rate_limited' });
    expect((errorB as TrackSyncError).retryAfterMs).toBeGreaterThan(60_000);
    expect(sandbox.requests(before)).toEqual([]);
  });
});
