import type { LinkCandidateStore } from '../../state/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { decodeFields } from './sources/common.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { encodeFields, pageHasValues, type FieldValue } from '../notion/codecs.js';
import type { FieldKey } from '../notion/databases.js';
import type { NotionGateway } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import type { ResolvedSchema } from '../notion/schema.js';
import type { YtDlp } from '../media/ytdlp.js';
import type { SpotifyService, SpotifyTrack } from '../services/spotify.js';
import { trackRow } from '../pipeline/context.js';
import { searchTarget } from '../pipeline/resolve.js';
import { NOTES_MARKER, joinNotes, splitNotes } from '../domain/notes.js';
import type { TrackOutcome } from '../domain/outcomes.js';
import { chooseCandidate, type Candidate, type ScoredCandidate, type Target } from '../domain/scoring.js';

/**
 * Cross-platform links (legacy v3 phase 2): after a sync, every platform the row lacks is searched (Spotify: ISRC
 * first, then title and artist; YouTube and SoundCloud: yt-dlp searches), scored with the pipeline's scoring and its
 * 30 s duration gate, checked to answer (a metadata request, not a download) and written to its own property. A URL a
 * person set is never replaced; a match under the acceptance score is kept as a candidate, not written. Every
 * candidate and its score is kept in SQLite, and summarised in "Notes" when the database has it.
 */

export type LinkPlatform = 'spotify' | 'youtube' | 'soundcloud';

export interface LinkOutcome {
  readonly platform: LinkPlatform;
  /**
   * present: the row had it; written: found and written; candidate: best match under the score; none: nothing found;
   * skipped: not configured.
   */
  readonly status: 'present' | 'written' | 'candidate' | 'none' | 'skipped';
  readonly url?: string;
  readonly score?: number;
  readonly reason?: string;
}

export interface LinkDeps {
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly store: LinkCandidateStore;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ytdlp: YtDlp;
  readonly spotify: SpotifyService | undefined;
  readonly signal?: AbortSignal;
}

const PROPERTY: Record<LinkPlatform, 'spotifyUrl' | 'youtubeUrl' | 'soundcloudUrl'> = {
  spotify: 'spotifyUrl',
  youtube: 'youtubeUrl',
  soundcloud: 'soundcloudUrl',
};
const LABEL: Record<LinkPlatform, string> = { spotify: 'Spotify', youtube: 'YouTube', soundcloud: 'SoundCloud' };

/**
 * Among candidates within this score of the best, an official upload wins: a "- Topic" channel (YouTube's
 * auto-generated
 * artist uploads) or "Official Audio". 0.05 is less than one word of difference in a title, so it only breaks
 * near-ties.
 */
const OFFICIAL_MARGIN = 0.05;
const OFFICIAL = /(-\s*topic$)|\bofficial (audio|music video|video)\b/i;

/**
 * Looks for the missing links of one Music Tracks row and writes what it finds. Throws only for a retryable failure.
 */
export async function findLinks(deps: LinkDeps, pageId: string): Promise<LinkOutcome[]> {
  const schema = deps.schemas.tracks;
  const page = await deps.notion.retrievePage(pageId);
  const row = trackRow({ source: 'tracks', page, fields: decodeFields(schema, page) });
  const target: Target = {
    title: row.title,
    artist: row.artist,
    durationSeconds: row.expectedDurationSeconds,
    isrc: row.isrc || null,
  };
  if (!row.title)
    return (Object.keys(PROPERTY) as LinkPlatform[]).map((platform) => ({
      platform,
      status: 'skipped',
      reason: 'the row has no title to search for',
    }));
  const outcomes: LinkOutcome[] = [];
  const found: Partial<Record<FieldKey<'tracks'>, FieldValue>> = {};
  let retryable: TrackSyncError | undefined;
  for (const platform of Object.keys(PROPERTY) as LinkPlatform[]) {
    if (!schema.fields[PROPERTY[platform]]) {
      outcomes.push({ platform, status: 'skipped', reason: `Music Tracks has no ${LABEL[platform]} URL property` });
      continue;
    }
    const current =
      platform === 'spotify'
        ? row.spotifyUrl || row.spotifyId
        : platform === 'youtube'
          ? row.youtubeUrl
          : row.soundcloudUrl;
    if (current) {
      outcomes.push({ platform, status: 'present', url: current });
      continue;
    }
    try {
      const outcome = await searchPlatform(deps, platform, target, pageId);
      outcomes.push(outcome);
      if (outcome.status === 'written') {
        found[PROPERTY[platform]] = outcome.url!;
        if (platform === 'spotify' && schema.fields.spotifyId && !row.spotifyId)
          found.spotifyId = outcome.url!.split('/').pop()!;
      }
    } catch (raw) {
      const error = coerceError(raw);
      if (error.code === 'ABORTED') throw error;
      // A platform that fails does not stop the others; a transient or rate-limited one makes the row come back later.
      if (error.kind !== 'permanent') retryable ??= error;
      outcomes.push({ platform, status: 'none', reason: error.message });
    }
  }
  await writeLinks(deps, schema, pageId, found, outcomes);
  if (retryable) throw retryable;
  return outcomes;
}

