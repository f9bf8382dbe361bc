import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config/load.js';
import type { EventBus } from '../src/events.js';
import type { Logger } from '../src/log.js';
import type { FieldValue } from '../src/notion/codecs.js';
import type { DatabaseKey, FieldKey } from '../src/notion/databases.js';
import type { BlockRequest, NotionGateway, PageResponse } from '../src/notion/gateway.js';
import type { Schemas } from '../src/notion/schemas.js';
import type { Store } from '../state/store.js';

/**
 * The contract between the daemon and a handler. A handler says which source it serves and which items it accepts;
 * the daemon claims, runs and writes back. A handler never writes the item's own page: it returns what to write, and
 * the daemon turns that into one PATCH (architecture.md: "stages return values").
 */

export type SourceKey = 'tracks' | 'tasks';

/** The page being worked on, decoded through the live schema. */
export interface ItemInput<S extends SourceKey = SourceKey> {
  readonly source: S;
  readonly page: PageResponse;
  /** Every semantic field the data source has, decoded (see notion/databases.ts for the names). */
  readonly fields: Readonly<Partial<Record<FieldKey<S>, FieldValue>>>;
}

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
  readonly store: Store;
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
  /** Long-lived services (media tools, Spotify, ...) registered by the daemon's owner; see daemon/services.ts. */
  readonly services: ServiceRegistry;
  /** Run the track pipeline on a Music Tracks row now (task handlers use it for the tracks a task asks for). */
  readonly tracks: TrackRunner;
}

/** What a handler returns. The daemon writes it back. */
export interface HandlerResult {
  /** A short word for status and metrics: "synced", "metadata-only", "adopted", "completed", ... */
  readonly outcome: string;
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

export interface Handler<S extends SourceKey = SourceKey> {
  readonly name: string;
  readonly source: S;
  /** Whether this handler wants the item. Items no handler accepts are left untouched. */
  accepts(input: ItemInput<S>, config: Config): boolean;
  run(context: HandlerContext<S>): Promise<HandlerResult>;
}

/** What happened to one Music Tracks row run on demand (by a task handler or `tracksync sync`). */
export interface TrackRunOutcome {
  readonly pageId: string;
  /** done: synced (or metadata only, adopted); failed: given up; retry_wait: the daemon tries again later; skipped: nothing to do. */
  readonly state: 'done' | 'failed' | 'retry_wait' | 'skipped';
  /** "synced", "metadata-only", "adopted", "already-synced", "locked-elsewhere", "not-eligible", "failed", "will-retry". */
  readonly outcome: string;
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

export type DatabaseSchemaKey = DatabaseKey;
