import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';

/**
 * A local Spotify, following the Web API reference's shapes and rules as a Development Mode app sees them since
 * 2026-03-09 (a personal user's app is a Development Mode app): the accounts service's token endpoint (HTTP Basic
 * client auth; client_credentials and refresh_token grants), bearer tokens that expire, tracks, search, the user's
 * saved tracks, playlists, error bodies {error: {status, message}}, 429 with Retry-After. Covers are served as PNGs.
 *
 * Sources, cited where each rule is applied below:
 * - [guide] https://developer.spotify.com/documentation/web-api/tutorials/february-2026-migration-guide
 *   (Premium requirement, at most 5 users per app, the playlist endpoint rename /tracks -> /items, `track` -> `item`).
 * - [feb] https://developer.spotify.com/documentation/web-api/references/changes/february-2026 (removed endpoints,
 *   among them Get Several Tracks; removed fields: track popularity, available_markets, external_ids, linked_from;
 *   album popularity, available_markets, external_ids, label, album_group; user country, email, product, ...).
 * - [mar] https://developer.spotify.com/documentation/web-api/references/changes/march-2026 (external_ids of tracks
 *   and albums REVERTED: still returned).
 * - [items] https://developer.spotify.com/documentation/web-api/reference/get-playlists-items (only playlists the
 *   current user owns or collaborates on; a user token; 403 otherwise; limit at most 50).
 * - [blog-2024] https://developer.spotify.com/blog/2024-11-27-changes-to-the-web-api (audio-features: 403).
 * - Observed answers in public issue threads, where the documentation gives no wording: bjarneo/cliamp#54 and
 *   jjdenhertog/spotify-to-plex#131 (removed endpoints answer 403 {"error":{"status":403,"message":"Forbidden"}});
 *   bjarneo/cliamp#315, Pasta-Devs/Marinara-Engine#5163 and LargeModGames/spotatui#518 (search limit above 10: 400
 *   "Invalid limit"; default 5); zmb3/spotify#301 and mahdi-y/Spotify2YoutubeMusic#26 (no Premium: 403 "Active premium
 * subscription required for the owner of the app. ..."); jwilsson/spotify-web-api-php#260 and spotipy-dev/spotipy#1044
 *   (a user not on the allow-list: 403 "User not registered in the Developer Dashboard"); joostlek/python-spotify#774
 *   (playlist entries carry `item`, and the deprecated `track` is still sent during a deprecation window).
 *
 * `strict` takes the stricter reading where the real behaviour is not documented (tracksync must work under both):
 * playlist entries without the deprecated `track` alias, and the accounts service refusing tokens too while the owner
 * lacks Premium (jjdenhertog/spotify-to-plex#126 saw the Premium text in an accounts-service answer).
 */

export interface LocalTrack {
  readonly id: string;
  readonly name: string;
  readonly artists: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  readonly album: string;
  readonly releaseDate: string;
  readonly durationMs: number;
  readonly isrc?: string;
}

export interface LocalPlaylistOptions {
  /** The owner's user id; the user of the refresh token (`userId`) by default. */
  readonly owner?: string;
  /** Users who collaborate on it (the playlist is then collaborative). */
  readonly collaborators?: readonly string[];
}

export interface SpotifyServer {
  readonly apiBaseUrl: string;
  readonly accountsBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** The user the refresh token belongs to. */
  readonly userId: string;
  addTrack(track: LocalTrack): void;
  like(trackId: string): void;
  addPlaylist(id: string, name: string, trackIds: readonly string[], options?: LocalPlaylistOptions): void;
  /** The next `count` API requests answer 429 with Retry-After: `seconds`. */
  rateLimit(count: number, seconds: number): void;
  /** Tokens issued from now on live this long. */
  setTokenLifetime(seconds: number): void;
  /** false: the app owner's Premium lapsed, and Spotify refuses the app ([guide] "Premium Requirement"). */
  setOwnerPremium(premium: boolean): void;
  /** false: the refresh token's user is not on the app's allow-list (dashboard > User Management). */
  setUserAllowed(allowed: boolean): void;
  requests(): string[];
  close(): Promise<void>;
}

