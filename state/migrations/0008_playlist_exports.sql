-- Playlist export (src/playlists/): what was last exported for each Music Playlists page, so an export touches only the
-- playlists that changed, renames or removes the files it wrote (and never a file it did not write), and reads a long
-- relation from Notion again only when it may have changed.
CREATE TABLE playlist_exports (
  page_id           TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  -- The .m3u8 file written for it (absolute), and the SHA-256 of the bytes written: a file someone edited since is
  -- left in place when the playlist is renamed or removed.
  file_path         TEXT,
  file_hash         TEXT,
  -- SHA-256 of everything the export of this playlist depends on (name, tracks in order, their files and fields).
  content_hash      TEXT,
  -- The tracks relation as last read in full, in order, and when: reused while the page's last_edited_time has not
  -- moved since a read made long enough after it.
  member_ids_json   TEXT NOT NULL DEFAULT '[]',
  members_read_at   INTEGER,
  page_edited_at    TEXT,
  exported_at       INTEGER,
  exported_count    INTEGER NOT NULL DEFAULT 0,
  -- Tracks left out (not synced yet, file gone): [{ "pageId", "title", "reason" }].
  missing_json      TEXT NOT NULL DEFAULT '[]',
  -- The Apple Music user playlist kept in step (its persistent ID), what was sent to it, and how many of its tracks
  -- Music did not have yet (those are looked for again at the next export).
  apple_playlist_id TEXT,
  apple_hash        TEXT,
  apple_missing     INTEGER NOT NULL DEFAULT 0,
  updated_at        INTEGER NOT NULL
);

-- rekordbox's TrackID per Music Tracks row: an integer, stable from one export to the next.
CREATE TABLE playlist_track_ids (
  track_id INTEGER PRIMARY KEY AUTOINCREMENT,
  page_id  TEXT NOT NULL UNIQUE
);

-- Sample rate, bit rate and duration read from a file's header, kept while its size and mtime stay the same.
CREATE TABLE playlist_file_facts (
  path             TEXT PRIMARY KEY,
  size             INTEGER NOT NULL,
  mtime_ms         INTEGER NOT NULL,
  sample_rate      INTEGER,
  bit_rate         INTEGER,
  duration_seconds REAL
);
