import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { FieldValue } from '../notion/codecs.js';
import type { FieldKey } from '../notion/databases.js';
import type { BlockRequest, NotionGateway, PageResponse } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import type { HandlerStore, Store } from '../../state/store.js';
import type { Identity } from './identity.js';
import type { ItemSource } from './sources.js';

/**
 * The contract between the daemon and a handler. A handler says which source it serves and which items it accepts;
 * the daemon claims, runs and writes back. A handler never writes the item's own page: it returns what to write, and
 * the daemon turns that into one PATCH (docs/architecture.md, "The contracts").
 */

export type SourceKey = 'tracks' | 'tasks';

/** The page being worked on, decoded through the live schema. */
export interface ItemInput<S extends SourceKey = SourceKey> {
  readonly source: S;
  readonly page: PageResponse;
  /** Every semantic field the data source has, decoded (see notion/databases.ts for the names). */
  readonly fields: Readonly<Partial<Record<FieldKey<S>, FieldValue>>>;
  /** An item of a local queue: what was enqueued with it (`Enqueue`'s `data`), as it was enqueued. */
  readonly data?: unknown;
}

/**
 * Work the application queues for itself on the one items table (docs/architecture.md, "One queue"): an item of the
 * local queue `queue`, about the page `pageId` (one item per queue and page; enqueuing again queues it again), run
 * by the handler that serves that queue, with the same leases, checkpoints, backoff and attempt cap as polled items.
 * On a job queue (JobHandler) `pageId` is the job's key instead ("playlists", "feeds"): no page is claimed or written.
 */
export interface QueuedWork {
  readonly queue: string;
  /** The page the work is about; on a job queue, the job's key. */
  readonly pageId: string;
  /** A short name for status and logs. */
  readonly title: string;
  /** JSON-serialisable input the page does not hold (an Eagle import's file, name and tags). */
  readonly data?: unknown;
  /** Not before this time (ms since the epoch); now when absent. */
  readonly dueAt?: number;
}

/** Queues work; false (and a log line) when no registered handler serves the queue. */
export type Enqueue = (work: QueuedWork) => boolean;

/**
 * Runs a named, checkpointed stage: skipped (its saved output returned) when it already finished for this input and
 * `isValid` (when given) accepts the saved output, e.g. its files still exist. Outputs must be JSON-serialisable.
 */
export type StageRunner = <T>(
  stage: string,
  inputHash: string,
  run: () => Promise<T>,
  options?: { artefactHash?: (output: T) => string | null; isValid?: (output: T) => boolean },
) => Promise<T>;

export interface HandlerContext<S extends SourceKey = SourceKey> {
  readonly item: { readonly id: number; readonly pageId: string; readonly attempt: number };
  readonly input: ItemInput<S>;
  readonly logger: Logger;
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  /** The library, temp files and deferred Eagle imports: never leases or checkpoints (they are the runner's). */
  readonly store: HandlerStore;
  readonly config: Config;
  readonly clock: Clock;
  readonly events: EventBus;
  /** Aborted on shutdown (after the grace period) and when the item runs past its time limit. */
  readonly signal: AbortSignal;
  readonly stage: StageRunner;
  /**
   * A folder for this item's intermediate files (downloads, conversions) in the state directory. It survives retries
   * and restarts, so stages resume; the daemon removes it when the item is done or has failed for good.
   */
  readonly workDir: string;
  /** Long-lived services (media tools, Spotify, ...) registered by the daemon's owner; see engine/services.ts. */
  readonly services: ServiceRegistry;
  /** Run the track pipeline on a Music Tracks row now (task handlers use it for the tracks a task asks for). */
  readonly tracks: TrackRunner;
  /** Queue follow-up work (a deferred Eagle import) as an item of a local queue. */
  readonly enqueue: Enqueue;
}

/**
 * What a handler returns. The daemon writes it back. `O`: the words its outcome can be (the application's union,
 * src/domain/outcomes.ts); the engine stores and reports them as they are.
 */
export interface HandlerResult<O extends string = string> {
  /** A short word for status and metrics: "synced", "metadata-only", "adopted", "completed", ... */
  readonly outcome: O;
  /** Semantic field -> value, written to the item's page in one PATCH. */
  readonly properties?: Readonly<Partial<Record<string, FieldValue>>>;
  /** Tasks: the status to set (a configured status name). */
  readonly taskStatus?: 'completed' | 'failed' | 'blocked';
  /** Tasks: the one-paragraph Execution-Result summary. */
  readonly summary?: string;
  /** Tasks: a report appended to the page body. */
  readonly report?: readonly BlockRequest[];
  /** Tracks: a note for the user, posted as a comment on the row (a value in the row that could not be used). */
  readonly comment?: string;
  /** Tracks: archive the page after the write-back (a duplicate merged into another row). */
  readonly archive?: boolean;
  /** Facts for the Execution-Logs page and the RETURN handoff file. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Handler<S extends SourceKey = SourceKey, O extends string = string> {
  readonly name: string;
  /** The Notion database its items' pages belong to. */
  readonly source: S;
  /**
   * A local queue this handler serves (items the application enqueues, never polled): it runs those items only, and
   * `accepts` is never asked about polled pages. Absent: the handler serves the polled source itself.
   */
  readonly queue?: string;
  /** Whether this handler wants the item. Items no handler accepts are left untouched. */
  accepts(input: ItemInput<S>, config: Config): boolean;
  run(context: HandlerContext<S>): Promise<HandlerResult<O>>;
}

