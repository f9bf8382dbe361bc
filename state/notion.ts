import type { Db } from './db.js';
import type { BudgetState, CreateIntentRow } from './rows.js';

/**
 * What the Notion client keeps between processes: create intents (src/notion/creates.ts) and the shared rate budget
 * (src/notion/limiter.ts).
 */
export class NotionState {
  readonly #db: Db;
  readonly #s;

  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      getCreateIntent: db.prepare<[string], CreateIntentRow>('SELECT * FROM create_intents WHERE key = ?'),
      startCreateIntent: db.prepare(
        `INSERT INTO create_intents (key, marker, page_id, started_at, updated_at) VALUES (?, ?, NULL, ?, ?)
         ON CONFLICT (key) DO UPDATE SET marker = excluded.marker, page_id = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at`,
      ),
      resolveCreateIntent: db.prepare('UPDATE create_intents SET page_id = ?, updated_at = ? WHERE key = ?'),
      dropCreateIntent: db.prepare('DELETE FROM create_intents WHERE key = ?'),
      purgeCreateIntents: db.prepare('DELETE FROM create_intents WHERE page_id IS NOT NULL AND updated_at < ?'),
      getRateBudget: db.prepare<
        [string],
        { tokens: number; refilled_at: number; paused_until: number; recent_json: string }
      >('SELECT * FROM rate_budgets WHERE budget_key = ?'),
      saveRateBudget: db.prepare(
        `INSERT INTO rate_budgets (budget_key, tokens, refilled_at, paused_until, recent_json) VALUES (@key, @tokens, @refilledAt, @pausedUntil, @recentJson)
         ON CONFLICT (budget_key) DO UPDATE SET tokens = excluded.tokens, refilled_at = excluded.refilled_at,
           paused_until = excluded.paused_until, recent_json = excluded.recent_json`,
      ),
    };
  }

  getCreateIntent(key: string): CreateIntentRow | undefined {
    return this.#s.getCreateIntent.get(key);
  }

  /** Records (or restarts) the intent to create the page `key`, before the request is sent. */
  startCreateIntent(key: string, marker: string, now: number): void {
    this.#s.startCreateIntent.run(key, marker, now, now);
  }

  resolveCreateIntent(key: string, pageId: string, now: number): void {
    this.#s.resolveCreateIntent.run(pageId, now, key);
  }

  dropCreateIntent(key: string): void {
    this.#s.dropCreateIntent.run(key);
  }

  /** Forgets resolved intents older than `before` (unresolved ones are kept: they may still have to be found). */
  purgeCreateIntents(before: number): number {
    return this.#s.purgeCreateIntents.run(before).changes;
  }

  /**
   * One atomic step of the shared rate budget: reads the budget's state, lets `decide` compute the new state (and the
   * wait, if any), and writes it back, all under SQLite's write lock (BEGIN IMMEDIATE), so two processes never take
   * the same slot.
   */
  stepRateBudget<T>(key: string, decide: (state: BudgetState | undefined) => { state: BudgetState; result: T }): T {
    const run = this.#db.transaction(() => {
      const row = this.#s.getRateBudget.get(key);
      const current = row
        ? {
            tokens: row.tokens,
            refilledAt: row.refilled_at,
            pausedUntil: row.paused_until,
            recent: JSON.parse(row.recent_json) as number[],
          }
        : undefined;
      const { state, result } = decide(current);
      const { tokens, refilledAt, pausedUntil } = state;
      this.#s.saveRateBudget.run({ key, tokens, refilledAt, pausedUntil, recentJson: JSON.stringify(state.recent) });
      return result;
    });
    return run.immediate();
  }

  readRateBudgetPause(key: string): number {
    return this.#s.getRateBudget.get(key)?.paused_until ?? 0;
  }
}
