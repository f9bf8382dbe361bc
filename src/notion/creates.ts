import { randomUUID } from 'node:crypto';
import type { CreatePageParameters } from '@notionhq/client';
import type { CreateIntentRow } from '../../state/store.js';
import type { Clock } from '../clock.js';
import { CONSTANTS } from '../config/constants.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { NotionGateway, PageResponse } from './gateway.js';

/**
 * Creating a page exactly once, without trusting a query to be fresh.
 *
 * A create that times out or gets a 5xx may have landed (the client does not abort a timed-out request), and a query
 * right after it may not show the new page yet: Notion does not document query freshness (search lag:
 * makenotion/notion-sdk-js#114), so
 * "look it up, else create again" can create it twice. Instead:
 * 1. the intent (a key naming what is created, and a marker) is written to SQLite before the request is sent;
 * 2. once the page is known its id is kept with the intent, so a later create of the same key (another task naming
 *    the same track, a restart) reads it back by id, which is always fresh, instead of querying;
 * 3. after an ambiguous failure the page is looked for (the caller's `find`, by the marker or the page's identity)
 *    for up to `lookupWaitMs`; found, it is used; not found, the item waits and looks again later, and the create is
 *    sent again only once the intent is older than `unresolvedHoldMs` (a query shows a page long before that).
 *
 * The marker: for rows whose identity is unique by definition (a track's source URL or Spotify ID, an artist's name)
 * that identity is the marker and `find` looks for it; for pages a person may also have written (a CRITICAL task, an
 * Execution-Log), the marker is a unique string written into the page's text and `find` matches it exactly.
 */

/** Where intents are kept: the state directory's SQLite (Store), or memory for one-off tools and tests. */
export interface CreateIntentStore {
  getCreateIntent(key: string): CreateIntentRow | undefined;
  startCreateIntent(key: string, marker: string, now: number): void;
  resolveCreateIntent(key: string, pageId: string, now: number): void;
  dropCreateIntent(key: string): void;
  purgeCreateIntents(before: number): number;
}

