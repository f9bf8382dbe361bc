import type { Db } from './db.js';
import type { IncidentRow } from './rows.js';

/** CRITICAL incidents: one row per kind, opened, seen again and cleared. */
export class Incidents {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      getIncident: db.prepare<[string], IncidentRow>('SELECT * FROM critical_incidents WHERE kind = ?'),
      listOpenIncidents: db.prepare<[], IncidentRow>(
        'SELECT * FROM critical_incidents WHERE cleared_at IS NULL ORDER BY opened_at',
      ),
      openIncident: db.prepare(
        `INSERT INTO critical_incidents (kind, task_page_id, message, opened_at, last_seen_at, last_line_at, occurrences, cleared_at) VALUES (@kind, @taskPageId, @message, @now, @now, @now, 1, NULL)
         ON CONFLICT (kind) DO UPDATE SET task_page_id = excluded.task_page_id, message = excluded.message, opened_at = excluded.opened_at,
           last_seen_at = excluded.last_seen_at, last_line_at = excluded.last_line_at, occurrences = 1, cleared_at = NULL`,
      ),
      seeIncident: db.prepare(
        'UPDATE critical_incidents SET last_seen_at = @now, message = @message, occurrences = occurrences + 1, last_line_at = CASE WHEN @lineWritten = 1 THEN @now ELSE last_line_at END WHERE kind = @kind',
      ),
      setIncidentTask: db.prepare('UPDATE critical_incidents SET task_page_id = ?, last_line_at = ? WHERE kind = ?'),
      clearIncident: db.prepare('UPDATE critical_incidents SET cleared_at = ? WHERE kind = ? AND cleared_at IS NULL'),
    };
  }

  getIncident(kind: string): IncidentRow | undefined {
    return this.#s.getIncident.get(kind);
  }

  listOpenIncidents(): IncidentRow[] {
    return this.#s.listOpenIncidents.all();
  }

  /** Opens (or reopens) the incident of `kind`, its task not created yet when `taskPageId` is null. */
  openIncident(kind: string, taskPageId: string | null, message: string, now: number): void {
    this.#s.openIncident.run({ kind, taskPageId, message, now });
  }

  seeIncident(kind: string, message: string, lineWritten: boolean, now: number): void {
    this.#s.seeIncident.run({ kind, message, lineWritten: lineWritten ? 1 : 0, now });
  }

  setIncidentTask(kind: string, taskPageId: string, now: number): void {
    this.#s.setIncidentTask.run(taskPageId, now, kind);
  }

  clearIncident(kind: string, now: number): boolean {
    return this.#s.clearIncident.run(now, kind).changes > 0;
  }
}
