import type { HandlerResult, ItemInput, SourceKey, StageRunner } from './contracts.js';
import type { TrackSyncError } from '../errors.js';
import type { PageResponse } from '../notion/gateway.js';
import type { PollTarget } from '../notion/poller.js';
import type { ResolvedSchema } from '../notion/schema.js';

export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly page: PageResponse }
  /** The page no longer asks for work (done elsewhere, edited, archived): the item is finished without running. */
  | { readonly kind: 'not-eligible'; readonly page: PageResponse; readonly reason: string }
  /** Someone else holds it (another machine's lock, or a lost race): look again later. */
  | { readonly kind: 'lost'; readonly reason: string }
  /** The page was deleted or is no longer shared with the integration. */
  | { readonly kind: 'gone'; readonly reason: string };

/** The run a result belongs to: write-back steps are checkpointed per generation, so a retry never repeats one. */
export interface ResultRun {
  readonly itemId: number;
  readonly attempt: number;
  readonly generation: number;
  readonly startedAt: number;
  readonly stage: StageRunner;
}

export interface FailureWrite {
  /** True when the item will not be retried (permanent error or attempts used up). */
  readonly final: boolean;
  readonly attempt: number;
  readonly nextAttemptAt?: number;
}

/**
 * What differs between the data sources the daemon serves. A source knows how Notion should filter its rows, how to
 * claim one safely, and how to write a handler's result or a failure back, each as one update where possible.
 */
export interface ItemSource<S extends SourceKey = SourceKey> extends PollTarget {
  /** The Notion database its items' pages belong to. */
  readonly key: S;
  /**
   * Set for a local queue (docs/architecture.md, "One queue"): its items are enqueued by the application, never
   * polled, and stored under this name; a polled source's items are stored under `key`.
   */
  readonly queue?: string;
  /**
   * At most this many of its items run at once (background work that must not crowd out the rest); no cap if absent.
   */
  readonly maxRunning?: number;
  readonly schema: ResolvedSchema<S>;
  toInput(page: PageResponse): ItemInput<S>;
  title(page: PageResponse): string;
  /** Runs before each poll of this source (a source that needs a second, narrow query to route correctly). */
  beforePoll?(): Promise<void>;
  /** Local checks after Notion's filter (a re-read page may have changed since the query). */
  whyNotEligible(input: ItemInput<S>): string | undefined;
  claim(pageId: string): Promise<ClaimOutcome>;
  /** Long jobs keep their cross-machine claim fresh (called from the heartbeat). */
  renewClaim(pageId: string): Promise<void>;
  /** Gives the item back untouched (shutdown, lost race): the page looks as it did before the claim. */
  release(pageId: string, reason: string): Promise<PageResponse | undefined>;
  writeResult(page: PageResponse, result: HandlerResult, run: ResultRun): Promise<PageResponse>;
  writeFailure(
    page: PageResponse,
    error: TrackSyncError,
    failure: FailureWrite,
    run?: ResultRun,
  ): Promise<PageResponse | undefined>;
}

/**
 * A job queue (contracts.ts, JobHandler): items keyed by a name, claimed locally only. The engine makes one for each
 * job handler; its jobs run one at a time (a second export or feed read beside the first would only repeat it).
 */
export interface JobQueue {
  readonly kind: 'jobs';
  readonly queue: string;
  readonly maxRunning: 1;
}

/** Where a queue's items come from: a Notion source (polled, or a local queue of its pages), or a job queue. */
export type QueueSource = ItemSource | JobQueue;

export function isJobQueue(source: QueueSource): source is JobQueue {
  return (source as Partial<JobQueue>).kind === 'jobs';
}

/** The queue an item of this source is stored under (`items.source`). */
export function queueOf(source: QueueSource): string {
  return isJobQueue(source) ? source.queue : (source.queue ?? source.key);
}
