import type { SourceKind } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import { cleanText } from '../text.js';
import { TRACK_FIELDS } from '../notion/databases.js';
import type { SpotifyTrack } from '../services/spotify.js';
import type { PipelineDeps, TrackRow } from './context.js';
import { chooseCandidate, type ScoredCandidate } from '../domain/scoring.js';
import { classifyUrl, spotifyTrackId, type ClassifiedUrl } from '../domain/urls.js';

/** The audio to download. */
export interface ResolvedSource {
  readonly url: string;
  readonly kind: SourceKind;
  /** Written to "Download Source": "SoundCloud", "YouTube", "Source URL", "YouTube (Search)". */
  readonly label: string;
  /** The property the URL came from, or "search" when a search found it (then it is written to YouTube URL). */
  readonly from: 'soundcloudUrl' | 'youtubeUrl' | 'sourceUrl' | 'search';
}

export interface SearchRecord {
  readonly query: string;
  readonly chosen: ScoredCandidate | null;
  /** Every candidate with its score, kept in the job record (the losers explain the choice). */
  readonly candidates: readonly ScoredCandidate[];
}

export interface Resolution {
  /** Null: nothing to download (metadata only). */
  readonly source: ResolvedSource | null;
  readonly spotify: SpotifyTrack | null;
  readonly search: SearchRecord | null;
  /** Oddities in the row, for the report (a value that is not a URL, a URL in another platform's column). */
  readonly notes: readonly string[];
}

const LABELS: Record<SourceKind, string> = { soundcloud: 'SoundCloud', youtube: 'YouTube', generic: 'Source URL' };
const PRIORITY: readonly SourceKind[] = ['soundcloud', 'youtube', 'generic'];

/** An on.soundcloud.com short link points, by an HTTP redirect, at the real URL. */
async function followShortLink(deps: PipelineDeps, url: string): Promise<string> {
  const response = await deps.fetch(url, { method: 'GET', redirect: 'manual', signal: deps.signal });
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) return new URL(location, url).toString();
  throw new TrackSyncError(
    'SOURCE_NOT_FOUND',
    `the SoundCloud short link ${url} did not redirect anywhere (HTTP ${response.status})`,
    { details: { processingTag: 'SC_404' } },
  );
}

/** The YouTube search URL for a query (a yt-dlp "ytsearch5:" prefix, or an http template for the local stand-in). */
export function searchTarget(template: string, query: string): string {
  return template.replace('{query}', /^https?:/i.test(template) ? encodeURIComponent(query) : query);
}

/**
 * Picks the source, by priority SoundCloud > YouTube > Source URL > Spotify (metadata plus a YouTube search).
 * Every value is classified by what it is, not by the column it sits in.
 */
export async function resolveSource(deps: PipelineDeps, row: TrackRow): Promise<Resolution> {
  const notes: string[] = [];
  const found = new Map<SourceKind, ResolvedSource>();
  for (const [field, value] of [
    ['soundcloudUrl', row.soundcloudUrl],
    ['youtubeUrl', row.youtubeUrl],
    ['sourceUrl', row.sourceUrl],
  ] as const) {
    if (value === '') continue;
    // The user reads these notes on the row: they name the property as Notion shows it (its usual name).
    const property = TRACK_FIELDS[field].names[0];
    let classified = classifyUrl(value);
    if (classified.ok && classified.value.kind === 'short-link')
      classified = classifyUrl(await followShortLink(deps, classified.value.url));
    if (!classified.ok) {
      notes.push(
        `${property} "${value.slice(0, 80)}" is not usable (${classified.reason}): put a track's link there (SoundCloud, YouTube, Spotify or any page yt-dlp knows)`,
      );
      continue;
    }
    const c: ClassifiedUrl = classified.value;
    if (c.platform === 'spotify') continue; // metadata, handled below
    if (c.kind !== 'track') {
      notes.push(`${property} holds a ${c.platform} ${c.kind}, not a track: use a playlist sync task for playlists`);
      continue;
    }
    const kind: SourceKind = c.platform;
    if (c.property !== field)
      notes.push(`${property} holds a ${c.platform} URL; it is used as one and left where it is`);
    if (!found.has(kind)) found.set(kind, { url: c.url, kind, label: LABELS[kind], from: field });
  }

  const spotifyId = spotifyTrackId(row);
  let spotify: SpotifyTrack | null = null;
  if (spotifyId && deps.spotify) {
    try {
      spotify = await deps.spotify.track(spotifyId);
    } catch (raw) {
      const error = coerceError(raw);
      // Enrichment is a bonus when there is audio to download; for a Spotify-only row it is the only lead.
      if (found.size === 0 || error.kind === 'rate_limited') throw error;
      notes.push(`Spotify metadata unavailable: ${error.message}`);
    }
  }

  const source = PRIORITY.map((k) => found.get(k)).find((s) => s !== undefined) ?? null;
  if (source) return { source, spotify, search: null, notes };
  // A Spotify track alone: its name (to search for the audio) comes from Spotify, which needs the app's credentials.
  if (spotifyId && !deps.spotify && !row.title) {
    throw new TrackSyncError(
      'NO_SOURCE',
      'this Spotify track needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to be named and found: set them ("tracksync secrets set SPOTIFY_CLIENT_SECRET"), then "tracksync retry" the row; or put a SoundCloud or YouTube link in it',
      { details: { notes } },
    );
  }

  const title = spotify?.name ?? row.title;
  const artist = spotify ? spotify.artists.map((a) => a.name).join(', ') : row.artist;
  if (!title)
    throw new TrackSyncError('NO_SOURCE', 'the row has no usable source URL and no title to search for', {
      details: { notes },
    });
  const search = await searchYouTube(deps, {
    title,
    artist,
    durationSeconds: spotify ? spotify.durationMs / 1000 : row.expectedDurationSeconds,
    isrc: spotify?.isrc ?? (row.isrc || null),
  });
  if (!search.chosen) return { source: null, spotify, search, notes };
  return {
    source: {
      url: search.chosen.url,
      kind: classifyKind(search.chosen.url),
      label: 'YouTube (Search)',
      from: 'search',
    },
    spotify,
    search,
    notes,
  };
}

function classifyKind(url: string): SourceKind {
  const c = classifyUrl(url);
  return c.ok && (c.value.platform === 'soundcloud' || c.value.platform === 'youtube') ? c.value.platform : 'generic';
}

/** `ytsearch5:"artist title"`, every result scored; the best acceptable one is chosen (or none). */
export async function searchYouTube(
  deps: PipelineDeps,
  target: { title: string; artist: string; durationSeconds: number | null; isrc: string | null },
  exclude: readonly string[] = [],
): Promise<SearchRecord> {
  const query = cleanText([target.artist, target.title].filter(Boolean).join(' ')).trim();
  const listing = await deps.ytdlp.list(searchTarget(deps.config.search.youtube, query), 'youtube', {
    signal: deps.signal,
  });
  const candidates = listing.entries.filter((e) => !exclude.includes(e.url));
  const { chosen, scored } = chooseCandidate(target, candidates, {
    acceptScore: deps.config.search.acceptScore,
    maxDurationGapSeconds: deps.config.search.maxDurationGapSeconds,
  });
  deps.logger.info(
    { query, candidates: scored.length, chosen: chosen?.url ?? null, score: chosen?.score ?? null },
    'youtube search',
  );
  return { query, chosen: chosen ?? null, candidates: scored };
}
