import { ensurePlaylistPage } from '../domain/playlists.js';
import type { Config } from '../config/load.js';
import { coerceError, type TrackSyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { NotionGateway } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import { createTrackRow, findTrackRow } from '../domain/lookup.js';
import type { MediaServices } from '../services/media.js';
import { classifyUrl, type ClassifiedUrl } from '../domain/urls.js';

/**
 * Sources that feed Music Tracks: SoundCloud likes and chosen sets, Spotify liked songs and chosen playlists. A feed
 * run adds a row for each new track (deduplicated by the identity rules); the normal poller then processes the rows.
 * Likes are read newest first and the run stops at the first track already known (incremental); playlists are read
 * whole, their new tracks linked to the playlist. Nothing is ever deleted because it left a playlist (scdl #441,
 * spotDL #1794). Listings are flat: one request per list, not one per track (the legacy full extraction took 90 s).
 */

export interface FeedEntry {
  readonly target: ClassifiedUrl;
  readonly title: string;
  readonly artist: string;
}

interface Feed {
  readonly name: string;
  /** Newest first for likes. */
  readonly incremental: boolean;
  readonly playlist?: { readonly name: string; readonly url: string };
  readonly entries: readonly FeedEntry[];
}

export interface FeedReport {
  readonly feed: string;
  readonly listed: number;
  readonly created: number;
  readonly known: number;
  /** Why the feed could not be read (or stopped part way), in words. */
  readonly error?: string;
  /** The same failure with its code, which says whether trying again can help (the feeds job rethrows it). */
  readonly failure?: TrackSyncError;
}

/** Where a run of the feeds stands: the feed being read, how far, and what it found so far (the CLI's live line). */
export interface FeedProgress {
  readonly feed: string;
  readonly done: number;
  readonly total: number;
  readonly created: number;
  readonly known: number;
}

export interface FeedDeps {
  readonly onProgress?: (progress: FeedProgress) => void;
  readonly config: Config;
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly media: MediaServices;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

const entriesOf = (items: ReadonlyArray<{ url: string; title: string; artist: string }>): FeedEntry[] =>
  items.flatMap((item) => {
    const c = classifyUrl(item.url);
    return c.ok && c.value.kind === 'track' ? [{ target: c.value, title: item.title, artist: item.artist }] : [];
  });

/** The feeds the configuration turns on, each listed (a feed that fails to list is reported, the others go on). */
async function listFeeds(deps: FeedDeps, reports: FeedReport[]): Promise<Feed[]> {
  const { config, media, signal } = deps;
  const jobs: Array<[string, () => Promise<Feed>]> = [];
  const cap = config.feeds.maxNewRowsPerRun;
  if (config.feeds.soundcloudLikes && config.soundcloudProfile) {
    const url = config.feeds.soundcloudLikesUrl.replace('{profile}', config.soundcloudProfile);
    jobs.push([
      `SoundCloud likes of ${config.soundcloudProfile}`,
      async () => {
        const listing = await media.ytdlp.list(url, 'soundcloud', { signal, limit: cap });
        return {
          name: `SoundCloud likes of ${config.soundcloudProfile}`,
          incremental: true,
          entries: entriesOf(listing.entries.map((e) => ({ url: e.url, title: e.title, artist: e.uploader ?? '' }))),
        };
      },
    ]);
  }
  for (const url of config.feeds.soundcloudPlaylists) {
    jobs.push([
      `SoundCloud set ${url}`,
      async () => {
        // Bounded like a task's playlist (tasks.maxPlaylistTracks): never paged through to the end of a huge set.
        const listing = await media.ytdlp.list(url, 'soundcloud', { signal, limit: config.tasks.maxPlaylistTracks });
        return {
          name: `SoundCloud set ${listing.title ?? url}`,
          incremental: false,
          playlist: { name: listing.title ?? url, url },
          entries: entriesOf(listing.entries.map((e) => ({ url: e.url, title: e.title, artist: e.uploader ?? '' }))),
        };
      },
    ]);
  }
  if (config.feeds.spotifyLikes && media.spotify) {
    const spotify = media.spotify;
    jobs.push([
      'Spotify liked songs',
      async () => {
        const tracks = await spotify.likedTracks(Math.min(50, cap));
        return {
          name: 'Spotify liked songs',
          incremental: true,
          entries: entriesOf(
            tracks.map((t) => ({ url: t.url, title: t.name, artist: t.artists.map((a) => a.name).join(', ') })),
          ),
        };
      },
    ]);
  }
  for (const id of config.feeds.spotifyPlaylists) {
    if (!media.spotify) break;
    const spotify = media.spotify;
    const playlistId = id.match(/[A-Za-z0-9]{22}/)?.[0] ?? id;
    jobs.push([
      `Spotify playlist ${playlistId}`,
      async () => {
        const result = await spotify.playlist(playlistId, config.tasks.maxPlaylistTracks);
        return {
          name: `Spotify playlist ${result.name}`,
          incremental: false,
          playlist: { name: result.name, url: `https://open.spotify.com/playlist/${playlistId}` },
          entries: entriesOf(
            result.tracks.map((t) => ({ url: t.url, title: t.name, artist: t.artists.map((a) => a.name).join(', ') })),
          ),
        };
      },
    ]);
  }
  const feeds: Feed[] = [];
  for (const [name, list] of jobs) {
    try {
      feeds.push(await list());
    } catch (raw) {
      const error = coerceError(raw);
      if (error.code === 'ABORTED') throw error;
      reports.push({ feed: name, listed: 0, created: 0, known: 0, error: error.message, failure: error });
      deps.logger.warn({ feed: name, err: error }, 'feed could not be read; the others go on');
    }
  }
  return feeds;
}

/** One run of every configured feed. Returns what each did; never throws for one feed's failure. */
export async function runFeeds(deps: FeedDeps): Promise<FeedReport[]> {
  const reports: FeedReport[] = [];
  let budget = deps.config.feeds.maxNewRowsPerRun;
  for (const feed of await listFeeds(deps, reports)) {
    let created = 0;
    let known = 0;
    try {
      const playlistId = feed.playlist
        ? await ensurePlaylistPage(deps.notion, deps.schemas, feed.playlist.name, feed.playlist.url)
        : undefined;
      for (const [index, entry] of feed.entries.entries()) {
        deps.signal.throwIfAborted();
        deps.onProgress?.({ feed: feed.name, done: index, total: feed.entries.length, created, known });
        if (await findTrackRow(deps.notion, deps.schemas.tracks, entry.target)) {
          known += 1;
          if (feed.incremental) break; // newest first: everything after this one is known too
          continue;
        }
        if (budget <= 0) break;
        await createTrackRow(deps.notion, deps.schemas.tracks, entry.target, {
          title: entry.title,
          artist: entry.artist,
          ...(playlistId ? { playlistIds: [playlistId] } : {}),
        });
        created += 1;
        budget -= 1;
      }
      reports.push({ feed: feed.name, listed: feed.entries.length, created, known });
    } catch (raw) {
      const error = coerceError(raw);
      if (error.code === 'ABORTED') throw error;
      deps.logger.warn({ feed: feed.name, created, err: error }, 'feed stopped part way; the others go on');
      reports.push({
        feed: feed.name,
        listed: feed.entries.length,
        created,
        known,
        error: error.message,
        failure: error,
      });
    }
  }
  if (reports.some((r) => r.created > 0))
    deps.logger.info(
      { feeds: reports.map(({ failure: _failure, ...report }) => report) }, // each failure was logged where it happened
      'feeds added new Music Tracks rows',
    );
  return reports;
}
