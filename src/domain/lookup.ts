import { TrackSyncError } from '../errors.js';
import { readText, type FieldValue } from '../notion/codecs.js';
import type { FieldKey } from '../notion/databases.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import { anyOf, createRow, findFirst, propertyFilter } from '../notion/rows.js';
import type { ResolvedSchema } from '../notion/schema.js';
import { classifyUrl, spotifyTrackId, type ClassifiedUrl } from './urls.js';

/**
 * Finding the Music Tracks row a URL belongs to, by the identity rules of the dedup layer 1: the same Spotify ID, the
 * same normalised SoundCloud URL, the same YouTube video id, the same Source URL. Notion narrows with `contains` (rows
 * may hold the URL with a query string or another host spelling) and the candidates are compared exactly here.
 */

type TrackSchema = ResolvedSchema<'tracks'>;

function sameTrack(schema: TrackSchema, page: PageResponse, target: ClassifiedUrl): boolean {
  const values = (['soundcloudUrl', 'youtubeUrl', 'sourceUrl', 'spotifyUrl'] as const)
    .map((f) => readText(schema, page, f))
    .filter(Boolean);
  if (target.platform === 'spotify') {
    return (
      spotifyTrackId({
        spotifyId: readText(schema, page, 'spotifyId'),
        spotifyUrl: readText(schema, page, 'spotifyUrl'),
      }) === target.id
    );
  }
  return values.some((value) => {
    const c = classifyUrl(value);
    return c.ok && c.value.platform === target.platform && c.value.url === target.url;
  });
}

/** Text Notion can narrow on: the id or path that any spelling of the URL contains. */
function needle(target: ClassifiedUrl): string {
  if (target.platform === 'soundcloud') return new URL(target.url).pathname;
  if (target.id) return target.id;
  return target.url;
}

/** The existing row for a track URL, if any (the first created, when a duplicate already exists). */
export async function findTrackRow(
  notion: NotionGateway,
  schema: TrackSchema,
  target: ClassifiedUrl,
): Promise<PageResponse | undefined> {
  const fields: Array<FieldKey<'tracks'>> =
    target.platform === 'spotify' ? ['spotifyId', 'spotifyUrl'] : ['soundcloudUrl', 'youtubeUrl', 'sourceUrl'];
  const clauses = fields
    .map((f) => schema.fields[f])
    .filter((p) => p !== undefined)
    .map((p) => propertyFilter(p, { contains: needle(target) }));
  if (clauses.length === 0) return undefined;
  return findFirst(notion, schema, anyOf(...clauses), (page) => sameTrack(schema, page, target));
}

/** Creates a row holding the URL in its own column (and any known title, artist, playlists) in one request. */
export async function createTrackRow(
  notion: NotionGateway,
  schema: TrackSchema,
  target: ClassifiedUrl,
  known: { title?: string; artist?: string; playlistIds?: readonly string[]; spotifyId?: string } = {},
): Promise<PageResponse> {
  const values: Partial<Record<FieldKey<'tracks'>, FieldValue>> = { title: known.title ?? '', downloaded: false };
  if (known.artist) values.artistName = known.artist;
  if (target.platform === 'spotify') {
    if (schema.fields.spotifyId) values.spotifyId = target.id;
    else values.spotifyUrl = target.url;
  } else {
    const property = target.property as FieldKey<'tracks'>;
    // A URL goes to its own platform's column; a SoundCloud URL never lands in "YouTube URL" or the other way round.
    if (!schema.fields[property]) {
      if (!schema.fields.sourceUrl)
        throw new TrackSyncError(
          'SCHEMA_MISMATCH',
          `Music Tracks has no column for ${target.platform} URLs (${property}) and no "Source URL"`,
        );
      values.sourceUrl = target.url;
    } else {
      values[property] = target.url;
    }
  }
  if (known.spotifyId && schema.fields.spotifyId) values.spotifyId = known.spotifyId;
  if (known.playlistIds?.length && schema.fields.playlists) values.playlists = [...known.playlistIds];
  // The URL (or Spotify ID) is the row's identity and so its marker: a create that failed without an answer is looked
  // for by it, and a row created earlier is read back by id (createOnce), never created twice.
  const { page } = await createRow(notion, schema, {
    key: `tracks:${schema.dataSourceId}:${target.platform}:${target.id ?? target.url}`,
    values,
    find: () => findTrackRow(notion, schema, target),
  });
  return page;
}

/**
 * Find or create: the row and whether it was created now. A row this state directory created before is found by its
 * create intent even when a query does not show it yet (createOnce).
 */
export async function ensureTrackRow(
  notion: NotionGateway,
  schema: TrackSchema,
  target: ClassifiedUrl,
  known: Parameters<typeof createTrackRow>[3] = {},
): Promise<{ page: PageResponse; created: boolean }> {
  const existing = await findTrackRow(notion, schema, target);
  if (existing) return { page: existing, created: false };
  return { page: await createTrackRow(notion, schema, target, known), created: true };
}