/** What the engine records of an item that ended without a handler's result (items.outcome). */
export type EngineOutcome =
  /** No registered handler accepts the page as it is now. */
  | 'no-handler'
  /** The page no longer asks for work (done elsewhere, edited). */
  | 'not-eligible'
  /** The page was deleted or is no longer shared with the integration. */
  | 'gone';

/** What an on-demand run of a row reports when it did not end with its handler's outcome. */
export type RunOutcome =
  | EngineOutcome
  /** The row was synced before: nothing to do. */
  | 'already-synced'
  /** Given up on (its error says why). */
  | 'failed'
  /** Failed for now; the daemon tries again at its next attempt time. */
  | 'will-retry'
  /** Another machine holds the row's Processing Lock. */
  | 'locked-elsewhere';

/**
 * A handler of a job queue: work about no single Notion page (a feed read, the playlist export), queued by the
 * application (`enqueue({ queue, pageId: key, ... })`) and run with the same leases, backoff, attempt cap and status
 * line as every item, but claimed locally only: there is no Processing Lock to take and no page to write back. What
 * the job changes in Notion is its own to write.
 */
export interface JobHandler<O extends string = string> {
  readonly kind: 'job';
  readonly name: string;
  /** The job queue it serves. */
  readonly queue: string;
  run(context: JobContext): Promise<JobResult<O>>;
}

/** What a job handler gets: a handler's context with the job's key and data in place of a page. */
export interface JobContext extends Omit<HandlerContext, 'item' | 'input'> {
  readonly item: { readonly id: number; readonly key: string; readonly attempt: number };
  /** What was enqueued with it (`QueuedWork.data`), undefined when nothing was. */
  readonly data: unknown;
}

export interface JobResult<O extends string = string> {
  /** A short word for status and metrics ("exported", "read"). */
  readonly outcome: O;
  /** Facts for the log line of the finished job ("item done"): what it did, in numbers. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Any handler the registry holds: one of a polled source or page queue, or one of a job queue. */
export type AnyHandler = Handler | JobHandler;

export function isJobHandler(handler: AnyHandler): handler is JobHandler {
  return (handler as Partial<JobHandler>).kind === 'job';
}

/** What happened to one Music Tracks row run on demand (by a task handler or `tracksync sync`). */
export interface TrackRunOutcome {
  readonly pageId: string;
  /**
   * done: synced (or metadata only, adopted); failed: given up; retry_wait: the daemon tries again later; skipped:
   * nothing to do.
   */
  readonly state: 'done' | 'failed' | 'retry_wait' | 'skipped';
  /** The handler's outcome when the run ended with one (stored as text: "synced", "adopted", ...), or a RunOutcome. */
  readonly outcome: RunOutcome | (string & {});
  /** The row after the run (for reports: title, BPM, key, paths). */
  readonly page: PageResponse | undefined;
  readonly error?: { readonly code: string; readonly message: string };
}

/** Runs the track pipeline on a row now, with the same code and the same bookkeeping as the poller. */
export interface TrackRunner {
  syncNow(pageId: string, signal: AbortSignal): Promise<TrackRunOutcome>;
}

/** Typed access to long-lived services that handlers share (created once per daemon, closed at shutdown). */
export interface ServiceRegistry {
  get<T>(name: string): T | undefined;
  require<T>(name: string): T;
}

/**
 * What the engine gives the application when it plugs in (docs/architecture.md, "The contracts"): the shared plumbing,
 * never the daemon itself.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly notion: NotionGateway;
  readonly events: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly identity: Identity;
  readonly services: ServiceRegistry;
  /** Aborted when a stop's grace period is over (running work is then cut short). */
  readonly shutdown: AbortSignal;
  /** The schemas as they are now (a broken source's schema is re-read while running). */
  schemas(): Schemas;
  /** Asks for a cycle soon (debounced), e.g. when the application added rows. */
  wake(reason: string): void;
  /** Queues work on a local queue (link lookups after a sync). */
  readonly enqueue: Enqueue;
}

/** A job the application runs on its own schedule (node-cron expression), beside the engine's cycles. */
export interface AppSchedule {
  readonly name: string;
  readonly cron: string;
  run(): Promise<unknown>;
}

/**
 * The application plugged into the engine: the Notion sources it polls and the work it does around each cycle. The
 * engine calls it and imports nothing from it (the boundary rule in eslint.config.js).
 */
export interface App {
  /**
   * The sources of the queues the registered handlers serve (`wanted`: polled source keys and local queue names),
   * keyed by queue; a source not configured is left out.
   */
  buildSources(wanted: ReadonlySet<string>): Map<string, ItemSource>;
  /**
   * The application's own job handlers (feed reads, the playlist export), registered after the handlers the daemon
   * was given; the engine makes a job queue for each.
   */
  jobs?(): readonly JobHandler[];
  /** Each cycle, after the polls and before claiming: make due what waited on a condition that cleared. */
  beforeClaim?(): Promise<void>;
  /** Jobs on their own schedules, started with the daemon's schedule. */
  schedules?(): readonly AppSchedule[];
  /** Claiming has stopped: stop watching and abort background work that is not worth a delay. */
  stopping?(): void;
  /** After the running items have settled: resolves when the application's own work is done. */
  idle?(): Promise<void>;
}

/** Builds the application once the engine's plumbing is up (Daemon.start). */
export type AppFactory<A extends App = App> = (context: AppContext) => A;
