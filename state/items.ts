import type { Db } from './db.js';
import type {
  QueueName,
  ItemState,
  ItemRow,
  SyncRequestRow,
  InFlightRow,
  CheckpointRow,
  AttemptRow,
  PolledItem,
  LocalItem,
  ItemError,
} from './rows.js';

/**
 * The work queue: items, their leases and attempts, the stage checkpoints, and the sync requests the CLI hands a
 * running daemon.
 */
export class ItemQueue {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
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
      // Work the application queues itself. New, or finished or failed: queued (again) with a fresh attempt budget and
      // the new input, as a new generation. Already waiting: the same work, kept as it is (attempts, checkpoints),
      // due at the earlier of the two times. In flight: the run stands (it answers the request as well).
      enqueueLocal: db.prepare<LocalItem, ItemRow>(
        `INSERT INTO items (source, page_id, data_source_id, handler, title, state, input_hash, input_json, next_attempt_at, created_at, updated_at)
         VALUES (@source, @pageId, '', @handler, @title, 'queued', 'local', @inputJson, @dueAt, @now, @now)
         ON CONFLICT (source, page_id) DO UPDATE SET
           title = excluded.title,
           handler = CASE WHEN items.state IN ('claimed', 'running') THEN items.handler ELSE excluded.handler END,
           input_json = CASE WHEN items.state IN ('claimed', 'running') THEN items.input_json ELSE excluded.input_json END,
           attempts = CASE WHEN items.state IN ('done', 'failed') THEN 0 ELSE items.attempts END,
           generation = CASE WHEN items.state IN ('done', 'failed') THEN items.generation + 1 ELSE items.generation END,
           next_attempt_at = CASE
             WHEN items.state IN ('done', 'failed') THEN excluded.next_attempt_at
             WHEN items.state IN ('queued', 'retry_wait') THEN MIN(items.next_attempt_at, excluded.next_attempt_at)
             ELSE items.next_attempt_at END,
           state = CASE WHEN items.state IN ('done', 'failed') THEN 'queued' ELSE items.state END,
           updated_at = excluded.updated_at
         RETURNING *`,
      ),
      // SQLite serialises writers, so this one statement is an atomic claim (docs/decisions.md, "Claims in SQLite, then
      // in Notion").
      claimNextItems: db.prepare<
        { source: QueueName; owner: string; bootId: string; now: number; expires: number; limit: number },
        ItemRow
      >(
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
      renewLease: db.prepare(
        "UPDATE items SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_boot_id = ? AND state IN ('claimed', 'running')",
      ),
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
      isWaitingOn: db.prepare<[string], { one: number }>(
        "SELECT 1 AS one FROM items WHERE state = 'retry_wait' AND last_error_code = ? LIMIT 1",
      ),
      resumeWaiting: db.prepare(
        `UPDATE items SET next_attempt_at = @now, updated_at = @now WHERE state = 'retry_wait' AND last_error_code = @code`,
      ),
      resetItemForRetry: db.prepare(
        `UPDATE items SET state = 'queued', attempts = 0, next_attempt_at = 0, last_error_code = NULL, last_error_kind = NULL,
           last_error_message = NULL, updated_at = ? WHERE id = ? AND state NOT IN ('claimed', 'running')`,
      ),
      getItem: db.prepare<[number], ItemRow>('SELECT * FROM items WHERE id = ?'),
      getItemByPage: db.prepare<[QueueName, string], ItemRow>('SELECT * FROM items WHERE source = ? AND page_id = ?'),
      findItemsByPage: db.prepare<[string], ItemRow>('SELECT * FROM items WHERE page_id = ?'),
      getCheckpoint: db.prepare<[number, string], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE item_id = ? AND stage = ?',
      ),
      recordStageDone: db.prepare(
        `INSERT INTO checkpoints (item_id, stage, input_hash, output_json, artefact_hash, finished_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (item_id, stage) DO UPDATE SET input_hash = excluded.input_hash, output_json = excluded.output_json,
           artefact_hash = excluded.artefact_hash, finished_at = excluded.finished_at`,
      ),
      clearCheckpoints: db.prepare('DELETE FROM checkpoints WHERE item_id = ?'),
      startAttempt: db.prepare(
        'INSERT INTO attempts (item_id, attempt, boot_id, started_at) VALUES (?, ?, ?, ?) RETURNING id',
      ),
      finishAttempt: db.prepare(
        'UPDATE attempts SET finished_at = ?, outcome = ?, stage = ?, error_code = ?, error_message = ?, error_detail = ? WHERE id = ?',
      ),
      countItemsByState: db.prepare<[], { source: string; state: ItemState; count: number }>(
        'SELECT source, state, COUNT(*) AS count FROM items GROUP BY source, state',
      ),
      countFinishedSince: db.prepare<[number], { state: ItemState; count: number }>(
        "SELECT state, COUNT(*) AS count FROM items WHERE updated_at >= ? AND state IN ('done', 'failed', 'retry_wait') GROUP BY state",
      ),
      listItemsInState: db.prepare<[ItemState, number], ItemRow>(
        'SELECT * FROM items WHERE state = ? ORDER BY updated_at DESC LIMIT ?',
      ),
      listInFlight: db.prepare<[], InFlightRow>(
        "SELECT items.*, (SELECT COUNT(*) FROM checkpoints c WHERE c.item_id = items.id) AS stages_done FROM items WHERE state IN ('claimed', 'running') ORDER BY started_at",
      ),
      listAttempts: db.prepare<[number], AttemptRow>(
        'SELECT attempt, started_at, finished_at, outcome, stage, error_code, error_message, error_detail FROM attempts WHERE item_id = ? ORDER BY id',
      ),
      addSyncRequest: db.prepare<[string, number], { id: number }>(
        'INSERT INTO sync_requests (page_id, requested_at) VALUES (?, ?) RETURNING id',
      ),
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

