import { join } from 'node:path';
import type { FileFactsRow, PlaylistExportRow } from '../../state/store.js';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// What the DJ-app playlist export keeps (state/playlists.ts): each playlist's last export (src/playlists/export.ts),
// rekordbox TrackIDs, and the audio facts of each file (src/playlists/tracks.ts).

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `playlists-${++files}.sqlite`))));
afterEach(() => store.close());

const exported = (pageId: string, name: string, overrides: Partial<PlaylistExportRow> = {}): PlaylistExportRow => ({
  page_id: pageId,
  name,
  file_path: `/music/Playlists/${name}.m3u8`,
  file_hash: 'file-sha',
  content_hash: 'content-sha',
  member_ids_json: '["t1","t2"]',
  members_read_at: 1_000,
  page_edited_at: '2026-05-01T10:00:00.000Z',
  exported_at: 1_000,
  exported_count: 2,
  missing_json: '[]',
  apple_playlist_id: null,
  apple_hash: null,
  apple_missing: 0,
  updated_at: 1_000,
  ...overrides,
});

describe('rekordbox TrackIDs (PlaylistExportState.playlistTrackIds)', () => {
  it('gives a track the same id at every export, even after a restart, and a new track a new id', () => {
    // rekordbox matches tracks of an imported XML by TrackID: an id that moved would point a cue list at another song.
    const file = store.db.name;
    const first = store.playlists.playlistTrackIds(['t1', 't2', 't1']);
    expect(first.size).toBe(2);
    expect(first.get('t1')).not.toBe(first.get('t2'));
    store.close();
    store = Store.open(file);
    const second = store.playlists.playlistTrackIds(['t3', 't2', 't1']);
    expect(second.get('t1')).toBe(first.get('t1'));
    expect(second.get('t2')).toBe(first.get('t2'));
    expect([first.get('t1'), first.get('t2')]).not.toContain(second.get('t3'));
    expect(Number.isInteger(second.get('t3'))).toBe(true);
  });
});

describe('playlist exports (savePlaylistExport, listPlaylistExports, deletePlaylistExport)', () => {
  it('keeps one row per playlist, the latest export, listed by name', () => {
    // The export compares against what it wrote last: a renamed playlist's old file is moved, not left behind.
    store.playlists.savePlaylistExport(exported('p2', 'Warm-up'));
    store.playlists.savePlaylistExport(exported('p1', 'Peak Time'));
    store.playlists.savePlaylistExport(
      exported('p2', 'Closing', { file_path: '/music/Playlists/Closing.m3u8', exported_count: 5, updated_at: 2_000 }),
    );
    expect(store.playlists.listPlaylistExports()).toEqual([
      exported('p2', 'Closing', { file_path: '/music/Playlists/Closing.m3u8', exported_count: 5, updated_at: 2_000 }),
      exported('p1', 'Peak Time'),
    ]);
    store.playlists.deletePlaylistExport('p2');
    expect(store.playlists.listPlaylistExports().map((r) => r.page_id)).toEqual(['p1']);
  });
});

describe('file facts (getFileFacts, saveFileFacts)', () => {
  it('keeps the facts read from a file, replaced when the file is read again', () => {
    // Reading a header for every track at every export is slow on a big library; the facts are reused while the
    // file's size and mtime stay the same (the caller compares them).
    const facts: FileFactsRow = {
      path: '/music/a.aiff',
      size: 10,
      mtime_ms: 1_000,
      sample_rate: 44_100,
      bit_rate: 1_411_200,
      duration_seconds: 180.5,
    };
    expect(store.playlists.getFileFacts('/music/a.aiff')).toBeUndefined();
    store.playlists.saveFileFacts(facts);
    expect(store.playlists.getFileFacts('/music/a.aiff')).toEqual(facts);
    const reread = { ...facts, size: 12, mtime_ms: 2_000, sample_rate: 48_000, bit_rate: null };
    store.playlists.saveFileFacts(reread);
    expect(store.playlists.getFileFacts('/music/a.aiff')).toEqual(reread);
  });
});
