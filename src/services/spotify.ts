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
 * accounts.spotify.com as module constants (media-notes.md §10), so nothing else in tracksync imports it: to point it
 * at SPOTIFY_API_BASE_URL / SPOTIFY_ACCOUNTS_BASE_URL (the local Spotify in tests and the demo) this file wraps the
 * package's two request builders, and replacing the package later means rewriting only this file
 * (@spotify/web-api-ts-sdk, or plain fetch).
 *
 * Never calls audio-features: that endpoint answers 403 to apps created after 27 November 2024 (spotipy #1173); BPM
 * and key come from our own analysis.
 */

export interface SpotifyTrack {
  readonly id: string;
  readonly name: string;
  readonly artists: ReadonlyArray<{ readonly id: string; readonly name: string; readonly url: string | null }>;
  readonly album: string | null;
  readonly releaseDate: string | null;
  readonly durationMs: number;
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
    const mod = require(modulePath) as { builder: (...a: unknown[]) => BuilderLike; originalBuilder?: (...a: unknown[]) => BuilderLike };
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
  body?: { error?: { message?: string } | string; error_description?: string };
  message?: string;
}

export class SpotifyService {
  readonly #api: SpotifyWebApi;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #userAuth: boolean;
  #expiresAt = 0;

  private constructor(api: SpotifyWebApi, userAuth: boolean, clock: Clock, logger: Logger) {
    this.#api = api;
    this.#userAuth = userAuth;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** A client when SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set; undefined otherwise (Spotify is optional). */
  static fromConfig(config: Config, clock: Clock, logger: Logger): SpotifyService | undefined {
    const { clientId, clientSecret, refreshToken, apiBaseUrl, accountsBaseUrl } = config.spotify;
    if (!clientId || !clientSecret) return undefined;
    pointAt(apiBaseUrl, accountsBaseUrl);
    const api = new SpotifyWebApi({ clientId, clientSecret, ...(refreshToken ? { refreshToken } : {}) });
    return new SpotifyService(api, refreshToken !== undefined, clock, logger);
  }

  /** With a refresh token: the user's token (needed for liked songs); without: client credentials (tracks, search). */
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

  /** Asks for a token now: proves the client id and secret (and the refresh token, when set) are accepted. */
  async verifyCredentials(): Promise<void> {
    try {
      await this.#ensureToken(true);
    } catch (raw) {
      throw mapSpotifyError(raw as WebApiErrorLike, 'credentials');
    }
  }

  async track(id: string): Promise<SpotifyTrack> {
    const body = await this.#call(`track ${id}`, () => this.#api.getTrack(id));
    return toTrack(body as unknown as RawTrack);
  }

  async searchTracks(query: string, limit = 5): Promise<SpotifyTrack[]> {
    const body = await this.#call(`search "${query}"`, () => this.#api.searchTracks(query, { limit }));
    return ((body.tracks?.items ?? []) as unknown as RawTrack[]).map(toTrack);
  }

  /** The user's liked songs, newest first (needs SPOTIFY_REFRESH_TOKEN with the user-library-read scope). */
  async likedTracks(limit: number): Promise<SpotifyTrack[]> {
    if (!this.#userAuth) throw new TrackSyncError('SPOTIFY_UNAUTHORIZED', 'liked songs need SPOTIFY_REFRESH_TOKEN (a user token with the user-library-read scope)');
    const body = await this.#call('liked songs', () => this.#api.getMySavedTracks({ limit: Math.min(50, limit) }));
    return (body.items as unknown as Array<{ track: RawTrack }>).map((i) => toTrack(i.track));
  }

  /** The tracks of a playlist, following pages of 100, up to `maxTracks` (no page is read past what is needed). */
  async playlist(id: string, maxTracks = Infinity): Promise<{ name: string; tracks: SpotifyTrack[] }> {
    const meta = await this.#call(`playlist ${id}`, () => this.#api.getPlaylist(id, { fields: 'name' }));
    const tracks: SpotifyTrack[] = [];
    for (let offset = 0; tracks.length < maxTracks; offset += 100) {
      const limit = Math.min(100, maxTracks - tracks.length);
      const page = await this.#call(`playlist ${id} tracks`, () => this.#api.getPlaylistTracks(id, { offset, limit }));
      for (const item of page.items as unknown as Array<{ track: RawTrack | null }>) if (item.track?.id && tracks.length < maxTracks) tracks.push(toTrack(item.track));
      if (!page.next) break;
    }
    this.#logger.debug({ id, tracks: tracks.length }, 'spotify playlist read');
    return { name: (meta as { name?: string }).name ?? id, tracks };
  }
}

interface RawTrack {
  id: string;
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

export function mapSpotifyError(error: WebApiErrorLike, what: string): TrackSyncError {
  const status = error.statusCode ?? 0;
  const detail = typeof error.body?.error === 'string' ? error.body.error : (error.body?.error?.message ?? error.body?.error_description ?? error.message ?? 'no detail');
  const message = `spotify: ${what}: ${status ? `HTTP ${status} ` : ''}${detail}`;
  if (status === 429) {
    const retryAfter = Number(error.headers?.['retry-after']);
    return new TrackSyncError('SPOTIFY_RATE_LIMITED', message, { cause: error, ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) });
  }
  if (status === 401 || status === 403 || (status === 400 && /invalid_client|invalid_grant/.test(detail))) {
    return new TrackSyncError('SPOTIFY_UNAUTHORIZED', `${message} (check SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN)`, { cause: error });
  }
  if (status === 404) return new TrackSyncError('SOURCE_NOT_FOUND', message, { cause: error });
  return new TrackSyncError('SPOTIFY_UNAVAILABLE', message, { cause: error });
}
