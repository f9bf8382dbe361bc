import type { Db } from './db.js';
import type { LibraryFileRow, IndexedFile } from './rows.js';

/**
 * The library index: placed and scanned files, their fingerprint keys, the scans, and temp files recorded before they
 * are written.
 */
export class LibraryIndex {
  readonly #db: Db;
  readonly #s;

  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      getLibraryFile: db.prepare<[string], LibraryFileRow>('SELECT * FROM library_files WHERE path = ?'),
      listLibraryFilesOfPage: db.prepare<[string], LibraryFileRow>(
        'SELECT * FROM library_files WHERE page_id = ? AND gone = 0',
      ),
      addPendingFile: db.prepare('INSERT OR REPLACE INTO pending_files (path, item_id, created_at) VALUES (?, ?, ?)'),
      removePendingFile: db.prepare('DELETE FROM pending_files WHERE path = ?'),
      listPendingFiles: db.prepare<[], { path: string; item_id: number | null; created_at: number }>(
        'SELECT * FROM pending_files',
      ),
      upsertIndexedFile: db.prepare(
        `INSERT INTO library_files (path, root, page_id, format, size, mtime_ms, placed_at, gone, duration_seconds, title, artist, album, bpm,
           musical_key, norm_title, norm_artist, fingerprint, fingerprint_raw, scan_id)
         VALUES (@path, @root, @pageId, @format, @size, @mtimeMs, @now, 0, @durationSeconds, @title, @artist, @album, @bpm,
           @musicalKey, @normTitle, @normArtist, @fingerprint, @fingerprintRaw, @scanId)
         ON CONFLICT (path) DO UPDATE SET root = COALESCE(excluded.root, library_files.root), page_id = COALESCE(excluded.page_id, library_files.page_id),
           format = excluded.format, size = excluded.size, mtime_ms = excluded.mtime_ms, gone = 0, duration_seconds = excluded.duration_seconds,
           title = excluded.title, artist = excluded.artist, album = excluded.album, bpm = excluded.bpm, musical_key = excluded.musical_key,
           norm_title = excluded.norm_title, norm_artist = excluded.norm_artist, fingerprint = excluded.fingerprint,
           fingerprint_raw = excluded.fingerprint_raw, scan_id = COALESCE(excluded.scan_id, library_files.scan_id)`,
      ),
      markLibraryFileSeen: db.prepare('UPDATE library_files SET scan_id = ?, root = ?, gone = 0 WHERE path = ?'),
      deleteFingerprintKeys: db.prepare('DELETE FROM fingerprint_keys WHERE path = ?'),
      insertFingerprintKey: db.prepare('INSERT INTO fingerprint_keys (key, path) VALUES (?, ?)'),
      findFilesByFingerprintKeys: db.prepare<[string, number], { path: string; shared: number }>(
        `SELECT k.path AS path, COUNT(*) AS shared FROM fingerprint_keys k JOIN library_files f ON f.path = k.path
         WHERE k.key IN (SELECT value FROM json_each(?)) AND f.gone = 0 GROUP BY k.path ORDER BY shared DESC LIMIT ?`,
      ),
      findFilesByNames: db.prepare<[string, string], LibraryFileRow>(
        'SELECT * FROM library_files WHERE norm_title = ? AND norm_artist = ? AND gone = 0',
      ),
      startLibraryScan: db.prepare('INSERT INTO library_scans (roots_json, started_at) VALUES (?, ?) RETURNING id'),
      unfinishedLibraryScan: db.prepare<[string], { id: number }>(
        'SELECT id FROM library_scans WHERE roots_json = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1',
      ),
      finishLibraryScan: db.prepare(
        'UPDATE library_scans SET finished_at = ?, files_seen = ?, files_read = ?, files_gone = ? WHERE id = ?',
      ),
      // A file the pipeline placed has no root until a scan sees it (src/pipeline/place.ts): one under the root, placed
      // before this scan started and not seen by it, is gone as well. One placed while the scan ran is left alone
      // (`tracksync library scan` runs beside the daemon, and its walk may have passed that folder already).
      markGoneNotSeen: db.prepare<{ root: string; prefix: string; scanId: number }>(
        `UPDATE library_files SET gone = 1 WHERE gone = 0 AND (scan_id IS NULL OR scan_id <> @scanId)
         AND (root = @root OR (root IS NULL AND substr(path, 1, length(@prefix)) = @prefix
           AND placed_at < (SELECT started_at FROM library_scans WHERE id = @scanId)))`,
      ),
      libraryStats: db.prepare<
        [],
        { format: string; files: number; bytes: number; gone: number; fingerprinted: number; linked: number }
      >(
        `SELECT format, SUM(gone = 0) AS files, SUM(CASE WHEN gone = 0 THEN size ELSE 0 END) AS bytes, SUM(gone) AS gone,
           SUM(gone = 0 AND fingerprint_raw IS NOT NULL) AS fingerprinted, SUM(gone = 0 AND page_id IS NOT NULL) AS linked
         FROM library_files GROUP BY format ORDER BY format`,
      ),
      listNameGroups: db.prepare<[number], { norm_title: string; norm_artist: string; files: number }>(
        `SELECT norm_title, norm_artist, COUNT(*) AS files FROM library_files WHERE gone = 0 AND norm_title IS NOT NULL AND norm_title <> ''
         GROUP BY norm_title, norm_artist HAVING COUNT(DISTINCT COALESCE(page_id, path)) > 1 ORDER BY files DESC LIMIT ?`,
      ),
      listFingerprintedFiles: db.prepare<[], LibraryFileRow>(
        'SELECT * FROM library_files WHERE gone = 0 AND fingerprint_raw IS NOT NULL ORDER BY path',
      ),
    };
  }

  #transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  getLibraryFile(path: string): LibraryFileRow | undefined {
    return this.#s.getLibraryFile.get(path);
  }

  listLibraryFilesOfPage(pageId: string): LibraryFileRow[] {
    return this.#s.listLibraryFilesOfPage.all(pageId);
  }

  addPendingFile(path: string, itemId: number | null, now: number): void {
    this.#s.addPendingFile.run(path, itemId, now);
  }

  removePendingFile(path: string): void {
    this.#s.removePendingFile.run(path);
  }

  listPendingFiles(): Array<{ path: string; item_id: number | null; created_at: number }> {
    return this.#s.listPendingFiles.all();
  }

  /** Adds or refreshes a file in the library index, with its fingerprint keys (one transaction). */
  upsertIndexedFile(file: IndexedFile, fingerprintKeys: readonly number[]): void {
    this.#transaction(() => {
      this.#s.upsertIndexedFile.run(file);
      this.#s.deleteFingerprintKeys.run(file.path);
      for (const key of fingerprintKeys) this.#s.insertFingerprintKey.run(key, file.path);
    });
  }

  /** Marks unchanged files as seen by a scan, in one transaction (per-file commits made a 10,000-file rescan 1.8 s). */
  markLibraryFilesSeen(paths: readonly string[], scanId: number, root: string): void {
    this.#transaction(() => {
      for (const path of paths) this.#s.markLibraryFileSeen.run(scanId, root, path);
    });
  }

  /** Files sharing the most fingerprint keys with `keys`, best first. */
  findFilesByFingerprintKeys(keys: readonly number[], limit: number): Array<{ path: string; shared: number }> {
    return this.#s.findFilesByFingerprintKeys.all(JSON.stringify(keys), limit);
  }

  findFilesByNames(normTitle: string, normArtist: string): LibraryFileRow[] {
    return this.#s.findFilesByNames.all(normTitle, normArtist);
  }

  /** The unfinished scan of these roots (a scan that was interrupted), or a new one. */
  beginLibraryScan(roots: readonly string[], now: number): number {
    const key = JSON.stringify([...roots].sort());
    return this.#s.unfinishedLibraryScan.get(key)?.id ?? (this.#s.startLibraryScan.get(key, now) as { id: number }).id;
  }

  /** Ends a scan: files of its roots it did not see are marked gone (the index keeps them, flagged). */
  finishLibraryScan(
    scanId: number,
    roots: readonly string[],
    counts: { seen: number; read: number },
    now: number,
  ): number {
    return this.#transaction(() => {
      let gone = 0;
      for (const root of roots) {
        const prefix = root.endsWith('/') ? root : `${root}/`;
        gone += this.#s.markGoneNotSeen.run({ root, prefix, scanId }).changes;
      }
      this.#s.finishLibraryScan.run(now, counts.seen, counts.read, gone, scanId);
      return gone;
    });
  }

  libraryStats(): Array<{
    format: string;
    files: number;
    bytes: number;
    gone: number;
    fingerprinted: number;
    linked: number;
  }> {
    return this.#s.libraryStats.all();
  }

  listNameGroups(limit: number): Array<{ norm_title: string; norm_artist: string; files: number }> {
    return this.#s.listNameGroups.all(limit);
  }

  listFingerprintedFiles(): LibraryFileRow[] {
    return this.#s.listFingerprintedFiles.all();
  }
}
