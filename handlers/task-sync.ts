import { createHash } from 'node:crypto';
import { trackEligibilityFilter } from '../src/app/sources/tracks.js';
import { coerceError, type ErrorCode } from '../src/errors.js';
import { problemLine, trackLine, type TrackLine } from '../src/handoff/report.js';
import { readText } from '../src/notion/codecs.js';
import { addToRelation } from '../src/notion/relations.js';
import { createTrackRow, findTrackRow } from '../src/domain/lookup.js';
import { cleanText } from '../src/text.js';
import { ensurePlaylistPage } from '../src/domain/playlists.js';
import { listPlaylistEntries, type PlaylistListing } from '../src/feeds/listing.js';
import { MEDIA, type MediaServices } from '../src/services/media.js';
import { spotifyNowPlaying } from '../src/services/now-playing.js';
import { classifyUrl, findUrls, type ClassifiedUrl } from '../src/domain/urls.js';
import type { HandlerContext } from '../src/engine/contracts.js';

/**
 * What the music-sync and playlist-sync handlers share: reading what a task asks for, finding or creating each track's
 * row, running the track pipeline on it now, and turning the outcome into a line of the report. Every step is a
 * checkpointed stage of the task, so a task interrupted half-way (a 500-track playlist, a restart) resumes where it
 * was.
 */

type TaskContext = HandlerContext<'tasks'>;

/** A playlist no retry can read until a person acts: private, no user token, or someone else's Spotify playlist. */
const PLAYLIST_BLOCKING: ReadonlySet<ErrorCode> = new Set([
  'SOURCE_PRIVATE',
  'SPOTIFY_UNAUTHORIZED',
  'SPOTIFY_PLAYLIST_NOT_OWNED',
]);

const key = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The task's text: Description, Next Required Step and Success Criteria. */
export function taskText(ctx: TaskContext): string {
  const f = ctx.input.fields;
  return [f.description, f.nextStep, f.successCriteria]
    .map((v) => (typeof v === 'string' ? cleanText(v) : ''))
    .join('\n');
}

/**
 * "limit: 3" (or "limit 3") in the task text: it can lower the configured cap, never raise it (the text is anyone's,
 * the cap is the user's). `note` tells the task's report when the text asked for more than the cap.
 */
export function taskLimit(
  text: string,
  cap: number,
  setting = 'tasks.maxTracksPerTask',
): { limit: number; asked: number | null; note?: string } {
  const match = text.match(/\blimit\s*[:=]?\s*(\d{1,9})\b/i);
  if (!match) return { limit: cap, asked: null };
  const asked = Math.max(1, Number(match[1]));
  if (asked <= cap) return { limit: asked, asked };
  return {
    limit: cap,
    asked,
    note: `The task asks for ${asked} tracks; the configured cap is ${cap} (${setting}), which a task cannot raise.`,
  };
}

/** How many Music Tracks rows one task may still create (tasks.maxNewRowsPerTask, lowered by the task's "limit"). */
export class RowBudget {
  created = 0;
  refused = 0;
  constructor(readonly total: number) {}

  get remaining(): number {
    return Math.max(0, this.total - this.created);
  }

  /** The report's line about rows, when the task created any or was stopped by the cap. */
  note(): string | undefined {
    if (this.created >= this.total || this.refused > 0) {
      return `${this.created} new Music Tracks row(s) created: the most one task may create (tasks.maxNewRowsPerTask, or the task's limit)${this.refused > 0 ? `; ${this.refused} more track(s) got no row` : ''}.`;
    }
    return this.created > 0 ? `${this.created} new Music Tracks row(s) created.` : undefined;
  }
}

export interface TaskTargets {
  readonly tracks: ClassifiedUrl[];
  readonly playlists: ClassifiedUrl[];
  readonly problems: TrackLine[];
  readonly notes: string[];
}

