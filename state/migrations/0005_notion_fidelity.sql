-- Pages that must be created once (notion/creates.ts). The intent is written before the create request is sent, with
-- a marker the page carries; a create whose answer was lost (timeout, 5xx) is then looked for, never sent blind again.
-- page_id is set once the page is known: later creates of the same key find it by id (fresh), not by a query (which may
-- not show a brand-new page yet).
CREATE TABLE create_intents (
  key         TEXT PRIMARY KEY,
  marker      TEXT NOT NULL,
  page_id     TEXT,
  started_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- One Notion rate budget per integration token, shared by every tracksync process on this state directory
-- (notion/limiter.ts, SharedRateBudget). budget_key is a hash of the token, never the token.
CREATE TABLE rate_budgets (
  budget_key    TEXT PRIMARY KEY,
  tokens        REAL NOT NULL,
  refilled_at   INTEGER NOT NULL,
  paused_until  INTEGER NOT NULL DEFAULT 0,
  -- Send times of the last `burst` requests (ms), oldest first: the one-second window of the limiter.
  recent_json   TEXT NOT NULL DEFAULT '[]'
);

-- Earlier versions took the first data source of a database that held several; discover them again, so such a
-- database now needs an explicit choice (TRACKS_DATA_SOURCE and the like) instead of whichever Notion listed first.
DELETE FROM data_sources;
