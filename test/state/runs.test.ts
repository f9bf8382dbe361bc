import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// The run log (state/runs.ts): cycles and Notion request counters, read by the status page, /healthz and the
// metrics (src/engine/status.ts, src/server/http.ts).

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `runs-${++files}.sqlite`))));
afterEach(() => store.close());

const finished = (id: number, finishedAt: number, errorCode: string | null = null) => ({
  id,
  finishedAt,
  polled: 3,
  queued: 2,
  claimed: 1,
  notionRequests: 7,
  notionRateLimited: 0,
  errorCode,
  errorMessage: errorCode ? 'Notion is down' : null,
});

describe('the run log (RunLog)', () => {
  it('the last successful cycle is the newest finished one without an error', () => {
    // /healthz and the status page say "last good cycle at ..."; a failing or still-running cycle must not count.
    store.runs.recordBoot('boot-1', 100, 'mac', 1_000);
    expect(store.runs.lastSuccessfulRun()).toBeUndefined();
    const good = store.runs.startRun('boot-1', 'start', 1_000);
    store.runs.finishRun(finished(good, 1_500));
    const failed = store.runs.startRun('boot-1', 'cron', 2_000);
    store.runs.finishRun(finished(failed, 2_500, 'NOTION_UNAVAILABLE'));
    store.runs.startRun('boot-1', 'webhook', 3_000); // still running
    expect(store.runs.lastSuccessfulRun()).toMatchObject({
      id: good,
      trigger: 'start',
      finished_at: 1_500,
      polled: 3,
      queued: 2,
      claimed: 1,
      notion_requests: 7,
    });
  });

  it('lists the most recent cycles first, as many as asked', () => {
    // The status page shows the last ten cycles, newest on top.
    const ids = ['start', 'cron', 'cron', 'webhook'].map((trigger, i) => store.runs.startRun('b', trigger, i * 1_000));
    const recent = store.runs.listRecentRuns(3);
    expect(recent.map((r) => r.id)).toEqual(ids.slice(1).reverse());
    expect(recent[0]).toMatchObject({ trigger: 'webhook', finished_at: null, error_code: null });
  });

  it('adds Notion request counts up per day, method and endpoint, across flushes and restarts', () => {
    // "Requests per idle cycle" and the rate-limit total come from these sums; a count must never be lost or doubled.
    const file = store.db.name;
    store.runs.addNotionRequestCounts('2026-05-01', [
      { method: 'POST', endpoint: 'data_sources.query', requests: 4, rateLimited: 1, failed: 0 },
      { method: 'PATCH', endpoint: 'pages.update', requests: 0, rateLimited: 0, failed: 0 },
    ]);
    store.close();
    store = Store.open(file);
    store.runs.addNotionRequestCounts('2026-05-01', [
      { method: 'POST', endpoint: 'data_sources.query', requests: 2, rateLimited: 1, failed: 1 },
    ]);
    store.runs.addNotionRequestCounts('2026-05-02', [
      { method: 'POST', endpoint: 'data_sources.query', requests: 5, rateLimited: 0, failed: 0 },
    ]);
    expect(store.runs.totalNotionRequests()).toEqual({ requests: 11, rateLimited: 2 });
    // An endpoint with no requests adds no row.
    expect(
      store.db.prepare('SELECT day, method, endpoint, requests, failed FROM notion_requests ORDER BY day').all(),
    ).toEqual([
      { day: '2026-05-01', method: 'POST', endpoint: 'data_sources.query', requests: 6, failed: 1 },
      { day: '2026-05-02', method: 'POST', endpoint: 'data_sources.query', requests: 5, failed: 0 },
    ]);
  });

  it('counts nothing on a fresh state', () => {
    expect(store.runs.totalNotionRequests()).toEqual({ requests: 0, rateLimited: 0 });
    expect(store.runs.listRecentRuns(10)).toEqual([]);
  });

  it('records when a boot started and ended', () => {
    // A boot with no end is a process that died: its leases are released at the next start (docs/decisions.md).
    store.runs.recordBoot('boot-1', 100, 'mac', 1_000);
    store.runs.recordBoot('boot-2', 200, 'mac', 5_000);
    store.runs.endBoot('boot-2', 6_000);
    expect(store.db.prepare('SELECT boot_id, pid, started_at, ended_at FROM boots ORDER BY started_at').all()).toEqual([
      { boot_id: 'boot-1', pid: 100, started_at: 1_000, ended_at: null },
      { boot_id: 'boot-2', pid: 200, started_at: 5_000, ended_at: 6_000 },
    ]);
  });
});