/** Every URL in the text, classified; duplicates dropped (with a note), unusable ones reported. */
export function readTargets(text: string): TaskTargets {
  const tracks: ClassifiedUrl[] = [];
  const playlists: ClassifiedUrl[] = [];
  const problems: TrackLine[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const raw of findUrls(text)) {
    const c = classifyUrl(raw);
    if (!c.ok) {
      problems.push(problemLine(raw, `not a URL tracksync can use: ${c.reason}`));
      continue;
    }
    if (seen.has(c.value.url)) {
      notes.push(`${raw} appears more than once; synced once.`);
      continue;
    }
    seen.add(c.value.url);
    if (c.value.kind === 'playlist') playlists.push(c.value);
    else if (c.value.kind === 'track' || c.value.kind === 'short-link') tracks.push(c.value);
    else problems.push(problemLine(raw, `a ${c.value.platform} ${c.value.kind} page, not a track or a playlist`));
  }
  return { tracks, playlists, problems, notes };
}

/** Runs a row now and reports it; a line that ended for good is checkpointed, one that will be retried is not. */
export async function syncRow(ctx: TaskContext, pageId: string, label: string): Promise<TrackLine> {
  return ctx.stage(
    `sync ${pageId}`,
    'v1',
    async () => {
      try {
        return trackLine(ctx.schemas.tracks, await ctx.tracks.syncNow(pageId, ctx.signal), label);
      } catch (raw) {
        const error = coerceError(raw);
        if (error.code === 'ABORTED') throw error;
        return problemLine(label, `${error.message} [${error.code}]`);
      }
    },
    { isValid: (line) => line.succeeded || line.outcome === 'failed' || line.outcome === 'already-synced' },
  );
}

/**
 * Finds or creates the row of a track URL (checkpointed, so a retry never creates it twice). A new row takes one from
 * the task's budget; with none left the URL gets no row (null). A replayed checkpoint counts again, in the same order.
 */
async function taskRow(
  ctx: TaskContext,
  target: ClassifiedUrl,
  known: { title?: string; artist?: string; playlistIds?: string[] },
  budget: RowBudget,
): Promise<string | null> {
  const row = await ctx.stage(`row ${key(target.url)}`, 'v1', async () => {
    const existing = await findTrackRow(ctx.notion, ctx.schemas.tracks, target);
    if (existing) return { pageId: existing.id, created: false };
    if (budget.remaining <= 0) return { pageId: null, created: false };
    const page = await createTrackRow(ctx.notion, ctx.schemas.tracks, target, known);
    return { pageId: page.id, created: true };
  });
  if (row.created) budget.created += 1;
  if (row.pageId === null) budget.refused += 1;
  return row.pageId;
}

/** Finds or creates the row of a track URL, then syncs it. */
export async function syncUrl(
  ctx: TaskContext,
  target: ClassifiedUrl,
  budget: RowBudget,
  known: { title?: string; artist?: string; playlistIds?: string[] } = {},
): Promise<TrackLine> {
  let pageId: string | null;
  try {
    pageId = await taskRow(ctx, target, known, budget);
  } catch (raw) {
    const error = coerceError(raw);
    // Notion busy or down, or a create whose fate is not known yet (a crash while it was in flight; notion/creates.ts):
    // the task waits and resumes here from its checkpoints. Reporting the track as failed would close the task with a
    // row missing that a later attempt would have created.
    if (error.code === 'ABORTED' || error.kind !== 'permanent') throw error;
    return problemLine(target.url, `could not find or create its Music Tracks row: ${error.message}`);
  }
  if (pageId === null)
    return problemLine(
      target.url,
      `no row created: the task reached its cap of ${budget.total} new rows (tasks.maxNewRowsPerTask)`,
    );
  if (known.playlistIds?.length) await linkPlaylist(ctx, pageId, known.playlistIds);
  return syncRow(ctx, pageId, known.title ? `${known.artist ? `${known.artist} - ` : ''}${known.title}` : target.url);
}

/**
 * Adds the playlist to an existing row's relation, read in full first (existing links kept; nothing is ever removed).
 */
async function linkPlaylist(ctx: TaskContext, pageId: string, playlistIds: readonly string[]): Promise<void> {
  const schema = ctx.schemas.tracks;
  if (!schema.fields.playlists) return;
  await ctx.stage(`link ${pageId}`, key(playlistIds.join()), () =>
    addToRelation(ctx.notion, schema, pageId, 'playlists', playlistIds, ctx.logger),
  );
}

