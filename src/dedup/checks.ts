import { existsSync } from 'node:fs';
import type { LibraryFileRow, LibraryStore } from '../../state/store.js';
import type { AudioFormat, Config } from '../config/load.js';
import { chooseKeeper, mergedValues } from './merge.js';
import { findSimilarFiles } from '../library/fingerprint-index.js';
import { decodeProperty, encodeFields, readText, type FieldValue } from '../notion/codecs.js';
import { PROCESSING_TAGS, type FieldKey } from '../notion/databases.js';
import type { NotionFilter, NotionGateway, PageResponse } from '../notion/gateway.js';
import { withFullRelations } from '../notion/relations.js';
import type { ResolvedSchema } from '../notion/schema.js';
import type { EagleClient } from '../services/eagle.js';
import type { TrackRow } from '../pipeline/context.js';
import { spotifyTrackId } from '../domain/urls.js';
import { coreTitle, normaliseText } from '../domain/scoring.js';
import { classifyUrl } from '../domain/urls.js';
import { anyOf, propertyFilter } from '../notion/rows.js';

/**
 * Never twice: before anything is downloaded, cheapest first, stopping at the first decisive answer
 * 1. Notion: another row with the same Spotify ID, SoundCloud URL, YouTube video id or ISRC -> the pages are merged by
 *    the legacy keeper rules and the donors archived (on by default for these exact matches only);
 * 2. Notion and the index: the same normalised title and artist, and the duration within 2 s -> its files are adopted;
 * 3. the index: files already stored for this page -> adopted;
 * 4. Eagle: an item with the same name, artist and duration -> its file is the source (nothing downloaded).
 * After the download, a fingerprint at least 0.9 similar to a file in the index means the same recording (a SoundCloud
 * and a YouTube copy): the existing files are adopted instead of placing new ones.
 */

type TrackSchema = ResolvedSchema<'tracks'>;
type Values = Partial<Record<FieldKey<'tracks'>, FieldValue>>;
export type AdoptedFiles = Partial<Record<AudioFormat, string>>;

export type DedupDecision =
  | { readonly kind: 'new' }
  /** This page was a duplicate of `keeperId`: its values are merged there and it is archived. */
  | { readonly kind: 'merged-into'; readonly keeperId: string; readonly reason: string }
  /** This page is the keeper of duplicates: `values` (merged from the donors, now archived) join its write-back. */
  | { readonly kind: 'keeper'; readonly donors: readonly string[]; readonly values: Values; readonly reason: string }
  /** Files of the same track are already on disk: they are used, nothing is downloaded. */
  | { readonly kind: 'adopt'; readonly files: AdoptedFiles; readonly reason: string }
  /** Eagle holds the track: its file is the source instead of a download. */
  | { readonly kind: 'local-source'; readonly path: string; readonly eagleId: string; readonly reason: string };

export interface DedupDeps {
  readonly config: Config;
  readonly notion: NotionGateway;
  readonly schema: TrackSchema;
  readonly store: LibraryStore;
  readonly eagle: EagleClient | undefined;
}

/** What identifies a track across platforms: the ids the dedup layer 1 compares. */
export function identities(schema: TrackSchema, page: PageResponse): Set<string> {
  const ids = new Set<string>();
  const text = (f: FieldKey<'tracks'>): string => readText(schema, page, f);
  const spotify = spotifyTrackId({ spotifyId: text('spotifyId'), spotifyUrl: text('spotifyUrl') });
  if (spotify) ids.add(`spotify:${spotify}`);
  for (const field of ['soundcloudUrl', 'youtubeUrl', 'sourceUrl'] as const) {
    const c = classifyUrl(text(field));
    if (!c.ok || c.value.kind !== 'track') continue;
    if (c.value.platform === 'soundcloud') ids.add(`soundcloud:${c.value.url}`);
    if (c.value.platform === 'youtube') ids.add(`youtube:${c.value.id}`);
  }
  const isrc = text('isrc').toUpperCase();
  if (/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/.test(isrc)) ids.add(`isrc:${isrc}`);
  return ids;
}

/**
 * Other pages sharing an identity with `page` (Notion narrows with `contains`; identities are compared exactly here).
 */
async function exactDuplicates(deps: DedupDeps, page: PageResponse): Promise<PageResponse[]> {
  const mine = identities(deps.schema, page);
  if (mine.size === 0) return [];
  const { fields } = deps.schema;
  const clauses: NotionFilter[] = [];
  const add = (field: FieldKey<'tracks'>, value: string, op: 'contains' | 'equals' = 'contains'): void => {
    const property = fields[field];
    if (property) clauses.push(propertyFilter(property, { [op]: value }));
  };
  for (const id of mine) {
    const [kind, value] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
    if (kind === 'spotify') {
      add('spotifyId', value);
      add('spotifyUrl', value);
    }
    if (kind === 'soundcloud') {
      add('soundcloudUrl', new URL(value).pathname);
      add('sourceUrl', new URL(value).pathname);
    }
    if (kind === 'youtube') {
      add('youtubeUrl', value);
      add('sourceUrl', value);
    }
    // Whether `equals` ignores case is not documented: ask for both spellings people write.
    if (kind === 'isrc') {
      add('isrc', value, 'equals');
      add('isrc', value.toLowerCase(), 'equals');
    }
  }
  const found: PageResponse[] = [];
  for await (const other of deps.notion.queryPages(deps.schema.dataSourceId, {
    filter: anyOf(...clauses),
    sort: 'created_time',
  })) {
    if (other.id === page.id) continue;
    const theirs = identities(deps.schema, other);
    if ([...theirs].some((id) => mine.has(id))) found.push(other);
  }
  return found;
}

