import type { Db } from './db.js';
import type { LinkCandidateRow, LinksPendingRow, EaglePendingRow } from './rows.js';

/** Work deferred outside the items queue: Eagle imports waiting for Eagle, and cross-platform link lookups with their candidates (docs/architecture.md, "Not there yet": these become items). */
export class DeferredWork {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      addEaglePending: db.prepare(
        `INSERT INTO eagle_pending (page_id, path, data_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (page_id) DO UPDATE SET path = excluded.path, data_json = excluded.data_json, updated_at = excluded.updated_at`,
      ),
      listEaglePending: db.prepare<[number], EaglePendingRow>(
        'SELECT * FROM eagle_pending ORDER BY updated_at LIMIT ?',
      ),
      removeEaglePending: db.prepare('DELETE FROM eagle_pending WHERE page_id = ?'),
      failEaglePending: db.prepare(
        'UPDATE eagle_pending SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE page_id = ?',
      ),
      saveLinkCandidate: db.prepare(
        `INSERT INTO link_candidates (page_id, platform, url, title, score, accepted, rejected, checked_at) VALUES (@pageId, @platform, @url, @title, @score, @accepted, @rejected, @now)
         ON CONFLICT (page_id, platform, url) DO UPDATE SET title = excluded.title, score = excluded.score, accepted = excluded.accepted, rejected = excluded.rejected, checked_at = excluded.checked_at`,
      ),
      listLinkCandidates: db.prepare<[string], LinkCandidateRow>(
        'SELECT * FROM link_candidates WHERE page_id = ? ORDER BY platform, score DESC',
      ),
      addLinksPending: db.prepare(
        'INSERT INTO links_pending (page_id, next_attempt_at, created_at) VALUES (?, ?, ?) ON CONFLICT (page_id) DO NOTHING',
      ),
      listDueLinks: db.prepare<[number, number], LinksPendingRow>(
        'SELECT * FROM links_pending WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?',
      ),
      deferLinks: db.prepare(
        'UPDATE links_pending SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE page_id = ?',
      ),
      removeLinksPending: db.prepare('DELETE FROM links_pending WHERE page_id = ?'),
    };
  }

  addEaglePending(pageId: string, path: string, data: unknown, now: number): void {
    this.#s.addEaglePending.run(pageId, path, JSON.stringify(data), now, now);
  }

  listEaglePending(limit: number): EaglePendingRow[] {
    return this.#s.listEaglePending.all(limit);
  }

  removeEaglePending(pageId: string): void {
    this.#s.removeEaglePending.run(pageId);
  }

  failEaglePending(pageId: string, error: string, now: number): void {
    this.#s.failEaglePending.run(error, now, pageId);
  }

  saveLinkCandidate(candidate: {
    pageId: string;
    platform: string;
    url: string;
    title: string;
    score: number;
    accepted: boolean;
    rejected: string | null;
    now: number;
  }): void {
    this.#s.saveLinkCandidate.run({ ...candidate, accepted: candidate.accepted ? 1 : 0 });
  }

  listLinkCandidates(pageId: string): LinkCandidateRow[] {
    return this.#s.listLinkCandidates.all(pageId);
  }

  addLinksPending(pageId: string, dueAt: number, now: number): void {
    this.#s.addLinksPending.run(pageId, dueAt, now);
  }

  listDueLinks(now: number, limit: number): LinksPendingRow[] {
    return this.#s.listDueLinks.all(now, limit);
  }

  deferLinks(pageId: string, nextAttemptAt: number, error: string): void {
    this.#s.deferLinks.run(nextAttemptAt, error, pageId);
  }

  removeLinksPending(pageId: string): void {
    this.#s.removeLinksPending.run(pageId);
  }
}
