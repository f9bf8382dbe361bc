import type { PlaylistExportRow } from '../../state/store.js';
import type { Clock } from '../clock.js';
import type { AudioFormat, Config } from '../config/load.js';
import { decodeProperty, readField, readText, type FieldValue } from '../notion/codecs.js';
import type { FieldKey } from '../notion/databases.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import { isTruncated, readRelation } from '../notion/relations.js';
import { anyOf, propertyFilter } from '../notion/rows.js';
import type { ResolvedSchema } from '../notion/schema.js';
import type { Schemas } from '../notion/schemas.js';

/**
 * The playlists and their tracks as Notion has them, read with as few requests as the API allows:
 * - Music Playlists: one query (100 rows a request), only the title and the tracks relation;
 * - Music Tracks: one query for every synced row and every row in a playlist (100 a request), only the fields an
 *   export shows, keyed by page id;
 * - per playlist, nothing more when its relation fits in the page object (25 pages); past that the relation is read
 *   from the property endpoint (developers.notion.com/reference/retrieve-a-page-property, 100 ids a request), unless
 *   the copy read earlier is known to be current (see `membersOf`).
 * Members come from the playlist's own relation ("Tracks"), in the order Notion keeps it; a Music Playlists database
 * without one is read from the other side, the "Playlists" relation of each track row (then in the order the rows were
 * created).
 */

export interface NotionTrack {
  readonly pageId: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly genre: string;
  readonly downloaded: boolean;
  readonly paths: Readonly<Partial<Record<AudioFormat, string>>>;
  readonly bpm: number | null;
  readonly key: string;
  readonly camelot: string;
  readonly durationSeconds: number | null;
  /** When the track was synced (Processed At), else when its row was created: rekordbox's DateAdded. */
  readonly addedAt: string;
  /** The sort property's value (playlists.sortProperty), when configured. */
  readonly setOrder: FieldValue;
  /** The Music Playlists pages the row links to (only read when the playlists have no relation of their own). */
  readonly playlistIds: readonly string[];
}

export interface PlaylistRow {
  readonly pageId: string;
  readonly name: string;
  readonly createdTime: string;
  readonly lastEditedTime: string;
  readonly page: PageResponse;
}

export type Membership = 'playlist-relation' | 'track-relation';

export interface NotionPlaylists {
  readonly playlists: readonly PlaylistRow[];
  /** Keyed by `idKey(page id)`. */
  readonly tracks: ReadonlyMap<string, NotionTrack>;
  readonly membership: Membership;
  /** With "track-relation": each playlist's tracks (by `idKey` of the playlist), in the order the rows were created. */
  readonly fromTrackRows: ReadonlyMap<string, readonly string[]>;
}

export interface ReadDeps {
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly config: Config;
  readonly clock: Clock;
}

/** Notion ids compared without dashes and case. */
export function idKey(id: string): string {
  return id.replaceAll('-', '').toLowerCase();
}

const TRACK_FIELDS_READ: ReadonlyArray<FieldKey<'tracks'>> = [
  'title',
  'artistName',
  'album',
  'genre',
  'downloaded',
  'm4aPath',
  'aiffPath',
  'wavPath',
  'bpm',
  'key',
  'camelot',
  'durationSeconds',
  'processedAt',
];

