import type { Db } from './db.js';
import type { LinkCandidateRow } from './rows.js';

/** Cross-platform link candidates: every match a link lookup scored, kept for `tracksync links` and the Notes. */
export class LinkCandidates {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      saveLinkCandidate: db.prepare(
        `INSERT INTO link_candidates (page_id, platform, url, title, score, accepted, rejected, checked_at) VALUES (@pageId, @platform, @url, @title, @score, @accepted, @rejected, @now)
         ON CONFLICT (page_id, platform, url) DO UPDATE SET title = excluded.title, score = excluded.score, accepted = excluded.accepted, rejected = excluded.rejected, checked_at = excluded.checked_at`,
      ),
      listLinkCandidates: db.prepare<[string], LinkCandidateRow>(
        'SELECT * FROM link_candidates WHERE page_id = ? ORDER BY platform, score DESC',
      ),
    };
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
}
