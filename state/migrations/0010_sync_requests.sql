-- `tracksync sync` while a daemon holds the state directory: the command cannot take the lock, so it leaves the Music
-- Tracks row it found or created here, and the daemon (which looks every schedule.syncRequestCheckMs) runs it now with
-- the same code as an in-process sync and writes the outcome back; the command follows the row and the item meanwhile.
CREATE TABLE sync_requests (
  id             INTEGER PRIMARY KEY,
  page_id        TEXT NOT NULL,
  requested_at   INTEGER NOT NULL,
  -- Set when a daemon takes the request (its boot), so two daemons in turn never both run it.
  taken_boot_id  TEXT,
  taken_at       INTEGER,
  finished_at    INTEGER,
  -- The run's outcome as `sync` reports it (engine/contracts.ts, TrackRunOutcome): state, outcome words, error.
  state          TEXT,
  outcome        TEXT,
  error_code     TEXT,
  error_message  TEXT
);
-- The daemon's check reads only the requests nobody took: a partial index keeps that one cheap read.
CREATE INDEX sync_requests_open ON sync_requests (id) WHERE taken_at IS NULL;
