import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { statusSnapshot } from '../engine/status.js';
import type { Clock } from '../clock.js';
import { CONSTANTS } from '../config/constants.js';
import { isLoopbackHost } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { storeSecret } from '../config/secrets.js';
import type { Daemon } from '../engine/daemon.js';
import { schemaMapping } from '../doctor/checks.js';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';
import { PAGE_CSP, renderPage, type Health, type LiveStep } from './page.js';
import { libraryShape, recentTracks } from '../status/views.js';
import { unmountedVolume } from '../domain/volumes.js';
import type { Config } from '../config/load.js';
import { WebhookReceiver } from './webhooks.js';

/**
 * The status server `tracksync run` starts (127.0.0.1:7717 by default): GET /healthz, GET /metrics, GET / (the status
 * page), GET /api/status, POST /webhooks/notion. Loopback only unless TRACKSYNC_HTTP_HOST says otherwise (and then
 * only with TRACKSYNC_HTTP_TOKEN, config/load.ts); Notion's webhooks reach it through a tunnel, and only signed
 * deliveries are acted on.
 *
 * Against other web pages and the network:
 * - the Host header must be one of the server's own names or addresses (or http.allowedHosts), so a web page whose
 *   name was re-pointed at 127.0.0.1 (DNS rebinding) cannot read the page or the API; the signed webhook path is left
 *   out of it, because a tunnel forwards its own public host name;
 * - with a token, every request but the webhook and the login link needs it: "Authorization: Bearer <token>", or
 *   the cookie set by a one-time link that `tracksync status` prints (its code is kept hashed in SQLite);
 * - slow clients get 10 s for their headers and their request, and at most 64 connections are open at once.
 */

/** SQLite meta keys shared with the CLI (`tracksync status`, `tracksync webhooks listen`). */
export const STATUS_URL_KEY = 'status_url';
export const STATUS_LOGIN_KEY = 'status_login';
export const WEBHOOK_WINDOW_KEY = 'webhook_window_until';
export const WEBHOOK_WINDOW_REPLACE_KEY = 'webhook_window_replace';

