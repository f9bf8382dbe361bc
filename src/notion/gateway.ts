import type { PropertyValues } from './codecs.js';
import { backoffMs } from '../backoff.js';
import {
  APIErrorCode,
  Client,
  ClientErrorCode,
  isFullPage,
  isNotionClientError,
  type AppendBlockChildrenParameters,
  type BlockObjectResponse,
  type CreatePageParameters,
  type DataSourceObjectResponse,
  type DatabaseObjectResponse,
  type PageObjectResponse,
  type PropertyItemObjectResponse,
  type QueryDataSourceParameters,
} from '@notionhq/client';
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { CONSTANTS } from '../config/constants.js';
import { DEFAULT_SETTINGS } from '../config/schema.js';
import { TrackSyncError, messageOf, type ErrorCode } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { createOnce, MemoryIntentStore, type CreateIntentStore, type CreateSpec } from './creates.js';
import { RateLimiter, SharedRateBudget, type RateBudget, type RateBudgetStore } from './limiter.js';
import { narrowedBy, onOrAfter } from './rows.js';

/**
 * The Notion API version this code is written for. The client sends its own default unless told (src/Client.ts,
 * `defaultNotionVersion`), and later 5.x releases support 2026-03-11, which renames fields tracksync reads
 * (`archived` -> `in_trash`, `after` -> `position`): pinned so a client upgrade cannot change it underneath.
 */
export const NOTION_API_VERSION = '2025-09-03';

export type NotionFilter = NonNullable<QueryDataSourceParameters['filter']>;
export type BlockRequest = AppendBlockChildrenParameters['children'][number];
export type PageResponse = PageObjectResponse;

export interface NotionGatewayOptions {
  token: string;
  baseUrl: string;
  clock: Clock;
  logger: Logger;
  events?: EventBus;
  /** Injected for tests that need to observe or break the transport; the global fetch otherwise. */
  fetch?: typeof fetch;
  requestsPerSecond?: number;
  burstPerSecond?: number;
  requestTimeoutMs?: number;
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  maxInlineRetryAfterMs?: number;
  pageSize?: number;
  /**
   * The state directory's SQLite. With it, the rate budget is shared with every tracksync process on that directory
   * (SharedRateBudget) and create intents survive a restart (creates.ts); without it (one-off tools, unit tests) both
   * live in this process only.
   */
  store?: CreateIntentStore & RateBudgetStore;
  /** How long createOnce looks for a page whose create failed ambiguously (CONSTANTS.notion.createLookupWaitMs). */
  createLookupWaitMs?: number;
}

/** What a call does, which decides what may be retried (docs/notion-contract.md, "Retries by method"). */
type CallKind =
  /** GET and data source queries: always safe to repeat. */
  | 'read'
  /** PATCH of page properties: repeating it sets the same values, but a timed-out one may already be applied. */
  | 'update'
  /**
   * Page creation, block appends, comments: repeating one duplicates it, so an ambiguous failure is reconciled or
   * raised.
   */
  | 'create';

export interface RequestCount {
  method: string;
  endpoint: string;
  requests: number;
  rateLimited: number;
  failed: number;
}

const ID_SEGMENT = /^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "/v1/pages/<id>" -> "/pages/:id": counters group requests by endpoint, not by page. */
export function endpointOf(url: string): string {
  const path = new URL(url).pathname.replace(/^\/v1/, '');
  return path
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}

/**
 * The only door to Notion. Every request, including retries, passes the shared RateLimiter; every error is mapped to
 * a TrackSyncError once (`mapNotionError`); every request is counted by endpoint.
 *
 * Retries are ours, not the SDK's (its retry is turned off): the SDK never retries a POST query on 500/503 although a
 * query is a read, and it cannot know whether a timed-out PATCH was applied. Here a read is retried, an update is
 * re-read and compared before it is sent again, and a create is reconciled by the caller's lookup or raised.
 */
export class NotionGateway {
  readonly #client: Client;
  readonly #limiter: RateBudget;
  readonly #intents: CreateIntentStore;
  readonly #createLookupWaitMs: number | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #events: EventBus | undefined;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #maxInlineRetryAfterMs: number;
  readonly #pageSize: number;
  readonly #counts = new Map<string, RequestCount>();
  #total = 0;
  #rateLimited = 0;
  /** Whether the last block-creating request was refused for the workspace's block limit. */
  #blockLimited = false;

