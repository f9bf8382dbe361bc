import type { Db } from './db.js';
import type { PlaylistExportRow, FileFactsRow } from './rows.js';

/**
 * What the DJ-app playlist export wrote last (per playlist), the stable track ids, and the audio facts of each file.
 */
export class PlaylistExportState {
  readonly #db: Db;
  readonly #s;

  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      listPlaylistExports: db.prepare<[], PlaylistExportRow>('SELECT * FROM playlist_exports ORDER BY name, page_id'),
      savePlaylistExport: db.prepare<PlaylistExportRow>(
        `INSERT INTO playlist_exports (page_id, name, file_path, file_hash, content_hash, member_ids_json, members_read_at, page_edited_at,
           exported_at, exported_count, missing_json, apple_playlist_id, apple_hash, apple_missing, updated_at)
         VALUES (@page_id, @name, @file_path, @file_hash, @content_hash, @member_ids_json, @members_read_at, @page_edited_at,
           @exported_at, @exported_count, @missing_json, @apple_playlist_id, @apple_hash, @apple_missing, @updated_at)
         ON CONFLICT (page_id) DO UPDATE SET name = excluded.name, file_path = excluded.file_path, file_hash = excluded.file_hash,
           content_hash = excluded.content_hash, member_ids_json = excluded.member_ids_json, members_read_at = excluded.members_read_at,
           page_edited_at = excluded.page_edited_at, exported_at = excluded.exported_at, exported_count = excluded.exported_count,
           missing_json = excluded.missing_json, apple_playlist_id = excluded.apple_playlist_id, apple_hash = excluded.apple_hash,
           apple_missing = excluded.apple_missing, updated_at = excluded.updated_at`,
      ),
      deletePlaylistExport: db.prepare('DELETE FROM playlist_exports WHERE page_id = ?'),
      addPlaylistTrackId: db.prepare(
        'INSERT INTO playlist_track_ids (page_id) VALUES (?) ON CONFLICT (page_id) DO NOTHING',
      ),
      getPlaylistTrackId: db.prepare<[string], { track_id: number }>(
        'SELECT track_id FROM playlist_track_ids WHERE page_id = ?',
      ),
      getFileFacts: db.prepare<[string], FileFactsRow>('SELECT * FROM playlist_file_facts WHERE path = ?'),
      saveFileFacts: db.prepare<FileFactsRow>(
        `INSERT INTO playlist_file_facts (path, size, mtime_ms, sample_rate, bit_rate, duration_seconds)
         VALUES (@path, @size, @mtime_ms, @sample_rate, @bit_rate, @duration_seconds)
         ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sample_rate = excluded.sample_rate,
           bit_rate = excluded.bit_rate, duration_seconds = excluded.duration_seconds`,
      ),
    };
  }

  #transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  listPlaylistExports(): PlaylistExportRow[] {
    return this.#s.listPlaylistExports.all();
  }

  /** Writes the whole row of one playlist's export state. */
  savePlaylistExport(row: PlaylistExportRow): void {
    this.#s.savePlaylistExport.run(row);
  }

  deletePlaylistExport(pageId: string): void {
    this.#s.deletePlaylistExport.run(pageId);
  }

  /** rekordbox TrackIDs for these Music Tracks pages: the same integer every time, a new one for a page never seen. */
  playlistTrackIds(pageIds: readonly string[]): Map<string, number> {
    return this.#transaction(() => {
      const ids = new Map<string, number>();
      for (const pageId of pageIds) {
        this.#s.addPlaylistTrackId.run(pageId);
        ids.set(pageId, this.#s.getPlaylistTrackId.get(pageId)!.track_id);
      }
      return ids;
    });
  }

  getFileFacts(path: string): FileFactsRow | undefined {
    return this.#s.getFileFacts.get(path);
  }

  saveFileFacts(row: FileFactsRow): void {
    this.#s.saveFileFacts.run(row);
  }
}
