import type { TrackRunOutcome } from '../../engine/contracts.js';
import { trackLine, type TrackLine } from '../../handoff/report.js';
import type { CliIO } from '../io.js';
import { note, print } from '../io.js';
import { ProgressView, followItems } from '../progress.js';
import { printResults } from '../results.js';
import { loadRuntime, startDaemon } from '../runtime.js';
import { onStopSignal } from '../signals.js';
import { wholeNumber } from '../usage.js';

type Mode = 'single' | 'batch' | 'all' | 'reprocess';

/**
 * `tracksync once [--limit N] [--mode single|batch|all|reprocess] [--json]`: one poll, process what it found, wait,
 * exit, with live progress on a terminal and the result table of the tracks it processed.
 * The legacy modes (docs/legacy-bugs.md, "Modes"): single = one item; batch = --limit items (default: one claim batch,
 * 10);
 * all = everything found (the default); reprocess = a full reconcile that ignores the polling cursor.
 */
export async function onceCommand(
  _args: string[],
  values: { limit?: string; mode?: Mode; json?: boolean },
  io: CliIO,
): Promise<number> {
  const mode = values.mode ?? 'all';
  let limit = wholeNumber('--limit', values.limit);
  if (mode === 'single') limit = 1;
  const runtime = loadRuntime(io, { json: values.json === true });
  if (mode === 'batch') limit ??= runtime.config.concurrency.claimBatchSize;
  const daemon = await startDaemon(runtime);
  const dispose = onStopSignal((signal) => void daemon.stop(signal));
  const view = new ProgressView(io, { off: values.json === true });
  const unfollow = followItems(daemon.events, daemon.store, view);
  // The tracks this cycle finished, for the result table (tasks report on their own page).
  const ended = new Map<string, Omit<TrackRunOutcome, 'page'>>();
  // Only Music Tracks items: a task reports on its own page, a row's follow-up work (links) is not a track.
  const isTrack = (itemId: number): boolean => daemon.store.items.getItem(itemId)?.source === 'tracks';
  const end = (itemId: number, run: Omit<TrackRunOutcome, 'page'>): void => {
    if (isTrack(itemId)) ended.set(run.pageId, run);
  };
  const offs = [
    daemon.events.on('item:done', (e) => end(e.itemId, { pageId: e.pageId, state: 'done', outcome: e.outcome })),
    daemon.events.on('item:failed', (e) =>
      end(e.itemId, {
        pageId: e.pageId,
        state: 'failed',
        outcome: 'failed',
        error: { code: e.code, message: e.message },
      }),
    ),
    daemon.events.on('item:retry', (e) =>
      end(e.itemId, {
        pageId: e.pageId,
        state: 'retry_wait',
        outcome: 'will-retry',
        error: { code: e.code, message: e.message },
      }),
    ),
  ];
  const lines: TrackLine[] = [];
  let summary: Record<string, unknown>;
  try {
    const report = await daemon.runOnce({ ...(limit === undefined ? {} : { limit }), full: mode === 'reprocess' });
    view.stop();
    summary = {
      cycle: report.runId,
      polled: report.polled,
      queued: report.queued,
      claimed: report.claimed,
      notionRequests: daemon.notion.requestCount,
      warnings: report.errors,
    };
    for (const outcome of ended.values()) {
      const page = await daemon.notion.retrievePage(outcome.pageId).catch(() => undefined);
      lines.push(
        trackLine(
          daemon.schemas.tracks,
          { ...outcome, page },
          daemon.store.items.getItemByPage('tracks', outcome.pageId)?.title ?? outcome.pageId,
        ),
      );
    }
    if (!values.json) {
      note(
        io,
        `${report.polled} changed row(s) in Notion, ${report.claimed} processed; ${daemon.notion.requestCount} Notion request(s)`,
      );
      for (const error of report.errors) print(io.stderr, `warning: ${error}`);
    }
  } finally {
    view.stop();
    unfollow();
    offs.forEach((off) => off());
    await daemon.stop('once finished');
    dispose();
  }
  if (values.json) print(io.stdout, JSON.stringify({ ...summary, tracks: lines }, null, 2));
  else printResults(io, lines);
  return 0;
}
