-- tracksync: foreign keys off
-- One queue (docs/architecture.md, "One queue"): deferred Eagle imports and cross-platform link lookups become items
-- of their own queues on the one items table, with its leases, checkpoints, backoff and attempt cap.
--
-- `items.source` names the item's queue: a polled Notion source ('tracks', 'tasks') or a queue the application
-- fills itself ('links', 'eagle-import'). The CHECK that allowed only the two Notion sources goes, so the table is
-- rebuilt (SQLite cannot drop a CHECK): the procedure of sqlite.org/lang_altertable.html ("Making Other Kinds Of Table
-- Schema Changes"), with foreign keys off (the first line tells state/db.ts migrate() to turn them off around this
-- file; the checkpoints and attempts that reference items keep their item ids, and foreign_key_check runs before
-- the commit). `input_json`: what a queued item needs that has no page of its own to hold it (an Eagle import's
-- file, name and tags).

CREATE TABLE items_new (
  id                 INTEGER PRIMARY KEY,
  source             TEXT NOT NULL CHECK (source <> ''),
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
  input_json         TEXT,
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

INSERT INTO items_new (id, source, page_id, data_source_id, handler, title, state, stage, attempts, generation,
                       next_attempt_at, lease_owner, lease_boot_id, lease_expires_at, input_hash, outcome,
                       last_error_code, last_error_kind, last_error_message, created_at, updated_at, started_at,
                       finished_at)
SELECT id, source, page_id, data_source_id, handler, title, state, stage, attempts, generation, next_attempt_at,
       lease_owner, lease_boot_id, lease_expires_at, input_hash, outcome, last_error_code, last_error_kind,
       last_error_message, created_at, updated_at, started_at, finished_at
FROM items;

DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE INDEX items_claimable ON items (source, state, next_attempt_at);
CREATE INDEX items_lease ON items (state, lease_boot_id);

-- What waited in the old tables waits in the queue now, due when it was due, with a fresh attempt budget.
INSERT INTO items (source, page_id, data_source_id, handler, title, state, next_attempt_at, input_hash, input_json,
                   last_error_message, created_at, updated_at)
SELECT 'eagle-import', page_id, '', 'eagle-import', path, 'queued', 0, 'local', data_json, last_error, created_at,
       updated_at
FROM eagle_pending;

INSERT INTO items (source, page_id, data_source_id, handler, title, state, next_attempt_at, input_hash,
                   last_error_message, created_at, updated_at)
SELECT 'links', page_id, '', 'links', '', 'queued', next_attempt_at, 'local', last_error, created_at, created_at
FROM links_pending;

DROP TABLE eagle_pending;
DROP TABLE links_pending;
