-- The library index: every audio file under the library folders, with what a duplicate check needs.
ALTER TABLE library_files ADD COLUMN duration_seconds REAL;
ALTER TABLE library_files ADD COLUMN title TEXT;
ALTER TABLE library_files ADD COLUMN artist TEXT;
ALTER TABLE library_files ADD COLUMN album TEXT;
ALTER TABLE library_files ADD COLUMN bpm REAL;
ALTER TABLE library_files ADD COLUMN musical_key TEXT;
-- Normalised "core title" and artist (scoring.ts), compared for the title + artist + duration layer.
ALTER TABLE library_files ADD COLUMN norm_title TEXT;
ALTER TABLE library_files ADD COLUMN norm_artist TEXT;
-- Chromaprint: the compressed form (as Notion and Eagle hold it) and the raw items (uint32 little-endian) for similarity.
ALTER TABLE library_files ADD COLUMN fingerprint TEXT;
ALTER TABLE library_files ADD COLUMN fingerprint_raw BLOB;
-- The scan that last saw the file: files not seen by a finished scan of their folder are marked gone.
ALTER TABLE library_files ADD COLUMN scan_id INTEGER;
ALTER TABLE library_files ADD COLUMN root TEXT;
CREATE INDEX library_files_names ON library_files (norm_title, norm_artist);
CREATE INDEX library_files_scan ON library_files (root, scan_id);

-- An inverted index of fingerprint keys: a few dozen keys per file, chosen by their value (not their position), so a
-- copy with a different lead-in shares them. A lookup counts shared keys, then compares the best few files exactly.
CREATE TABLE fingerprint_keys (
  key  INTEGER NOT NULL,
  path TEXT NOT NULL REFERENCES library_files (path) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX fingerprint_keys_key ON fingerprint_keys (key);
CREATE INDEX fingerprint_keys_path ON fingerprint_keys (path);

CREATE TABLE library_scans (
  id          INTEGER PRIMARY KEY,
  roots_json  TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  files_seen  INTEGER NOT NULL DEFAULT 0,
  files_read  INTEGER NOT NULL DEFAULT 0,
  files_gone  INTEGER NOT NULL DEFAULT 0
);

-- Eagle imports that could not happen (Eagle not running): retried on a later cycle; the track itself is done.
CREATE TABLE eagle_pending (
  page_id    TEXT PRIMARY KEY,
  path       TEXT NOT NULL,
  data_json  TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