/** Intents in memory: enough within one process (a restart forgets them). */
export class MemoryIntentStore implements CreateIntentStore {
  readonly #rows = new Map<string, CreateIntentRow>();
  getCreateIntent(key: string): CreateIntentRow | undefined {
    const row = this.#rows.get(key);
    return row ? { ...row } : undefined;
  }
  startCreateIntent(key: string, marker: string, now: number): void {
    this.#rows.set(key, { key, marker, page_id: null, started_at: now, updated_at: now });
  }
  resolveCreateIntent(key: string, pageId: string, now: number): void {
    const row = this.#rows.get(key);
    if (row) this.#rows.set(key, { ...row, page_id: pageId, updated_at: now });
  }
  dropCreateIntent(key: string): void {
    this.#rows.delete(key);
  }
  purgeCreateIntents(before: number): number {
    let n = 0;
    for (const [key, row] of this.#rows)
      if (row.page_id !== null && row.updated_at < before && this.#rows.delete(key)) n += 1;
    return n;
  }
}

export interface CreateOnceDeps {
  readonly notion: NotionGateway;
  readonly store: CreateIntentStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long to look for a page whose create failed ambiguously (tests shorten it). */
  readonly lookupWaitMs?: number;
  /** Before this, an unresolved intent is looked for again but never re-sent. */
  readonly unresolvedHoldMs?: number;
}

export interface CreateSpec {
  /** What is created, stable across retries and restarts ("tracks:<data source>:soundcloud:<url>"). */
  readonly key: string;
  /** The request, given the intent's marker (to write into the page where the page has no identity of its own). */
  parameters(marker: string): CreatePageParameters;
  /** The page, if it exists: a query by the marker or the identity (it may lag behind the create). */
  find(marker: string): Promise<PageResponse | undefined>;
}

/** Codes after which a create may or may not have been applied. */
const AMBIGUOUS = new Set(['NOTION_TIMEOUT', 'NOTION_UNAVAILABLE', 'NOTION_NETWORK']);

/** How long a resolved intent is remembered: long after any task or feed could ask for the same page again. */
const KEEP_RESOLVED_MS = 30 * 24 * 60 * 60 * 1000;

export async function createOnce(
  deps: CreateOnceDeps,
  spec: CreateSpec,
): Promise<{ page: PageResponse; created: boolean }> {
  const { store, clock, notion, logger } = deps;
  const holdMs = deps.unresolvedHoldMs ?? CONSTANTS.notion.createUnresolvedHoldMs;
  const intent = store.getCreateIntent(spec.key);
  if (intent?.page_id) {
    const known = await readIfAlive(notion, intent.page_id);
    if (known) return { page: known, created: false };
    store.dropCreateIntent(spec.key); // deleted or trashed since: a new one may be created
  } else if (intent) {
    const found = await lookFor(deps, spec, intent.marker);
    if (found) {
      store.resolveCreateIntent(spec.key, found.id, clock.now());
      logger.info({ key: spec.key, pageId: found.id }, 'a create that looked failed had landed; using that page');
      return { page: found, created: false };
    }
    if (clock.now() - intent.started_at < holdMs) throw stillUnknown(spec.key, intent.started_at, holdMs);
    logger.warn(
      { key: spec.key, since: new Date(intent.started_at).toISOString() },
      'a create that failed ambiguously never showed up; creating again',
    );
  }

  const marker = intent && !intent.page_id ? intent.marker : randomUUID();
  store.purgeCreateIntents(clock.now() - KEEP_RESOLVED_MS);
  store.startCreateIntent(spec.key, marker, clock.now());
  try {
    const page = await notion.createPage(spec.parameters(marker));
    store.resolveCreateIntent(spec.key, page.id, clock.now());
    return { page, created: true };
  } catch (raw) {
    const error = coerceError(raw);
    if (!AMBIGUOUS.has(error.code)) {
      store.dropCreateIntent(spec.key); // refused: nothing was created
      throw error;
    }
    const found = await lookFor(deps, spec, marker);
    if (found) {
      store.resolveCreateIntent(spec.key, found.id, clock.now());
      logger.info(
        { key: spec.key, pageId: found.id, code: error.code },
        'create answered with an error but had landed; not sent again',
      );
      return { page: found, created: true };
    }
    throw stillUnknown(spec.key, clock.now(), holdMs, error);
  }
}

/** The caller's lookup, repeated every createLookupIntervalMs for at most lookupWaitMs. */
async function lookFor(deps: CreateOnceDeps, spec: CreateSpec, marker: string): Promise<PageResponse | undefined> {
  const waitMs = deps.lookupWaitMs ?? CONSTANTS.notion.createLookupWaitMs;
  const until = deps.clock.now() + waitMs;
  for (;;) {
    const found = await spec.find(marker);
    if (found && !found.in_trash) return found;
    const left = until - deps.clock.now();
    if (left <= 0) return undefined;
    await deps.clock.sleep(Math.min(CONSTANTS.notion.createLookupIntervalMs, left));
  }
}

/** A page read again: undefined when it was deleted or trashed (nothing to find, nothing to write to). */
export async function readIfAlive(notion: NotionGateway, pageId: string): Promise<PageResponse | undefined> {
  try {
    const page = await notion.retrievePage(pageId);
    return page.in_trash ? undefined : page;
  } catch (error) {
    if (error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND') return undefined;
    throw error;
  }
}

function stillUnknown(key: string, since: number, holdMs: number, cause?: TrackSyncError): TrackSyncError {
  return new TrackSyncError(
    'NOTION_UNAVAILABLE',
    `notion: creating ${key}: the create request may have landed (${cause ? cause.message : 'an earlier attempt failed without an answer'}), but Notion's queries do not show the page yet; tracksync looks again later and sends the create again only if it has not appeared by ${new Date(since + holdMs).toISOString()}`,
    cause ? { cause } : {},
  );
}
