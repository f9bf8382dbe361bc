import { createRequire } from 'node:module';
import SpotifyWebApi from 'spotify-web-api-node';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { TrackSyncError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The Spotify adapter, around spotify-web-api-node (the design card's choice).
 *
 * That package is unmaintained (last release about January 2021) and hard-codes api.spotify.com and
 * accounts.spotify.com as module constants (docs/decisions.md, "Card packages behind adapters"), so nothing else in
 * tracksync imports it: to point it
 * at SPOTIFY_API_BASE_URL / SPOTIFY_ACCOUNTS_BASE_URL (the local Spotify in tests and the demo) this file wraps the
 * package's two request builders, and replacing the package later means rewriting only this file
 * (@spotify/web-api-ts-sdk, or plain fetch).
 *
 * A personal app is a Development Mode app, and since 2026-03-09 Spotify serves those a smaller API (February 2026
 * migration guide, developer.spotify.com/documentation/web-api/tutorials/february-2026-migration-guide; Web API
 * changelogs of February and March 2026, .../references/changes/february-2026 and .../march-2026). The package
 * predates that. What tracksync uses of it still works: the token grants, one track (GET /tracks/{id}), search, the
 * user's saved tracks (GET /me/tracks) and a playlist's metadata (GET /playlists/{id}). Where it would call what is
 * gone this file makes the current call itself (see playlist() and searchTracks()); README "Known limits of the real
 * services" lists every limit and what tracksync does about it.
 *
 * Never calls audio-features: that endpoint answers 403 to apps created after 27 November 2024 (spotipy #1173); BPM
 * and key come from our own analysis. Never calls the multi-id GET /tracks?ids= either (removed, 403): one id a call.
 */

export interface SpotifyTrack {
  readonly id: string;
  readonly name: string;
  readonly artists: ReadonlyArray<{ readonly id: string; readonly name: string; readonly url: string | null }>;
  readonly album: string | null;
  readonly releaseDate: string | null;
  readonly durationMs: number;
  /** Null when Spotify does not say: Development Mode apps no longer get it (February 2026 changelog). */
  readonly popularity: number | null;
  readonly isrc: string | null;
  readonly url: string;
  readonly imageUrl: string | null;
  readonly explicit: boolean;
}

const require = createRequire(import.meta.url);
let patchedFor = '';

/** Points the package's request builders at the configured hosts (once per process; the hosts are per process too). */
function pointAt(apiBase: string | undefined, accountsBase: string | undefined): void {
  const key = `${apiBase ?? ''}|${accountsBase ?? ''}`;
  if (patchedFor === key || (!apiBase && !accountsBase)) return;
  const wrap = (modulePath: string, base: string | undefined): void => {
    if (!base) return;
    const mod = require(modulePath) as {
      builder: (...a: unknown[]) => BuilderLike;
      originalBuilder?: (...a: unknown[]) => BuilderLike;
    };
    mod.originalBuilder ??= mod.builder;
    const url = new URL(base);
    const original = mod.originalBuilder;
    mod.builder = (...args: unknown[]) =>
      original(...args)
        .withHost(url.hostname)
        .withPort(Number(url.port) || (url.protocol === 'https:' ? 443 : 80))
        .withScheme(url.protocol.replace(':', ''));
  };
  wrap('spotify-web-api-node/src/webapi-request', apiBase);
  wrap('spotify-web-api-node/src/authentication-request', accountsBase);
  patchedFor = key;
}

interface BuilderLike {
  withHost(host: string): BuilderLike;
  withPort(port: number): BuilderLike;
  withScheme(scheme: string): BuilderLike;
}

interface WebApiErrorLike {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: { error?: { message?: string } | string; error_description?: string } | string;
  message?: string;
}

/** Search's `limit` is at most 10 for a Development Mode app (February 2026 changelog; 400 "Invalid limit" above). */
const SEARCH_MAX_LIMIT = 10;
/**
 * Get Playlist Items: at most 50 a page (developer.spotify.com/documentation/web-api/reference/get-playlists-items).
 */
const PLAYLIST_PAGE_LIMIT = 50;
/** Get User's Saved Tracks takes at most 50 a page. */
const SAVED_TRACKS_MAX_LIMIT = 50;
/** A request of our own (see #get) that has not answered in 30 s is given up (then retried as SPOTIFY_UNAVAILABLE). */
const REQUEST_TIMEOUT_MS = 30_000;

export class SpotifyService {
  readonly #api: SpotifyWebApi;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #userAuth: boolean;
  readonly #fetch: typeof fetch;
  readonly #apiBase: string;
  #expiresAt = 0;

  private constructor(
    api: SpotifyWebApi,
    options: { userAuth: boolean; apiBase: string; fetch: typeof fetch; clock: Clock; logger: Logger },
  ) {
    this.#api = api;
    this.#userAuth = options.userAuth;
    this.#apiBase = options.apiBase;
    this.#fetch = options.fetch;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** A client when SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set; undefined otherwise (Spotify is optional). */
  static fromConfig(
    config: Config,
    clock: Clock,
    logger: Logger,
    fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ): SpotifyService | undefined {
    const { clientId, clientSecret, refreshToken, apiBaseUrl, accountsBaseUrl } = config.spotify;
    if (!clientId || !clientSecret) return undefined;
    pointAt(apiBaseUrl, accountsBaseUrl);
    const api = new SpotifyWebApi({ clientId, clientSecret, ...(refreshToken ? { refreshToken } : {}) });
    const apiBase = apiBaseUrl ?? 'https://api.spotify.com';
    return new SpotifyService(api, { userAuth: refreshToken !== undefined, apiBase, fetch: fetchImpl, clock, logger });
  }

  /** With a refresh token: the user's token (liked songs, playlists); without: client credentials (tracks, search). */
  async #ensureToken(force = false): Promise<void> {
    if (!force && this.#clock.now() < this.#expiresAt) return;
    const grant = this.#userAuth ? await this.#api.refreshAccessToken() : await this.#api.clientCredentialsGrant();
    this.#api.setAccessToken(grant.body.access_token);
    // Renew a minute early: a request must not start with a token that expires on the way.
    this.#expiresAt = this.#clock.now() + (grant.body.expires_in - 60) * 1000;
  }

  /** One call: a fresh token, one retry after a 401 (expired early), 429 raised with its Retry-After. */
  async #call<T>(what: string, fn: () => Promise<{ body: T }>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.#ensureToken(attempt > 0);
        return (await fn()).body;
      } catch (raw) {
        const error = raw as WebApiErrorLike;
        const status = error.statusCode ?? 0;
        if (status === 401 && attempt === 0) continue;
        throw mapSpotifyError(error, what);
      }
    }
  }

  /**
   * A GET the package cannot make (an endpoint newer than it), with the package's token; errors shaped like its own.
   */
  async #get<T>(path: string, query: Record<string, string | number>): Promise<{ body: T }> {
    const url = new URL(`/v1${path}`, this.#apiBase);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    const response = await this.#fetch(url, {
      headers: { authorization: `Bearer ${this.#api.getAccessToken() ?? ''}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): kept as text for the message
    }
    if (!response.ok) {
      const headers = Object.fromEntries(response.headers);
      const failure: WebApiErrorLike = { statusCode: response.status, headers, body: body as WebApiErrorLike['body'] };
      throw failure;
    }
    return { body: body as T };
  }

  /** Asks for a token now: proves the client id and secret (and the refresh token, when set) are accepted. */
  async verifyCredentials(): Promise<void> {
    try {
      await this.#ensureToken(true);
    } catch (raw) {
      throw mapSpotifyError(raw as WebApiErrorLike, 'credentials');
    }
  }

  /**
   * A token and one small catalogue request with it: whether Spotify serves the app now. A refused app (no Premium,
   * a user not on the allow-list) still gets tokens (the refusal comes with the request), so a token alone proves less.
   */
  async checkAccess(): Promise<void> {
    await this.verifyCredentials();
    await this.searchTracks('a', 1);
  }

  async track(id: string): Promise<SpotifyTrack> {
    const body = await this.#call(`track ${id}`, () => this.#api.getTrack(id));
    return toTrack(body as unknown as RawTrack);
  }

  /** Up to `limit` results, asked for in requests of at most 10 (SEARCH_MAX_LIMIT) with an offset. */
  async searchTracks(query: string, limit = 5): Promise<SpotifyTrack[]> {
    const found: SpotifyTrack[] = [];
    while (found.length < limit) {
      const want = Math.min(SEARCH_MAX_LIMIT, limit - found.length);
      const offset = found.length;
      const body = await this.#call(`search "${query}"`, () => this.#api.searchTracks(query, { limit: want, offset }));
      const items = (body.tracks?.items ?? []) as unknown as RawTrack[];
      found.push(...items.map(toTrack));
      if (items.length < want || !body.tracks?.next) break;
    }
    return found;
  }

  /** The user's liked songs, newest first (needs SPOTIFY_REFRESH_TOKEN with the user-library-read scope). */
  async likedTracks(limit: number): Promise<SpotifyTrack[]> {
    if (!this.#userAuth)
      throw new TrackSyncError(
        'SPOTIFY_UNAUTHORIZED',
        'liked songs need SPOTIFY_REFRESH_TOKEN (a user token with the user-library-read scope)',
      );
    const body = await this.#call('liked songs', () =>
      this.#api.getMySavedTracks({ limit: Math.min(SAVED_TRACKS_MAX_LIMIT, limit) }),
    );
    return (body.items as unknown as Array<{ track: RawTrack }>).map((i) => toTrack(i.track));
  }

  /**
   * Every track of a playlist, in pages of 50. The package's getPlaylistTracks calls GET /playlists/{id}/tracks, which
   * answers 403 to Development Mode apps since 2026-03-09; its replacement GET /playlists/{id}/items (entries carry
   * `item` instead of `track`) is called here directly (migration guide, "Playlist endpoint rename"). It serves only
   * playlists the user owns or collaborates on, and only to the user's token (Get Playlist Items reference): someone
   * else's playlist is refused with the reason and what to do (SPOTIFY_PLAYLIST_NOT_OWNED), not a bare 403.
   * Reading stops at `maxTracks`: no page is read past what the caller needs.
   */
  async playlist(id: string, maxTracks = Infinity): Promise<{ name: string; tracks: SpotifyTrack[] }> {
    if (!this.#userAuth) {
      throw new TrackSyncError(
        'SPOTIFY_UNAUTHORIZED',
        `Spotify playlist ${id}: since March 2026 Spotify gives a playlist's tracks only to a user token, for playlists that user owns or collaborates on; set SPOTIFY_REFRESH_TOKEN (a refresh token of your account with the playlist-read-private and playlist-read-collaborative scopes)`,
        { details: { processingTag: 'Metadata_Failed' } },
      );
    }
    const fields = 'name,owner(id,display_name)';
    const meta = (await this.#call(`playlist ${id}`, () =>
      this.#api.getPlaylist(id, { fields }),
    )) as unknown as RawPlaylist;
    const name = meta.name ?? id;
    const tracks: SpotifyTrack[] = [];
    for (let offset = 0; tracks.length < maxTracks;) {
      let page: { items: RawPlaylistEntry[]; next: string | null };
      try {
        const path = `/playlists/${encodeURIComponent(id)}/items`;
        const limit = Math.min(PLAYLIST_PAGE_LIMIT, maxTracks - tracks.length);
        page = await this.#call(`playlist ${id} items`, () => this.#get(path, { offset, limit }));
      } catch (error) {
        if (error instanceof TrackSyncError && error.code === 'SPOTIFY_FORBIDDEN')
          throw notOwned(id, name, meta.owner, error);
        throw error;
      }
      // `track` is the deprecated name of `item`; an entry may also be an episode or a local file (no id): skipped.
      for (const entry of page.items) {
        const raw = entry.item ?? entry.track;
        if (raw?.id && raw.type !== 'episode' && tracks.length < maxTracks) tracks.push(toTrack(raw));
      }
      offset += page.items.length;
      if (!page.next || page.items.length === 0) break;
    }
    this.#logger.debug({ id, tracks: tracks.length }, 'spotify playlist read');
    return { name, tracks };
  }
}

