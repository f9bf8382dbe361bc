import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../media/synth.js';
import { NotionApiError } from './errors.js';
import { seedWorkspace, type SeededIds } from './seed.js';
import { WebhookSender, type WebhookDelivery, type WebhookSubscriptionOptions } from './webhooks.js';
import type { FilterMode } from './filters.js';
import { Workspace } from './workspace.js';

/**
 * The local Notion: an HTTP server on 127.0.0.1 that answers the endpoints tracksync uses the way api.notion.com does
 * (routes, headers, error bodies and codes), plus admin endpoints under /__sandbox/ for tests: fault injection, a
 * request log, a movable clock and schema edits. The daemon runs against it unchanged; only NOTION_API_BASE_URL
 * differs.
 */

export interface FaultRule {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Regular expression matched against the path after /v1 (any when absent). */
  path?: string;
  /** Answer with this status: 429 and 529 carry Retry-After; 502 answers with an HTML page, as Cloudflare does. */
  status?: number;
  retryAfterSeconds?: number;
  /** Wait this long before handling the request (or before applying `status`): a slow request. */
  delayMs?: number;
  /** Handle the request, then wait this long before answering: the write lands but the client may time out first. */
  delayResponseMs?: number;
  /** Close the connection without an answer. */
  drop?: boolean;
  /** Handle the request first (the write lands), then answer with `status`: an ambiguous failure, as a 504 can be. */
  afterWrite?: boolean;
  /** Chance that the rule fires for a matching request (default 1). */
  probability?: number;
  /** How many times the rule fires before it retires (unlimited when absent). */
  times?: number;
}

export interface RequestLogEntry {
  seq: number;
  /** Time the request arrived (ms since the epoch, real clock). */
  at: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  fault?: string;
  /** The query string as sent ("filter_properties=…&…"), empty when none. */
  query: string;
  /** The Notion-Version header the client sent. */
  notionVersion: string;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  token?: string;
  /** Seed the user's schemas and sample rows (default true). */
  seed?: boolean;
  sampleRows?: boolean;
  queryRowCap?: number;
  /** Seed for the fault rules' random choices, so a failing run can be repeated. */
  randomSeed?: number;
  /** Emulate Notion's own rate limit: answer 429 above this rate (off when absent). */
  rateLimit?: { requestsPerSecond: number; burst: number };
  /** Undocumented filter behaviour to emulate (filters.ts): 'strict' unless told otherwise. */
  filterMode?: FilterMode;
}

/**
 * The API version the local Notion emulates. A client sending another one gets a 400, so a client upgrade that changes
 * its default version cannot pass the tests unnoticed (the official client sends its own default unless
 * `notionVersion` is given: src/Client.ts, `defaultNotionVersion`).
 */
export const EMULATED_NOTION_VERSION = '2025-09-03';

export interface Sandbox {
  readonly url: string;
  readonly token: string;
  readonly ids: SeededIds;
  readonly workspace: Workspace;
  /** The environment that points tracksync at this sandbox. */
  env(): Record<string, string>;
  setFaults(rules: FaultRule[]): void;
  requests(sinceSeq?: number): RequestLogEntry[];
  clearRequests(): void;
  /** Moves the sandbox's clock forward (timestamps are floored to the minute, so tests cross minutes this way). */
  advanceClock(ms: number): void;
  /** Subscribes a webhook receiver: sends the verification handshake, then signed page events. */
  subscribeWebhook(
    options: WebhookSubscriptionOptions,
  ): Promise<{ subscriptionId: string; verificationToken: string; handshakeStatus: number | 'error' }>;
  /** Changes a subscription's delivery delay for the events that follow. */
  setWebhookDelay(subscriptionId: string, aggregationDelayMs: number): void;
  webhookDeliveries(): WebhookDelivery[];
  close(): Promise<void>;
}