/**
 * A playlist: its first `limit` tracks are synced, the ones after get rows (linked to the playlist) while the task's
 * row
 * budget lasts, for the poller to process. It is read only as far as that needs: a 100,000-track playlist costs a few
 * pages, not a thousand. The listing and each row are checkpointed, so a restart half-way through resumes.
 */
export async function syncPlaylist(
  ctx: TaskContext,
  playlist: ClassifiedUrl,
  limit: number,
  budget: RowBudget,
): Promise<{ lines: TrackLine[]; notes: string[] }> {
  const readCap = Math.max(limit, budget.total);
  let listing: PlaylistListing;
  try {
    listing = await ctx.stage(`playlist ${key(playlist.url)}`, `v2:${readCap}`, () =>
      listPlaylistEntries(ctx.services.require<MediaServices>(MEDIA), playlist, ctx.signal, readCap),
    );
  } catch (raw) {
    const error = coerceError(raw);
    // Transient (Spotify refusing the app until a person renews Premium, a 429, the network): the task waits and is
    // tried again, like any item, instead of reporting the playlist as failed.
    if (error.code === 'ABORTED' || error.kind !== 'permanent') throw error;
    const blocking = PLAYLIST_BLOCKING.has(error.code);
    return {
      lines: [problemLine(playlist.url, `${blocking ? 'a person must act: ' : ''}${error.message}`, blocking)],
      notes: [],
    };
  }
  const notes = [
    `Playlist "${listing.name}": ${listing.entries.length} track(s)${listing.entries.length >= readCap ? ` read (it may have more: a task reads at most ${readCap})` : ''}.`,
  ];
  const playlistId = await ctx.stage(`playlist page ${key(listing.name)}`, 'v1', () =>
    ensurePlaylistPage(ctx.notion, ctx.schemas, listing.name, playlist.url),
  );
  const lines: TrackLine[] = [];
  let synced = 0;
  for (const entry of listing.entries) {
    const target = classifyUrl(entry.url);
    if (!target.ok) {
      lines.push(problemLine(entry.title || entry.url, `not a usable track URL: ${target.reason}`));
      continue;
    }
    const known = { title: entry.title, artist: entry.artist, ...(playlistId ? { playlistIds: [playlistId] } : {}) };
    if (synced >= limit) {
      // Beyond the limit the row is created and linked while the budget lasts: the normal poller processes it later.
      if (budget.remaining <= 0) {
        budget.refused += 1;
        continue;
      }
      await taskRow(ctx, target.value, known, budget);
      continue;
    }
    lines.push(await syncUrl(ctx, target.value, budget, known));
    synced += 1;
  }
  if (listing.entries.length > limit)
    notes.push(`Synced the first ${limit}; the others that got rows are synced by the daemon as it polls.`);
  return { lines, notes };
}

/** A source of candidates for a task without URLs; the first that yields a synced track ends the chain. */
export interface FallbackSource {
  readonly name: string;
  /** Candidates newest first, or a reason the source is not available. */
  candidates(
    ctx: TaskContext,
    count: number,
  ): Promise<{
    urls?: Array<{ target: ClassifiedUrl; title?: string; artist?: string }>;
    pageIds?: string[];
    unavailable?: string;
  }>;
}

/** The track the Spotify app is playing (macOS; skipped quietly elsewhere, or when Spotify is closed or paused). */
export function nowPlayingSource(platform: NodeJS.Platform = process.platform): FallbackSource {
  return {
    name: 'Spotify now playing',
    async candidates(ctx) {
      const playing = await spotifyNowPlaying({ config: ctx.config, platform, logger: ctx.logger, signal: ctx.signal });
      if (!playing) return { unavailable: platform === 'darwin' ? 'Spotify is not playing a track' : 'not a Mac' };
      const target = classifyUrl(playing.url);
      return target.ok
        ? { urls: [{ target: target.value, title: playing.title, artist: playing.artist }] }
        : { unavailable: `Spotify reported "${playing.url}"` };
    },
  };
}

