import type { ItemRow, Store } from '../../state/store.js';

/**
 * The status snapshot: what the queue holds, what runs, what waits and what failed, and the recent cycles. The CLI
 * (`tracksync status`), the status page and its JSON API (src/server/) all show this one snapshot.
 */
export interface StatusSnapshot {
  queue: Record<string, Record<string, number>>;
  inFlight: ItemView[];
  retrying: ItemView[];
  failed: ItemView[];
  runs: Array<{
    id: number;
    startedAt: number;
    trigger: string;
    polled: number;
    claimed: number;
    notionRequests: number;
    durationMs: number | null;
    error: string | null;
  }>;
  lastSuccessfulCycleAt: number | null;
}

export interface ItemView {
  id: number;
  source: string;
  pageId: string;
  title: string;
  state: string;
  stage: string | null;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  nextAttemptAt: number | null;
  error: string | null;
  /** In flight only: how many of its stages have finished. */
  stagesDone?: number;
}

/** The numbers `status`, the status page and the metrics share. */
export function statusSnapshot(store: Store, limit = 20): StatusSnapshot {
  const queue: Record<string, Record<string, number>> = {};
  for (const { source, state, count } of store.items.countItemsByState()) (queue[source] ??= {})[state] = count;
  const view = (row: ItemRow): ItemView => ({
    id: row.id,
    source: row.source,
    pageId: row.page_id,
    title: row.title,
    state: row.state,
    stage: row.stage,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    nextAttemptAt: row.state === 'retry_wait' ? row.next_attempt_at : null,
    error: row.last_error_code ? `${row.last_error_code}: ${row.last_error_message ?? ''}` : null,
  });
  return {
    queue,
    inFlight: store.items.listInFlight().map((row) => ({ ...view(row), stagesDone: row.stages_done })),
    retrying: store.items.listItemsInState('retry_wait', limit).map(view),
    failed: store.items.listItemsInState('failed', limit).map(view),
    runs: store.runs.listRecentRuns(10).map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      trigger: r.trigger,
      polled: r.polled,
      claimed: r.claimed,
      notionRequests: r.notion_requests,
      durationMs: r.finished_at === null ? null : r.finished_at - r.started_at,
      error: r.error_message,
    })),
    lastSuccessfulCycleAt: store.runs.lastSuccessfulRun()?.finished_at ?? null,
  };
}