export const SANDBOX_TOKEN = 'ntn_sandbox_local_only_0000000000000000';
const MAX_BODY_BYTES = 1_500_000;
const MAX_LOG_ENTRIES = 100_000;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  let clockOffsetMs = 0;
  const now = (): number => Date.now() + clockOffsetMs;
  const workspace = new Workspace({
    now,
    filterMode: options.filterMode ?? 'strict',
    ...(options.queryRowCap ? { queryRowCap: options.queryRowCap } : {}),
  });
  const ids = seedWorkspace(workspace, { seed: options.seed ?? true, sampleRows: options.sampleRows ?? true });
  const token = options.token ?? SANDBOX_TOKEN;
  // Seeded (src/media/synth.ts, mulberry32): fault injection that repeats run after run.
  const random = mulberry32(options.randomSeed ?? 42);
  let faults: Array<FaultRule & { fired: number }> = [];
  const log: RequestLogEntry[] = [];
  let seq = 0;
  const limiter = options.rateLimit
    ? new WindowLimiter(options.rateLimit.requestsPerSecond, options.rateLimit.burst)
    : undefined;
  const webhooks = new WebhookSender(workspace);

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const [path, query] = (req.url ?? '/').split('?');
    const version = req.headers['notion-version'];
    const entry: RequestLogEntry = {
      seq: ++seq,
      at: started,
      method: req.method ?? 'GET',
      path: path!,
      status: 0,
      durationMs: 0,
      query: query ?? '',
      notionVersion: typeof version === 'string' ? version : '',
    };
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.durationMs = Date.now() - started;
    });
    if (entry.path.startsWith('/v1/')) {
      log.push(entry);
      if (log.length > MAX_LOG_ENTRIES) log.splice(0, log.length - MAX_LOG_ENTRIES);
    }
    handle(req, res, entry).catch((error: unknown) => {
      if (!res.headersSent)
        sendError(
          res,
          error instanceof NotionApiError ? error : new NotionApiError(500, 'internal_server_error', String(error)),
        );
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    if (url.pathname.startsWith('/__sandbox/')) return admin(req, res, url);
    // Bearer token, then Notion-Version: developers.notion.com/reference/authentication, /reference/versioning; the
    // error codes and messages: /reference/status-codes.
    if (!url.pathname.startsWith('/v1/')) throw new NotionApiError(400, 'invalid_request_url', 'Invalid request URL.');
    const authorization = req.headers.authorization ?? '';
    if (authorization !== `Bearer ${token}`) throw new NotionApiError(401, 'unauthorized', 'API token is invalid.');
    if (!req.headers['notion-version'])
      throw new NotionApiError(
        400,
        'missing_version',
        'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
      );
    if (req.headers['notion-version'] !== EMULATED_NOTION_VERSION) {
      throw new NotionApiError(
        400,
        'validation_error',
        `The local Notion emulates Notion-Version ${EMULATED_NOTION_VERSION} only; the client sent ${String(req.headers['notion-version'])}.`,
      );
    }
    const body = await readJson(req);
    const path = url.pathname.slice(3);
    const fault = pickFault(req.method ?? 'GET', path);
    if (fault) {
      entry.fault = describe(fault);
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status && !fault.afterWrite) return sendFault(res, fault);
    }
    // 429 rate_limited with Retry-After (integer seconds) and additional_data.rate_limit_reason:
    // /reference/request-limits.
    if (limiter && !limiter.take(Date.now())) {
      entry.fault = 'rate limit';
      return sendError(
        res,
        new NotionApiError(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
          rate_limit_reason: 'connection_rate_limit',
        }),
        { 'retry-after': '1' },
      );
    }
    workspace.actor = 'bot'; // changes made through the API are the integration's (webhook `authors`)
    let result: unknown;
    try {
      result = route(req.method ?? 'GET', path, url.searchParams, body);
    } finally {
      workspace.actor = 'person';
    }
    if (fault?.delayResponseMs) await sleep(fault.delayResponseMs);
    if (fault?.afterWrite && fault.status) return sendFault(res, fault);
    if (!res.destroyed) sendJson(res, 200, result);
  }

  function route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): unknown {
    const parts = path.split('/').filter(Boolean);
    const [collection, id, sub, subId] = parts;
    const filterProperties = query.getAll('filter_properties');
    if (collection === 'databases' && id && parts.length === 2 && method === 'GET')
      return workspace.retrieveDatabase(id);
    // The database query endpoint is documented for versions up to 2022-06-28 only; 2025-09-03 queries data sources
    // (upgrade-guide-2025-09-03). The exact answer of the real API here was not verified.
    if (collection === 'databases' && sub === 'query') {
      throw new NotionApiError(
        400,
        'invalid_request_url',
        'Invalid request URL: databases/{id}/query is not available in Notion-Version 2025-09-03; query the data source.',
      );
    }
    if (collection === 'data_sources' && id && parts.length === 2 && method === 'GET')
      return workspace.retrieveDataSource(id);
    if (collection === 'data_sources' && id && sub === 'query' && method === 'POST')
      return workspace.queryDataSource(id, body, filterProperties);
    if (collection === 'pages' && parts.length === 1 && method === 'POST') return workspace.createPage(body);
    if (collection === 'pages' && id && parts.length === 2 && method === 'GET')
      return workspace.retrievePage(id, filterProperties);
    if (collection === 'pages' && id && parts.length === 2 && method === 'PATCH') return workspace.updatePage(id, body);
    if (collection === 'pages' && id && sub === 'properties' && subId && parts.length === 4 && method === 'GET') {
      return workspace.retrievePageProperty(
        id,
        subId,
        query.get('start_cursor') ?? undefined,
        Number(query.get('page_size') ?? 100),
        sandbox.url,
      );
    }
    if (collection === 'blocks' && id && sub === 'children' && subId === undefined && method === 'PATCH')
      return workspace.appendBlockChildren(id, body);
    if (collection === 'blocks' && id && sub === 'children' && subId === undefined && method === 'GET') {
      return workspace.listBlockChildren(
        id,
        query.get('start_cursor') ?? undefined,
        Number(query.get('page_size') ?? 100),
      );
    }
    if (collection === 'comments' && parts.length === 1 && method === 'POST') return workspace.createComment(body);
    if (collection === 'users' && id === 'me' && method === 'GET') return workspace.me();
    throw new NotionApiError(
      400,
      'invalid_request_url',
      `Invalid request URL: ${method} /v1${path} is not an endpoint.`,
    );
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const what = url.pathname.slice('/__sandbox/'.length);
    const body = await readJson(req);
    if (what === 'info') return sendJson(res, 200, { url: sandbox.url, ids, env: sandbox.env() });
    if (what === 'requests' && req.method === 'GET')
      return sendJson(res, 200, sandbox.requests(Number(url.searchParams.get('since') ?? 0)));
    if (what === 'requests' && req.method === 'DELETE')
      return sendJson(res, 200, (sandbox.clearRequests(), { ok: true }));
    if (what === 'faults' && req.method === 'PUT')
      return sendJson(res, 200, (sandbox.setFaults((body.rules as FaultRule[]) ?? []), { ok: true }));
    if (what === 'faults' && req.method === 'DELETE') return sendJson(res, 200, (sandbox.setFaults([]), { ok: true }));
    if (what === 'visibility' && req.method === 'POST')
      return sendJson(
        res,
        200,
        (workspace.setQueryVisibilityDelay(Number(body.queryVisibilityDelayMs ?? 0)), { ok: true }),
      );
    if (what === 'block-limit' && req.method === 'POST')
      return sendJson(res, 200, (workspace.setBlockLimitReached(body.reached === true), { ok: true }));
    if (what === 'sharing' && req.method === 'POST')
      return sendJson(res, 200, (workspace.setShared(String(body.databaseId), body.shared === true), { ok: true }));
    if (what === 'clock' && req.method === 'POST')
      return sendJson(
        res,
        200,
        (sandbox.advanceClock(Number(body.advanceMs ?? 0)), { now: new Date(now()).toISOString() }),
      );
    if (what === 'schema' && req.method === 'POST') {
      const dataSourceId = String(body.dataSourceId);
      if (body.action === 'rename') workspace.renameProperty(dataSourceId, String(body.from), String(body.to));
      else if (body.action === 'remove') workspace.removeProperty(dataSourceId, String(body.name));
      else if (body.action === 'retype')
        workspace.changePropertyType(dataSourceId, String(body.name), String(body.type));
      else if (body.action === 'add')
        workspace.addProperty(dataSourceId, {
          name: String(body.name),
          type: String(body.type),
          ...(Array.isArray(body.options) ? { options: body.options as string[] } : {}),
        });
      else throw new NotionApiError(400, 'validation_error', 'action should be rename, remove, retype or add');
      return sendJson(res, 200, { ok: true });
    }
    if (what.startsWith('pages/'))
      return sendJson(
        res,
        200,
        workspace.allPages(what.slice('pages/'.length), url.searchParams.get('trashed') === 'true'),
      );
    if (what.startsWith('blocks/')) return sendJson(res, 200, workspace.allBlocks(what.slice('blocks/'.length)));
    if (what === 'comments') return sendJson(res, 200, workspace.comments());
    if (what === 'webhooks' && req.method === 'POST') {
      if (typeof body.url !== 'string')
        throw new NotionApiError(400, 'validation_error', 'body.url should be the receiver URL');
      return sendJson(res, 200, await sandbox.subscribeWebhook(body as unknown as WebhookSubscriptionOptions));
    }
    if (what === 'webhooks/deliveries' && req.method === 'GET') return sendJson(res, 200, sandbox.webhookDeliveries());
    throw new NotionApiError(404, 'object_not_found', `no admin endpoint ${req.method} ${url.pathname}`);
  }

  function pickFault(method: string, path: string): (FaultRule & { fired: number }) | undefined {
    for (const rule of faults) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path && !new RegExp(rule.path).test(path)) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (random() >= (rule.probability ?? 1)) continue;
      rule.fired += 1;
      return rule;
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const baseUrl = `http://${address.address}:${address.port}`;

  const sandbox: Sandbox = {
    url: baseUrl,
    token,
    ids,
    workspace,
    env: () => ({
      NOTION_API_BASE_URL: baseUrl,
      NOTION_TOKEN: token,
      TRACKS_DB_ID: ids.tracks.databaseId,
      ARTISTS_DB_ID: ids.artists.databaseId,
      AGENT_TASKS_DB_ID: ids.tasks.databaseId,
      EXECUTION_LOGS_DB_ID: ids.executionLogs.databaseId,
      PLAYLISTS_DB_ID: ids.playlists.databaseId,
    }),
    setFaults: (rules) => {
      faults = rules.map((r) => ({ ...r, fired: 0 }));
    },
    requests: (sinceSeq = 0) => log.filter((e) => e.seq > sinceSeq).map((e) => ({ ...e })),
    clearRequests: () => {
      log.length = 0;
    },
    advanceClock: (ms) => {
      clockOffsetMs += ms;
    },
    subscribeWebhook: (subscription) => webhooks.subscribe(subscription),
    setWebhookDelay: (subscriptionId, aggregationDelayMs) =>
      webhooks.setAggregationDelay(subscriptionId, aggregationDelayMs),
    webhookDeliveries: () => webhooks.deliveries(),
    close: async () => {
      await webhooks.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return sandbox;
}

function describe(rule: FaultRule): string {
  return [
    rule.status ? `status ${rule.status}${rule.afterWrite ? ' after the write' : ''}` : '',
    rule.delayMs ? `delay ${rule.delayMs} ms` : '',
    rule.delayResponseMs ? `late answer ${rule.delayResponseMs} ms` : '',
    rule.drop ? 'drop' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new NotionApiError(413, 'validation_error', `Request body too large (over ${MAX_BODY_BYTES} bytes).`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new NotionApiError(400, 'invalid_json', 'Error parsing JSON body.');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-notion-request-id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: NotionApiError, headers: Record<string, string> = {}): void {
  sendJson(
    res,
    error.status,
    {
      object: 'error',
      status: error.status,
      code: error.code,
      message: error.message,
      request_id: randomUUID(),
      ...(error.additionalData ? { additional_data: error.additionalData } : {}),
    },
    headers,
  );
}

const FAULT_CODES: Record<number, string> = {
  400: 'validation_error',
  401: 'unauthorized',
  403: 'restricted_resource',
  404: 'object_not_found',
  409: 'conflict_error',
  429: 'rate_limited',
  500: 'internal_server_error',
  503: 'service_unavailable',
  504: 'gateway_timeout',
  529: 'service_overload',
};

function sendFault(res: ServerResponse, rule: FaultRule): void {
  const status = rule.status!;
  if (status === 502) {
    // Cloudflare answers a bad gateway with an HTML page: the SDK raises UnknownHTTPResponseError for it.
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end(
      '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>',
    );
    return;
  }
  const code = FAULT_CODES[status] ?? 'internal_server_error';
  const headers: Record<string, string> =
    status === 429 || status === 529 ? { 'retry-after': String(rule.retryAfterSeconds ?? 1) } : {};
  const message =
    status === 409
      ? 'Conflict occurred while saving. Please try again.'
      : status === 429
        ? 'You have been rate limited. Please try again in a few minutes.'
        : status === 403
          ? 'API token does not have access to this resource.'
          : status === 404
            ? 'Could not find data source. Make sure the relevant pages and databases are shared with your integration.'
            : `Injected fault: ${status}`;
  sendError(
    res,
    new NotionApiError(
      status,
      code,
      message,
      status === 429 ? { rate_limit_reason: 'connection_rate_limit' } : undefined,
    ),
    headers,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Notion's own limit, emulated: at most `burst` requests in any second and `requestsPerSecond` on average. */
class WindowLimiter {
  readonly #sends: number[] = [];
  #tokens: number;
  #at = Date.now();
  constructor(
    readonly requestsPerSecond: number,
    readonly burst: number,
  ) {
    this.#tokens = burst;
  }
  take(now: number): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.requestsPerSecond) / 1000);
    this.#at = now;
    while (this.#sends.length > 0 && this.#sends[0]! <= now - 1000) this.#sends.shift();
    if (this.#tokens < 1 || this.#sends.length >= this.burst) return false;
    this.#tokens -= 1;
    this.#sends.push(now);
    return true;
  }
}