export const soundcloudLikes: FallbackSource = {
  name: 'SoundCloud likes',
  async candidates(ctx, count) {
    if (!ctx.config.soundcloudProfile) return { unavailable: 'SOUNDCLOUD_PROFILE is not set' };
    const media = ctx.services.require<MediaServices>(MEDIA);
    const listing = await media.ytdlp.list(
      ctx.config.feeds.soundcloudLikesUrl.replace('{profile}', ctx.config.soundcloudProfile),
      'soundcloud',
      { signal: ctx.signal, limit: count },
    );
    return {
      urls: listing.entries.flatMap((e) => {
        const c = classifyUrl(e.url);
        return c.ok ? [{ target: c.value, title: e.title }] : [];
      }),
    };
  },
};

export const spotifyLikes: FallbackSource = {
  name: 'Spotify liked songs',
  async candidates(ctx, count) {
    const media = ctx.services.require<MediaServices>(MEDIA);
    if (!media.spotify || !ctx.config.spotify.refreshToken)
      return {
        unavailable: 'Spotify liked songs need SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN',
      };
    const tracks = await media.spotify.likedTracks(count);
    return {
      urls: tracks.flatMap((t) => {
        const c = classifyUrl(t.url);
        return c.ok ? [{ target: c.value, title: t.name, artist: t.artists.map((a) => a.name).join(', ') }] : [];
      }),
    };
  },
};

export const eligibleRows: FallbackSource = {
  name: 'Music Tracks rows waiting',
  async candidates(ctx, count) {
    const ids: string[] = [];
    for await (const page of ctx.notion.queryPages(ctx.schemas.tracks.dataSourceId, {
      filter: trackEligibilityFilter(ctx.schemas.tracks),
      sort: 'created_time',
    })) {
      ids.push(page.id);
      if (ids.length >= count) break;
    }
    return { pageIds: ids };
  },
};

/**
 * The legacy auto-detect chain (docs/legacy-bugs.md, "Sources and fallbacks" and "The intended next version"): now
 * playing, SoundCloud likes, Spotify liked songs, waiting rows.
 */
export const DEFAULT_FALLBACKS: readonly FallbackSource[] = [
  nowPlayingSource(),
  soundcloudLikes,
  spotifyLikes,
  eligibleRows,
];

/** Tries each source in order until one track is synced or every source is exhausted (at most `limit` attempts). */
export async function runFallbackChain(
  ctx: TaskContext,
  sources: readonly FallbackSource[],
  limit: number,
  budget: RowBudget,
): Promise<{ lines: TrackLine[]; notes: string[] }> {
  const lines: TrackLine[] = [];
  const notes: string[] = [
    'The task named no URL: tracksync took the newest unsynced track from its fallback sources.',
  ];
  for (const source of sources) {
    if (lines.length >= limit || lines.some((l) => l.succeeded)) break;
    let offered: Awaited<ReturnType<FallbackSource['candidates']>>;
    try {
      offered = await source.candidates(ctx, ctx.config.tasks.fallbackCandidates);
    } catch (raw) {
      const error = coerceError(raw);
      if (error.code === 'ABORTED') throw error;
      notes.push(`${source.name}: unavailable (${error.message}).`);
      continue;
    }
    if (offered.unavailable) {
      notes.push(`${source.name}: skipped (${offered.unavailable}).`);
      continue;
    }
    for (const candidate of offered.urls ?? []) {
      if (lines.length >= limit || lines.some((l) => l.succeeded)) break;
      const existing = await findTrackRow(ctx.notion, ctx.schemas.tracks, candidate.target);
      if (existing && readText(ctx.schemas.tracks, existing, 'downloaded') === 'true') continue; // already synced: next
      lines.push(
        await syncUrl(ctx, candidate.target, budget, {
          ...(candidate.title ? { title: candidate.title } : {}),
          ...(candidate.artist ? { artist: candidate.artist } : {}),
        }),
      );
    }
    for (const pageId of offered.pageIds ?? []) {
      if (lines.length >= limit || lines.some((l) => l.succeeded)) break;
      lines.push(await syncRow(ctx, pageId, pageId));
    }
    if (!lines.some((l) => l.succeeded)) notes.push(`${source.name}: nothing synced.`);
  }
  return { lines, notes };
}
