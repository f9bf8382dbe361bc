/** The rows of tracksync's SQLite state as the statements in state/ read and write them. */

/** The shared Notion rate budget's state, kept in SQLite (src/notion/limiter.ts, SharedRateLimiter). */
export interface BudgetState {
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  /** Send times of the last `burst` requests, oldest first. */
  recent: number[];
}

/**
 * The queue an item is on (the `items.source` column): a polled Notion source ('tracks', 'tasks') or a queue the
 * application fills itself ('links', 'eagle-import'); docs/architecture.md, "One queue".
 */
export type QueueName = string;
export type ItemState = 'queued' | 'claimed' | 'running' | 'done' | 'retry_wait' | 'failed';

export interface ItemRow {
  id: number;
  source: QueueName;
  page_id: string;
  data_source_id: string;
  handler: string;
  title: string;
  state: ItemState;
  stage: string | null;
  attempts: number;
  generation: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_boot_id: string | null;
  lease_expires_at: number | null;
  input_hash: string;
  /** What a queued item needs that no page holds (an Eagle import's file, name and tags), as JSON. */
  input_json: string | null;
  outcome: string | null;
  last_error_code: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface IncidentRow {
  kind: string;
  task_page_id: string | null;
  message: string;
  opened_at: number;
  last_seen_at: number;
  last_line_at: number;
  occurrences: number;
  cleared_at: number | null;
}

export interface LinkCandidateRow {
  page_id: string;
  platform: string;
  url: string;
  title: string;
  score: number;
  accepted: number;
  rejected: string | null;
  checked_at: number;
}

export interface CreateIntentRow {
  key: string;
  marker: string;
  page_id: string | null;
  started_at: number;
  updated_at: number;
}

/**
 * A row `tracksync sync` handed to the running daemon, and what came of it (state/migrations/0010_sync_requests.sql).
 */
export interface SyncRequestRow {
  id: number;
  page_id: string;
  requested_at: number;
  taken_boot_id: string | null;
  taken_at: number | null;
  finished_at: number | null;
  state: string | null;
  outcome: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** An item being worked on, with how many of its stages have finished (checkpoints). */
export interface InFlightRow extends ItemRow {
  stages_done: number;
}

export interface CheckpointRow {
  item_id: number;
  stage: string;
  input_hash: string;
  output_json: string;
  artefact_hash: string | null;
  finished_at: number;
}

export interface CursorRow {
  data_source_id: string;
  minute: string | null;
  seen_json: string;
  last_full_reconcile: number | null;
  updated_at: number;
}

export interface RunRow {
  id: number;
  boot_id: string;
  trigger: string;
  started_at: number;
  finished_at: number | null;
  polled: number;
  queued: number;
  claimed: number;
  notion_requests: number;
  notion_rate_limited: number;
  error_code: string | null;
  error_message: string | null;
}

export interface AttemptRow {
  attempt: number;
  started_at: number;
  finished_at: number | null;
  outcome: string | null;
  stage: string | null;
  error_code: string | null;
  error_message: string | null;
  /** The raw tool output behind the failure (errors.ts rawDetail), for `tracksync status --verbose`. */
  error_detail: string | null;
}

export interface LibraryFileRow {
  path: string;
  page_id: string | null;
  format: string;
  size: number;
  mtime_ms: number;
  placed_at: number | null;
  gone: number;
  duration_seconds: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  bpm: number | null;
  musical_key: string | null;
  norm_title: string | null;
  norm_artist: string | null;
  fingerprint: string | null;
  fingerprint_raw: Buffer | null;
  scan_id: number | null;
  root: string | null;
}

/** What the index knows of one file (the scan reads it; the pipeline knows it when it places a file). */
export interface IndexedFile {
  path: string;
  root: string | null;
  pageId: string | null;
  format: string;
  size: number;
  mtimeMs: number;
  durationSeconds: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  bpm: number | null;
  musicalKey: string | null;
  normTitle: string | null;
  normArtist: string | null;
  fingerprint: string | null;
  fingerprintRaw: Buffer | null;
  scanId: number | null;
  now: number;
}

/** What was last exported for one Music Playlists page (state/migrations/0008_playlist_exports.sql). */
export interface PlaylistExportRow {
  page_id: string;
  name: string;
  file_path: string | null;
  file_hash: string | null;
  content_hash: string | null;
  member_ids_json: string;
  members_read_at: number | null;
  page_edited_at: string | null;
  exported_at: number | null;
  exported_count: number;
  missing_json: string;
  apple_playlist_id: string | null;
  apple_hash: string | null;
  apple_missing: number;
  updated_at: number;
}

export interface FileFactsRow {
  path: string;
  size: number;
  mtime_ms: number;
  sample_rate: number | null;
  bit_rate: number | null;
  duration_seconds: number | null;
}

export interface PolledItem {
  source: QueueName;
  pageId: string;
  dataSourceId: string;
  handler: string;
  title: string;
  inputHash: string;
  now: number;
}

/** An item of a queue the application fills itself: keyed by the page it is about, its input as JSON. */
export interface LocalItem {
  source: QueueName;
  pageId: string;
  handler: string;
  title: string;
  inputJson: string | null;
  dueAt: number;
  now: number;
}

export interface ItemError {
  code: string;
  kind: string;
  message: string;
}