/** Reads every playlist and every track an export can show. */
export async function readNotionPlaylists(deps: ReadDeps): Promise<NotionPlaylists> {
  const schema = deps.schemas.playlists!;
  const tracksSchema = deps.schemas.tracks;
  const membership: Membership = schema.fields.tracks ? 'playlist-relation' : 'track-relation';
  const playlists: PlaylistRow[] = [];
  const playlistProperties = [schema.fields.name!.id, ...(schema.fields.tracks ? [schema.fields.tracks.id] : [])];
  for await (const page of deps.notion.queryPages(schema.dataSourceId, {
    sort: 'created_time',
    filterProperties: playlistProperties,
  })) {
    playlists.push({
      pageId: page.id,
      name: readText(schema, page, 'name'),
      createdTime: page.created_time,
      lastEditedTime: page.last_edited_time,
      page,
    });
  }

  const relation = tracksSchema.fields.playlists;
  const useSortProperty = deps.config.playlists.sortProperty !== null && tracksSchema.fields.setOrder !== undefined;
  const fields = [
    ...TRACK_FIELDS_READ,
    ...(useSortProperty ? (['setOrder'] as const) : []),
    ...(relation ? (['playlists'] as const) : []),
  ];
  const filterProperties = fields.map((f) => tracksSchema.fields[f]?.id).filter((id): id is string => id !== undefined);
  const downloaded = propertyFilter(tracksSchema.fields.downloaded!, { equals: true });
  // Rows in a playlist but not synced yet are read too: the export lists them by name as missing.
  const filter = relation ? anyOf(downloaded, propertyFilter(relation, { is_not_empty: true })) : downloaded;
  const tracks = new Map<string, NotionTrack>();
  for await (const page of deps.notion.queryPages(tracksSchema.dataSourceId, {
    filter,
    sort: 'created_time',
    filterProperties,
  })) {
    // The other side of the membership is needed only without a playlist-side relation; a row in more than 25
    // playlists then costs one request.
    const playlistIds =
      membership === 'track-relation' && relation ? await readRelation(deps.notion, page, relation) : [];
    tracks.set(idKey(page.id), notionTrack(tracksSchema, page, useSortProperty, playlistIds));
  }
  const fromTrackRows = new Map<string, string[]>();
  for (const track of tracks.values()) {
    for (const id of track.playlistIds)
      fromTrackRows.set(idKey(id), [...(fromTrackRows.get(idKey(id)) ?? []), track.pageId]);
  }
  return { playlists, tracks, membership, fromTrackRows };
}

function notionTrack(
  schema: ResolvedSchema<'tracks'>,
  page: PageResponse,
  useSortProperty: boolean,
  playlistIds: readonly string[],
): NotionTrack {
  const number = (field: FieldKey<'tracks'>): number | null => {
    const value = readField(schema, page, field);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const paths: Partial<Record<AudioFormat, string>> = {};
  for (const [format, field] of [
    ['m4a', 'm4aPath'],
    ['aiff', 'aiffPath'],
    ['wav', 'wavPath'],
  ] as const) {
    const path = readText(schema, page, field);
    if (path) paths[format] = path;
  }
  const processedAt = readText(schema, page, 'processedAt');
  return {
    pageId: page.id,
    title: readText(schema, page, 'title'),
    artist: readText(schema, page, 'artistName'),
    album: readText(schema, page, 'album'),
    genre: readText(schema, page, 'genre'),
    downloaded: readField(schema, page, 'downloaded') === true,
    paths,
    bpm: number('bpm'),
    key: readText(schema, page, 'key'),
    camelot: readText(schema, page, 'camelot'),
    durationSeconds: number('durationSeconds'),
    addedAt: processedAt || page.created_time,
    setOrder: useSortProperty ? (readField(schema, page, 'setOrder') ?? null) : null,
    playlistIds,
  };
}

export interface Members {
  /** Page ids of the playlist's tracks, in the playlist's order. */
  readonly ids: readonly string[];
  /** Where they came from: the page object, the copy read earlier, a read now, or the track rows. */
  readonly source: 'page' | 'cache' | 'read' | 'track-rows';
  /** When a read (`source` "read") started, for the next export's decision. */
  readonly readAt?: number;
}

/**
 * The tracks of one playlist. A relation that fits in the page object costs nothing. A longer one is reused from the
 * last read when the page's last_edited_time has not moved since and that read started at least relationSettleMs after
 * it: last_edited_time is floored to the minute ("rounded down to the closest minute", developers.notion.com
 * changelog, July 2021), so an edit made in the same minute as an earlier read leaves the same value behind.
 */
export async function membersOf(
  deps: ReadDeps,
  notion: NotionPlaylists,
  playlist: PlaylistRow,
  cached: PlaylistExportRow | undefined,
): Promise<Members> {
  if (notion.membership === 'track-relation') {
    return { ids: notion.fromTrackRows.get(idKey(playlist.pageId)) ?? [], source: 'track-rows' };
  }
  const property = deps.schemas.playlists!.fields.tracks!;
  if (!isTruncated(playlist.page, property)) {
    const value = decodeProperty(playlist.page.properties[property.name]);
    return { ids: Array.isArray(value) ? [...value] : [], source: 'page' };
  }
  if (cached && cached.page_edited_at === playlist.lastEditedTime && cached.members_read_at !== null) {
    const edited = Date.parse(playlist.lastEditedTime);
    if (!Number.isNaN(edited) && cached.members_read_at >= edited + deps.config.playlists.relationSettleMs) {
      return { ids: JSON.parse(cached.member_ids_json) as string[], source: 'cache' };
    }
  }
  const readAt = deps.clock.now();
  return { ids: await readRelation(deps.notion, playlist.page, property), source: 'read', readAt };
}
