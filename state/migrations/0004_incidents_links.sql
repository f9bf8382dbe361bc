-- Conditions that need a person (critical.ts): one row per kind, with the Agent-Task that reports it while it is open.
CREATE TABLE critical_incidents (
  kind          TEXT PRIMARY KEY,
  task_page_id  TEXT,
  message       TEXT NOT NULL,
  opened_at     INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  -- When a line was last added to the task: later occurrences add one at most every critical.repeatLineMs.
  last_line_at  INTEGER NOT NULL,
  occurrences   INTEGER NOT NULL DEFAULT 1,
  cleared_at    INTEGER
);

-- Cross-platform link search (links.ts): every candidate with its score, accepted or not, per page and platform.
CREATE TABLE link_candidates (
  page_id     TEXT NOT NULL,
  platform    TEXT NOT NULL,
  url         TEXT NOT NULL,
  title       TEXT NOT NULL,
  score       REAL NOT NULL,
  accepted    INTEGER NOT NULL DEFAULT 0,
  rejected    TEXT,
  checked_at  INTEGER NOT NULL,
  PRIMARY KEY (page_id, platform, url)
);

-- Rows whose links are still to be looked for (after a sync, or retried after a failure); the track itself is done.
CREATE TABLE links_pending (
  page_id          TEXT PRIMARY KEY,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       INTEGER NOT NULL
);