function filesByFormat(rows: readonly Pick<LibraryFileRow, 'path' | 'format'>[]): AdoptedFiles {
  const files: AdoptedFiles = {};
  for (const row of rows) {
    const format = (row.format === 'aif' ? 'aiff' : row.format) as AudioFormat;
    if ((format === 'm4a' || format === 'aiff' || format === 'wav') && !files[format] && existsSync(row.path))
      files[format] = row.path;
  }
  return files;
}

/**
 * Merges a group of exact duplicates: the keeper gets the merged values, the donors other than `page` are archived.
 * Relations are read in full first (query results list 25 related pages at most), so the union loses nothing.
 */
async function mergeGroup(
  deps: DedupDeps,
  page: PageResponse,
  duplicates: readonly PageResponse[],
): Promise<DedupDecision> {
  const group = await Promise.all([page, ...duplicates].map((p) => withFullRelations(deps.notion, deps.schema, p)));
  const keeper = chooseKeeper(deps.schema, group);
  const donors = group.filter((p) => p.id !== keeper.id);
  const values = mergedValues(deps.schema, keeper, donors);
  const reason = `same track as ${donors.length} other row(s) (same ${[...identities(deps.schema, keeper)].map((i) => i.split(':')[0]).join('/')}); kept the most complete one`;
  for (const donor of donors) {
    if (donor.id === page.id) continue; // this page is archived after its own write-back
    await deps.notion.setPageInTrash(donor.id, true);
  }
  if (keeper.id === page.id) return { kind: 'keeper', donors: donors.map((d) => d.id), values, reason };
  const tags = [
    ...new Set([
      ...((decodeProperty(keeper.properties[deps.schema.fields.processing?.name ?? '']) as string[] | null) ?? []),
      PROCESSING_TAGS.merged,
    ]),
  ];
  await deps.notion.updatePage(keeper.id, encodeFields(deps.schema, { ...values, processing: tags }));
  return { kind: 'merged-into', keeperId: keeper.id, reason };
}

/** Layers 1-4, before download. */
export async function checkBeforeDownload(deps: DedupDeps, page: PageResponse, row: TrackRow): Promise<DedupDecision> {
  const duplicates = await exactDuplicates(deps, page);
  if (duplicates.length > 0) {
    if (deps.config.library.mergeExactDuplicates) return mergeGroup(deps, page, duplicates);
    const complete = duplicates.find((d) => decodeProperty(d.properties[deps.schema.fields.downloaded!.name]) === true);
    const files = complete
      ? filesByFormat(
          (['m4aPath', 'aiffPath', 'wavPath'] as const).map((f) => ({
            path: readText(deps.schema, complete, f),
            format: f.slice(0, f.indexOf('Path')),
          })),
        )
      : {};
    if (Object.keys(files).length > 0)
      return { kind: 'adopt', files, reason: `same track as a synced row (${complete!.url}); its files are used` };
  }

  const title = coreTitle(row.title);
  const artist = normaliseText(row.artist);
  const duration = row.expectedDurationSeconds;
  if (title && artist && duration) {
    const near = deps.store
      .findFilesByNames(title, artist)
      .filter(
        (f) =>
          f.duration_seconds !== null &&
          Math.abs(f.duration_seconds - duration) <= deps.config.library.durationToleranceSeconds,
      );
    const files = filesByFormat(near);
    if (Object.keys(files).length > 0)
      return {
        kind: 'adopt',
        files,
        reason: `files of the same title, artist and duration are already in the library (${Object.values(files)[0]})`,
      };
  }

  const own = filesByFormat(deps.store.listLibraryFilesOfPage(page.id));
  if (Object.keys(own).length > 0) return { kind: 'adopt', files: own, reason: "this row's files are already on disk" };

  if (deps.eagle && row.title) {
    const item = await deps.eagle
      .findTrack({ title: row.title, artist: row.artist, durationSeconds: duration })
      .catch(() => undefined);
    if (item?.path && existsSync(item.path))
      return {
        kind: 'local-source',
        path: item.path,
        eagleId: item.id,
        reason: `Eagle already holds it (item ${item.id}, score ${item.score})`,
      };
  }
  return { kind: 'new' };
}

/** After download: the same recording already in the library (another copy, another platform) -> its files. */
export function checkAfterDownload(
  store: LibraryStore,
  config: Config,
  pageId: string,
  raw: Uint32Array,
): { files: AdoptedFiles; reason: string } | undefined {
  const similar = findSimilarFiles(store, raw, {
    threshold: config.library.similarityThreshold,
    candidates: 8,
    exclude: (row) => row.page_id === pageId,
  });
  if (similar.length === 0) return undefined;
  const best = similar[0]!;
  const sameOwner = similar
    .filter((s) => (s.row.page_id ?? s.row.path) === (best.row.page_id ?? best.row.path))
    .map((s) => s.row);
  const files = filesByFormat(sameOwner.length > 0 ? sameOwner : [best.row]);
  if (Object.keys(files).length === 0) return undefined;
  return { files, reason: `the same recording as ${best.row.path} (fingerprint similarity ${best.similarity})` };
}
