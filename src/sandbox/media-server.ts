import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';

/**
 * The local stand-in for the places audio comes from, on 127.0.0.1: files served over HTTP (which yt-dlp's generic
 * extractor downloads like any direct audio URL), and a YouTube-like search answered as an RSS feed (which yt-dlp reads
 * with --flat-playlist, titles and durations included). The real yt-dlp runs against it unchanged; only the search
 * prefix in the config differs (`search.youtube`).
 */

export interface SearchEntry {
  readonly title: string;
  readonly url: string;
  readonly durationSeconds: number;
}

export interface MediaServer {
  readonly url: string;
  /**
   * "127.0.0.1:<port>": tracksync refuses private and local addresses unless allowed, so whoever points tracksync at
   * this server puts this in TRACKSYNC_ALLOW_PRIVATE_HOSTS (the demo, the sandbox world of the tests, the benches).
   */
  readonly hostPort: string;
  /** Serves `bytes` at /audio/<name> and returns the URL. */
  addFile(name: string, bytes: Buffer): Promise<string>;
  /** The search template for config `search.youtube`. */
  readonly searchTemplate: string;
  /** Config `search` for both platforms: YouTube and SoundCloud searches each answered from their own results. */
  readonly search: { readonly youtube: string; readonly soundcloud: string };
  /** Results returned for queries containing every word of `query` (case-insensitive), on YouTube unless told. */
  addSearchResults(query: string, entries: readonly SearchEntry[], platform?: 'youtube' | 'soundcloud'): void;
  /** Answer requests for `path` (e.g. "/audio/x.mp3") with this status from now on (0 to clear). */
  setStatus(path: string, status: number): void;
  /** Serve `path` at this many bytes per second from now on (a slow link; 0 to clear). */
  throttle(path: string, bytesPerSecond: number): void;
  /** Answers `path` with a 302 to `location` from now on (a redirect elsewhere: another host, another scheme). */
  redirect(path: string, location: string): void;
  /**
   * Serves `bytes` again and again at /stream/<name>, without a Content-Length, until the client goes away: a live
   * stream or a hostile endless response. Returns the URL.
   */
  addEndlessStream(name: string, bytes: Buffer): string;
  /** Bytes sent so far on the endless streams (all of them). */
  streamedBytes(): number;
  requests(): string[];
  close(): Promise<void>;
}

export async function startMediaServer(options: { dir: string; port?: number }): Promise<MediaServer> {
  await mkdir(options.dir, { recursive: true });
  const statuses = new Map<string, number>();
  const throttles = new Map<string, number>();
  const redirects = new Map<string, string>();
  const streams = new Map<string, Buffer>();
  let streamed = 0;
  const catalogue: Array<{ platform: 'youtube' | 'soundcloud'; words: string[]; entries: readonly SearchEntry[] }> = [];
  const log: string[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://media.local');
    log.push(`${req.method} ${url.pathname}${url.search}`);
    const moved = redirects.get(url.pathname);
    if (moved) {
      res.writeHead(302, { location: moved, 'content-type': 'text/plain' });
      res.end('moved');
      return;
    }
    const stream = url.pathname.startsWith('/stream/') ? streams.get(url.pathname.slice('/stream/'.length)) : undefined;
    if (stream) {
      // No Content-Length: yt-dlp cannot know the size, and --max-filesize cannot stop it (issue 17).
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      if (req.method === 'HEAD') return void res.end();
      return void endless(stream, res, (n) => (streamed += n));
    }
    const forced = statuses.get(url.pathname);
    if (forced) {
      res.writeHead(forced, { 'content-type': 'text/plain', ...(forced === 429 ? { 'retry-after': '1' } : {}) });
      res.end(`status ${forced}`);
      return;
    }
    const searched = url.pathname.match(/^\/(youtube|soundcloud)\/search\.rss$/)?.[1];
    if (searched) {
      const query = (url.searchParams.get('q') ?? '').toLowerCase();
      const entries = catalogue
        .filter((c) => c.platform === searched && c.words.every((w) => query.includes(w)))
        .flatMap((c) => c.entries);
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(rss(query, entries));
      return;
    }
    if (url.pathname.startsWith('/audio/')) {
      const file = join(options.dir, basename(decodeURIComponent(url.pathname.slice('/audio/'.length))));
      if (!existsSync(file)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('File not found');
        return;
      }
      const type = file.endsWith('.mp3')
        ? 'audio/mpeg'
        : file.endsWith('.wav')
          ? 'audio/wav'
          : file.endsWith('.flac')
            ? 'audio/flac'
            : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': String(statSync(file).size) });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const rate = throttles.get(url.pathname);
      if (rate) return void slowly(createReadStream(file, { highWaterMark: Math.max(1, Math.floor(rate / 10)) }), res);
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hostPort: base.replace(/^http:\/\//, ''),
    searchTemplate: `${base}/youtube/search.rss?q={query}`,
    search: { youtube: `${base}/youtube/search.rss?q={query}`, soundcloud: `${base}/soundcloud/search.rss?q={query}` },
    async addFile(name, bytes) {
      await writeFile(join(options.dir, basename(name)), bytes);
      return `${base}/audio/${encodeURIComponent(basename(name))}`;
    },
    addSearchResults(query, entries, platform = 'youtube') {
      catalogue.push({ platform, words: query.toLowerCase().split(/\s+/).filter(Boolean), entries });
    },
    throttle(path, bytesPerSecond) {
      if (bytesPerSecond > 0) throttles.set(path, bytesPerSecond);
      else throttles.delete(path);
    },
    redirect(path, location) {
      redirects.set(path, location);
    },
    addEndlessStream(name, bytes) {
      streams.set(basename(name), bytes);
      return `${base}/stream/${encodeURIComponent(basename(name))}`;
    },
    streamedBytes: () => streamed,
    setStatus(path, status) {
      if (status) statuses.set(path, status);
      else statuses.delete(path);
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `bytes` over and over, at the pace the client reads (backpressure), until it disconnects. */
async function endless(bytes: Buffer, res: ServerResponse, count: (n: number) => void): Promise<void> {
  res.on('error', () => undefined);
  while (!res.destroyed && !res.writableEnded) {
    count(bytes.length);
    if (!res.write(bytes))
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
  }
}

/** Writes one chunk (a tenth of the rate, see the caller) every 100 ms; stops when the client goes away. */
async function slowly(stream: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  for await (const chunk of stream) {
    if (res.destroyed) break;
    res.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  res.end();
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function rss(query: string, entries: readonly SearchEntry[]): string {
  const items = entries
    .map(
      (e) =>
        `<item><title>${escapeXml(e.title)}</title><itunes:duration>${Math.round(e.durationSeconds)}</itunes:duration><enclosure url="${escapeXml(e.url)}" type="audio/mpeg"/></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>search: ${escapeXml(query)}</title>${items}</channel></rss>`;
}