/** Removed for Development Mode apps ([feb], "Changes to endpoints"); each answers 403 like the real service. */
const REMOVED: ReadonlyArray<RegExp> = [
  /^\/v1\/tracks\/?$/, // Get Several Tracks (GET /tracks?ids=)
  /^\/v1\/albums\/?$/, // Get Several Albums
  /^\/v1\/artists\/?$/, // Get Several Artists
  /^\/v1\/artists\/[^/]+\/top-tracks$/,
  /^\/v1\/browse\/new-releases$/,
  /^\/v1\/markets$/,
  /^\/v1\/users\/[^/]+(\/playlists)?$/, // Get User's Profile, Get User's Playlists (the /me forms remain)
  /^\/v1\/playlists\/[^/]+\/tracks$/, // renamed to /items ([guide] "Playlist endpoint rename")
  /^\/v1\/audio-features/, // [blog-2024]
];

/** [feb]: search's `limit` is at most 10 (was 50) and defaults to 5 (was 20). */
const SEARCH_MAX_LIMIT = 10;
const SEARCH_DEFAULT_LIMIT = 5;
/** [items]: Get Playlist Items takes a limit of at most 50 (default 20); so do the user's saved tracks. */
const PAGE_MAX_LIMIT = 50;
const PAGE_DEFAULT_LIMIT = 20;
/** The wordings observed on the real service (see the header). */
const NO_PREMIUM =
  'Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again.';