async function searchPlatform(
  deps: LinkDeps,
  platform: LinkPlatform,
  target: Target,
  pageId: string,
): Promise<LinkOutcome> {
  const { config } = deps;
  const options = {
    acceptScore: config.search.acceptScore,
    maxDurationGapSeconds: config.search.maxDurationGapSeconds,
  };
  let scored: ScoredCandidate[];
  let chosen: ScoredCandidate | undefined;
  if (platform === 'spotify') {
    if (!deps.spotify)
      return { platform, status: 'skipped', reason: 'SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set' };
    ({ scored, chosen } = await searchSpotify(deps.spotify, target, options));
  } else {
    const query = `${target.artist} ${target.title}`.trim();
    const template = platform === 'youtube' ? config.search.youtube : config.search.soundcloud;
    const listing = await deps.ytdlp.list(searchTarget(template, query), platform, {
      limit: 5,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    ({ scored, chosen } = chooseCandidate(target, listing.entries, options));
    chosen = preferOfficial(scored, chosen, options.acceptScore);
  }
  const now = deps.clock.now();
  let verified: ScoredCandidate | undefined;
  if (chosen) {
    // The link must answer before it is written: a metadata request (yt-dlp --skip-download, Spotify's track endpoint).
    try {
      if (platform === 'spotify') await deps.spotify!.track(chosen.url.split('/').pop()!);
      else await deps.ytdlp.metadata(chosen.url, platform, deps.signal);
      verified = chosen;
    } catch (raw) {
      const error = coerceError(raw);
      if (error.kind !== 'permanent') throw error;
      deps.logger.info({ url: chosen.url, err: error }, 'a matching link does not answer; not written');
    }
  }
  for (const candidate of scored) {
    deps.store.saveLinkCandidate({
      pageId,
      platform,
      url: candidate.url,
      title: candidate.title,
      score: candidate.score,
      accepted: candidate === verified,
      rejected: candidate.rejected ?? (candidate === chosen && !verified ? 'does not answer' : null),
      now,
    });
  }
  if (verified) return { platform, status: 'written', url: verified.url, score: verified.score };
  const best = scored.find((c) => !c.rejected) ?? scored[0];
  return best
    ? {
        platform,
        status: 'candidate',
        url: best.url,
        score: best.score,
        reason: best.rejected ?? `score ${best.score} is under ${options.acceptScore}`,
      }
    : { platform, status: 'none', reason: 'no results' };
}

/** ISRC first (an exact recording match), then title and artist. */
async function searchSpotify(
  spotify: SpotifyService,
  target: Target,
  options: { acceptScore: number; maxDurationGapSeconds: number },
): Promise<{ scored: ScoredCandidate[]; chosen: ScoredCandidate | undefined }> {
  const toCandidate = (t: SpotifyTrack): Candidate => ({
    title: t.name,
    url: `https://open.spotify.com/track/${t.id}`,
    uploader: t.artists.map((a) => a.name).join(', '),
    durationSeconds: t.durationMs / 1000,
    isrc: t.isrc,
  });
  if (target.isrc) {
    const byIsrc = chooseCandidate(
      target,
      (await spotify.searchTracks(`isrc:${target.isrc}`, 5)).map(toCandidate),
      options,
    );
    if (byIsrc.chosen) return byIsrc;
  }
  return chooseCandidate(
    target,
    (await spotify.searchTracks(`${target.title} ${target.artist}`.trim(), 5)).map(toCandidate),
    options,
  );
}

function preferOfficial(
  scored: readonly ScoredCandidate[],
  chosen: ScoredCandidate | undefined,
  acceptScore: number,
): ScoredCandidate | undefined {
  const official = (c: ScoredCandidate): boolean => OFFICIAL.test(`${c.title} ${c.uploader ?? ''}`);
  if (!chosen || official(chosen)) return chosen;
  const floor = Math.max(acceptScore, chosen.score - OFFICIAL_MARGIN);
  return scored.find((c) => c !== chosen && !c.rejected && c.score >= floor && official(c)) ?? chosen;
}

/** Writes the found links into properties that are still empty (read again just before), and the Notes summary. */
async function writeLinks(
  deps: LinkDeps,
  schema: ResolvedSchema<'tracks'>,
  pageId: string,
  found: Partial<Record<FieldKey<'tracks'>, FieldValue>>,
  outcomes: readonly LinkOutcome[],
): Promise<void> {
  const fresh = decodeFields(schema, await deps.notion.retrievePage(pageId));
  const values: Partial<Record<FieldKey<'tracks'>, FieldValue>> = {};
  for (const [field, value] of Object.entries(found) as Array<[FieldKey<'tracks'>, FieldValue]>) {
    const now = fresh[field];
    if (now === undefined || now === null || now === '') values[field] = value; // someone set it meanwhile: theirs stays
  }
  if (schema.fields.notes) {
    const summary = notesSummary(outcomes, deps.config.search.acceptScore);
    const notes = String(fresh.notes ?? '');
    const next = joinNotes(splitNotes(notes).person, summary ? `${NOTES_MARKER} ${summary}` : undefined);
    if (next !== notes) values.notes = next;
  }
  if (Object.keys(values).length === 0) return;
  await deps.notion.updatePage(pageId, encodeFields(schema, values), (page) => pageHasValues(schema, page, values));
}

/** "Spotify: https://… (0.93); YouTube: best https://… (0.62, under 0.75); SoundCloud: no results". */
export function notesSummary(outcomes: readonly LinkOutcome[], acceptScore: number): string {
  return outcomes
    .filter((o) => o.status !== 'present' && o.status !== 'skipped')
    .map((o) => {
      if (o.status === 'written') return `${LABEL[o.platform]}: ${o.url} (${o.score})`;
      if (o.status === 'candidate')
        return `${LABEL[o.platform]}: not written, best ${o.url} (${o.score}${o.score !== undefined && o.score < acceptScore ? `, under ${acceptScore}` : `, ${o.reason}`})`;
      return `${LABEL[o.platform]}: ${o.reason ?? 'nothing found'}`;
    })
    .join('; ');
}

/** Outcomes after which a row's links are looked for: it is synced (or known from metadata alone). */
export const LINKED_OUTCOMES: ReadonlySet<string> = new Set<TrackOutcome>(['synced', 'metadata-only', 'adopted']);