  constructor(options: NotionGatewayOptions) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#events = options.events;
    this.#maxRetries = options.maxRetries ?? DEFAULT_SETTINGS.notion.maxRetries;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? CONSTANTS.notion.retryBaseDelayMs;
    this.#retryMaxDelayMs = options.retryMaxDelayMs ?? CONSTANTS.notion.retryMaxDelayMs;
    this.#maxInlineRetryAfterMs = options.maxInlineRetryAfterMs ?? CONSTANTS.notion.maxInlineRetryAfterMs;
    this.#pageSize = options.pageSize ?? CONSTANTS.notion.pageSize;
    const rate = {
      requestsPerSecond: options.requestsPerSecond ?? DEFAULT_SETTINGS.notion.requestsPerSecond,
      burstPerSecond: options.burstPerSecond ?? DEFAULT_SETTINGS.notion.burstPerSecond,
      clock: options.clock,
    };
    // One budget per integration token: a hash of the token names it (the token itself never reaches SQLite).
    const budgetKey = createHash('sha256').update(options.token).digest('hex').slice(0, 16);
    this.#limiter = options.store
      ? new SharedRateBudget({ ...rate, store: options.store, key: budgetKey })
      : new RateLimiter(rate);
    this.#intents = options.store ?? new MemoryIntentStore();
    this.#createLookupWaitMs = options.createLookupWaitMs;
    const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#client = new Client({
      auth: options.token,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      notionVersion: NOTION_API_VERSION,
      timeoutMs: options.requestTimeoutMs ?? DEFAULT_SETTINGS.notion.requestTimeoutMs,
      retry: false,
      // The SDK logs request failures at WARN on its own console; we log once, mapped, in our own format.
      logger: () => undefined,
      fetch: (url, init) => this.#limitedFetch(baseFetch, url, init),
    });
  }

  /** Requests sent since start, in all and per endpoint. */
  get requestCount(): number {
    return this.#total;
  }

  get rateLimitedCount(): number {
    return this.#rateLimited;
  }

  requestCounts(): RequestCount[] {
    return [...this.#counts.values()].map((c) => ({ ...c }));
  }

  async #limitedFetch(baseFetch: typeof fetch, url: string, init?: RequestInit): Promise<Response> {
    // A pause longer than a call may wait (a per-workspace Retry-After can exceed a minute) goes back to the caller as
    // a rate limit with the time left, instead of holding a worker: the scheduler retries the item after it.
    const pausedForMs = this.#limiter.pausedUntil - this.#clock.now();
    if (pausedForMs > this.#maxInlineRetryAfterMs) {
      throw new TrackSyncError(
        'NOTION_RATE_LIMITED',
        `notion: Notion asked to wait ${Math.ceil(pausedForMs / 1000)} s before the next request (Retry-After); tracksync waits`,
        { retryAfterMs: pausedForMs },
      );
    }
    const slotAt = await this.#limiter.acquire();
    const method = (init?.method ?? 'GET').toUpperCase();
    const endpoint = endpointOf(url);
    // The slot the budget granted, as it decided it: what the rate limit promises, unlike the time the request reaches
    // a busy server (test/faults/notion-storms.test.ts checks the limit on these).
    this.#logger.trace({ method, endpoint, slotAt }, 'notion request');
    const key = `${method} ${endpoint}`;
    const count = this.#counts.get(key) ?? { method, endpoint, requests: 0, rateLimited: 0, failed: 0 };
    this.#counts.set(key, count);
    count.requests += 1;
    this.#total += 1;
    const started = this.#clock.now();
    let response: Response;
    try {
      response = await baseFetch(url, init);
    } catch (error) {
      count.failed += 1;
      this.#events?.emit('notion:request', { method, endpoint, status: 0, durationMs: this.#clock.now() - started });
      throw error;
    }
    this.#events?.emit('notion:request', {
      method,
      endpoint,
      status: response.status,
      durationMs: this.#clock.now() - started,
    });
    if (response.status === 429 || response.status === 529) {
      count.rateLimited += 1;
      this.#rateLimited += 1;
      const retryAfterMs =
        parseRetryAfter(response.headers.get('retry-after'), this.#clock.now()) ?? this.#retryBaseDelayMs;
      // The whole wait, however long: Notion's limit is per integration (and per workspace), not per caller, so every
      // caller of every process sharing the budget holds back until then.
      this.#limiter.pauseUntil(this.#clock.now() + retryAfterMs);
      this.#events?.emit('notion:rate_limited', { retryAfterMs });
    } else if (response.status >= 400) {
      count.failed += 1;
    }
    return response;
  }

  /** Runs one API call with tracksync's retry rules. `reconcile` answers "did the ambiguous write land?". */
  async #call<T>(
    kind: CallKind,
    label: string,
    fn: () => Promise<T>,
    reconcile?: () => Promise<T | undefined>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await fn();
      } catch (raw) {
        const error = mapNotionError(raw, label);
        if (error.kind === 'permanent' || attempt >= this.#maxRetries) throw error;
        if (error.kind === 'rate_limited') {
          const waitMs = error.retryAfterMs ?? this.#backoffMs(attempt);
          // A long Retry-After (a per-workspace limit can exceed a minute) goes back to the scheduler.
          if (waitMs > this.#maxInlineRetryAfterMs) throw error;
          this.#logger.debug({ label, waitMs, attempt }, 'notion rate limited; waiting as told');
          // The limiter was paused by the fetch wrapper: the next attempt waits there.
          continue;
        }
        const ambiguous = kind !== 'read' && error.code !== 'NOTION_CONFLICT';
        if (ambiguous) {
          if (reconcile !== undefined) {
            const landed = await reconcile();
            if (landed !== undefined) {
              this.#logger.info(
                { label, code: error.code },
                'notion write looked failed but had landed; not sent again',
              );
              return landed;
            }
          } else if (kind === 'create') {
            throw error;
          }
        }
        const delayMs = this.#backoffMs(attempt);
        this.#logger.debug({ label, code: error.code, attempt, delayMs }, 'notion call failed; retrying');
        await this.#clock.sleep(delayMs);
      }
    }
  }

  /** Call backoff: the one formula (backoff.ts) with the gateway's numbers. */
  #backoffMs(attempt: number): number {
    return backoffMs(attempt, this.#retryBaseDelayMs, this.#retryMaxDelayMs);
  }

  retrieveDatabase(databaseId: string): Promise<DatabaseObjectResponse> {
    return this.#call(
      'read',
      `retrieve database ${databaseId}`,
      async () => (await this.#client.databases.retrieve({ database_id: databaseId })) as DatabaseObjectResponse,
    );
  }

  retrieveDataSource(dataSourceId: string): Promise<DataSourceObjectResponse> {
    return this.#call(
      'read',
      `retrieve data source ${dataSourceId}`,
      async () =>
        (await this.#client.dataSources.retrieve({ data_source_id: dataSourceId })) as DataSourceObjectResponse,
    );
  }

  retrievePage(pageId: string, filterProperties?: readonly string[]): Promise<PageObjectResponse> {
    return this.#call('read', `retrieve page ${pageId}`, async () => {
      const trimmed = filterProperties ? { filter_properties: [...filterProperties] } : {};
      return (await this.#client.pages.retrieve({ page_id: pageId, ...trimmed })) as PageObjectResponse;
    });
  }

  /**
   * Every page matching `filter`, to the end (never just the first 100). The `sort` timestamp is also the window key:
   * when a query hits Notion's 10,000-row cap, the next window starts `on_or_after` the last value seen, and rows seen
   * twice at the window edge are dropped (docs/notion-contract.md, "Pagination and the 10,000-row cap"; the SDK's
   * iterateAllDataSourceRows does the same).
   */
  async *queryPages(
    dataSourceId: string,
    options: { filter?: NotionFilter; sort: 'last_edited_time' | 'created_time'; filterProperties?: readonly string[] },
  ): AsyncGenerator<PageObjectResponse> {
    const seen = new Set<string>();
    let windowStart: string | undefined;
    for (;;) {
      let cursor: string | undefined;
      let last: string | undefined;
      let capped: boolean;
      do {
        const filter = withWindow(options.filter, options.sort, windowStart);
        const response = await this.#call('read', `query ${dataSourceId}`, () =>
          this.#client.dataSources.query({
            data_source_id: dataSourceId,
            ...(filter ? { filter } : {}),
            sorts: [{ timestamp: options.sort, direction: 'ascending' }],
            page_size: this.#pageSize,
            ...(cursor ? { start_cursor: cursor } : {}),
            ...(options.filterProperties ? { filter_properties: [...options.filterProperties] } : {}),
          }),
        );
        for (const result of response.results) {
          if (!isFullPage(result) || seen.has(result.id)) continue;
          seen.add(result.id);
          last = result[options.sort];
          yield result;
        }
        cursor = response.has_more && response.next_cursor ? response.next_cursor : undefined;
        capped = response.request_status?.type === 'incomplete';
      } while (cursor !== undefined);
      if (!capped) return;
      if (last === undefined || last === windowStart) {
        this.#logger.warn(
          { dataSourceId, windowStart },
          'a query hit the 10,000-row cap inside one minute; the rest is read after these rows leave the filter',
        );
        return;
      }
      windowStart = last;
    }
  }

  /** Sets properties. The PATCH is re-read and compared instead of re-sent blind when its outcome is unknown. */
  updatePage(
    pageId: string,
    properties: PropertyValues,
    isApplied?: (page: PageObjectResponse) => boolean,
  ): Promise<PageObjectResponse> {
    const reconcile = isApplied
      ? async () => {
          const page = await this.retrievePage(pageId);
          return isApplied(page) ? page : undefined;
        }
      : undefined;
    return this.#call(
      'update',
      `update page ${pageId}`,
      async () => (await this.#client.pages.update({ page_id: pageId, properties })) as PageObjectResponse,
      reconcile,
    );
  }

  /** Archives (trashes) a page; restoring is the same call with `inTrash` false. */
  setPageInTrash(pageId: string, inTrash: boolean): Promise<PageObjectResponse> {
    return this.#call(
      'update',
      `trash page ${pageId}`,
      async () => (await this.#client.pages.update({ page_id: pageId, in_trash: inTrash })) as PageObjectResponse,
    );
  }

  /**
   * Creates a page, once: an ambiguous failure (timeout, 5xx, dropped connection) is raised, never retried here, since
   * a
   * query may not show the page yet. Callers that must not create twice go through createOnce (creates.ts).
   */
  createPage(parameters: CreatePageParameters): Promise<PageObjectResponse> {
    return this.#createsBlocks(
      this.#call(
        'create',
        'create page',
        async () => (await this.#client.pages.create(parameters)) as PageObjectResponse,
      ),
    );
  }

  /**
   * Tells the daemon (critical-watch) when Notion starts and stops refusing new blocks for the workspace's block limit.
   */
  async #createsBlocks<T>(request: Promise<T>): Promise<T> {
    try {
      const result = await request;
      if (this.#blockLimited) {
        this.#blockLimited = false;
        this.#events?.emit('notion:block_limit', { reached: false, message: 'Notion creates blocks again' });
      }
      return result;
    } catch (error) {
      if (error instanceof TrackSyncError && error.code === 'NOTION_BLOCK_LIMIT') {
        this.#blockLimited = true;
        this.#events?.emit('notion:block_limit', { reached: true, message: error.message });
      }
      throw error;
    }
  }

  /** Creates the page named by `spec.key` exactly once, however its request fails (creates.ts). */
  createOnce(spec: CreateSpec): Promise<{ page: PageObjectResponse; created: boolean }> {
    const wait = this.#createLookupWaitMs === undefined ? {} : { lookupWaitMs: this.#createLookupWaitMs };
    return createOnce({ notion: this, store: this.#intents, clock: this.#clock, logger: this.#logger, ...wait }, spec);
  }

  /**
   * Every item of one page property, following the cursor: the way to read a relation past the 25 pages a page object
   * lists (developers.notion.com/reference/retrieve-a-page-property). Simple properties come back as one item.
   */
  async retrievePropertyItems(pageId: string, propertyId: string): Promise<PropertyItemObjectResponse[]> {
    const items: PropertyItemObjectResponse[] = [];
    let cursor: string | undefined;
    do {
      const response = await this.#call('read', `read property ${propertyId} of ${pageId}`, () =>
        this.#client.pages.properties.retrieve({
          page_id: pageId,
          property_id: propertyId,
          page_size: this.#pageSize,
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      if (response.object !== 'list') return [response];
      items.push(...response.results);
      cursor = response.has_more && response.next_cursor ? response.next_cursor : undefined;
    } while (cursor !== undefined);
    return items;
  }

  /**
   * Appends at most 100 blocks (Notion's limit per request). An append is not idempotent: when `marker` is given (text
   * that occurs in these blocks and nowhere else on the page) an ambiguous failure is reconciled by looking for it.
   */
  async appendBlocks(blockId: string, children: BlockRequest[], marker?: string): Promise<void> {
    if (children.length > CONSTANTS.text.maxBlocksPerAppend) {
      throw new RangeError(
        `appendBlocks takes at most ${CONSTANTS.text.maxBlocksPerAppend} blocks per call, got ${children.length}`,
      );
    }
    const reconcile = marker
      ? async () => ((await this.#hasBlockContaining(blockId, marker)) ? true : undefined)
      : undefined;
    await this.#createsBlocks(
      this.#call(
        'create',
        `append blocks ${blockId}`,
        async () => {
          await this.#client.blocks.children.append({ block_id: blockId, children });
          return true;
        },
        reconcile,
      ),
    );
  }

  async listBlocks(blockId: string): Promise<BlockObjectResponse[]> {
    const blocks: BlockObjectResponse[] = [];
    let cursor: string | undefined;
    do {
      const response = await this.#call('read', `list blocks ${blockId}`, () =>
        this.#client.blocks.children.list({
          block_id: blockId,
          page_size: this.#pageSize,
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      blocks.push(...(response.results as BlockObjectResponse[]));
      cursor = response.has_more && response.next_cursor ? response.next_cursor : undefined;
    } while (cursor !== undefined);
    return blocks;
  }

  async #hasBlockContaining(blockId: string, text: string): Promise<boolean> {
    const blocks = await this.listBlocks(blockId);
    return blocks.some((block) => JSON.stringify(block).includes(text));
  }

  /** A comment on a page. Needs the integration's comment capability: without it Notion answers 403. */
  async createComment(pageId: string, text: string): Promise<void> {
    await this.#call('create', `comment on ${pageId}`, () =>
      this.#client.comments.create({
        parent: { page_id: pageId },
        rich_text: [{ text: { content: text.slice(0, CONSTANTS.text.maxRichTextChars) } }],
      }),
    );
  }

  /** The integration's own user: the cheapest authenticated request, used by `doctor`. */
  async whoAmI(): Promise<{ id: string; name: string | null }> {
    const me = await this.#call('read', 'users.me', () => this.#client.users.me({}));
    return { id: me.id, name: 'name' in me ? (me.name ?? null) : null };
  }
}

