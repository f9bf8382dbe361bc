import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type LookupFunction, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { hostPort, unreachableError, type CheckedTarget, type HostGuard } from './hosts.js';

/**
 * A forward proxy on 127.0.0.1 that every yt-dlp run goes through (`--proxy`). It is what makes the host check hold
 * for what the URL leads to, not only for the URL itself:
 * - every connection (the page, each redirect, the format URL, HLS segments, the thumbnail) is checked by the
 *   HostGuard, and the proxy connects to the very address it checked: a DNS answer that changes between the check and
 *   the connection (DNS rebinding) cannot reach a private address;
 * - a plain-http redirect to another scheme (file:, ftp:) is stopped here and reported as permanent;
 * - the bytes coming in are counted, so a download is stopped at the size cap even when the server sends no
 *   Content-Length (an endless stream), which yt-dlp's own --max-filesize cannot do.
 * Each yt-dlp run has its own session (its credentials in the proxy URL), so what the proxy refused or counted is
 * told to the run that caused it.
 *
 * Residual risk: yt-dlp honours a per-request "Ytdl-request-proxy" header that only its own geo-verification option
 * sets (tracksync never does), and an https redirect to another scheme is only seen in yt-dlp's error text; the
 * subprocess itself could still open any socket it wanted, so this is a filter on yt-dlp's behaviour, not a sandbox.
 */

export interface EgressSession {
  /** The proxy URL for yt-dlp's --proxy, with this session's credentials. */
  readonly proxyUrl: string;
  /** The first refusal (a private host, a redirect to another scheme), if any. */
  readonly refusal: TrackSyncError | undefined;
  /**
   * The first host the proxy could not reach (no DNS answer, connection refused, no route), as NETWORK_UNREACHABLE:
   * behind the proxy yt-dlp only sees a "502 Bad Gateway", so the proxy is the one that knows why.
   */
  readonly unreachable: TrackSyncError | undefined;
  /** Bytes received from the network so far. */
  readonly bytes: number;
  /** Set once `maxBytes` was passed: every connection of the session is closed and new ones are refused. */
  readonly overCap: boolean;
  close(): void;
}

interface SessionState {
  refusal: TrackSyncError | undefined;
  unreachable: TrackSyncError | undefined;
  bytes: number;
  overCap: boolean;
  readonly maxBytes: number;
  readonly sockets: Set<Duplex>;
  readonly onOverCap: (() => void) | undefined;
}

const USER = 'tracksync';

export class EgressProxy {
  readonly #guard: HostGuard;
  readonly #logger: Logger;
  readonly #sessions = new Map<string, SessionState>();
  #server: Promise<{ server: Server; port: number }> | undefined;

  constructor(guard: HostGuard, logger: Logger) {
    this.#guard = guard;
    this.#logger = logger;
  }

