import { openDatabase, type Db } from './db.js';

/** The shared Notion rate budget's state, kept in SQLite (src/notion/limiter.ts, SharedRateLimiter). */
export interface BudgetState {
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  /** Send times of the last `burst` requests, oldest first. */
  recent: number[];
}


/**
 * Every SQL statement tracksync runs on its own state, one named method per statement. Nothing outside state/
 * writes SQL (docs/decisions.md, "SQL in one layer"). Statements are prepared once.
 */

export type ItemSource = 'tracks' | 'tasks';
export type ItemState = 'queued' | 'claimed' | 'running' | 'done' | 'retry_wait' | 'failed';

export interface ItemRow {
  id: number;
  source: ItemSource;
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

export interface LinksPendingRow {
  page_id: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
}

/** A row `tracksync sync` handed to the running daemon, and what came of it (state/migrations/0010_sync_requests.sql). */
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

export interface EaglePendingRow {
  page_id: string;
  path: string;
  data_json: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
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
  source: ItemSource;
  pageId: string;
  dataSourceId: string;
  handler: string;
  title: string;
  inputHash: string;
  now: number;
}

export interface ItemError {
  code: string;
  kind: string;
  message: string;
}

export class Store {
  readonly db: Db;
  readonly #s;

  constructor(db: Db) {
    this.db = db;
    this.#s = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      recordBoot: db.prepare('INSERT INTO boots (boot_id, pid, host, started_at) VALUES (?, ?, ?, ?)'),
      endBoot: db.prepare('UPDATE boots SET ended_at = ? WHERE boot_id = ?'),
      getDataSourceId: db.prepare<[string], { data_source_id: string }>('SELECT data_source_id FROM data_sources WHERE database_id = ?'),
      saveDataSourceId: db.prepare(
        `INSERT INTO data_sources (database_id, data_source_id, name, discovered_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (database_id) DO UPDATE SET data_source_id = excluded.data_source_id, name = excluded.name, discovered_at = excluded.discovered_at`,
      ),
      forgetDataSourceId: db.prepare('DELETE FROM data_sources WHERE database_id = ?'),
      getCursor: db.prepare<[string], CursorRow>('SELECT * FROM cursors WHERE data_source_id = ?'),
      saveCursor: db.prepare(
        `INSERT INTO cursors (data_source_id, minute, seen_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (data_source_id) DO UPDATE SET minute = excluded.minute, seen_json = excluded.seen_json, updated_at = excluded.updated_at`,
      ),
      recordFullReconcile: db.prepare(
        `INSERT INTO cursors (data_source_id, last_full_reconcile, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (data_source_id) DO UPDATE SET last_full_reconcile = excluded.last_full_reconcile, updated_at = excluded.updated_at`,
      ),
      // A changed page (new input hash) re-queues a finished, failed or waiting item with a fresh attempt budget; an
      // item in flight keeps its state and its hash (the claim re-reads the page anyway).
      upsertPolledItem: db.prepare<PolledItem & { state: ItemState }, ItemRow>(
        `INSERT INTO items (source, page_id, data_source_id, handler, title, state, input_hash, created_at, updated_at)
         VALUES (@source, @pageId, @dataSourceId, @handler, @title, 'queued', @inputHash, @now, @now)
         ON CONFLICT (source, page_id) DO UPDATE SET
           title = excluded.title,
           handler = CASE WHEN items.state IN ('claimed', 'running') THEN items.handler ELSE excluded.handler END,
           state = CASE WHEN items.state NOT IN ('claimed', 'running') AND items.input_hash <> excluded.input_hash THEN 'queued' ELSE items.state END,
           attempts = CASE WHEN items.state NOT IN ('claimed', 'running') AND items.input_hash <> excluded.input_hash THEN 0 ELSE items.attempts END,
           generation = CASE WHEN items.state NOT IN ('claimed', 'running') AND items.input_hash <> excluded.input_hash THEN items.generation + 1 ELSE items.generation END,
           next_attempt_at = CASE WHEN items.state NOT IN ('claimed', 'running') AND items.input_hash <> excluded.input_hash THEN 0 ELSE items.next_attempt_at END,
           input_hash = CASE WHEN items.state IN ('claimed', 'running') THEN items.input_hash ELSE excluded.input_hash END,
           updated_at = excluded.updated_at
         RETURNING *`,
      ),
      // SQLite serialises writers, so this one statement is an atomic claim (docs/decisions.md, "Claims in SQLite, then in Notion").
      claimNextItems: db.prepare<{ source: ItemSource; owner: string; bootId: string; now: number; expires: number; limit: number }, ItemRow>(
        `UPDATE items SET state = 'claimed', lease_owner = @owner, lease_boot_id = @bootId, lease_expires_at = @expires, updated_at = @now
         WHERE id IN (
           SELECT id FROM items
           WHERE source = @source AND state IN ('queued', 'retry_wait') AND next_attempt_at <= @now
           ORDER BY next_attempt_at, id
           LIMIT @limit)
         RETURNING *`,
      ),
      claimItemById: db.prepare<{ id: number; owner: string; bootId: string; now: number; expires: number }, ItemRow>(
        `UPDATE items SET state = 'claimed', lease_owner = @owner, lease_boot_id = @bootId, lease_expires_at = @expires, updated_at = @now
         WHERE id = @id AND state IN ('queued', 'retry_wait') RETURNING *`,
      ),
      markItemRunning: db.prepare(
        `UPDATE items SET state = 'running', attempts = attempts + 1, started_at = @now, updated_at = @now, stage = NULL
         WHERE id = @id AND lease_boot_id = @bootId RETURNING attempts`,
      ),
      renewLease: db.prepare('UPDATE items SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_boot_id = ? AND state IN (\'claimed\', \'running\')'),
      setItemStage: db.prepare('UPDATE items SET stage = ?, updated_at = ? WHERE id = ?'),
      finishItem: db.prepare(
        `UPDATE items SET state = 'done', outcome = @outcome, input_hash = COALESCE(@inputHash, input_hash), stage = NULL,
           lease_owner = NULL, lease_boot_id = NULL, lease_expires_at = NULL, last_error_code = NULL, last_error_kind = NULL,
           last_error_message = NULL, finished_at = @now, updated_at = @now
         WHERE id = @id`,
      ),
      scheduleRetry: db.prepare(
        `UPDATE items SET state = 'retry_wait', next_attempt_at = @nextAttemptAt, attempts = attempts - @refund,
           input_hash = COALESCE(@inputHash, input_hash),
           last_error_code = @code, last_error_kind = @kind, last_error_message = @message,
           lease_owner = NULL, lease_boot_id = NULL, lease_expires_at = NULL, updated_at = @now
         WHERE id = @id`,
      ),
      failItem: db.prepare(
        `UPDATE items SET state = 'failed', outcome = 'failed', input_hash = COALESCE(@inputHash, input_hash),
           last_error_code = @code, last_error_kind = @kind, last_error_message = @message,
           lease_owner = NULL, lease_boot_id = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
         WHERE id = @id`,
      ),
      // Back to the queue without penalty (shutdown, lost race, item no longer ours to do).
      releaseItem: db.prepare(
        `UPDATE items SET state = 'queued', attempts = MAX(0, attempts - @refund), next_attempt_at = @nextAttemptAt, stage = NULL,
           input_hash = COALESCE(@inputHash, input_hash),
           lease_owner = NULL, lease_boot_id = NULL, lease_expires_at = NULL, updated_at = @now
         WHERE id = @id`,
      ),
      releaseLeasesOfOtherBoots: db.prepare(
        `UPDATE items SET state = 'queued', lease_owner = NULL, lease_boot_id = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE state IN ('claimed', 'running') AND lease_boot_id IS NOT ?`,
      ),
      resumeWaiting: db.prepare(`UPDATE items SET next_attempt_at = @now, updated_at = @now WHERE state = 'retry_wait' AND last_error_code = @code`),
      resetItemForRetry: db.prepare(
        `UPDATE items SET state = 'queued', attempts = 0, next_attempt_at = 0, last_error_code = NULL, last_error_kind = NULL,
           last_error_message = NULL, updated_at = ? WHERE id = ? AND state NOT IN ('claimed', 'running')`,
      ),
      getItem: db.prepare<[number], ItemRow>('SELECT * FROM items WHERE id = ?'),
      getItemByPage: db.prepare<[ItemSource, string], ItemRow>('SELECT * FROM items WHERE source = ? AND page_id = ?'),
      findItemsByPage: db.prepare<[string], ItemRow>('SELECT * FROM items WHERE page_id = ?'),
      getCheckpoint: db.prepare<[number, string], CheckpointRow>('SELECT * FROM checkpoints WHERE item_id = ? AND stage = ?'),
      recordStageDone: db.prepare(
        `INSERT INTO checkpoints (item_id, stage, input_hash, output_json, artefact_hash, finished_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (item_id, stage) DO UPDATE SET input_hash = excluded.input_hash, output_json = excluded.output_json,
           artefact_hash = excluded.artefact_hash, finished_at = excluded.finished_at`,
      ),
      clearCheckpoints: db.prepare('DELETE FROM checkpoints WHERE item_id = ?'),
      startAttempt: db.prepare('INSERT INTO attempts (item_id, attempt, boot_id, started_at) VALUES (?, ?, ?, ?) RETURNING id'),
      finishAttempt: db.prepare('UPDATE attempts SET finished_at = ?, outcome = ?, stage = ?, error_code = ?, error_message = ?, error_detail = ? WHERE id = ?'),
      startRun: db.prepare('INSERT INTO runs (boot_id, trigger, started_at) VALUES (?, ?, ?) RETURNING id'),
      finishRun: db.prepare(
        `UPDATE runs SET finished_at = @finishedAt, polled = @polled, queued = @queued, claimed = @claimed, notion_requests = @notionRequests,
           notion_rate_limited = @notionRateLimited, error_code = @errorCode, error_message = @errorMessage WHERE id = @id`,
      ),
      addNotionRequestCount: db.prepare(
        `INSERT INTO notion_requests (day, method, endpoint, requests, rate_limited, failed) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, method, endpoint) DO UPDATE SET requests = requests + excluded.requests,
           rate_limited = rate_limited + excluded.rate_limited, failed = failed + excluded.failed`,
      ),
      countItemsByState: db.prepare<[], { source: string; state: ItemState; count: number }>('SELECT source, state, COUNT(*) AS count FROM items GROUP BY source, state'),
      countFinishedSince: db.prepare<[number], { state: ItemState; count: number }>(
        "SELECT state, COUNT(*) AS count FROM items WHERE updated_at >= ? AND state IN ('done', 'failed', 'retry_wait') GROUP BY state",
      ),
      listItemsInState: db.prepare<[ItemState, number], ItemRow>('SELECT * FROM items WHERE state = ? ORDER BY updated_at DESC LIMIT ?'),
      listInFlight: db.prepare<[], InFlightRow>(
        "SELECT items.*, (SELECT COUNT(*) FROM checkpoints c WHERE c.item_id = items.id) AS stages_done FROM items WHERE state IN ('claimed', 'running') ORDER BY started_at",
      ),
      listRecentRuns: db.prepare<[number], RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT ?'),
      lastSuccessfulRun: db.prepare<[], RunRow>('SELECT * FROM runs WHERE finished_at IS NOT NULL AND error_code IS NULL ORDER BY id DESC LIMIT 1'),
      listAttempts: db.prepare<[number], AttemptRow>(
        'SELECT attempt, started_at, finished_at, outcome, stage, error_code, error_message, error_detail FROM attempts WHERE item_id = ? ORDER BY id',
      ),
      getLibraryFile: db.prepare<[string], LibraryFileRow>('SELECT * FROM library_files WHERE path = ?'),
      listLibraryFilesOfPage: db.prepare<[string], LibraryFileRow>('SELECT * FROM library_files WHERE page_id = ? AND gone = 0'),
      recordPlacedFile: db.prepare(
        `INSERT INTO library_files (path, page_id, format, size, mtime_ms, placed_at, gone) VALUES (@path, @pageId, @format, @size, @mtimeMs, @now, 0)
         ON CONFLICT (path) DO UPDATE SET page_id = excluded.page_id, format = excluded.format, size = excluded.size,
           mtime_ms = excluded.mtime_ms, placed_at = excluded.placed_at, gone = 0`,
      ),
      addPendingFile: db.prepare('INSERT OR REPLACE INTO pending_files (path, item_id, created_at) VALUES (?, ?, ?)'),
      removePendingFile: db.prepare('DELETE FROM pending_files WHERE path = ?'),
      listPendingFiles: db.prepare<[], { path: string; item_id: number | null; created_at: number }>('SELECT * FROM pending_files'),
      upsertIndexedFile: db.prepare(
        `INSERT INTO library_files (path, root, page_id, format, size, mtime_ms, placed_at, gone, duration_seconds, title, artist, album, bpm,
           musical_key, norm_title, norm_artist, fingerprint, fingerprint_raw, scan_id)
         VALUES (@path, @root, @pageId, @format, @size, @mtimeMs, @now, 0, @durationSeconds, @title, @artist, @album, @bpm,
           @musicalKey, @normTitle, @normArtist, @fingerprint, @fingerprintRaw, @scanId)
         ON CONFLICT (path) DO UPDATE SET root = COALESCE(excluded.root, library_files.root), page_id = COALESCE(excluded.page_id, library_files.page_id),
           format = excluded.format, size = excluded.size, mtime_ms = excluded.mtime_ms, gone = 0, duration_seconds = excluded.duration_seconds,
           title = excluded.title, artist = excluded.artist, album = excluded.album, bpm = excluded.bpm, musical_key = excluded.musical_key,
           norm_title = excluded.norm_title, norm_artist = excluded.norm_artist, fingerprint = excluded.fingerprint,
           fingerprint_raw = excluded.fingerprint_raw, scan_id = COALESCE(excluded.scan_id, library_files.scan_id)`,
      ),
      markLibraryFileSeen: db.prepare('UPDATE library_files SET scan_id = ?, root = ?, gone = 0 WHERE path = ?'),
      deleteFingerprintKeys: db.prepare('DELETE FROM fingerprint_keys WHERE path = ?'),
      insertFingerprintKey: db.prepare('INSERT INTO fingerprint_keys (key, path) VALUES (?, ?)'),
      findFilesByFingerprintKeys: db.prepare<[string, number], { path: string; shared: number }>(
        `SELECT k.path AS path, COUNT(*) AS shared FROM fingerprint_keys k JOIN library_files f ON f.path = k.path
         WHERE k.key IN (SELECT value FROM json_each(?)) AND f.gone = 0 GROUP BY k.path ORDER BY shared DESC LIMIT ?`,
      ),
      findFilesByNames: db.prepare<[string, string], LibraryFileRow>('SELECT * FROM library_files WHERE norm_title = ? AND norm_artist = ? AND gone = 0'),
      startLibraryScan: db.prepare('INSERT INTO library_scans (roots_json, started_at) VALUES (?, ?) RETURNING id'),
      unfinishedLibraryScan: db.prepare<[string], { id: number }>('SELECT id FROM library_scans WHERE roots_json = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1'),
      finishLibraryScan: db.prepare('UPDATE library_scans SET finished_at = ?, files_seen = ?, files_read = ?, files_gone = ? WHERE id = ?'),
      markGoneNotSeen: db.prepare('UPDATE library_files SET gone = 1 WHERE root = ? AND gone = 0 AND (scan_id IS NULL OR scan_id <> ?)'),
      libraryStats: db.prepare<[], { format: string; files: number; bytes: number; gone: number; fingerprinted: number; linked: number }>(
        `SELECT format, SUM(gone = 0) AS files, SUM(CASE WHEN gone = 0 THEN size ELSE 0 END) AS bytes, SUM(gone) AS gone,
           SUM(gone = 0 AND fingerprint_raw IS NOT NULL) AS fingerprinted, SUM(gone = 0 AND page_id IS NOT NULL) AS linked
         FROM library_files GROUP BY format ORDER BY format`,
      ),
      listNameGroups: db.prepare<[number], { norm_title: string; norm_artist: string; files: number }>(
        `SELECT norm_title, norm_artist, COUNT(*) AS files FROM library_files WHERE gone = 0 AND norm_title IS NOT NULL AND norm_title <> ''
         GROUP BY norm_title, norm_artist HAVING COUNT(DISTINCT COALESCE(page_id, path)) > 1 ORDER BY files DESC LIMIT ?`,
      ),
      listFingerprintedFiles: db.prepare<[], LibraryFileRow>('SELECT * FROM library_files WHERE gone = 0 AND fingerprint_raw IS NOT NULL ORDER BY path'),
      addEaglePending: db.prepare(
        `INSERT INTO eagle_pending (page_id, path, data_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (page_id) DO UPDATE SET path = excluded.path, data_json = excluded.data_json, updated_at = excluded.updated_at`,
      ),
      listEaglePending: db.prepare<[number], EaglePendingRow>('SELECT * FROM eagle_pending ORDER BY updated_at LIMIT ?'),
      removeEaglePending: db.prepare('DELETE FROM eagle_pending WHERE page_id = ?'),
      failEaglePending: db.prepare('UPDATE eagle_pending SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE page_id = ?'),
      getIncident: db.prepare<[string], IncidentRow>('SELECT * FROM critical_incidents WHERE kind = ?'),
      listOpenIncidents: db.prepare<[], IncidentRow>('SELECT * FROM critical_incidents WHERE cleared_at IS NULL ORDER BY opened_at'),
      openIncident: db.prepare(
        `INSERT INTO critical_incidents (kind, task_page_id, message, opened_at, last_seen_at, last_line_at, occurrences, cleared_at) VALUES (@kind, @taskPageId, @message, @now, @now, @now, 1, NULL)
         ON CONFLICT (kind) DO UPDATE SET task_page_id = excluded.task_page_id, message = excluded.message, opened_at = excluded.opened_at,
           last_seen_at = excluded.last_seen_at, last_line_at = excluded.last_line_at, occurrences = 1, cleared_at = NULL`,
      ),
      seeIncident: db.prepare('UPDATE critical_incidents SET last_seen_at = @now, message = @message, occurrences = occurrences + 1, last_line_at = CASE WHEN @lineWritten = 1 THEN @now ELSE last_line_at END WHERE kind = @kind'),
      setIncidentTask: db.prepare('UPDATE critical_incidents SET task_page_id = ?, last_line_at = ? WHERE kind = ?'),
      clearIncident: db.prepare('UPDATE critical_incidents SET cleared_at = ? WHERE kind = ? AND cleared_at IS NULL'),
      saveLinkCandidate: db.prepare(
        `INSERT INTO link_candidates (page_id, platform, url, title, score, accepted, rejected, checked_at) VALUES (@pageId, @platform, @url, @title, @score, @accepted, @rejected, @now)
         ON CONFLICT (page_id, platform, url) DO UPDATE SET title = excluded.title, score = excluded.score, accepted = excluded.accepted, rejected = excluded.rejected, checked_at = excluded.checked_at`,
      ),
      listLinkCandidates: db.prepare<[string], LinkCandidateRow>('SELECT * FROM link_candidates WHERE page_id = ? ORDER BY platform, score DESC'),
      addLinksPending: db.prepare('INSERT INTO links_pending (page_id, next_attempt_at, created_at) VALUES (?, ?, ?) ON CONFLICT (page_id) DO NOTHING'),
      listDueLinks: db.prepare<[number, number], LinksPendingRow>('SELECT * FROM links_pending WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?'),
      deferLinks: db.prepare('UPDATE links_pending SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE page_id = ?'),
      removeLinksPending: db.prepare('DELETE FROM links_pending WHERE page_id = ?'),
      getCreateIntent: db.prepare<[string], CreateIntentRow>('SELECT * FROM create_intents WHERE key = ?'),
      startCreateIntent: db.prepare(
        `INSERT INTO create_intents (key, marker, page_id, started_at, updated_at) VALUES (?, ?, NULL, ?, ?)
         ON CONFLICT (key) DO UPDATE SET marker = excluded.marker, page_id = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at`,
      ),
      resolveCreateIntent: db.prepare('UPDATE create_intents SET page_id = ?, updated_at = ? WHERE key = ?'),
      dropCreateIntent: db.prepare('DELETE FROM create_intents WHERE key = ?'),
      purgeCreateIntents: db.prepare('DELETE FROM create_intents WHERE page_id IS NOT NULL AND updated_at < ?'),
      getRateBudget: db.prepare<[string], { tokens: number; refilled_at: number; paused_until: number; recent_json: string }>(
        'SELECT * FROM rate_budgets WHERE budget_key = ?',
      ),
      saveRateBudget: db.prepare(
        `INSERT INTO rate_budgets (budget_key, tokens, refilled_at, paused_until, recent_json) VALUES (@key, @tokens, @refilledAt, @pausedUntil, @recentJson)
         ON CONFLICT (budget_key) DO UPDATE SET tokens = excluded.tokens, refilled_at = excluded.refilled_at,
           paused_until = excluded.paused_until, recent_json = excluded.recent_json`,
      ),
      listPlaylistExports: db.prepare<[], PlaylistExportRow>('SELECT * FROM playlist_exports ORDER BY name, page_id'),
      savePlaylistExport: db.prepare<PlaylistExportRow>(
        `INSERT INTO playlist_exports (page_id, name, file_path, file_hash, content_hash, member_ids_json, members_read_at, page_edited_at,
           exported_at, exported_count, missing_json, apple_playlist_id, apple_hash, apple_missing, updated_at)
         VALUES (@page_id, @name, @file_path, @file_hash, @content_hash, @member_ids_json, @members_read_at, @page_edited_at,
           @exported_at, @exported_count, @missing_json, @apple_playlist_id, @apple_hash, @apple_missing, @updated_at)
         ON CONFLICT (page_id) DO UPDATE SET name = excluded.name, file_path = excluded.file_path, file_hash = excluded.file_hash,
           content_hash = excluded.content_hash, member_ids_json = excluded.member_ids_json, members_read_at = excluded.members_read_at,
           page_edited_at = excluded.page_edited_at, exported_at = excluded.exported_at, exported_count = excluded.exported_count,
           missing_json = excluded.missing_json, apple_playlist_id = excluded.apple_playlist_id, apple_hash = excluded.apple_hash,
           apple_missing = excluded.apple_missing, updated_at = excluded.updated_at`,
      ),
      deletePlaylistExport: db.prepare('DELETE FROM playlist_exports WHERE page_id = ?'),
      addPlaylistTrackId: db.prepare('INSERT INTO playlist_track_ids (page_id) VALUES (?) ON CONFLICT (page_id) DO NOTHING'),
      getPlaylistTrackId: db.prepare<[string], { track_id: number }>('SELECT track_id FROM playlist_track_ids WHERE page_id = ?'),
      getFileFacts: db.prepare<[string], FileFactsRow>('SELECT * FROM playlist_file_facts WHERE path = ?'),
      saveFileFacts: db.prepare<FileFactsRow>(
        `INSERT INTO playlist_file_facts (path, size, mtime_ms, sample_rate, bit_rate, duration_seconds)
         VALUES (@path, @size, @mtime_ms, @sample_rate, @bit_rate, @duration_seconds)
         ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sample_rate = excluded.sample_rate,
           bit_rate = excluded.bit_rate, duration_seconds = excluded.duration_seconds`,
      ),
      sumNotionRequests: db.prepare<[], { requests: number | null; rate_limited: number | null }>('SELECT SUM(requests) AS requests, SUM(rate_limited) AS rate_limited FROM notion_requests'),
      forgetDeliveries: db.prepare('DELETE FROM webhook_deliveries WHERE received_at < ?'),
      rememberDelivery: db.prepare('INSERT INTO webhook_deliveries (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING'),
      forgetLoginCodes: db.prepare('DELETE FROM login_codes WHERE expires_at < ?'),
      addLoginCode: db.prepare('INSERT INTO login_codes (code_hash, expires_at) VALUES (?, ?)'),
      useLoginCode: db.prepare('DELETE FROM login_codes WHERE code_hash = ? AND expires_at >= ?'),
      addSyncRequest: db.prepare<[string, number], { id: number }>('INSERT INTO sync_requests (page_id, requested_at) VALUES (?, ?) RETURNING id'),
      // One statement: two daemons in turn (a restart) never both take a request.
      takeSyncRequests: db.prepare<[string, number], SyncRequestRow>(
        'UPDATE sync_requests SET taken_boot_id = ?, taken_at = ? WHERE taken_at IS NULL RETURNING *',
      ),
      finishSyncRequest: db.prepare(
        `UPDATE sync_requests SET finished_at = @now, state = @state, outcome = @outcome, error_code = @code, error_message = @message
         WHERE id = @id`,
      ),
      getSyncRequest: db.prepare<[number], SyncRequestRow>('SELECT * FROM sync_requests WHERE id = ?'),
    };
  }

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    return this.#s.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#s.setMeta.run(key, value);
  }

  recordBoot(bootId: string, pid: number, host: string, now: number): void {
    this.#s.recordBoot.run(bootId, pid, host, now);
  }

  endBoot(bootId: string, now: number): void {
    this.#s.endBoot.run(now, bootId);
  }

  getDataSourceId(databaseId: string): string | undefined {
    return this.#s.getDataSourceId.get(databaseId)?.data_source_id;
  }

  saveDataSourceId(databaseId: string, dataSourceId: string, name: string, now: number): void {
    this.#s.saveDataSourceId.run(databaseId, dataSourceId, name, now);
  }

  forgetDataSourceId(databaseId: string): void {
    this.#s.forgetDataSourceId.run(databaseId);
  }

  getCursor(dataSourceId: string): CursorRow | undefined {
    return this.#s.getCursor.get(dataSourceId);
  }

  saveCursor(dataSourceId: string, minute: string | null, seen: Record<string, unknown>, now: number): void {
    this.#s.saveCursor.run(dataSourceId, minute, JSON.stringify(seen), now);
  }

  recordFullReconcile(dataSourceId: string, now: number): void {
    this.#s.recordFullReconcile.run(dataSourceId, now, now);
  }

  upsertPolledItem(item: PolledItem): ItemRow {
    return this.#s.upsertPolledItem.get({ ...item, state: 'queued' })!;
  }

  claimNextItems(args: { source: ItemSource; owner: string; bootId: string; now: number; leaseMs: number; limit: number }): ItemRow[] {
    return this.#s.claimNextItems.all({ source: args.source, owner: args.owner, bootId: args.bootId, now: args.now, expires: args.now + args.leaseMs, limit: args.limit });
  }

  /** Claims one given item now (a task or the CLI asked for it), whatever its retry time. */
  claimItemById(args: { id: number; owner: string; bootId: string; now: number; leaseMs: number }): ItemRow | undefined {
    return this.#s.claimItemById.get({ id: args.id, owner: args.owner, bootId: args.bootId, now: args.now, expires: args.now + args.leaseMs });
  }

  /** Starts an attempt: counts it and returns the attempt number (undefined if the lease is no longer ours). */
  markItemRunning(id: number, bootId: string, now: number): number | undefined {
    return (this.#s.markItemRunning.get({ id, bootId, now }) as { attempts: number } | undefined)?.attempts;
  }

  renewLease(id: number, bootId: string, expiresAt: number, now: number): boolean {
    return this.#s.renewLease.run(expiresAt, now, id, bootId).changes === 1;
  }

  setItemStage(id: number, stage: string | null, now: number): void {
    this.#s.setItemStage.run(stage, now, id);
  }

  finishItem(id: number, outcome: string, inputHash: string | null, now: number): void {
    this.#s.finishItem.run({ id, outcome, inputHash, now });
  }

  /**
   * `refundAttempt`: a rate-limited wait does not use up one of the item's attempts. `inputHash`: the page's hash after
   * our failure write-back, so that write is not mistaken for a user's edit (which would re-queue the item at once).
   */
  scheduleRetry(id: number, nextAttemptAt: number, error: ItemError, now: number, options: { refundAttempt?: boolean; inputHash?: string | null } = {}): void {
    this.#s.scheduleRetry.run({ id, nextAttemptAt, code: error.code, kind: error.kind, message: error.message, now, refund: options.refundAttempt ? 1 : 0, inputHash: options.inputHash ?? null });
  }

  failItem(id: number, error: ItemError, inputHash: string | null, now: number): void {
    this.#s.failItem.run({ id, code: error.code, kind: error.kind, message: error.message, inputHash, now });
  }

  releaseItem(id: number, now: number, options: { refundAttempt: boolean; nextAttemptAt?: number; inputHash?: string | null }): void {
    this.#s.releaseItem.run({ id, now, refund: options.refundAttempt ? 1 : 0, nextAttemptAt: options.nextAttemptAt ?? 0, inputHash: options.inputHash ?? null });
  }

  /** At start: whatever an earlier process held is free again (its checkpoints stay, so work resumes). */
  releaseLeasesOfOtherBoots(bootId: string, now: number): number {
    return this.#s.releaseLeasesOfOtherBoots.run(now, bootId).changes;
  }

  /** Items waiting on a condition that just cleared (`code`, e.g. SPOTIFY_APP_REFUSED) are due now; how many. */
  resumeWaiting(code: string, now: number): number {
    return this.#s.resumeWaiting.run({ code, now }).changes;
  }

  /** `tracksync retry`: forget a give-up and queue the item now. */
  resetItemForRetry(id: number, now: number): boolean {
    return this.#s.resetItemForRetry.run(now, id).changes === 1;
  }

  getItem(id: number): ItemRow | undefined {
    return this.#s.getItem.get(id);
  }

  getItemByPage(source: ItemSource, pageId: string): ItemRow | undefined {
    return this.#s.getItemByPage.get(source, pageId);
  }

  findItemsByPage(pageId: string): ItemRow[] {
    return this.#s.findItemsByPage.all(pageId);
  }

  getCheckpoint(itemId: number, stage: string): CheckpointRow | undefined {
    return this.#s.getCheckpoint.get(itemId, stage);
  }

  recordStageDone(itemId: number, stage: string, inputHash: string, output: unknown, artefactHash: string | null, now: number): void {
    this.#s.recordStageDone.run(itemId, stage, inputHash, JSON.stringify(output), artefactHash, now);
  }

  clearCheckpoints(itemId: number): void {
    this.#s.clearCheckpoints.run(itemId);
  }

  startAttempt(itemId: number, attempt: number, bootId: string, now: number): number {
    return (this.#s.startAttempt.get(itemId, attempt, bootId, now) as { id: number }).id;
  }

  finishAttempt(attemptId: number, result: { outcome: string; stage: string | null; code?: string; message?: string; detail?: string }, now: number): void {
    this.#s.finishAttempt.run(now, result.outcome, result.stage, result.code ?? null, result.message ?? null, result.detail ?? null, attemptId);
  }

  listAttempts(itemId: number): AttemptRow[] {
    return this.#s.listAttempts.all(itemId);
  }

  startRun(bootId: string, trigger: string, now: number): number {
    return (this.#s.startRun.get(bootId, trigger, now) as { id: number }).id;
  }

  finishRun(run: { id: number; finishedAt: number; polled: number; queued: number; claimed: number; notionRequests: number; notionRateLimited: number; errorCode: string | null; errorMessage: string | null }): void {
    this.#s.finishRun.run(run);
  }

  addNotionRequestCounts(day: string, counts: Array<{ method: string; endpoint: string; requests: number; rateLimited: number; failed: number }>): void {
    this.transaction(() => {
      for (const c of counts) if (c.requests > 0) this.#s.addNotionRequestCount.run(day, c.method, c.endpoint, c.requests, c.rateLimited, c.failed);
    });
  }

  countItemsByState(): Array<{ source: string; state: ItemState; count: number }> {
    return this.#s.countItemsByState.all();
  }

  listItemsInState(state: ItemState, limit: number): ItemRow[] {
    return this.#s.listItemsInState.all(state, limit);
  }

  /** Items in 'done', 'failed' or 'retry_wait' that changed since `since`, counted by state (the daily summary). */
  countFinishedSince(since: number): Partial<Record<ItemState, number>> {
    return Object.fromEntries(this.#s.countFinishedSince.all(since).map((r) => [r.state, r.count]));
  }

  listInFlight(): InFlightRow[] {
    return this.#s.listInFlight.all();
  }

  listRecentRuns(limit: number): RunRow[] {
    return this.#s.listRecentRuns.all(limit);
  }

  lastSuccessfulRun(): RunRow | undefined {
    return this.#s.lastSuccessfulRun.get();
  }

  getLibraryFile(path: string): LibraryFileRow | undefined {
    return this.#s.getLibraryFile.get(path);
  }

  listLibraryFilesOfPage(pageId: string): LibraryFileRow[] {
    return this.#s.listLibraryFilesOfPage.all(pageId);
  }

  recordPlacedFile(file: { path: string; pageId: string | null; format: string; size: number; mtimeMs: number; now: number }): void {
    this.#s.recordPlacedFile.run(file);
  }

  addPendingFile(path: string, itemId: number | null, now: number): void {
    this.#s.addPendingFile.run(path, itemId, now);
  }

  removePendingFile(path: string): void {
    this.#s.removePendingFile.run(path);
  }

  listPendingFiles(): Array<{ path: string; item_id: number | null; created_at: number }> {
    return this.#s.listPendingFiles.all();
  }

  /** Adds or refreshes a file in the library index, with its fingerprint keys (one transaction). */
  upsertIndexedFile(file: IndexedFile, fingerprintKeys: readonly number[]): void {
    this.transaction(() => {
      this.#s.upsertIndexedFile.run(file);
      this.#s.deleteFingerprintKeys.run(file.path);
      for (const key of fingerprintKeys) this.#s.insertFingerprintKey.run(key, file.path);
    });
  }

  /** Marks unchanged files as seen by a scan, in one transaction (per-file commits made a 10,000-file rescan 1.8 s). */
  markLibraryFilesSeen(paths: readonly string[], scanId: number, root: string): void {
    this.transaction(() => {
      for (const path of paths) this.#s.markLibraryFileSeen.run(scanId, root, path);
    });
  }

  /** Files sharing the most fingerprint keys with `keys`, best first. */
  findFilesByFingerprintKeys(keys: readonly number[], limit: number): Array<{ path: string; shared: number }> {
    return this.#s.findFilesByFingerprintKeys.all(JSON.stringify(keys), limit);
  }

  findFilesByNames(normTitle: string, normArtist: string): LibraryFileRow[] {
    return this.#s.findFilesByNames.all(normTitle, normArtist);
  }

  /** The unfinished scan of these roots (a scan that was interrupted), or a new one. */
  beginLibraryScan(roots: readonly string[], now: number): number {
    const key = JSON.stringify([...roots].sort());
    return this.#s.unfinishedLibraryScan.get(key)?.id ?? (this.#s.startLibraryScan.get(key, now) as { id: number }).id;
  }

  /** Ends a scan: files of its roots it did not see are marked gone (the index keeps them, flagged). */
  finishLibraryScan(scanId: number, roots: readonly string[], counts: { seen: number; read: number }, now: number): number {
    return this.transaction(() => {
      let gone = 0;
      for (const root of roots) gone += this.#s.markGoneNotSeen.run(root, scanId).changes;
      this.#s.finishLibraryScan.run(now, counts.seen, counts.read, gone, scanId);
      return gone;
    });
  }

  libraryStats(): Array<{ format: string; files: number; bytes: number; gone: number; fingerprinted: number; linked: number }> {
    return this.#s.libraryStats.all();
  }

  listNameGroups(limit: number): Array<{ norm_title: string; norm_artist: string; files: number }> {
    return this.#s.listNameGroups.all(limit);
  }

  listFingerprintedFiles(): LibraryFileRow[] {
    return this.#s.listFingerprintedFiles.all();
  }

  addEaglePending(pageId: string, path: string, data: unknown, now: number): void {
    this.#s.addEaglePending.run(pageId, path, JSON.stringify(data), now, now);
  }

  listEaglePending(limit: number): EaglePendingRow[] {
    return this.#s.listEaglePending.all(limit);
  }

  removeEaglePending(pageId: string): void {
    this.#s.removeEaglePending.run(pageId);
  }

  failEaglePending(pageId: string, error: string, now: number): void {
    this.#s.failEaglePending.run(error, now, pageId);
  }

  getIncident(kind: string): IncidentRow | undefined {
    return this.#s.getIncident.get(kind);
  }

  listOpenIncidents(): IncidentRow[] {
    return this.#s.listOpenIncidents.all();
  }

  /** Opens (or reopens) the incident of `kind`, its task not created yet when `taskPageId` is null. */
  openIncident(kind: string, taskPageId: string | null, message: string, now: number): void {
    this.#s.openIncident.run({ kind, taskPageId, message, now });
  }

  seeIncident(kind: string, message: string, lineWritten: boolean, now: number): void {
    this.#s.seeIncident.run({ kind, message, lineWritten: lineWritten ? 1 : 0, now });
  }

  setIncidentTask(kind: string, taskPageId: string, now: number): void {
    this.#s.setIncidentTask.run(taskPageId, now, kind);
  }

  clearIncident(kind: string, now: number): boolean {
    return this.#s.clearIncident.run(now, kind).changes > 0;
  }

  saveLinkCandidate(candidate: { pageId: string; platform: string; url: string; title: string; score: number; accepted: boolean; rejected: string | null; now: number }): void {
    this.#s.saveLinkCandidate.run({ ...candidate, accepted: candidate.accepted ? 1 : 0 });
  }

  listLinkCandidates(pageId: string): LinkCandidateRow[] {
    return this.#s.listLinkCandidates.all(pageId);
  }

  addLinksPending(pageId: string, dueAt: number, now: number): void {
    this.#s.addLinksPending.run(pageId, dueAt, now);
  }

  listDueLinks(now: number, limit: number): LinksPendingRow[] {
    return this.#s.listDueLinks.all(now, limit);
  }

  deferLinks(pageId: string, nextAttemptAt: number, error: string): void {
    this.#s.deferLinks.run(nextAttemptAt, error, pageId);
  }

  removeLinksPending(pageId: string): void {
    this.#s.removeLinksPending.run(pageId);
  }

  getCreateIntent(key: string): CreateIntentRow | undefined {
    return this.#s.getCreateIntent.get(key);
  }

  /** Records (or restarts) the intent to create the page `key`, before the request is sent. */
  startCreateIntent(key: string, marker: string, now: number): void {
    this.#s.startCreateIntent.run(key, marker, now, now);
  }

  resolveCreateIntent(key: string, pageId: string, now: number): void {
    this.#s.resolveCreateIntent.run(pageId, now, key);
  }

  dropCreateIntent(key: string): void {
    this.#s.dropCreateIntent.run(key);
  }

  /** Forgets resolved intents older than `before` (unresolved ones are kept: they may still have to be found). */
  purgeCreateIntents(before: number): number {
    return this.#s.purgeCreateIntents.run(before).changes;
  }

  /**
   * One atomic step of the shared rate budget: reads the budget's state, lets `decide` compute the new state (and the
   * wait, if any), and writes it back, all under SQLite's write lock (BEGIN IMMEDIATE), so two processes never take
   * the same slot.
   */
  stepRateBudget<T>(key: string, decide: (state: BudgetState | undefined) => { state: BudgetState; result: T }): T {
    const run = this.db.transaction(() => {
      const row = this.#s.getRateBudget.get(key);
      const current = row
        ? { tokens: row.tokens, refilledAt: row.refilled_at, pausedUntil: row.paused_until, recent: JSON.parse(row.recent_json) as number[] }
        : undefined;
      const { state, result } = decide(current);
      const { tokens, refilledAt, pausedUntil } = state;
      this.#s.saveRateBudget.run({ key, tokens, refilledAt, pausedUntil, recentJson: JSON.stringify(state.recent) });
      return result;
    });
    return run.immediate();
  }

  readRateBudgetPause(key: string): number {
    return this.#s.getRateBudget.get(key)?.paused_until ?? 0;
  }

  /** Records a webhook delivery id; false when it was already seen since `forgetBefore` (a retry or a replay). */
  rememberDelivery(id: string, now: number, forgetBefore: number): boolean {
    return this.transaction(() => {
      this.#s.forgetDeliveries.run(forgetBefore);
      return this.#s.rememberDelivery.run(id, now).changes === 1;
    });
  }

  /** Keeps a one-time login code (its hash) until `expiresAt`. */
  addLoginCode(codeHash: string, expiresAt: number, now: number): void {
    this.transaction(() => {
      this.#s.forgetLoginCodes.run(now);
      this.#s.addLoginCode.run(codeHash, expiresAt);
    });
  }

  /** Uses a login code: true once, while it has not expired; it is gone afterwards either way. */
  useLoginCode(codeHash: string, now: number): boolean {
    return this.#s.useLoginCode.run(codeHash, now).changes === 1;
  }

  listPlaylistExports(): PlaylistExportRow[] {
    return this.#s.listPlaylistExports.all();
  }

  /** Writes the whole row of one playlist's export state. */
  savePlaylistExport(row: PlaylistExportRow): void {
    this.#s.savePlaylistExport.run(row);
  }

  deletePlaylistExport(pageId: string): void {
    this.#s.deletePlaylistExport.run(pageId);
  }

  /** rekordbox TrackIDs for these Music Tracks pages: the same integer every time, a new one for a page never seen. */
  playlistTrackIds(pageIds: readonly string[]): Map<string, number> {
    return this.transaction(() => {
      const ids = new Map<string, number>();
      for (const pageId of pageIds) {
        this.#s.addPlaylistTrackId.run(pageId);
        ids.set(pageId, this.#s.getPlaylistTrackId.get(pageId)!.track_id);
      }
      return ids;
    });
  }

  getFileFacts(path: string): FileFactsRow | undefined {
    return this.#s.getFileFacts.get(path);
  }

  saveFileFacts(row: FileFactsRow): void {
    this.#s.saveFileFacts.run(row);
  }

  /** `tracksync sync` hands a Music Tracks row to the daemon holding the state directory (migration 0010). */
  addSyncRequest(pageId: string, now: number): number {
    return this.#s.addSyncRequest.get(pageId, now)!.id;
  }

  /** The daemon takes every request nobody took yet (one indexed read when there is none). */
  takeSyncRequests(bootId: string, now: number): SyncRequestRow[] {
    return this.#s.takeSyncRequests.all(bootId, now);
  }

  finishSyncRequest(id: number, result: { state: string; outcome: string; error?: { code: string; message: string } }, now: number): void {
    this.#s.finishSyncRequest.run({ id, now, state: result.state, outcome: result.outcome, code: result.error?.code ?? null, message: result.error?.message ?? null });
  }

  getSyncRequest(id: number): SyncRequestRow | undefined {
    return this.#s.getSyncRequest.get(id);
  }

  totalNotionRequests(): { requests: number; rateLimited: number } {
    const row = this.#s.sumNotionRequests.get();
    return { requests: row?.requests ?? 0, rateLimited: row?.rate_limited ?? 0 };
  }
}

/** The library index as the pipeline reads and writes it (placed files, lookups by name, page and fingerprint). */
export type LibraryStore = Pick<Store, 'getLibraryFile' | 'listLibraryFilesOfPage' | 'findFilesByNames' | 'findFilesByFingerprintKeys' | 'upsertIndexedFile'>;
/** Temp files recorded before they are written, so a crash leaves nothing behind (engine/leftovers.ts). */
export type PendingFileStore = Pick<Store, 'addPendingFile' | 'removePendingFile'>;
/** Eagle imports deferred while Eagle is closed. */
export type EagleQueueStore = Pick<Store, 'addEaglePending'>;

/**
 * What a handler may do with the state (docs/architecture.md, "The contracts"): the library, its temp files, a
 * deferred Eagle import. Never its own or another item's lease, attempts or checkpoints: the runner keeps those.
 */
export type HandlerStore = LibraryStore & PendingFileStore & EagleQueueStore;

/** The handler port over a Store: only HandlerStore's methods, bound, so a handler cannot reach the rest. */
export function handlerStore(store: Store): HandlerStore {
  return {
    getLibraryFile: (path) => store.getLibraryFile(path),
    listLibraryFilesOfPage: (pageId) => store.listLibraryFilesOfPage(pageId),
    findFilesByNames: (normTitle, normArtist) => store.findFilesByNames(normTitle, normArtist),
    findFilesByFingerprintKeys: (keys, limit) => store.findFilesByFingerprintKeys(keys, limit),
    upsertIndexedFile: (file, fingerprintKeys) => store.upsertIndexedFile(file, fingerprintKeys),
    addPendingFile: (path, itemId, now) => store.addPendingFile(path, itemId, now),
    removePendingFile: (path) => store.removePendingFile(path),
    addEaglePending: (pageId, path, data, now) => store.addEaglePending(pageId, path, data, now),
  };
}