/**
 * A gateway with the configured rate, timeout and retries, for commands outside the daemon. Give it the state
 * directory's Store so it shares the rate budget with a running daemon (and keeps create intents).
 */
export function gatewayFromConfig(
  config: Config,
  logger: Logger,
  extra: Partial<NotionGatewayOptions> = {},
): NotionGateway {
  return new NotionGateway({
    token: config.notion.token,
    baseUrl: config.notion.baseUrl,
    clock: systemClock,
    logger,
    requestsPerSecond: config.notion.requestsPerSecond,
    burstPerSecond: config.notion.burstPerSecond,
    requestTimeoutMs: config.notion.requestTimeoutMs,
    maxRetries: config.notion.maxRetries,
    ...extra,
  });
}

function withWindow(
  filter: NotionFilter | undefined,
  sort: 'last_edited_time' | 'created_time',
  start: string | undefined,
): NotionFilter | undefined {
  return start === undefined ? filter : narrowedBy(filter, onOrAfter(sort, start));
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const API_CODE_MAP: Partial<Record<string, ErrorCode>> = {
  [APIErrorCode.Unauthorized]: 'NOTION_UNAUTHORIZED',
  [APIErrorCode.RestrictedResource]: 'NOTION_FORBIDDEN',
  [APIErrorCode.ObjectNotFound]: 'NOTION_NOT_FOUND',
  [APIErrorCode.RateLimited]: 'NOTION_RATE_LIMITED',
  [APIErrorCode.ServiceOverload]: 'NOTION_RATE_LIMITED',
  [APIErrorCode.InvalidJSON]: 'NOTION_VALIDATION',
  [APIErrorCode.InvalidRequestURL]: 'NOTION_VALIDATION',
  [APIErrorCode.InvalidRequest]: 'NOTION_VALIDATION',
  [APIErrorCode.ValidationError]: 'NOTION_VALIDATION',
  [APIErrorCode.ConflictError]: 'NOTION_CONFLICT',
  [APIErrorCode.InternalServerError]: 'NOTION_UNAVAILABLE',
  [APIErrorCode.ServiceUnavailable]: 'NOTION_UNAVAILABLE',
  [APIErrorCode.GatewayTimeout]: 'NOTION_UNAVAILABLE',
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  NOTION_UNAUTHORIZED: 'check NOTION_TOKEN (an internal integration secret)',
  NOTION_FORBIDDEN: 'give the integration the capability this needs in the integration settings',
  NOTION_NOT_FOUND: 'check the id, and share the page or database with the integration (Notion answers 404 for both)',
};

/**
 * Free workspaces with more than one member past the block limit: "After grace expires, requests that create blocks
 * fail" (developers.notion.com/reference/workspace-block-limits). The stored copy of that page does not show the error
 * body, so the condition is recognised by its words on any 4xx (400 validation_error and 403 restricted_resource are
 * both plausible); a page is a block, so page creation is refused too.
 */
const BLOCK_LIMIT = /block[ _-]?limit/i;

/** Maps anything the SDK or fetch throws to a TrackSyncError. The one place Notion errors are classified. */
export function mapNotionError(error: unknown, label: string): TrackSyncError {
  if (error instanceof TrackSyncError) return error;
  if (isNotionClientError(error)) {
    const httpStatus = 'status' in error ? (error.status as number) : 0;
    const body = 'body' in error ? String((error as { body?: unknown }).body ?? '') : '';
    if (httpStatus >= 400 && httpStatus < 500 && (BLOCK_LIMIT.test(error.message) || BLOCK_LIMIT.test(body))) {
      return new TrackSyncError(
        'NOTION_BLOCK_LIMIT',
        `notion: ${label}: the workspace has reached Notion's block limit (HTTP ${httpStatus} ${error.message})`,
        {
          cause: error,
          details: { status: httpStatus, notionCode: error.code },
        },
      );
    }
    if (error.code === ClientErrorCode.RequestTimeout) {
      return new TrackSyncError(
        'NOTION_TIMEOUT',
        `notion: ${label}: no answer in time (the request may still have been applied)`,
        { cause: error },
      );
    }
    const status = 'status' in error ? (error.status as number) : 0;
    const headers = 'headers' in error ? (error.headers as Headers) : undefined;
    let code = API_CODE_MAP[error.code];
    if (code === undefined)
      code =
        status === 429 || status === 529
          ? 'NOTION_RATE_LIMITED'
          : status >= 500 || status === 0
            ? 'NOTION_UNAVAILABLE'
            : 'NOTION_VALIDATION';
    const retryAfterMs =
      code === 'NOTION_RATE_LIMITED' ? parseRetryAfter(headers?.get?.('retry-after'), Date.now()) : undefined;
    const hint = HINTS[code];
    return new TrackSyncError(
      code,
      `notion: ${label}: ${status ? `HTTP ${status} ` : ''}${error.message}${hint ? ` (${hint})` : ''}`,
      {
        cause: error,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        details: { status, notionCode: error.code },
      },
    );
  }
  // fetch rejects with a TypeError for refused connections, resets and DNS failures.
  return new TrackSyncError('NOTION_NETWORK', `notion: ${label}: ${messageOf(error)}${causeMessage(error)}`, {
    cause: error,
  });
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause === undefined ? '' : ` (${messageOf(cause)})`;
}