  upsertPolledItem(item: PolledItem): ItemRow {
    return this.#s.upsertPolledItem.get({ ...item, state: 'queued' })!;
  }

  /** Queues (or queues again) an item of one of the application's own queues (docs/architecture.md, "One queue"). */
  enqueueLocal(item: LocalItem): ItemRow {
    return this.#s.enqueueLocal.get(item)!;
  }

  claimNextItems(args: {
    source: QueueName;
    owner: string;
    bootId: string;
    now: number;
    leaseMs: number;
    limit: number;
  }): ItemRow[] {
    return this.#s.claimNextItems.all({
      source: args.source,
      owner: args.owner,
      bootId: args.bootId,
      now: args.now,
      expires: args.now + args.leaseMs,
      limit: args.limit,
    });
  }

  /** Claims one given item now (a task or the CLI asked for it), whatever its retry time. */
  claimItemById(args: {
    id: number;
    owner: string;
    bootId: string;
    now: number;
    leaseMs: number;
  }): ItemRow | undefined {
    return this.#s.claimItemById.get({
      id: args.id,
      owner: args.owner,
      bootId: args.bootId,
      now: args.now,
      expires: args.now + args.leaseMs,
    });
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
  scheduleRetry(
    id: number,
    nextAttemptAt: number,
    error: ItemError,
    now: number,
    options: { refundAttempt?: boolean; inputHash?: string | null } = {},
  ): void {
    this.#s.scheduleRetry.run({
      id,
      nextAttemptAt,
      code: error.code,
      kind: error.kind,
      message: error.message,
      now,
      refund: options.refundAttempt ? 1 : 0,
      inputHash: options.inputHash ?? null,
    });
  }

  failItem(id: number, error: ItemError, inputHash: string | null, now: number): void {
    this.#s.failItem.run({ id, code: error.code, kind: error.kind, message: error.message, inputHash, now });
  }

  releaseItem(
    id: number,
    now: number,
    options: { refundAttempt: boolean; nextAttemptAt?: number; inputHash?: string | null },
  ): void {
    this.#s.releaseItem.run({
      id,
      now,
      refund: options.refundAttempt ? 1 : 0,
      nextAttemptAt: options.nextAttemptAt ?? 0,
      inputHash: options.inputHash ?? null,
    });
  }

  /** At start: whatever an earlier process held is free again (its checkpoints stay, so work resumes). */
  releaseLeasesOfOtherBoots(bootId: string, now: number): number {
    return this.#s.releaseLeasesOfOtherBoots.run(now, bootId).changes;
  }

  /** Whether some item waits on the condition `code` (one indexed read). */
  isWaitingOn(code: string): boolean {
    return this.#s.isWaitingOn.get(code) !== undefined;
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

  getItemByPage(source: QueueName, pageId: string): ItemRow | undefined {
    return this.#s.getItemByPage.get(source, pageId);
  }

  findItemsByPage(pageId: string): ItemRow[] {
    return this.#s.findItemsByPage.all(pageId);
  }

  getCheckpoint(itemId: number, stage: string): CheckpointRow | undefined {
    return this.#s.getCheckpoint.get(itemId, stage);
  }

  recordStageDone(
    itemId: number,
    stage: string,
    inputHash: string,
    output: unknown,
    artefactHash: string | null,
    now: number,
  ): void {
    this.#s.recordStageDone.run(itemId, stage, inputHash, JSON.stringify(output), artefactHash, now);
  }

  clearCheckpoints(itemId: number): void {
    this.#s.clearCheckpoints.run(itemId);
  }

  startAttempt(itemId: number, attempt: number, bootId: string, now: number): number {
    return (this.#s.startAttempt.get(itemId, attempt, bootId, now) as { id: number }).id;
  }

  finishAttempt(
    attemptId: number,
    result: { outcome: string; stage: string | null; code?: string; message?: string; detail?: string },
    now: number,
  ): void {
    this.#s.finishAttempt.run(
      now,
      result.outcome,
      result.stage,
      result.code ?? null,
      result.message ?? null,
      result.detail ?? null,
      attemptId,
    );
  }

  listAttempts(itemId: number): AttemptRow[] {
    return this.#s.listAttempts.all(itemId);
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

  /** `tracksync sync` hands a Music Tracks row to the daemon holding the state directory (migration 0010). */
  addSyncRequest(pageId: string, now: number): number {
    return this.#s.addSyncRequest.get(pageId, now)!.id;
  }

  /** The daemon takes every request nobody took yet (one indexed read when there is none). */
  takeSyncRequests(bootId: string, now: number): SyncRequestRow[] {
    return this.#s.takeSyncRequests.all(bootId, now);
  }

  finishSyncRequest(
    id: number,
    result: { state: string; outcome: string; error?: { code: string; message: string } },
    now: number,
  ): void {
    this.#s.finishSyncRequest.run({
      id,
      now,
      state: result.state,
      outcome: result.outcome,
      code: result.error?.code ?? null,
      message: result.error?.message ?? null,
    });
  }

  getSyncRequest(id: number): SyncRequestRow | undefined {
    return this.#s.getSyncRequest.get(id);
  }
}
