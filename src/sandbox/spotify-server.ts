import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';

/**
 * A local Spotify, following the Web API reference's shapes and rules: the accounts service's token endpoint (HTTP
 * Basic client auth; client_credentials and refresh_token grants), bearer tokens that expire, tracks, search, the
 * user's saved tracks, playlists (pages of 100), error bodies {error: {status, message}}, 429 with Retry-After, and
 * audio-features answering 403 as it does for apps created after 27 November 2024. Covers are served as PNGs.
 */

export interface LocalTrack {
  readonly id: string;
  readonly name: string;
  readonly artists: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  readonly album: string;
  readonly releaseDate: string;
  readonly durationMs: number;
  readonly popularity?: number;
  readonly isrc?: string;
}

export interface SpotifyServer {
  readonly apiBaseUrl: string;
  readonly accountsBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  addTrack(track: LocalTrack): void;
  like(trackId: string): void;
  addPlaylist(id: string, name: string, trackIds: readonly string[]): void;
  /** The next `count` API requests answer 429 with Retry-After: `seconds`. */
  rateLimit(count: number, seconds: number): void;
  /** Tokens issued from now on live this long. */
  setTokenLifetime(seconds: number): void;
  requests(): string[];
  close(): Promise<void>;
}

/** A 64x64 single-colour PNG, built by hand (zlib is all a PNG needs). */
export function solidPng(r: number, g: number, b: number, size = 64): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export async function startSpotifyServer(options: { port?: number } = {}): Promise<SpotifyServer> {
  const clientId = 'local-client-id';
  const clientSecret = 'local-client-secret-0000';
  const refreshToken = 'local-refresh-token-0000';
  const tracks = new Map<string, LocalTrack>();
  const likes: Array<{ id: string; addedAt: string }> = [];
  const playlists = new Map<string, { name: string; trackIds: readonly string[] }>();
  const tokens = new Map<string, number>();
  let tokenLifetimeSeconds = 3600;
  let limited = { count: 0, seconds: 1 };
  const log: string[] = [];
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void => send(res, status, { error: { status, message } }, headers);

  const trackJson = (t: LocalTrack): Record<string, unknown> => ({
    album: {
      album_type: 'single',
      artists: t.artists.map(artistJson),
      external_urls: { spotify: `https://open.spotify.com/album/${t.id}` },
      id: `album${t.id}`.slice(0, 22),
      images: [{ url: `${base}/images/${t.id}.png`, height: 640, width: 640 }],
      name: t.album,
      release_date: t.releaseDate,
      release_date_precision: t.releaseDate.length === 4 ? 'year' : t.releaseDate.length === 7 ? 'month' : 'day',
      total_tracks: 1,
      type: 'album',
    },
    artists: t.artists.map(artistJson),
    disc_number: 1,
    duration_ms: t.durationMs,
    explicit: false,
    external_ids: t.isrc ? { isrc: t.isrc } : {},
    external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
    href: `${base}/v1/tracks/${t.id}`,
    id: t.id,
    is_local: false,
    name: t.name,
    popularity: t.popularity ?? 50,
    preview_url: null,
    track_number: 1,
    type: 'track',
    uri: `spotify:track:${t.id}`,
  });
  const artistJson = (a: { id: string; name: string }) => ({ external_urls: { spotify: `https://open.spotify.com/artist/${a.id}` }, href: `${base}/v1/artists/${a.id}`, id: a.id, name: a.name, type: 'artist', uri: `spotify:artist:${a.id}` });
  const page = (url: URL, items: unknown[], path: string): Record<string, unknown> => {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), path.includes('/playlists/') ? 100 : 50);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const slice = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? `${base}${path}?offset=${offset + limit}&limit=${limit}` : null;
    return { href: `${base}${path}`, items: slice, limit, next, offset, previous: null, total: items.length };
  };

  async function body(req: IncomingMessage): Promise<string> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text;
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://spotify.local');
      log.push(`${req.method} ${url.pathname}`);
      if (url.pathname === '/api/token' && req.method === 'POST') {
        const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        const form = new URLSearchParams(await body(req));
        if (auth !== `${clientId}:${clientSecret}`) return send(res, 400, { error: 'invalid_client', error_description: 'Invalid client' });
        const grant = form.get('grant_type');
        if (grant === 'refresh_token' && form.get('refresh_token') !== refreshToken) return send(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
        if (grant !== 'refresh_token' && grant !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
        const token = randomUUID();
        tokens.set(token, Date.now() + tokenLifetimeSeconds * 1000);
        return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: tokenLifetimeSeconds, scope: grant === 'refresh_token' ? 'user-library-read playlist-read-private' : '' });
      }
      if (url.pathname.startsWith('/images/')) {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(solidPng(200, 40, 120));
      }
      if (!url.pathname.startsWith('/v1/')) return fail(res, 404, 'Service not found');
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const expires = tokens.get(token);
      if (!expires) return fail(res, 401, 'Invalid access token');
      if (Date.now() > expires) return fail(res, 401, 'The access token expired');
      if (limited.count > 0) {
        limited.count -= 1;
        return fail(res, 429, 'API rate limit exceeded', { 'retry-after': String(limited.seconds) });
      }
      const parts = url.pathname.split('/').filter(Boolean).slice(1);
      if (parts[0] === 'audio-features') return fail(res, 403, 'Forbidden');
      if (parts[0] === 'tracks' && parts[1]) {
        const track = tracks.get(parts[1]);
        return track ? send(res, 200, trackJson(track)) : /^[A-Za-z0-9]{22}$/.test(parts[1]) ? fail(res, 404, 'Non existing id') : fail(res, 400, 'Invalid base62 id');
      }
      if (parts[0] === 'search') {
        const words = (url.searchParams.get('q') ?? '').toLowerCase().split(/\s+/).filter((w) => w && !w.includes(':'));
        const isrc = (url.searchParams.get('q') ?? '').match(/isrc:(\S+)/i)?.[1];
        const hits = [...tracks.values()].filter((t) => (isrc ? t.isrc === isrc : words.every((w) => `${t.name} ${t.artists.map((a) => a.name).join(' ')}`.toLowerCase().includes(w))));
        return send(res, 200, { tracks: page(url, hits.map(trackJson), '/v1/search') });
      }
      if (parts[0] === 'me' && parts[1] === 'tracks') {
        const items = [...likes].reverse().map((l) => ({ added_at: l.addedAt, track: trackJson(tracks.get(l.id)!) }));
        return send(res, 200, page(url, items, '/v1/me/tracks'));
      }
      if (parts[0] === 'playlists' && parts[1]) {
        const playlist = playlists.get(parts[1]);
        if (!playlist) return fail(res, 404, 'Resource not found');
        if (parts[2] === 'tracks') return send(res, 200, page(url, playlist.trackIds.map((id) => ({ track: trackJson(tracks.get(id)!) })), `/v1/playlists/${parts[1]}/tracks`));
        return send(res, 200, { id: parts[1], name: playlist.name });
      }
      return fail(res, 404, 'Service not found');
    })().catch((error: unknown) => fail(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiBaseUrl: base,
    accountsBaseUrl: base,
    clientId,
    clientSecret,
    refreshToken,
    addTrack: (track) => tracks.set(track.id, track),
    like: (id) => likes.push({ id, addedAt: new Date().toISOString() }),
    addPlaylist: (id, name, trackIds) => playlists.set(id, { name, trackIds }),
    rateLimit: (count, seconds) => {
      limited = { count, seconds };
    },
    setTokenLifetime: (seconds) => {
      tokenLifetimeSeconds = seconds;
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
