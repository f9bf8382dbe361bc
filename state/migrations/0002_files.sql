-- Audio files tracksync knows about. The pipeline records each file it places; the library scan (dedup) adds the rest.
-- page_id says which Music Tracks row a file belongs to: a same-named file of another track gets a numbered name,
-- the same track's file is replaced.
CREATE TABLE library_files (
  path       TEXT PRIMARY KEY,
  page_id    TEXT,
  format     TEXT NOT NULL,
  size       INTEGER NOT NULL,
  mtime_ms   INTEGER NOT NULL,
  placed_at  INTEGER,
  gone       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX library_files_page ON library_files (page_id);

-- Temp files being written next to their final name. A crash between write and rename leaves a row here; the next
-- start removes the file, so no half-written file stays in an output folder.
CREATE TABLE pending_files (
  path       TEXT PRIMARY KEY,
  item_id    INTEGER,
  created_at INTEGER NOT NULL
);
