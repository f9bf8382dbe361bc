import type { Db } from './db.js';
import type { CursorRow } from './rows.js';

/** Where polling stands: each database's data source id and each data source's cursor. */
export class Cursors {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      getDataSourceId: db.prepare<[string], { data_source_id: string }>(
        'SELECT data_source_id FROM data_sources WHERE database_id = ?',
      ),
      saveDataSourceId: db.prepare(
        `INSERT INTO data_sources (database_id, data_source_id, name, discovered_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (database_id) DO UPDATE SET data_source_id = excluded.data_source_id, name = excluded.name, discovered_at = excluded.discovered_at`,
      ),
      forgetDataSourceId: db.prepare('DELETE FROM data_sources WHERE database_id = ?'),
      getCursor: db.prepare<[string], CursorRow>('SELECT * FROM cursors WHERE data_source_id = ?'),
      saveCursor: db.prepare(
        `INSERT INTO cursors (data_source_id, minute, seen_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (data_source_id) DO UPDATE SET minute = excluded.minute, seen_json = excluded.seen_json, updated_at = excluded.updated_at`,
      ),
      recordFullReconcile: db.prepare(
        `INSERT INTO cursors (data_source_id, last_full_reconcile, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (data_source_id) DO UPDATE SET last_full_reconcile = excluded.last_full_reconcile, updated_at = excluded.updated_at`,
      ),
    };
  }

  getDataSourceId(databaseId: string): string | undefined {
    return this.#s.getDataSourceId.get(databaseId)?.data_source_id;
  }

  saveDataSourceId(databaseId: string, dataSourceId: string, name: string, now: number): void {
    this.#s.saveDataSourceId.run(databaseId, dataSourceId, name, now);
  }

  forgetDataSourceId(databaseId: string): void {
    this.#s.forgetDataSourceId.run(databaseId);
  }

  getCursor(dataSourceId: string): CursorRow | undefined {
    return this.#s.getCursor.get(dataSourceId);
  }

  saveCursor(dataSourceId: string, minute: string | null, seen: Record<string, unknown>, now: number): void {
    this.#s.saveCursor.run(dataSourceId, minute, JSON.stringify(seen), now);
  }

  recordFullReconcile(dataSourceId: string, now: number): void {
    this.#s.recordFullReconcile.run(dataSourceId, now, now);
  }
}
