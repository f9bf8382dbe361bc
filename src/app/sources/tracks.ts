import type { HandlerResult, ItemInput } from '../../engine/contracts.js';
import { TrackSyncError, type ErrorCode } from '../../errors.js';
import { encodeFields, pageHasValues, type FieldValue } from '../../notion/codecs.js';
import {
  PROCESSING_ERROR_TAGS,
  TRACK_SOURCE_FIELDS,
  type FieldKey,
  type ProcessingErrorTag,
} from '../../notion/databases.js';
import type { NotionFilter, PageResponse } from '../../notion/gateway.js';
import type { ResolvedSchema } from '../../notion/schema.js';
import { readIfAlive } from '../../notion/creates.js';
import { allOf, anyOf, propertyFilter } from '../../notion/rows.js';
import { decodeFields, hashFields, humanTime, pollPropertyIds, textOf, type SourceDeps } from './common.js';
import type { ClaimOutcome, FailureWrite, ItemSource } from '../../engine/sources.js';

type TrackField = FieldKey<'tracks'>;
type TrackValues = Partial<Record<TrackField, FieldValue>>;

/** Fields we change while holding a row; they are not part of "the row changed". */
const CLAIM_FIELDS: ReadonlySet<string> = new Set(['lock']);
/**
 * Left out of polls (filter_properties), and blank in the content hash: the fingerprint is thousands of characters per
 * synced row, and whether a row needs work never depends on it. The claim reads the whole page.
 */
const NOT_POLLED: ReadonlySet<string> = new Set(['fingerprint']);

/** The legacy Processing Lock value: `<pid>:<host>:<uuid8>:<ISO-8601 time>` (docs/notion-contract.md). */
export interface ProcessingLock {
  readonly pid: number;
  readonly host: string;
  readonly owner: string;
  readonly at: number;
  readonly raw: string;
}

export function formatLock(pid: number, host: string, owner: string, atMs: number): string {
  return `${pid}:${host}:${owner}:${new Date(atMs).toISOString()}`;
}

export function parseLock(raw: string): ProcessingLock | undefined {
  const match = raw.trim().match(/^(\d+):([^:]+):([0-9A-Za-z]+):(.+)$/);
  if (!match) return undefined;
  const at = Date.parse(match[4]!);
  if (Number.isNaN(at)) return undefined;
  return { pid: Number(match[1]), host: match[2]!, owner: match[3]!, at, raw: raw.trim() };
}

/** Which Audio Processing error tag a failure gets (docs/notion-contract.md vocabulary). */
export function errorTagFor(error: TrackSyncError): ProcessingErrorTag {
  const explicit = error.details?.processingTag;
  if (typeof explicit === 'string' && (PROCESSING_ERROR_TAGS as readonly string[]).includes(explicit))
    return explicit as ProcessingErrorTag;
  const byCode: Partial<Record<ErrorCode, ProcessingErrorTag>> = {
    SOURCE_GEO_BLOCKED: 'SC_Geo_Blocked',
    MIX_DETECTED: 'Mix/Set Detected - Manual Review Required',
    SOURCE_NOT_FOUND: 'Download_Failed',
    SOURCE_PRIVATE: 'Download_Failed',
    SOURCE_DRM: 'Download_Failed',
    SOURCE_PREVIEW_ONLY: 'Download_Failed',
    SOURCE_UNSUPPORTED: 'Download_Failed',
    SOURCE_RATE_LIMITED: 'Download_Failed',
    DOWNLOAD_FAILED: 'Download_Failed',
    DOWNLOAD_TIMEOUT: 'Download_Failed',
    NO_SOURCE: 'Metadata_Failed',
    ANALYSIS_FAILED: 'Conversion_Failed',
    CONVERSION_FAILED: 'Conversion_Failed',
    CORRUPT_MEDIA: 'Conversion_Failed',
    VERIFY_FAILED: 'Conversion_Failed',
    EAGLE_FAILED: 'Eagle_Import_Failed',
    EAGLE_UNAVAILABLE: 'Eagle_Import_Failed',
    LOCK_CONFLICT: 'Lock_Conflict',
    SPOTIFY_UNAUTHORIZED: 'Metadata_Failed',
    SPOTIFY_RATE_LIMITED: 'Metadata_Failed',
    SPOTIFY_UNAVAILABLE: 'Metadata_Failed',
  };
  if (byCode[error.code]) return byCode[error.code]!;
  if (error.code.startsWith('NOTION_')) return 'Notion_Update_Failed';
  return 'Unknown_Error';
}

