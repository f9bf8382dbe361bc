import { stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import type { FileFactsRow, Store } from '../../state/store.js';
import type { AudioFormat, Config } from '../config/load.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { readAudioHeader } from './headers.js';
import { camelotCode, parseKey, rekordboxTonality } from './keys.js';
import type { NotionTrack } from './model.js';
import { REKORDBOX_KINDS } from './rekordbox.js';

/**
 * A Notion track row turned into what a playlist file shows: the file to point at (it exists, now), its size, its
 * sample rate and bit rate from the file's header (music-metadata reads only the header; the result is kept in SQLite
 * while the file's size and mtime stay the same), and the analysis tracksync wrote to Notion.
 *
 * A row is left out, with the reason, when it is not synced yet, or when none of its files is where Notion says and the
 * library index knows of no other copy: a playlist never points at a file that is not there. Paths from Notion are
 * untrusted text: only absolute paths to audio files, without control characters, are considered.
 */

export interface ExportTrack {
  readonly pageId: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly genre: string;
  readonly path: string;
  readonly kind: string;
  readonly sizeBytes: number;
  readonly durationSeconds: number | null;
  readonly bpm: number | null;
  /** rekordbox spelling ("Am"); "" when unknown. */
  readonly tonality: string;
  /** "8A"; "" when unknown. */
  readonly camelot: string;
  readonly sampleRateHz: number;
  readonly bitRateKbps: number;
  /** yyyy-mm-dd */
  readonly dateAdded: string;
  /** Set when Notion's path is gone and the library index found the file elsewhere. */
  readonly movedFrom?: string;
}

export type LeftOutReason = 'not synced yet' | 'file missing' | 'not in Music Tracks';

export interface LeftOut {
  readonly pageId: string;
  readonly title: string;
  readonly reason: LeftOutReason;
  readonly detail?: string;
}

export type Resolved =
  { readonly ok: true; readonly track: ExportTrack } | { readonly ok: false; readonly leftOut: LeftOut };

export interface TrackDeps {
  readonly store: Store;
  readonly config: Config;
  readonly logger: Logger;
}

const AUDIO = new Set(['.aiff', '.aif', '.m4a', '.wav', '.mp3', '.flac']);
const CONTROL = /[\u0000-\u001f\u007f]/;

interface FileFound {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Asynchronous, like the header reads (headers.ts, which says why). */
async function usableFile(path: string): Promise<FileFound | undefined> {
  if (!isAbsolute(path) || CONTROL.test(path) || !AUDIO.has(extname(path).toLowerCase())) return undefined;
  try {
    const stats = await stat(path);
    return stats.isFile() ? { path, size: stats.size, mtimeMs: Math.round(stats.mtimeMs) } : undefined;
  } catch {
    return undefined; // gone, a folder on the way is a file, no permission: not a file a playlist can point at
  }
}

/**
 * The file a playlist points at: the first existing one in the configured format order, else a copy the index knows.
 */
async function findFile(
  deps: TrackDeps,
  row: NotionTrack,
): Promise<{ found: FileFound; movedFrom?: string } | { missing: string }> {
  for (const format of deps.config.playlists.formats) {
    const path = row.paths[format];
    if (path === undefined) continue;
    const found = await usableFile(path);
    if (found) return { found };
  }
  const listed = deps.config.playlists.formats.map((f) => row.paths[f]).filter((p): p is string => p !== undefined);
  // The library index (tracksync library scan, and every file tracksync placed) may know where the file is now.
  const rank = (format: string): number => deps.config.playlists.formats.indexOf(format as AudioFormat);
  const indexed = deps.store.library
    .listLibraryFilesOfPage(row.pageId)
    .filter((f) => rank(f.format) >= 0)
    .sort((a, b) => rank(a.format) - rank(b.format));
  for (const file of indexed) {
    const found = await usableFile(file.path);
    if (found) return listed.length > 0 ? { found, movedFrom: listed[0]! } : { found };
  }
  return { missing: listed.length === 0 ? 'Notion has no file path for it' : `no file at ${listed.join(' or ')}` };
}

/**
 * Runs `fn` over `items`, at most `limit` at a time, results in input order. After a failure nothing new starts, and
 * the first error is thrown once the calls under way have ended: none of them is left writing after the caller moved
 * on (the export's write-backs, when a shutdown aborts it).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}

interface Facts {
  readonly sampleRateHz: number;
  readonly bitRateKbps: number;
  readonly durationSeconds: number | null;
}

/**
 * Sample rate, bit rate and duration: from SQLite while the file is unchanged, else from its header (`fresh` collects
 * what was read, saved in one transaction by the caller).
 */
async function factsOf(deps: TrackDeps, file: FileFound, fresh: FileFactsRow[]): Promise<Facts> {
  const known = deps.store.playlists.getFileFacts(file.path);
  if (known && known.size === file.size && known.mtime_ms === file.mtimeMs) {
    return {
      sampleRateHz: known.sample_rate ?? 0,
      bitRateKbps: known.bit_rate ?? 0,
      durationSeconds: known.duration_seconds,
    };
  }
  let facts: Facts = { sampleRateHz: 0, bitRateKbps: 0, durationSeconds: null };
  try {
    facts = await readAudioHeader(file.path);
  } catch (error) {
    // An unreadable header still leaves a playable entry: rekordbox reads the file itself when it imports it.
    deps.logger.warn(
      { path: file.path, err: messageOf(error) },
      'could not read the header of a playlist track; its sample rate and bit rate are left at 0',
    );
  }
  fresh.push({
    path: file.path,
    size: file.size,
    mtime_ms: file.mtimeMs,
    sample_rate: facts.sampleRateHz,
    bit_rate: facts.bitRateKbps,
    duration_seconds: facts.durationSeconds,
  });
  return facts;
}

/**
 * Resolves rows to exportable tracks. `headers`: read sample rate and bit rate (rekordbox wants them); without it the
 * header is read only for a track whose duration Notion lacks.
 */
export async function resolveTracks(
  deps: TrackDeps,
  rows: readonly NotionTrack[],
  options: { headers: boolean },
): Promise<Map<string, Resolved>> {
  const fresh: FileFactsRow[] = [];
  const resolved = await mapLimit(rows, deps.config.playlists.headerReadConcurrency, async (row): Promise<Resolved> => {
    if (!row.downloaded)
      return { ok: false, leftOut: { pageId: row.pageId, title: displayTitle(row), reason: 'not synced yet' } };
    const file = await findFile(deps, row);
    if ('missing' in file)
      return {
        ok: false,
        leftOut: { pageId: row.pageId, title: displayTitle(row), reason: 'file missing', detail: file.missing },
      };
    const facts = options.headers || row.durationSeconds === null ? await factsOf(deps, file.found, fresh) : undefined;
    const key = parseKey(row.key) ?? parseKey(row.camelot);
    const extension = extname(file.found.path).slice(1).toLowerCase();
    const track: ExportTrack = {
      pageId: row.pageId,
      title: row.title,
      artist: row.artist,
      album: row.album,
      genre: row.genre,
      path: file.found.path,
      kind: REKORDBOX_KINDS[extension] ?? `${extension.toUpperCase()} File`,
      sizeBytes: file.found.size,
      durationSeconds: row.durationSeconds ?? facts?.durationSeconds ?? null,
      bpm: row.bpm,
      tonality: rekordboxTonality(key),
      camelot: row.camelot || camelotCode(key),
      sampleRateHz: facts?.sampleRateHz ?? 0,
      bitRateKbps: facts?.bitRateKbps ?? 0,
      dateAdded: row.addedAt.match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? '',
      ...(file.movedFrom ? { movedFrom: file.movedFrom } : {}),
    };
    return { ok: true, track };
  });
  deps.store.transaction(() => fresh.forEach((row) => deps.store.playlists.saveFileFacts(row)));
  return new Map(rows.map((row, i) => [row.pageId, resolved[i]!]));
}

/** "Artist - Title" as reports and Notion show a track. */
export function displayTitle(row: { readonly title: string; readonly artist: string }): string {
  const title = row.title || 'Untitled';
  return row.artist ? `${row.artist} - ${title}` : title;
}