interface RawPlaylist {
  name?: string;
  owner?: { id?: string; display_name?: string | null };
}

interface RawPlaylistEntry {
  item?: RawTrack | null;
  track?: RawTrack | null;
}

function notOwned(id: string, name: string, owner: RawPlaylist['owner'], cause: TrackSyncError): TrackSyncError {
  const who = owner?.display_name || owner?.id;
  return new TrackSyncError(
    'SPOTIFY_PLAYLIST_NOT_OWNED',
    `the Spotify playlist "${name}" (${id})${who ? ` belongs to ${who}` : ''}: since March 2026 Spotify lets a personal (Development Mode) app read the tracks of only the playlists you own or collaborate on. To sync it, copy it into your own account: open it in the Spotify app, select all its tracks (Cmd-A), right-click > Add to playlist > New playlist, then give tracksync the new playlist's link`,
    { cause, details: { processingTag: 'Metadata_Failed' } },
  );
}

interface RawTrack {
  id: string;
  type?: string;
  name: string;
  artists: Array<{ id: string; name: string; external_urls?: { spotify?: string } }>;
  album?: { name?: string; release_date?: string; images?: Array<{ url: string; width?: number }> };
  duration_ms: number;
  popularity?: number;
  external_ids?: { isrc?: string };
  external_urls?: { spotify?: string };
  explicit?: boolean;
}