/** Rows Notion should return as possibly eligible: not Downloaded, at least one source filled. */
export function trackEligibilityFilter(schema: ResolvedSchema<'tracks'>): NotionFilter {
  const downloaded = schema.fields.downloaded!;
  const sources = TRACK_SOURCE_FIELDS.map((f) => schema.fields[f]).filter((p) => p !== undefined);
  return allOf(
    propertyFilter(downloaded, { equals: false }),
    anyOf(...sources.map((p) => propertyFilter(p, { is_not_empty: true }))),
  );
}

/** Music Tracks rows as items. */
export class TrackSource implements ItemSource<'tracks'> {
  readonly key = 'tracks' as const;
  readonly schema: ResolvedSchema<'tracks'>;
  readonly dataSourceId: string;
  readonly #d: SourceDeps;

  constructor(deps: SourceDeps) {
    this.#d = deps;
    this.schema = deps.schemas.tracks;
    this.dataSourceId = this.schema.dataSourceId;
  }

  /**
   * docs/notion-contract.md eligibility, as far as Notion can filter it: not Downloaded, and at least one source
   * filled.
   * (Unlike the legacy filter, Spotify-only and YouTube-only rows qualify, and rows with stale paths are candidates.)
   * The lock and "given up on" are checked locally: Notion cannot compare a lock's age, and give-ups live in SQLite.
   */
  eligibilityFilter(): NotionFilter {
    return trackEligibilityFilter(this.schema);
  }

  contentHash(page: PageResponse): string {
    return hashFields(this.schema, page, CLAIM_FIELDS, NOT_POLLED);
  }

  pollProperties(): string[] {
    return pollPropertyIds(this.schema, NOT_POLLED);
  }

  toInput(page: PageResponse): ItemInput<'tracks'> {
    return { source: 'tracks', page, fields: decodeFields(this.schema, page) };
  }

  /** How the row is named in logs, status and reports: "Artist - Title", else what identifies its source. */
  title(page: PageResponse): string {
    const fields = decodeFields(this.schema, page);
    const artist = textOf(fields.artistName);
    const title = textOf(fields.title);
    if (title) return artist ? `${artist} - ${title}` : title;
    const spotify = textOf(fields.spotifyId) || textOf(fields.spotifyUrl);
    if (spotify) return `(Spotify ${spotify.replace(/^.*[/:]/, '').slice(0, 22)})`;
    const url = textOf(fields.soundcloudUrl) || textOf(fields.youtubeUrl) || textOf(fields.sourceUrl);
    return url ? `(${url.slice(0, 80)})` : '(untitled)';
  }

  whyNotEligible(input: ItemInput<'tracks'>): string | undefined {
    if (input.page.in_trash) return 'the row is in the trash';
    if (input.fields.downloaded === true) return 'the row is already marked Downloaded';
    if (!TRACK_SOURCE_FIELDS.some((f) => textOf(input.fields[f]) !== ''))
      return 'the row has no source URL or Spotify ID';
    return undefined;
  }