const NOT_ALLOWED = 'User not registered in the Developer Dashboard';

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
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function startSpotifyServer(options: { port?: number; strict?: boolean } = {}): Promise<SpotifyServer> {
  const strict = options.strict ?? false;
  const clientId = 'local-client-id';
  const clientSecret = 'local-client-secret-0000';
  const refreshToken = 'local-refresh-token-0000';
  const userId = 'local-dj';
  const tracks = new Map<string, LocalTrack>();
  const likes: Array<{ id: string; addedAt: string }> = [];
  type Playlist = { name: string; trackIds: readonly string[]; owner: string; collaborators: readonly string[] };
  const playlists = new Map<string, Playlist>();
  /** Token -> expiry and whose it is: a user's (refresh-token grant) or the app's (client credentials, no user). */
  const tokens = new Map<string, { expiresAt: number; user: boolean }>();
  let tokenLifetimeSeconds = 3600;
  let limited = { count: 0, seconds: 1 };
  let ownerPremium = true;
  let userAllowed = true;
  const log: string[] = [];
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void =>
    send(res, status, { error: { status, message } }, headers);

  // Removed fields are simply absent ([feb] "Changes to fields"); external_ids stays ([mar]).
  const trackJson = (t: LocalTrack): Record<string, unknown> => ({
    album: {
      album_type: 'single',
      artists: t.artists.map(artistJson),
      external_ids: {},
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
    preview_url: null,
    track_number: 1,
    type: 'track',
    uri: `spotify:track:${t.id}`,
  });
  const artistJson = (a: { id: string; name: string }) => ({
    external_urls: { spotify: `https://open.spotify.com/artist/${a.id}` },
    href: `${base}/v1/artists/${a.id}`,
    id: a.id,
    name: a.name,
    type: 'artist',
    uri: `spotify:artist:${a.id}`,
  });
  const userJson = (id: string) => ({
    display_name: id,
    external_urls: { spotify: `https://open.spotify.com/user/${id}` },
    id,
    type: 'user',
    uri: `spotify:user:${id}`,
  });
  /** A paging object; undefined when `limit` is out of range (the caller answers 400 "Invalid limit"). */
  const page = (
    url: URL,
    items: unknown[],
    path: string,
    limits: { max: number; byDefault: number },
  ): Record<string, unknown> | undefined => {
    const limit = Number(url.searchParams.get('limit') ?? limits.byDefault);
    if (!Number.isInteger(limit) || limit < 1 || limit > limits.max) return undefined;
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const slice = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? `${base}${path}?offset=${offset + limit}&limit=${limit}` : null;
    return { href: `${base}${path}`, items: slice, limit, next, offset, previous: null, total: items.length };
  };
  const pageLimits = { max: PAGE_MAX_LIMIT, byDefault: PAGE_DEFAULT_LIMIT };
  /** The first 100 entries, as a playlist object embeds them. */
  const firstPage = (items: unknown[], path: string): Record<string, unknown> => {
    const next = items.length > 100 ? `${base}${path}?offset=100&limit=100` : null;
    return {
      href: `${base}${path}`,
      items: items.slice(0, 100),
      limit: 100,
      next,
      offset: 0,
      previous: null,
      total: items.length,
    };
  };
  /** Playlist entries carry `item` ([guide]); lenient mode also sends the deprecated `track` (python-spotify#774). */
  const entryJson = (playlist: { owner: string }, id: string): Record<string, unknown> => {
    const item = trackJson(tracks.get(id)!);
    return {
      added_at: '2026-03-10T12:00:00Z',
      added_by: userJson(playlist.owner),
      is_local: false,
      item,
      ...(strict ? {} : { track: item }),
    };
  };
  /** `fields=name,owner(id)`: the top-level fields named (what tracksync asks for; nested selections not modelled). */
  const selectFields = (url: URL, body: Record<string, unknown>): Record<string, unknown> => {
    const fields = url.searchParams.get('fields');
    if (!fields) return body;
    const names = fields
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    return Object.fromEntries(Object.entries(body).filter(([k]) => names.includes(k)));
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
        if (auth !== `${clientId}:${clientSecret}`)
          return send(res, 400, { error: 'invalid_client', error_description: 'Invalid client' });
        const grant = form.get('grant_type');
        if (grant === 'refresh_token' && form.get('refresh_token') !== refreshToken)
          return send(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
        if (grant !== 'refresh_token' && grant !== 'client_credentials')
          return send(res, 400, { error: 'unsupported_grant_type' });
        // Strict: the accounts service refuses too (the status it uses is not documented; 400 like its other refusals).
        if (strict && !ownerPremium) return send(res, 400, { error: 'invalid_request', error_description: NO_PREMIUM });
        const token = randomUUID();
        tokens.set(token, { expiresAt: Date.now() + tokenLifetimeSeconds * 1000, user: grant === 'refresh_token' });
        return send(res, 200, {
          access_token: token,
          token_type: 'Bearer',
          expires_in: tokenLifetimeSeconds,
          scope: grant === 'refresh_token' ? 'user-library-read playlist-read-private playlist-read-collaborative' : '',
        });
      }
      if (url.pathname.startsWith('/images/')) {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(solidPng(200, 40, 120));
      }
      if (!url.pathname.startsWith('/v1/')) return fail(res, 404, 'Service not found');
      const token = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!token) return fail(res, 401, 'Invalid access token');
      if (Date.now() > token.expiresAt) return fail(res, 401, 'The access token expired');
      // [guide] "Premium Requirement": the app stops working while the owner's Premium has lapsed.
      if (!ownerPremium) return fail(res, 403, NO_PREMIUM);
      // Development Mode serves only the users on the app's allow-list ([guide] "App Limits": at most 5).
      if (token.user && !userAllowed) return fail(res, 403, NOT_ALLOWED);
      if (limited.count > 0) {
        limited.count -= 1;
        return fail(res, 429, 'API rate limit exceeded', { 'retry-after': String(limited.seconds) });
      }
      if (REMOVED.some((pattern) => pattern.test(url.pathname))) return fail(res, 403, 'Forbidden');
      const parts = url.pathname.split('/').filter(Boolean).slice(1);
      if (parts[0] === 'tracks' && parts[1]) {
        const track = tracks.get(parts[1]);
        return track
          ? send(res, 200, trackJson(track))
          : /^[A-Za-z0-9]{22}$/.test(parts[1])
            ? fail(res, 404, 'Non existing id')
            : fail(res, 400, 'Invalid base62 id');
      }
      if (parts[0] === 'search') {
        const words = (url.searchParams.get('q') ?? '')
          .toLowerCase()
          .split(/\s+/)
          .filter((w) => w && !w.includes(':'));
        const isrc = (url.searchParams.get('q') ?? '').match(/isrc:(\S+)/i)?.[1];
        const hits = [...tracks.values()].filter((t) =>
          isrc
            ? t.isrc === isrc
            : words.every((w) => `${t.name} ${t.artists.map((a) => a.name).join(' ')}`.toLowerCase().includes(w)),
        );
        const found = page(url, hits.map(trackJson), '/v1/search', {
          max: SEARCH_MAX_LIMIT,
          byDefault: SEARCH_DEFAULT_LIMIT,
        });
        return found ? send(res, 200, { tracks: found }) : fail(res, 400, 'Invalid limit');
      }
      if (parts[0] === 'me' && parts[1] === 'tracks') {
        // Reading liked songs remains; only the library writes moved to PUT/DELETE /me/library ([guide]).
        const items = [...likes].reverse().map((l) => ({ added_at: l.addedAt, track: trackJson(tracks.get(l.id)!) }));
        const found = page(url, items, '/v1/me/tracks', pageLimits);
        return found ? send(res, 200, found) : fail(res, 400, 'Invalid limit');
      }
      if (parts[0] === 'playlists' && parts[1]) {
        const playlist = playlists.get(parts[1]);
        if (!playlist) return fail(res, 404, 'Resource not found');
        // [items]: the items of playlists the current user owns or collaborates on, and only with a user token.
        const readable = token.user && (playlist.owner === userId || playlist.collaborators.includes(userId));
        const entries = (): unknown[] => playlist.trackIds.map((id) => entryJson(playlist, id));
        if (parts[2] === 'items') {
          if (!readable) return fail(res, 403, 'Forbidden');
          const found = page(url, entries(), `/v1/playlists/${parts[1]}/items`, pageLimits);
          return found ? send(res, 200, found) : fail(res, 400, 'Invalid limit');
        }
        if (parts[2]) return fail(res, 404, 'Service not found');
        // The playlist object: metadata for any playlist, its items (renamed from `tracks`) only when readable.
        const meta: Record<string, unknown> = {
          collaborative: playlist.collaborators.length > 0,
          external_urls: { spotify: `https://open.spotify.com/playlist/${parts[1]}` },
          id: parts[1],
          name: playlist.name,
          owner: userJson(playlist.owner),
          public: playlist.collaborators.length === 0,
          type: 'playlist',
          uri: `spotify:playlist:${parts[1]}`,
          ...(readable ? { items: firstPage(entries(), `/v1/playlists/${parts[1]}/items`) } : {}),
        };
        return send(res, 200, selectFields(url, meta));
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
    userId,
    addTrack: (track) => tracks.set(track.id, track),
    like: (id) => likes.push({ id, addedAt: new Date().toISOString() }),
    addPlaylist: (id, name, trackIds, more = {}) =>
      playlists.set(id, { name, trackIds, owner: more.owner ?? userId, collaborators: more.collaborators ?? [] }),
    rateLimit: (count, seconds) => {
      limited = { count, seconds };
    },
    setTokenLifetime: (seconds) => {
      tokenLifetimeSeconds = seconds;
    },
    setOwnerPremium: (premium) => {
      ownerPremium = premium;
    },
    setUserAllowed: (allowed) => {
      userAllowed = allowed;
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