function toTrack(raw: RawTrack): SpotifyTrack {
  const images = [...(raw.album?.images ?? [])].sort((a, b) => (b.width ?? 0) - (a.width ?? 0));
  return {
    id: raw.id,
    name: raw.name,
    artists: raw.artists.map((a) => ({ id: a.id, name: a.name, url: a.external_urls?.spotify ?? null })),
    album: raw.album?.name ?? null,
    releaseDate: raw.album?.release_date ?? null,
    durationMs: raw.duration_ms,
    popularity: raw.popularity ?? null,
    isrc: raw.external_ids?.isrc ?? null,
    url: raw.external_urls?.spotify ?? `https://open.spotify.com/track/${raw.id}`,
    imageUrl: images[0]?.url ?? null,
    explicit: raw.explicit === true,
  };
}

/** Spotify's words for a refused app (quoted in src/sandbox/spotify-server.ts, with where they were seen). */
const NO_PREMIUM = /premium subscription|spotify premium/i;
const NOT_ON_ALLOW_LIST = /not registered in the developer dashboard|not approved for app/i;

export function mapSpotifyError(error: WebApiErrorLike, what: string): TrackSyncError {
  const status = error.statusCode ?? 0;
  const body = typeof error.body === 'string' ? { error: error.body } : error.body;
  const said = [typeof body?.error === 'string' ? body.error : body?.error?.message, body?.error_description];
  const detail = said.filter(Boolean).join(': ') || (error.message ?? 'no detail');
  const message = `spotify: ${what}: ${status ? `HTTP ${status} ` : ''}${detail}`;
  const metadata = { processingTag: 'Metadata_Failed' };
  if (status === 429) {
    const retryAfter = Number(error.headers?.['retry-after']);
    return new TrackSyncError('SPOTIFY_RATE_LIMITED', message, {
      cause: error,
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  // Development Mode since 2026-03-09 (migration guide, "Premium Requirement", "App Limits"): the app works only while
  // its owner holds Premium, and only for the users on its allow-list. Either refusal can come from the token request
  // or from any API request, so it is recognised by Spotify's words wherever they appear.
  if (NO_PREMIUM.test(detail)) {
    return new TrackSyncError(
      'SPOTIFY_APP_REFUSED',
      `${message}. Spotify refuses the app: the Spotify account that owns it has no active Premium subscription, which apps in Development Mode need since March 2026. Fix: renew Premium on the account that created the app at https://developer.spotify.com/dashboard (Spotify can take a few hours to let requests through again); rows that need Spotify wait until then`,
      { cause: error, details: { ...metadata, reason: 'premium' } },
    );
  }
  if (NOT_ON_ALLOW_LIST.test(detail)) {
    return new TrackSyncError(
      'SPOTIFY_APP_REFUSED',
      `${message}. Spotify refuses the user: the Spotify account whose refresh token tracksync uses (SPOTIFY_REFRESH_TOKEN) is not on the app's allow-list. Fix: at https://developer.spotify.com/dashboard open the app, Settings > User Management, and add that account's name and e-mail (at most 5 users per app); rows that need Spotify wait until then`,
      { cause: error, details: { ...metadata, reason: 'allow-list' } },
    );
  }
  if (status === 401 || (status === 400 && /invalid_client|invalid_grant/.test(detail))) {
    return new TrackSyncError(
      'SPOTIFY_UNAUTHORIZED',
      `${message} (check SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN)`,
      { cause: error },
    );
  }
  // A plain 403 is an endpoint or a resource Development Mode apps may not use (February 2026 changelog), not a
  // credentials problem: the same credentials work for everything else.
  if (status === 403) {
    return new TrackSyncError(
      'SPOTIFY_FORBIDDEN',
      `${message}: Spotify does not allow this request to a personal (Development Mode) app`,
      { cause: error, details: metadata },
    );
  }
  if (status === 404) return new TrackSyncError('SOURCE_NOT_FOUND', message, { cause: error });
  return new TrackSyncError('SPOTIFY_UNAVAILABLE', message, { cause: error });
}
