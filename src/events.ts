import { EventEmitter } from 'node:events';
import type { Logger } from './log.js';
import type { ErrorCode, ErrorKind } from './errors.js';

/**
 * The daemon's lifecycle, as typed events. Metrics, notifications and the status page subscribe here, so none of
 * them can break a job: `emit` isolates every listener (graphile-worker's safeEmit).
 */
/**
 * One progress report of a download, as yt-dlp measures it (null where it does not know yet): media/ytdlp.ts reads it,
 * the views show it. Declared here, with the event that carries it, so the core imports nothing from media/.
 */
export interface DownloadProgress {
  readonly percent: number;
  readonly downloadedBytes: number | null;
  readonly totalBytes: number | null;
  readonly bytesPerSecond: number | null;
  readonly etaSeconds: number | null;
}

export interface EventMap {
  'cycle:start': { runId: number; trigger: string };
  'cycle:end': { runId: number; polled: number; claimed: number; durationMs: number; errors: number };
  'cycle:error': { runId: number; code: ErrorCode; message: string };
  /** Work queued on a local queue (engine/daemon.ts enqueue). */
  'item:queued': { queue: string; pageId: string; handler: string };
  /**
   * `source`, here and below: the item's queue (`items.source`: 'tracks', 'tasks' or a local queue such as 'links').
   */
  'item:claimed': { itemId: number; source: string; pageId: string; handler: string };
  'item:done': {
    itemId: number;
    source: string;
    pageId: string;
    title: string;
    handler: string;
    outcome: string;
    durationMs: number;
  };
  'item:retry': {
    itemId: number;
    pageId: string;
    code: ErrorCode;
    kind: ErrorKind;
    message: string;
    nextAttemptAt: number;
  };
  'item:failed': { itemId: number; pageId: string; title: string; code: ErrorCode; message: string };
  'item:released': { itemId: number; pageId: string; reason: string };
  'stage:start': { itemId: number; stage: string };
  'stage:end': { itemId: number; stage: string; durationMs: number; skipped: boolean };
  /**
   * Where an item stands in a person's words (pipeline/steps.ts): step k of n with its label, the track's title once it
   * is known better than the row's, and the download's progress. For the CLI's live view and the status page only.
   */
  'item:progress': {
    itemId: number;
    step: number;
    steps: number;
    label: string;
    title?: string;
    download?: DownloadProgress;
  };
  /** The daemon's playlist export ran (app/music.ts): why, how many playlists it wrote, and any error. */
  'playlists:exported': { reason: string; exported: number; unchanged: number; error?: string };
  'notion:request': { method: string; endpoint: string; status: number; durationMs: number };
  'notion:rate_limited': { retryAfterMs: number };
  /**
   * Notion failed every cycle for notifications.notionDownAfterMs, or refused the token: the daemon cannot do its job.
   */
  'notion:unreachable': { since: number; code: ErrorCode; message: string };
  'notion:recovered': { downMs: number };
  /**
   * Notion refused to create blocks (pages included) for the workspace's block limit; `reached: false` once it creates
   * them again.
   */
  'notion:block_limit': { reached: boolean; message: string };
  'files:written': { bytes: number };
  'daemon:shutdown': { reason: string };
  'poll:wake': { source: string; reason: string };
}

export type EventName = keyof EventMap;

export class EventBus {
  readonly #emitter = new EventEmitter();
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
    this.#emitter.setMaxListeners(50);
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    const wrapped = (payload: EventMap[E]): void => {
      try {
        listener(payload);
      } catch (error) {
        this.#logger?.warn({ err: error, event }, 'an event listener threw; the job goes on');
      }
    };
    this.#emitter.on(event, wrapped);
    return () => this.#emitter.off(event, wrapped);
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    this.#emitter.emit(event, payload);
  }
}
