-- The daemon's own memory: who it is, what it has seen in Notion, and where each item stands.
-- All times are milliseconds since the epoch (INTEGER); all ids are Notion's dashed lower-case ids.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per process start. Leases carry the boot id, so a restart can release what a dead process held at once.
CREATE TABLE boots (
  boot_id    TEXT PRIMARY KEY,
  pid        INTEGER NOT NULL,
  host       TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER
);

-- Database id -> data source id, discovered once (API 2025-09-03) and reused, which saves a request per start.
CREATE TABLE data_sources (
  database_id    TEXT PRIMARY KEY,
  data_source_id TEXT NOT NULL,
  name           TEXT,
  discovered_at  INTEGER NOT NULL
);

-- Incremental polling: the minute-floored last_edited_time seen last, and the pages (with their content hash)
-- already seen in that minute (docs/notion-contract.md, "Polling: timestamps rounded to the minute").
CREATE TABLE cursors (
  data_source_id       TEXT PRIMARY KEY,
  minute               TEXT,
  seen_json            TEXT NOT NULL DEFAULT '{}',
  last_full_reconcile  INTEGER,
  updated_at           INTEGER NOT NULL
);

-- One row per Notion page tracksync has taken an interest in.
-- State machine: queued -> claimed -> running -> done | retry_wait | failed; retry_wait -> claimed when due.
CREATE TABLE items (
  id                 INTEGER PRIMARY KEY,
  source             TEXT NOT NULL CHECK (source IN ('tracks', 'tasks')),
  page_id            TEXT NOT NULL,
  data_source_id     TEXT NOT NULL,
  handler            TEXT NOT NULL,
  title              TEXT NOT NULL DEFAULT '',
  state              TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'running', 'done', 'retry_wait', 'failed')),
  stage              TEXT,
  attempts           INTEGER NOT NULL DEFAULT 0,
  -- Bumped each time the page changes and the item is queued again: one generation = one piece of work asked for.
  generation         INTEGER NOT NULL DEFAULT 1,
  next_attempt_at    INTEGER NOT NULL DEFAULT 0,
  lease_owner        TEXT,
  lease_boot_id      TEXT,
  lease_expires_at   INTEGER,
  -- Hash of the page properties that define the work; a change re-queues a done or failed item.
  input_hash         TEXT NOT NULL,
  outcome            TEXT,
  last_error_code    TEXT,
  last_error_kind    TEXT,
  last_error_message TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  started_at         INTEGER,
  finished_at        INTEGER,
  UNIQUE (source, page_id)
);
CREATE INDEX items_claimable ON items (source, state, next_attempt_at);
CREATE INDEX items_lease ON items (state, lease_boot_id);

-- Per-stage checkpoints: a rerun skips a stage whose input hash is unchanged and reuses its output.
CREATE TABLE checkpoints (
  item_id        INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  stage          TEXT NOT NULL,
  input_hash     TEXT NOT NULL,
  output_json    TEXT NOT NULL,
  artefact_hash  TEXT,
  finished_at    INTEGER NOT NULL,
  PRIMARY KEY (item_id, stage)
);

-- Every attempt at an item, kept for `status` and for the reports.
CREATE TABLE attempts (
  id            INTEGER PRIMARY KEY,
  item_id       INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  attempt       INTEGER NOT NULL,
  boot_id       TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER,
  outcome       TEXT,
  stage         TEXT,
  error_code    TEXT,
  error_message TEXT
);
CREATE INDEX attempts_item ON attempts (item_id);

-- One row per cycle.
CREATE TABLE runs (
  id                  INTEGER PRIMARY KEY,
  boot_id             TEXT NOT NULL,
  trigger             TEXT NOT NULL,
  started_at          INTEGER NOT NULL,
  finished_at         INTEGER,
  polled              INTEGER NOT NULL DEFAULT 0,
  queued              INTEGER NOT NULL DEFAULT 0,
  claimed             INTEGER NOT NULL DEFAULT 0,
  notion_requests     INTEGER NOT NULL DEFAULT 0,
  notion_rate_limited INTEGER NOT NULL DEFAULT 0,
  error_code          TEXT,
  error_message       TEXT
);

-- Notion requests per day and endpoint: the numbers behind "requests per idle cycle" and "requests per track".
CREATE TABLE notion_requests (
  day          TEXT NOT NULL,
  method       TEXT NOT NULL,
  endpoint     TEXT NOT NULL,
  requests     INTEGER NOT NULL DEFAULT 0,
  rate_limited INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, method, endpoint)
);