export interface StatusServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  readonly daemon: Daemon;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where a verification token received from Notion is kept (the state directory's secrets file). */
  readonly stateDir: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The path Notion posts to: signed, reachable through a tunnel's public name, so no Host or token check. */
export const WEBHOOK_PATH = '/webhooks/notion';
const SESSION_COOKIE = 'tracksync_session';

/** The cookie value for a token: derived from it (never the token itself) with HMAC-SHA256. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('tracksync status page session').digest('base64url');
}

export function hashLoginCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The names the server answers to: its bind address, loopback names, and when bound wider, this Mac's names and
 * addresses.
 */
export function ownHostNames(bindHost: string, extra: readonly string[]): Set<string> {
  const names = new Set([
    'localhost',
    '127.0.0.1',
    '::1',
    bindHost.replace(/^\[|\]$/g, '').toLowerCase(),
    ...extra.map((h) => h.toLowerCase()),
  ]);
  if (!isLoopbackHost(bindHost)) {
    const machine = hostname().toLowerCase();
    names.add(machine);
    names.add(machine.endsWith('.local') ? machine : `${machine}.local`);
    for (const list of Object.values(networkInterfaces()))
      for (const info of list ?? []) names.add(info.address.toLowerCase());
  }
  return names;
}

/** The host part of a Host header ("[::1]:7717" -> "::1", "Example.local.:80" -> "example.local"). */
export function hostOfHeader(header: string): string {
  const text = header.trim().toLowerCase();
  const bare = text.startsWith('[')
    ? text.slice(1, text.indexOf(']'))
    : isIP(text) === 6
      ? text
      : text.replace(/:\d*$/, '');
  return bare.replace(/\.$/, '');
}

export function health(daemon: Daemon, now: number, staleAfterMs = CONSTANTS.http.staleAfterMs): Health {
  const last = daemon.store.runs.lastSuccessfulRun()?.finished_at ?? null;
  const age = last === null ? null : Math.round((now - last) / 1000);
  const down = daemon.notionDownSince;
  if (down !== undefined && now - down >= daemon.config.notifications.notionDownAfterMs) {
    return {
      status: 'notion-down',
      detail: `every cycle has failed to reach Notion for ${Math.round((now - down) / 60_000)} min`,
      lastSuccessfulCycleAgeSeconds: age,
    };
  }
  if (last !== null && now - last <= staleAfterMs)
    return { status: 'ok', detail: `last successful cycle ${age} s ago`, lastSuccessfulCycleAgeSeconds: age };
  if (now - daemon.startedAt <= staleAfterMs)
    return {
      status: 'starting',
      detail:
        last === null ? 'no cycle has finished yet' : `started ${Math.round((now - daemon.startedAt) / 1000)} s ago`,
      lastSuccessfulCycleAgeSeconds: age,
    };
  return {
    status: 'stale',
    detail: last === null ? 'no cycle has ever succeeded' : `no successful cycle for ${age} s`,
    lastSuccessfulCycleAgeSeconds: age,
  };
}

/** What to tell the user when listening failed for a reason of theirs (a port in use, a host not on this machine). */
function listenProblem(code: string | undefined, host: string, port: number): string | undefined {
  const off = 'or TRACKSYNC_HTTP_PORT=off to run without the status page and webhooks';
  switch (code) {
    case 'EADDRINUSE':
      return (
        `TRACKSYNC_HTTP_PORT / http.port ${port} is in use by another program on ${host} (another tracksync?): stop it, ` +
        `or set TRACKSYNC_HTTP_PORT (or http.port in the config file) to a free port, ${off}`
      );
    case 'EACCES':
      return `TRACKSYNC_HTTP_PORT / http.port ${port} needs administrator rights on this machine: use a port above 1023, ${off}`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `TRACKSYNC_HTTP_HOST / http.host "${host}" is not an address of this machine: use 127.0.0.1, or an address it has`;
    default:
      return undefined;
  }
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer | undefined> {
  const { daemon, metrics, logger, clock } = options;
  const { host, port } = daemon.config.http;
  if (port === null) return undefined;
  let token = daemon.config.webhookToken;
  const { store } = daemon;
  const webhooks = new WebhookReceiver({
    logger,
    getToken: () => token,
    saveToken: (value) => {
      token = value;
      // Always the 0600 file, never the Keychain: a background daemon must not raise a Keychain prompt.
      storeSecret(options.stateDir, 'NOTION_WEBHOOK_TOKEN', value, { os: process.platform, file: true });
    },
    verificationWindow: () => {
      const until = Number(store.getMeta(WEBHOOK_WINDOW_KEY) ?? 0);
      return { open: clock.now() <= until, replace: store.getMeta(WEBHOOK_WINDOW_REPLACE_KEY) === '1' };
    },
    closeVerificationWindow: () => {
      store.setMeta(WEBHOOK_WINDOW_KEY, '0');
      store.setMeta(WEBHOOK_WINDOW_REPLACE_KEY, '0');
    },
    rememberDelivery: (id) =>
      store.server.rememberDelivery(id, clock.now(), clock.now() - CONSTANTS.webhooks.rememberDeliveriesMs),
    sourceOf: (id) => daemon.sourceOfId(id),
    wake: (reason, source) => daemon.wake(reason, { source }),
    maxDeliveryAgeMs: CONSTANTS.webhooks.rememberDeliveriesMs,
    now: () => clock.now(),
  });
  const accessToken = daemon.config.http.token;
  const ownNames = ownHostNames(host, daemon.config.http.allowedHosts);
  metrics.gauge(() => [
    // Every source and state, 0 until an item is in it, so the series exist from the first scrape.
    ...itemGauges(daemon.store.items.countItemsByState()),
    { name: 'tracksync_items_in_flight', help: 'Items being processed now.', labels: {}, value: daemon.runningCount },
    {
      name: 'tracksync_last_successful_cycle_timestamp_seconds',
      help: 'When the last cycle without errors finished.',
      labels: {},
      value: (daemon.store.runs.lastSuccessfulRun()?.finished_at ?? 0) / 1000,
    },
    {
      name: 'tracksync_notion_up',
      help: '1 while cycles reach Notion, 0 while every cycle fails.',
      labels: {},
      value: daemon.notionDownSince === undefined ? 1 : 0,
    },
  ]);

  // Where each in-flight item stands (its step, its download), as the handler reports it; gone when the item ends.
  const live = new Map<number, LiveStep>();
  const forget = (e: { itemId: number }): void => void live.delete(e.itemId);
  daemon.events.on('item:progress', (e) =>
    live.set(e.itemId, { ...live.get(e.itemId), ...e, ...(e.download ? {} : { download: undefined }) }),
  );
  for (const end of ['item:done', 'item:failed', 'item:retry', 'item:released'] as const) daemon.events.on(end, forget);

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => Promise<void> | void> = {
    'GET /healthz': (_request, response) => {
      const h = health(daemon, clock.now());
      send(
        response,
        h.status === 'ok' || h.status === 'starting' ? 200 : 503,
        'application/json',
        JSON.stringify({
          ...h,
          running: daemon.runningCount,
          uptimeSeconds: Math.round((clock.now() - daemon.startedAt) / 1000),
        }),
      );
    },
    'GET /metrics': (_request, response) =>
      send(response, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render()),
    'GET /api/status': (_request, response) =>
      send(
        response,
        200,
        'application/json',
        JSON.stringify({ health: health(daemon, clock.now()), ...statusSnapshot(daemon.store) }),
      ),
    'GET /': (_request, response) =>
      send(
        response,
        200,
        'text/html; charset=utf-8',
        renderPage({
          recent: recentTracks(daemon.store),
          library: libraryShape(daemon.store),
          live,
          incidents: daemon.store.incidents.listOpenIncidents().map((i) => i.message),
          missingVolumes: outputFolders(daemon.config)
            .map(unmountedVolume)
            .filter((v): v is string => v !== undefined),
          now: clock.now(),
          health: health(daemon, clock.now()),
          host: daemon.identity.host,
          daemonId: daemon.identity.daemonId,
          pid: daemon.identity.pid,
          startedAt: daemon.startedAt,
          snapshot: statusSnapshot(daemon.store),
          mapping: schemaMapping(daemon.schemas),
          notionDownSince: daemon.notionDownSince,
          refreshSeconds: CONSTANTS.http.pageRefreshSeconds,
        }),
        { 'Content-Security-Policy': PAGE_CSP },
      ),
    'GET /login': (request, response) => {
      const code = new URL(request.url ?? '/', 'http://localhost').searchParams.get('code') ?? '';
      if (!accessToken) return redirect(response, '/');
      if (code === '' || !store.server.useLoginCode(hashLoginCode(code), clock.now())) {
        throw new HttpError(
          403,
          'this login link was already used or has expired: run "tracksync status" for a new one',
        );
      }
      response.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${sessionValue(accessToken)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${CONSTANTS.http.sessionMaxAgeSeconds}`,
      );
      redirect(response, '/');
    },
    [`POST ${WEBHOOK_PATH}`]: async (request, response) => {
      const body = await readBody(request, CONSTANTS.webhooks.maxBodyBytes);
      const first = (value: string | string[] | undefined): string | undefined =>
        Array.isArray(value) ? value[0] : value;
      const answer = await webhooks.receive(body, {
        signature: first(request.headers['x-notion-signature']),
        contentType: request.headers['content-type'],
        origin: first(request.headers.origin),
      });
      metrics.inc('tracksync_webhook_deliveries_total', 'Webhook deliveries received, by result.', {
        result: answer.result,
      });
      if (answer.status !== 200)
        logger.warn(
          { status: answer.status, result: answer.result, remote: request.socket.remoteAddress },
          'webhook delivery refused',
        );
      send(response, answer.status, 'application/json', JSON.stringify(answer.body));
    },
  };

  /** Host and token checks for everything but the signed webhook; the login link needs no token (it gives one). */
  const guard = (request: IncomingMessage, path: string): void => {
    if (path === WEBHOOK_PATH) return;
    const hostHeader = request.headers.host;
    if (!hostHeader || !ownNames.has(hostOfHeader(hostHeader))) {
      throw new HttpError(
        421,
        `this server answers to its own names only (${[...ownNames].slice(0, 4).join(', ')}, ...); add "${hostHeader ? hostOfHeader(hostHeader) : ''}" to http.allowedHosts if it is yours`,
      );
    }
    if (!accessToken || path === '/login') return;
    const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const cookie = (request.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
      ?.slice(SESSION_COOKIE.length + 1);
    if (
      (bearer !== undefined && sameSecret(bearer, accessToken)) ||
      (cookie !== undefined && sameSecret(cookie, sessionValue(accessToken)))
    )
      return;
    throw Object.assign(
      new HttpError(
        401,
        'log in with the one-time link "tracksync status" prints, or send "Authorization: Bearer <TRACKSYNC_HTTP_TOKEN>"',
      ),
      { authenticate: true },
    );
  };

  const server: Server = createServer(
    {
      headersTimeout: CONSTANTS.http.headersTimeoutMs,
      requestTimeout: CONSTANTS.http.requestTimeoutMs,
      connectionsCheckingInterval: CONSTANTS.http.timeoutCheckIntervalMs,
    },
    (request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const route = routes[`${request.method} ${path}`];
      void (async () => {
        try {
          guard(request, path);
          if (route) return await route(request, response);
          const allowed = Object.keys(routes)
            .filter((r) => r.endsWith(` ${path}`))
            .map((r) => r.split(' ')[0]!);
          if (allowed.length > 0)
            throw Object.assign(new HttpError(405, `use ${allowed.join(' or ')} for ${path}`), {
              allow: allowed.join(', '),
            });
          throw new HttpError(404, `no such page: ${path} (try /, /healthz, /metrics)`);
        } catch (error) {
          if (error instanceof HttpError) {
            if (error.status === 413)
              metrics.inc('tracksync_webhook_deliveries_total', 'Webhook deliveries received, by result.', {
                result: 'too_large',
              });
            const allow = (error as HttpError & { allow?: string }).allow;
            if (allow) response.setHeader('Allow', allow);
            if ((error as HttpError & { authenticate?: boolean }).authenticate)
              response.setHeader('WWW-Authenticate', 'Bearer realm="tracksync"');
            // A body we refuse to read must not keep the socket busy: answer, then close the connection.
            if (error.status === 413) response.setHeader('Connection', 'close');
            return send(response, error.status, 'application/json', JSON.stringify({ error: error.message }));
          }
          logger.error({ err: error, path }, 'status server request failed');
          if (!response.headersSent)
            send(response, 500, 'application/json', JSON.stringify({ error: 'internal error; see the daemon log' }));
        }
      })();
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxConnections = CONSTANTS.http.maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    // A port or host this machine refuses is the user's to fix, named by its setting (the CLI exits 2 with it).
    const problem = listenProblem((error as NodeJS.ErrnoException).code, host, port);
    if (problem !== undefined) throw new ConfigError([problem], 'tracksync cannot start its status server');
    logger.error({ err: error, host, port }, 'the status server could not start; the daemon goes on without it');
    return undefined;
  }
  const address = server.address() as AddressInfo;
  // Bound to every address (0.0.0.0, ::): the link `tracksync status` prints uses this Mac's name instead.
  const shownHost =
    address.address === '0.0.0.0' || address.address === '::'
      ? hostname()
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  const url = `http://${shownHost}:${address.port}`;
  logger.info(
    { url, login: accessToken ? 'token required' : 'loopback, no login' },
    'status page and webhook endpoint listening',
  );
  // For `tracksync status`: where the page is, and whether it prints a one-time login link for it.
  store.setMeta(STATUS_URL_KEY, url);
  store.setMeta(STATUS_LOGIN_KEY, accessToken ? '1' : '0');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { Location: location, 'Cache-Control': 'no-store' });
  response.end();
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  response.end(body);
}

/** The raw body (signatures are over the exact bytes), refused with 413 past `maxBytes` without reading the rest. */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw new HttpError(413, `the body is ${declared} bytes; at most ${maxBytes} are accepted`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `the body is over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const ITEM_STATES = ['queued', 'claimed', 'running', 'retry_wait', 'failed', 'done'] as const;

function itemGauges(
  counts: ReadonlyArray<{ source: string; state: string; count: number }>,
): Array<{ name: string; help: string; labels: Record<string, string>; value: number }> {
  const sources = [...new Set(['tracks', 'tasks', ...counts.map((c) => c.source)])];
  const states = [...new Set([...ITEM_STATES, ...counts.map((c) => c.state)])];
  return sources.flatMap((source) =>
    states.map((state) => ({
      name: 'tracksync_items',
      help: 'Items known to tracksync, by source and state.',
      labels: { source, state },
      value: counts.find((c) => c.source === source && c.state === state)?.count ?? 0,
    })),
  );
}

/** The folders tracks are placed in: a missing volume among them degrades the page's badge. */
function outputFolders(config: Config): string[] {
  return [config.paths.outDir, config.paths.backupDir, config.paths.wavBackupDir].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
}