  /** A session for one yt-dlp run. `maxBytes`: past this many bytes received, every connection is cut. */
  async session(options: { maxBytes?: number; onOverCap?: () => void } = {}): Promise<EgressSession> {
    const { port } = await this.#listen();
    const token = randomBytes(18).toString('base64url');
    const state: SessionState = {
      refusal: undefined,
      unreachable: undefined,
      bytes: 0,
      overCap: false,
      maxBytes: options.maxBytes ?? Infinity,
      sockets: new Set(),
      onOverCap: options.onOverCap,
    };
    this.#sessions.set(token, state);
    return {
      proxyUrl: `http://${USER}:${token}@127.0.0.1:${port}`,
      get refusal() {
        return state.refusal;
      },
      get unreachable() {
        return state.unreachable;
      },
      get bytes() {
        return state.bytes;
      },
      get overCap() {
        return state.overCap;
      },
      close: () => {
        this.#sessions.delete(token);
        for (const socket of state.sockets) socket.destroy();
      },
    };
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    const { server } = await this.#server;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #listen(): Promise<{ server: Server; port: number }> {
    this.#server ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => void this.#forward(req, res));
      server.on(
        'connect',
        (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#tunnel(req, socket, head),
      );
      server.on('clientError', (_error, socket) => socket.destroy());
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.unref(); // never what keeps the process alive
        resolve({ server, port: (server.address() as AddressInfo).port });
      });
    });
    return this.#server;
  }

  #sessionOf(req: IncomingMessage): SessionState | undefined {
    const header = req.headers['proxy-authorization'];
    const match = typeof header === 'string' ? header.match(/^Basic\s+(\S+)$/i) : null;
    if (!match) return undefined;
    const [user, token] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
    if (user !== USER || !token) return undefined;
    for (const [known, state] of this.#sessions) {
      if (known.length === token.length && timingSafeEqual(Buffer.from(known), Buffer.from(token))) return state;
    }
    return undefined;
  }

  /** Checks a destination for a session; a refusal is remembered (the first one is what the run reports). */
  async #check(state: SessionState, host: string, port: number, what: string): Promise<CheckedTarget | TrackSyncError> {
    if (state.overCap) return new TrackSyncError('DOWNLOAD_TOO_LARGE', 'the download passed its size cap');
    try {
      return await this.#guard.check(host, port, what);
    } catch (raw) {
      const error = coerceError(raw);
      if (error.code === 'SOURCE_FORBIDDEN') state.refusal ??= error;
      if (error.code === 'NETWORK_UNREACHABLE') state.unreachable ??= error;
      return error;
    }
  }

  #count(state: SessionState, socket: Duplex, bytes: number): void {
    state.bytes += bytes;
    if (state.bytes <= state.maxBytes || state.overCap) return;
    state.overCap = true;
    this.#logger.warn({ bytes: state.bytes, maxBytes: state.maxBytes }, 'download passed its size cap; cutting it');
    for (const s of state.sockets) s.destroy();
    socket.destroy();
    state.onOverCap?.();
  }

  #track(state: SessionState, ...sockets: Duplex[]): void {
    for (const socket of sockets) {
      state.sockets.add(socket);
      socket.once('close', () => state.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
  }

  /** https (and anything else over CONNECT): checked host:port, then bytes both ways, counted on the way in. */
  async #tunnel(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => undefined);
    const state = this.#sessionOf(req);
    if (!state)
      return void client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="tracksync"\r\nContent-Length: 0\r\n\r\n',
      );
    const match = (req.url ?? '').match(/^\[?([^\]]+?)\]?:(\d{1,5})$/);
    if (!match) return void client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    const target = await this.#check(state, match[1]!, Number(match[2]), 'a connection the download made');
    if (target instanceof TrackSyncError) return void client.end(refusedResponse(target));
    const upstream: Socket = connect({
      host: target.host,
      port: target.port,
      lookup: checkedLookup(target),
      autoSelectFamily: true,
    });
    this.#track(state, client, upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.on('data', (chunk: Buffer) => this.#count(state, upstream, chunk.length));
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (!connected) state.unreachable ??= unreachableError(hostPort(target.host, target.port), error);
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /**
   * Plain http: the absolute URL is checked, sent to the checked address, and a redirect elsewhere than http(s) is
   * stopped.
   */
  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = this.#sessionOf(req);
    if (!state) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="tracksync"', 'Content-Length': '0' });
      return void res.end();
    }
    const target = URL.canParse(req.url ?? '') ? new URL(req.url!) : undefined;
    if (!target || target.protocol !== 'http:') {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      return void res.end('tracksync egress proxy: expected an absolute http:// URL');
    }
    const port = Number(target.port) || 80;
    const checked = await this.#check(state, target.hostname, port, 'a request the download made');
    if (checked instanceof TrackSyncError) {
      res.writeHead(checked.code === 'DOWNLOAD_TOO_LARGE' ? 507 : 403, {
        'Content-Type': 'text/plain',
        Connection: 'close',
      });
      return void res.end(`tracksync refused this request: ${checked.message}`);
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const open = (): Socket =>
      connect({ host: checked.host, port, lookup: checkedLookup(checked), autoSelectFamily: true });
    const upstream = httpRequest(
      {
        host: checked.host,
        port,
        createConnection: open,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
        setHost: false,
      },
      (response) => {
        const location = response.headers.location;
        if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
          const next = URL.canParse(location, target.href) ? new URL(location, target) : undefined;
          if (next && next.protocol !== 'http:' && next.protocol !== 'https:') {
            state.refusal ??= new TrackSyncError(
              'SOURCE_FORBIDDEN',
              `${target.host} redirects to "${next.href.slice(0, 200)}": tracksync follows redirects only to http and https URLs`,
              { details: { host: target.hostname } },
            );
            response.destroy();
            res.writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' });
            return void res.end(`tracksync refused a redirect to ${next.protocol}`);
          }
        }
        res.writeHead(response.statusCode ?? 502, response.rawHeaders);
        response.on('data', (chunk: Buffer) => this.#count(state, response.socket, chunk.length));
        response.pipe(res);
      },
    );
    this.#track(state, ...[req.socket, upstream.socket].filter((s): s is Socket => s !== null && s !== undefined));
    upstream.on('socket', (socket) => this.#track(state, socket));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!res.headersSent) state.unreachable ??= unreachableError(hostPort(target.hostname, port), error);
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end();
    });
    req.pipe(upstream);
  }
}

/**
 * A resolver that answers with the addresses already checked, never asking DNS again: the connection goes to what was
 * checked (no rebinding), trying each in turn (Node's autoSelectFamily), as yt-dlp would on a dual-stack host.
 */
function checkedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    const all = target.addresses.map((a) => ({ address: a.address, family: a.family }));
    if ((options as { all?: boolean }).all) (callback as (error: null, addresses: typeof all) => void)(null, all);
    else callback(null, all[0]!.address, all[0]!.family);
  };
}

function refusedResponse(error: TrackSyncError): string {
  const body = `tracksync refused this connection: ${error.message}`;
  const status =
    error.code === 'DOWNLOAD_TOO_LARGE'
      ? '507 Insufficient Storage'
      : error.code === 'SOURCE_FORBIDDEN'
        ? '403 Forbidden'
        : '502 Bad Gateway';
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
