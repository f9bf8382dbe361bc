import type { Db } from './db.js';
import type { RunRow } from './rows.js';

/** Boots, cycles (runs) and the Notion request counters: what the status page and the daily summary read. */
export class RunLog {
  readonly #db: Db;
  readonly #s;

  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      recordBoot: db.prepare('INSERT INTO boots (boot_id, pid, host, started_at) VALUES (?, ?, ?, ?)'),
      endBoot: db.prepare('UPDATE boots SET ended_at = ? WHERE boot_id = ?'),
      startRun: db.prepare('INSERT INTO runs (boot_id, trigger, started_at) VALUES (?, ?, ?) RETURNING id'),
      finishRun: db.prepare(
        `UPDATE runs SET finished_at = @finishedAt, polled = @polled, queued = @queued, claimed = @claimed, notion_requests = @notionRequests,
           notion_rate_limited = @notionRateLimited, error_code = @errorCode, error_message = @errorMessage WHERE id = @id`,
      ),
      addNotionRequestCount: db.prepare(
        `INSERT INTO notion_requests (day, method, endpoint, requests, rate_limited, failed) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, method, endpoint) DO UPDATE SET requests = requests + excluded.requests,
           rate_limited = rate_limited + excluded.rate_limited, failed = failed + excluded.failed`,
      ),
      listRecentRuns: db.prepare<[number], RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT ?'),
      lastSuccessfulRun: db.prepare<[], RunRow>(
        'SELECT * FROM runs WHERE finished_at IS NOT NULL AND error_code IS NULL ORDER BY id DESC LIMIT 1',
      ),
      sumNotionRequests: db.prepare<[], { requests: number | null; rate_limited: number | null }>(
        'SELECT SUM(requests) AS requests, SUM(rate_limited) AS rate_limited FROM notion_requests',
      ),
    };
  }

  #transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  recordBoot(bootId: string, pid: number, host: string, now: number): void {
    this.#s.recordBoot.run(bootId, pid, host, now);
  }

  endBoot(bootId: string, now: number): void {
    this.#s.endBoot.run(now, bootId);
  }

  startRun(bootId: string, trigger: string, now: number): number {
    return (this.#s.startRun.get(bootId, trigger, now) as { id: number }).id;
  }

  finishRun(run: {
    id: number;
    finishedAt: number;
    polled: number;
    queued: number;
    claimed: number;
    notionRequests: number;
    notionRateLimited: number;
    errorCode: string | null;
    errorMessage: string | null;
  }): void {
    this.#s.finishRun.run(run);
  }

  addNotionRequestCounts(
    day: string,
    counts: Array<{ method: string; endpoint: string; requests: number; rateLimited: number; failed: number }>,
  ): void {
    this.#transaction(() => {
      for (const c of counts)
        if (c.requests > 0)
          this.#s.addNotionRequestCount.run(day, c.method, c.endpoint, c.requests, c.rateLimited, c.failed);
    });
  }

  listRecentRuns(limit: number): RunRow[] {
    return this.#s.listRecentRuns.all(limit);
  }

  lastSuccessfulRun(): RunRow | undefined {
    return this.#s.lastSuccessfulRun.get();
  }

  totalNotionRequests(): { requests: number; rateLimited: number } {
    const row = this.#s.sumNotionRequests.get();
    return { requests: row?.requests ?? 0, rateLimited: row?.rate_limited ?? 0 };
  }
}
