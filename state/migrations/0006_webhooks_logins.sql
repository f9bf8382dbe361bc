-- Notion webhook deliveries already acted on, by delivery id, kept for a day (Notion retries a delivery for about a
-- day): a retried or replayed delivery is dropped even after a restart.
CREATE TABLE webhook_deliveries (
  id          TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (received_at);

-- One-time login links for the status page, printed by `tracksync status`: only the SHA-256 of each code is kept.
CREATE TABLE login_codes (
  code_hash  TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