  /**
   * The cross-machine claim: Notion has no compare-and-swap, so write our lock, wait until any competing write has
   * landed too (settleMs), read the page back and keep it only if the lock is still exactly ours. A fresh lock held by
   * another daemon is left alone; a stale one (older than the lease) or one of our own earlier boots is taken over.
   */
  async claim(pageId: string): Promise<ClaimOutcome> {
    const { clock, config, identity } = this.#d;
    const page = await readIfAlive(this.#d.notion, pageId);
    if (!page) return { kind: 'gone', reason: 'the page was deleted or is no longer shared with the integration' };
    const why = this.whyNotEligible(this.toInput(page));
    if (why) return { kind: 'not-eligible', page, reason: why };
    const lockProperty = this.schema.fields.lock;
    if (!lockProperty) return { kind: 'claimed', page }; // no Processing Lock column: single-machine mode (doctor says so)
    const held = parseLock(textOf(decodeFields(this.schema, page).lock));
    if (held && held.owner !== identity.daemonId && clock.now() - held.at < config.claims.leaseMs) {
      return { kind: 'lost', reason: `locked by ${held.host} (pid ${held.pid}) since ${humanTime(held.at)}` };
    }
    const mine = formatLock(identity.pid, identity.host, identity.daemonId, clock.now());
    await this.#write(pageId, { lock: mine });
    await clock.sleep(config.claims.settleMs);
    const after = await readIfAlive(this.#d.notion, pageId);
    if (!after) return { kind: 'gone', reason: 'the page was deleted while being claimed' };
    const now = textOf(decodeFields(this.schema, after).lock);
    if (now !== mine)
      return { kind: 'lost', reason: `another daemon claimed it at the same moment (${now || 'lock cleared'})` };
    return { kind: 'claimed', page: after };
  }

  async renewClaim(pageId: string): Promise<void> {
    if (!this.schema.fields.lock) return;
    const { identity, clock } = this.#d;
    await this.#write(pageId, { lock: formatLock(identity.pid, identity.host, identity.daemonId, clock.now()) });
  }

  async release(pageId: string): Promise<PageResponse | undefined> {
    if (!this.schema.fields.lock) return undefined;
    return this.#write(pageId, { lock: '' });
  }

  /** One PATCH: the handler's values, progress tags merged with the row's, error tags cleared, the lock released. */
  async writeResult(page: PageResponse, result: HandlerResult): Promise<PageResponse> {
    const values: TrackValues = { ...(result.properties as TrackValues | undefined) };
    const current = decodeFields(this.schema, page);
    const progress = Array.isArray(values.processing) ? values.processing : [];
    values.processing = mergeTags(current.processing, progress, []);
    if (this.schema.fields.lastError) values.lastError = '';
    values.lock = '';
    const written = await this.#write(page.id, values);
    if (result.comment) await this.#comment(page.id, result.comment);
    // A duplicate merged into another row goes to the trash once it says so (Merged Duplicate), never before.
    return result.archive ? this.#d.notion.setPageInTrash(page.id, true) : written;
  }

  /** One PATCH: the error tag added (progress tags kept), the reason where the row can hold it, the lock released. */
  async writeFailure(
    page: PageResponse,
    error: TrackSyncError,
    failure: FailureWrite,
  ): Promise<PageResponse | undefined> {
    const current = decodeFields(this.schema, page);
    const tag = errorTagFor(error);
    const when = failure.final
      ? 'gave up'
      : `will retry after ${humanTime(failure.nextAttemptAt ?? this.#d.clock.now())}`;
    const reason = `${humanTime(this.#d.clock.now())} attempt ${failure.attempt}: ${error.code}: ${error.message} (${when})`;
    const values: TrackValues = { processing: mergeTags(current.processing, [], [tag]), lock: '' };
    if (this.schema.fields.lastError) values.lastError = reason;
    const written = await this.#write(page.id, values);
    // The legacy schema has no column for a reason: a comment on the row keeps it visible where the user looks.
    if (failure.final && !this.schema.fields.lastError) await this.#comment(page.id, reason);
    return written;
  }

  /** A comment on the row; a failure to post it is logged, never fatal (the integration may lack the capability). */
  async #comment(pageId: string, text: string): Promise<void> {
    await this.#d.notion.createComment(pageId, `tracksync: ${text}`).catch((commentError: unknown) => {
      this.#d.logger.warn(
        { err: commentError, pageId },
        'could not comment on the row (does the integration have the comment capability?)',
      );
    });
  }

  async #write(pageId: string, values: TrackValues): Promise<PageResponse> {
    const properties = encodeFields(this.schema, values);
    return this.#d.notion.updatePage(pageId, properties, (page) => pageHasValues(this.schema, page, values));
  }
}

/** The row's Audio Processing tags, minus every error tag, plus `add` and `errors`. Tags the user set are kept. */
/** The row's tags with its error tags cleared, then `add` and `errors`; tags a person added are kept. */
function mergeTags(
  current: FieldValue | undefined,
  add: readonly string[],
  errors: readonly ProcessingErrorTag[],
): string[] {
  const existing = Array.isArray(current) ? current : [];
  const kept = existing.filter((t) => !(PROCESSING_ERROR_TAGS as readonly string[]).includes(t));
  return [...new Set([...kept, ...add, ...errors])];
}
