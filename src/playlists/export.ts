import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { PlaylistExportRow, Store } from '../../state/store.js';
import type { Clock } from '../clock.js';
import { CONSTANTS } from '../config/constants.js';
import type { Config } from '../config/load.js';
import { TrackSyncError, coerceError, type ErrorCode, type ErrorKind } from '../errors.js';
import type { Logger } from '../log.js';
import { encodeFields, pageHasValues, type FieldValue } from '../notion/codecs.js';
import type { FieldKey } from '../notion/databases.js';
import type { NotionGateway } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import { packageRoot } from '../paths.js';
import { unmountedVolume } from '../domain/volumes.js';
import { writeTextAtomically } from '../text-file.js';
import { AppleMusic, syncArguments, type AppleMusicEntry } from './apple-music.js';
import { renderM3u8 } from './m3u8.js';
import {
  idKey,
  membersOf,
  readNotionPlaylists,
  type Members,
  type NotionPlaylists,
  type PlaylistRow,
  type NotionTrack,
} from './model.js';
import { assignPlaylistNames, type PlaylistNaming } from './names.js';
import { orderTracks } from './order.js';
import { renderRekordboxXml } from './rekordbox.js';
import { displayTitle, mapLimit, resolveTracks, type ExportTrack, type LeftOut, type Resolved } from './tracks.js';

/**
 * Notion playlists exported to where a DJ plays: one `<playlist>.m3u8` per playlist and one `rekordbox.xml` in the
 * export
 * folder, and an Apple Music playlist per Notion playlist on macOS; each target switchable (config.playlists). Then the
 * Music Playlists row gets the export time, the number of tracks exported and the ones left out, in whichever of those
 * properties the database has.
 *
 * `exportPlaylists` is the one entry point: the CLI calls it, and the running daemon (app/music.ts) calls it with
 * `onlyChanged` after synced tracks (debounced) and on playlists.exportCron, for edited Music Playlists rows. With
 * `onlyChanged`, a playlist whose
 * export would come out the same (same name, same tracks in the same order, same files and fields) is not written, not
 * written back and costs no Notion request beyond the two listings (see model.ts); SQLite remembers what was exported.
 *
 * Files appear whole (a temp file, fsync, rename). A renamed playlist's old file and a removed playlist's file are
 * deleted only when they are the .m3u8 file tracksync wrote, unchanged since; audio files are never touched.
 */

export interface ExportDeps {
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly store: Store;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Called after each playlist (a progress line). */
  readonly onProgress?: (progress: { done: number; total: number; playlist: string }) => void;
}

export interface ExportOptions {
  /** Only these playlists (by name; exact, else ignoring case); every playlist when absent or empty. */
  readonly names?: readonly string[];
  /** Leave playlists whose export would not change alone. */
  readonly onlyChanged: boolean;
  /** Read and compare, write nothing (`tracksync playlists list`). */
  readonly dryRun?: boolean;
}

export type WriteBack = 'written' | 'not needed' | 'no properties' | 'failed' | 'dry run';

export interface PlaylistReport {
  readonly pageId: string;
  /** The name in Notion. */
  readonly name: string;
  /** The name shown in the DJ apps (numbered when two playlists share a name). */
  readonly label: string;
  /** The .m3u8 file (when that target is on). */
  readonly filePath: string | null;
  /** Why the file name or label differs from the name, when it does. */
  readonly naming?: string;
  /** Tracks the playlist has in Notion. */
  readonly tracks: number;
  /** Tracks in the exported files. */
  readonly exported: number;
  readonly leftOut: readonly LeftOut[];
  /** Files found through the library index because Notion's path is gone. */
  readonly moved: ReadonlyArray<{ readonly title: string; readonly from: string; readonly to: string }>;
  /** Its export differs from the last one (or there was none). */
  readonly changed: boolean;
  /** It was exported in this run (written, or would be in a dry run). */
  readonly exportedNow: boolean;
  readonly writeBack: WriteBack;
  readonly appleMusic?: {
    readonly status: 'synced' | 'unchanged' | 'failed';
    readonly missing: number;
    readonly error?: string;
  };
  /** When it was last exported (this run included). */
  readonly exportedAt: number | null;
  /** Where its member list came from (page object, earlier read, a read now, the track rows). */
  readonly membersFrom: Members['source'] | 'not read';
}

/** A failure that did not stop the export, classified as every tracksync error is (src/errors.ts). */
export interface ExportError {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly playlist?: string;
  /** For a rate limit: how long Notion asked to wait. */
  readonly retryAfterMs?: number;
}

function exportError(error: TrackSyncError, playlist: string): ExportError {
  return {
    code: error.code,
    kind: error.kind,
    message: error.message,
    playlist,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
}

export interface ExportReport {
  readonly exportDir: string;
  readonly playlists: readonly PlaylistReport[];
  readonly removed: ReadonlyArray<{
    readonly pageId: string;
    readonly name: string;
    readonly filePath: string | null;
    readonly fileRemoved: boolean;
    readonly note?: string;
  }>;
  readonly rekordbox: {
    readonly path: string;
    readonly written: boolean;
    readonly tracks: number;
    readonly playlists: number;
  } | null;
  /**
   * Notion requests made: the two listings, relation reads, write-backs (in a daemon, others' requests meanwhile too).
   */
  readonly notionRequests: { readonly listing: number; readonly relations: number; readonly writes: number };
  /** Failures that did not stop the export (a write-back, Apple Music); the files are written. */
  readonly errors: readonly ExportError[];
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

const REKORDBOX_FILE = 'rekordbox.xml';
const REKORDBOX_META = 'playlists.rekordbox';
const WRITE_BACK_FIELDS: ReadonlyArray<FieldKey<'playlists'>> = [
  'exportedAt',
  'exportedCount',
  'missingTracks',
  'exportFile',
];

let productVersion: string | undefined;
function version(): string {
  productVersion ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
  return productVersion;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function notionUrl(pageId: string): string {
  return `https://www.notion.so/${pageId.replaceAll('-', '')}`;
}

/**
 * Deletes a playlist file tracksync wrote, if it is still exactly what it wrote: an .m3u8 file whose bytes hash to
 * `hash`. Anything else (an audio file, a file someone edited) stays; the reason is returned.
 */
async function removeOwnFile(path: string, hash: string | null): Promise<{ removed: boolean; note?: string }> {
  if (extname(path).toLowerCase() !== '.m3u8')
    return { removed: false, note: `${path} is not a playlist file tracksync writes; left in place` };
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch {
    return { removed: false };
  }
  if (hash === null || sha256(content) !== hash)
    return { removed: false, note: `${path} was changed since tracksync wrote it; left in place` };
  await rm(path, { force: true });
  return { removed: true };
}

interface Planned {
  readonly playlist: PlaylistRow;
  readonly naming: PlaylistNaming;
  readonly members: Members | undefined;
  readonly entries: readonly ExportTrack[];
  readonly leftOut: readonly LeftOut[];
  readonly contentHash: string;
  readonly m3u8: string | null;
  readonly filePath: string | null;
  readonly changed: boolean;
  readonly previous: PlaylistExportRow | undefined;
}

/** Exports the playlists (all, or `names`), returns what was done. Throws only when nothing can be exported. */
export async function exportPlaylists(deps: ExportDeps, options: ExportOptions): Promise<ExportReport> {
  const { config, store, clock, notion, logger } = deps;
  const started = clock.now();
  const settings = config.playlists;
  const schema = deps.schemas.playlists;
  if (!schema) {
    throw new TrackSyncError(
      'CONFIG_INVALID',
      'playlist export needs the Music Playlists database: set PLAYLISTS_DB_ID to its id (Share > Copy link in Notion)',
    );
  }
  const exportDir = settings.exportDir;
  const dryRun = options.dryRun === true;
  const missingVolume = unmountedVolume(exportDir);
  if (missingVolume)
    throw new TrackSyncError(
      'VOLUME_NOT_MOUNTED',
      `volume not mounted: ${missingVolume} (needed for the playlist export folder ${exportDir}); the export waits`,
    );
  const warnings: string[] = [];
  const errors: ExportError[] = [];
  if (settings.sortProperty !== null && !deps.schemas.tracks.fields.setOrder) {
    warnings.push(
      `playlists.sortProperty "${settings.sortProperty}" is not a number, text or select property of Music Tracks; playlists keep the order of their relation`,
    );
  }

  let mark = notion.requestCount;
  const notionData = await readNotionPlaylists(deps);
  const listing = notion.requestCount - mark;
  const previous = new Map(store.playlists.listPlaylistExports().map((row) => [row.page_id, row]));
  const selected = selectPlaylists(notionData.playlists, options.names ?? []);
  const owned = new Set([...previous.values()].map((row) => row.file_path).filter((f): f is string => f !== null));
  const namings = assignPlaylistNames(
    notionData.playlists,
    new Map(
      [...previous.values()]
        .filter((row) => row.file_path !== null)
        .map((row) => [row.page_id, basename(row.file_path!)]),
    ),
    config.placement.maxFileNameBytes,
    // A file in the export folder that tracksync did not write (the user's own playlist) is never overwritten.
    (fileName) => !owned.has(join(exportDir, fileName)) && existsSync(join(exportDir, fileName)),
  );

  // Members of every playlist rekordbox.xml shows (all of them), else of the selected ones only. rekordbox.xml holds
  // every synced track whatever the playlists hold, so then their files are looked at while the relations are read.
  mark = notion.requestCount;
  const needMembers = settings.rekordbox ? notionData.playlists : selected;
  const [memberLists, everyTrack] = await Promise.all([
    mapLimit(needMembers, CONSTANTS.notion.requestsInFlight, (playlist) =>
      membersOf(deps, notionData, playlist, previous.get(playlist.pageId)),
    ),
    settings.rekordbox ? resolveTracks(deps, [...notionData.tracks.values()], { headers: true }) : undefined,
  ]);
  const members = new Map(needMembers.map((playlist, i) => [playlist.pageId, memberLists[i]!]));
  const relations = notion.requestCount - mark;

  const sortValue =
    settings.sortProperty !== null && deps.schemas.tracks.fields.setOrder
      ? (id: string) => notionData.tracks.get(idKey(id))?.setOrder
      : undefined;
  const resolved = everyTrack ?? (await resolveTracks(deps, rowsOf(notionData, members.values()), { headers: false }));

  const plans = needMembers.map((playlist) =>
    plan(playlist, namings.get(playlist.pageId)!, members.get(playlist.pageId), previous.get(playlist.pageId)),
  );
  const selectedIds = new Set(selected.map((p) => p.pageId));
  const appleMusic =
    settings.appleMusic && !dryRun
      ? new AppleMusic({ osascript: config.macos.osascript, timeoutMs: settings.appleMusicTimeoutMs }, logger)
      : undefined;
  let appleBroken: TrackSyncError | undefined;
  // Files this export points at: an old file that another playlist now has is neither removed nor reported.
  const inUse = new Set(plans.map((p) => p.filePath).filter((f): f is string => f !== null));
  if (!dryRun && (settings.m3u8 || settings.rekordbox)) await mkdir(exportDir, { recursive: true });

  const chosen = plans.filter((p) => selectedIds.has(p.playlist.pageId));
  mark = notion.requestCount;
  let done = 0;
  // The write-backs go CONSTANTS.notion.requestsInFlight at a time (the gateway keeps them within Notion's rate); with
  // Apple Music on, one playlist at a time: osascript drives one Music app, and a broken one is tried once.
  const reports = await mapLimit(chosen, appleMusic ? 1 : CONSTANTS.notion.requestsInFlight, async (p) => {
    deps.signal?.throwIfAborted();
    const exportNow = !options.onlyChanged || p.changed;
    let writeBack: WriteBack = 'not needed';
    let exportedAt = p.previous?.exported_at ?? null;
    let pageEditedAt = p.playlist.lastEditedTime;
    let fileWritten = false;
    if (exportNow && dryRun) writeBack = 'dry run';
    if (exportNow && !dryRun) {
      if (p.m3u8 !== null && p.filePath !== null) {
        fileWritten = true;
        const fileHash = sha256(p.m3u8);
        if (p.previous?.file_path !== p.filePath || p.previous.file_hash !== fileHash || !existsSync(p.filePath))
          await writeTextAtomically(p.filePath, p.m3u8, { store: store.library, clock });
        if (p.previous?.file_path && p.previous.file_path !== p.filePath && !inUse.has(p.previous.file_path)) {
          const old = await removeOwnFile(p.previous.file_path, p.previous.file_hash);
          if (old.note) warnings.push(`"${p.naming.label}" was renamed: ${old.note}`);
        }
      }
      const now = clock.now();
      const result = await writeBackRow(deps, p, now);
      if (result.status !== 'failed') exportedAt = now;
      writeBack = result.status;
      if (result.lastEditedTime) pageEditedAt = result.lastEditedTime;
      if (result.error) errors.push(exportError(result.error, p.naming.label));
    }
    let apple: Awaited<ReturnType<typeof syncAppleMusic>> | undefined;
    if (appleMusic) {
      apple = await syncAppleMusic(appleMusic, p, exportNow, appleBroken, deps.signal);
      if (apple.error) {
        errors.push(exportError(apple.error, p.naming.label));
        // osascript missing, or Music refusing to be controlled: the same for every playlist, so tried once per export.
        if (apple.error.code === 'TOOL_MISSING' || /Automation/.test(apple.error.message)) appleBroken = apple.error;
      }
    }
    // A failed write-back leaves the export unrecorded, so the next export writes it back again (the files are
    // written).
    const recorded = exportNow && !dryRun && writeBack !== 'failed';
    saveState(store, clock, p, {
      exported: recorded,
      fileWritten,
      exportedAt,
      pageEditedAt,
      ...(apple?.state ? { apple: apple.state } : {}),
    });
    done += 1;
    deps.onProgress?.({ done, total: chosen.length, playlist: p.naming.label });
    return report(p, { exportNow, writeBack, exportedAt, ...(apple ? { apple: apple.report } : {}) });
  });
  const writes = notion.requestCount - mark;
  // Playlists not selected still keep a relation read made for rekordbox.xml.
  for (const p of plans) {
    if (dryRun || selectedIds.has(p.playlist.pageId) || p.members?.source !== 'read') continue;
    saveState(store, clock, p, {
      exported: false,
      fileWritten: false,
      exportedAt: p.previous?.exported_at ?? null,
      pageEditedAt: p.playlist.lastEditedTime,
    });
  }

  const removed =
    options.names && options.names.length > 0
      ? []
      : await removeGone(deps, notionData, previous, { appleMusic, dryRun, inUse, warnings });
  const rekordbox = settings.rekordbox ? await writeRekordbox(deps, notionData, plans, resolved, dryRun) : null;
  for (const r of reports) {
    for (const m of r.moved)
      warnings.push(
        `"${r.label}": ${m.title} is no longer at ${m.from}; exported from ${m.to} (the library index found it)`,
      );
    for (const l of r.leftOut)
      if (l.reason !== 'not synced yet')
        warnings.push(`"${r.label}": ${l.title} left out: ${l.reason}${l.detail ? ` (${l.detail})` : ''}`);
    if (r.naming) warnings.push(`"${r.name}": ${r.naming}`);
  }
  for (const warning of warnings) logger.warn({ exportDir }, warning);
  return {
    exportDir,
    playlists: reports,
    removed,
    rekordbox,
    notionRequests: { listing, relations, writes },
    errors,
    warnings,
    durationMs: clock.now() - started,
  };

  function plan(
    playlist: PlaylistRow,
    naming: PlaylistNaming,
    m: Members | undefined,
    prev: PlaylistExportRow | undefined,
  ): Planned {
    const entries: ExportTrack[] = [];
    const leftOut: LeftOut[] = [];
    for (const id of orderTracks(m?.ids ?? [], sortValue)) {
      const row = notionData.tracks.get(idKey(id));
      const r: Resolved | undefined = row ? resolved.get(row.pageId) : undefined;
      if (!row || !r)
        leftOut.push({
          pageId: id,
          title: notionUrl(id),
          reason: 'not in Music Tracks',
          detail: 'not synced, or not shared with the integration',
        });
      else if (r.ok) entries.push(r.track);
      else leftOut.push(r.leftOut);
    }
    const filePath = settings.m3u8 ? join(exportDir, naming.fileName) : null;
    const m3u8 = filePath
      ? renderM3u8(naming.label, entries, { playlistDir: exportDir, relativePaths: settings.relativePaths })
      : null;
    const contentHash = sha256(JSON.stringify({ label: naming.label, fileName: naming.fileName, entries, leftOut }));
    const fileStale =
      m3u8 !== null && (prev?.file_path !== filePath || prev.file_hash !== sha256(m3u8) || !existsSync(filePath!));
    const changed = prev?.content_hash !== contentHash || prev.exported_at === null || fileStale;
    return { playlist, naming, members: m, entries, leftOut, contentHash, m3u8, filePath, changed, previous: prev };
  }
}

/** The Music Tracks rows of these playlists, each once. */
function rowsOf(notionData: NotionPlaylists, members: Iterable<Members>): NotionTrack[] {
  const rows = new Map<string, NotionTrack>();
  for (const m of members)
    for (const id of m.ids) {
      const row = notionData.tracks.get(idKey(id));
      if (row) rows.set(row.pageId, row);
    }
  return [...rows.values()];
}

function selectPlaylists(playlists: readonly PlaylistRow[], names: readonly string[]): PlaylistRow[] {
  if (names.length === 0) return [...playlists];
  const chosen = new Set<PlaylistRow>();
  for (const name of names) {
    const exact = playlists.filter((p) => p.name === name);
    const folded =
      exact.length > 0 ? exact : playlists.filter((p) => p.name.trim().toLowerCase() === name.trim().toLowerCase());
    if (folded.length === 0) {
      const known = playlists.map((p) => `"${p.name}"`).join(', ') || 'none';
      throw new TrackSyncError('USAGE', `no Music Playlists row is named "${name}"; playlists: ${known}`);
    }
    for (const p of folded) chosen.add(p);
  }
  return playlists.filter((p) => chosen.has(p));
}

function missingText(leftOut: readonly LeftOut[]): string {
  return leftOut.map((l) => `${l.title} (${l.reason}${l.detail ? `: ${l.detail}` : ''})`).join('\n');
}

/** The write-back PATCH: only the properties the database has; a failure is reported, the files stay written. */
async function writeBackRow(
  deps: ExportDeps,
  p: Planned,
  exportedAt: number,
): Promise<{ status: WriteBack; lastEditedTime?: string; error?: TrackSyncError }> {
  const schema = deps.schemas.playlists!;
  if (!WRITE_BACK_FIELDS.some((f) => schema.fields[f])) return { status: 'no properties' };
  const where =
    p.filePath ?? (deps.config.playlists.rekordbox ? join(deps.config.playlists.exportDir, REKORDBOX_FILE) : '');
  const values: Partial<Record<FieldKey<'playlists'>, FieldValue>> = {
    exportedAt: new Date(exportedAt).toISOString(),
    exportedCount: p.entries.length,
    missingTracks: missingText(p.leftOut),
    exportFile: where,
  };
  try {
    const page = await deps.notion.updatePage(p.playlist.pageId, encodeFields(schema, values), (current) =>
      pageHasValues(schema, current, values),
    );
    return { status: 'written', lastEditedTime: page.last_edited_time };
  } catch (raw) {
    const error = coerceError(raw);
    deps.logger.warn(
      { err: error, playlist: p.playlist.pageId },
      'could not write the export back to the Music Playlists row; the files are written',
    );
    return { status: 'failed', error };
  }
}

async function syncAppleMusic(
  appleMusic: AppleMusic,
  p: Planned,
  exportNow: boolean,
  broken: TrackSyncError | undefined,
  signal: AbortSignal | undefined,
): Promise<{ report: NonNullable<PlaylistReport['appleMusic']>; error?: TrackSyncError; state?: AppleState }> {
  const entries: AppleMusicEntry[] = p.entries.map((t) => ({
    paths: [t.path, ...(t.movedFrom ? [t.movedFrom] : [])],
    title: t.title,
    artist: t.artist,
  }));
  const hash = sha256(JSON.stringify(syncArguments(null, p.naming.label, entries)));
  const prev = p.previous;
  // Tracks Music did not have last time may have arrived since (the auto-add folder): look again.
  const needed = exportNow || !prev?.apple_playlist_id || prev.apple_hash !== hash || prev.apple_missing > 0;
  if (!needed) return { report: { status: 'unchanged', missing: 0 } };
  if (broken) return { report: { status: 'failed', missing: entries.length, error: broken.message } };
  try {
    const result = await appleMusic.sync(prev?.apple_playlist_id ?? null, p.naming.label, entries, signal);
    return {
      report: { status: 'synced', missing: result.missing.length },
      state: { id: result.playlistId, hash, missing: result.missing.length },
    };
  } catch (raw) {
    const error = coerceError(raw);
    if (error.code === 'ABORTED') throw error;
    return { report: { status: 'failed', missing: entries.length, error: error.message }, error };
  }
}

/** What an Apple Music sync leaves to remember: the playlist's persistent ID, what was sent, what Music lacked. */
interface AppleState {
  readonly id: string;
  readonly hash: string;
  readonly missing: number;
}

function saveState(
  store: Store,
  clock: Clock,
  p: Planned,
  what: {
    exported: boolean;
    fileWritten: boolean;
    exportedAt: number | null;
    pageEditedAt: string;
    apple?: AppleState;
  },
): void {
  const prev = p.previous;
  const apple = what.apple;
  const read = p.members?.source === 'read' || p.members?.source === 'page';
  store.playlists.savePlaylistExport({
    page_id: p.playlist.pageId,
    name: p.playlist.name,
    // What is on disk, whether or not the export is complete: renames and removals go by it.
    file_path: what.fileWritten || what.exported ? p.filePath : (prev?.file_path ?? null),
    file_hash:
      what.fileWritten || what.exported ? (p.m3u8 === null ? null : sha256(p.m3u8)) : (prev?.file_hash ?? null),
    content_hash: what.exported ? p.contentHash : (prev?.content_hash ?? null),
    member_ids_json: read ? JSON.stringify(p.members!.ids) : (prev?.member_ids_json ?? '[]'),
    // A list taken from the page object says nothing about when it was complete: only a read of the relation counts.
    members_read_at:
      p.members?.source === 'read'
        ? (p.members.readAt ?? null)
        : p.members?.source === 'page'
          ? null
          : (prev?.members_read_at ?? null),
    page_edited_at: what.pageEditedAt,
    exported_at: what.exportedAt,
    exported_count: what.exported ? p.entries.length : (prev?.exported_count ?? 0),
    missing_json: what.exported ? JSON.stringify(p.leftOut) : (prev?.missing_json ?? '[]'),
    apple_playlist_id: apple?.id ?? prev?.apple_playlist_id ?? null,
    apple_hash: apple?.hash ?? prev?.apple_hash ?? null,
    apple_missing: apple?.missing ?? prev?.apple_missing ?? 0,
    updated_at: clock.now(),
  });
}

function report(
  p: Planned,
  what: { exportNow: boolean; writeBack: WriteBack; exportedAt: number | null; apple?: PlaylistReport['appleMusic'] },
): PlaylistReport {
  return {
    pageId: p.playlist.pageId,
    name: p.playlist.name,
    label: p.naming.label,
    filePath: p.filePath,
    ...(p.naming.note ? { naming: p.naming.note } : {}),
    tracks: p.members?.ids.length ?? 0,
    exported: p.entries.length,
    leftOut: p.leftOut,
    moved: p.entries
      .filter((t) => t.movedFrom)
      .map((t) => ({ title: displayTitle(t), from: t.movedFrom!, to: t.path })),
    changed: p.changed,
    exportedNow: what.exportNow,
    writeBack: what.writeBack,
    ...(what.apple ? { appleMusic: what.apple } : {}),
    exportedAt: what.exportedAt,
    membersFrom: p.members?.source ?? 'not read',
  };
}

/** Playlists exported before whose row is gone from Music Playlists: their file and Apple Music playlist go too. */
async function removeGone(
  deps: ExportDeps,
  notionData: NotionPlaylists,
  previous: ReadonlyMap<string, PlaylistExportRow>,
  how: { appleMusic: AppleMusic | undefined; dryRun: boolean; inUse: ReadonlySet<string>; warnings: string[] },
): Promise<ExportReport['removed']> {
  const { appleMusic, dryRun, inUse, warnings } = how;
  const present = new Set(notionData.playlists.map((p) => p.pageId));
  const removed: Array<ExportReport['removed'][number]> = [];
  for (const row of previous.values()) {
    if (present.has(row.page_id)) continue;
    if (dryRun) {
      removed.push({
        pageId: row.page_id,
        name: row.name,
        filePath: row.file_path,
        fileRemoved: false,
        note: 'would be removed',
      });
      continue;
    }
    const file =
      row.file_path && !inUse.has(row.file_path)
        ? await removeOwnFile(row.file_path, row.file_hash)
        : { removed: false };
    if (file.note) warnings.push(`"${row.name}" is no longer in Music Playlists: ${file.note}`);
    if (appleMusic && row.apple_playlist_id) {
      try {
        await appleMusic.remove(row.apple_playlist_id, deps.signal);
      } catch (error) {
        warnings.push(
          `"${row.name}" is no longer in Music Playlists, but its Apple Music playlist could not be removed: ${coerceError(error).message}`,
        );
        continue; // kept in SQLite: tried again at the next export
      }
    }
    deps.store.playlists.deletePlaylistExport(row.page_id);
    removed.push({
      pageId: row.page_id,
      name: row.name,
      filePath: row.file_path,
      fileRemoved: file.removed,
      ...(file.note ? { note: file.note } : {}),
    });
  }
  return removed;
}

/** rekordbox.xml: every synced track whose file is there, and every playlist under the "tracksync" folder node. */
async function writeRekordbox(
  deps: ExportDeps,
  notionData: NotionPlaylists,
  plans: readonly Planned[],
  resolved: ReadonlyMap<string, Resolved>,
  dryRun: boolean,
): Promise<NonNullable<ExportReport['rekordbox']>> {
  const { store, config, clock } = deps;
  const path = join(config.playlists.exportDir, REKORDBOX_FILE);
  const collection = [...notionData.tracks.values()]
    .map((row) => resolved.get(row.pageId))
    .filter((r): r is Extract<Resolved, { ok: true }> => r?.ok === true)
    .map((r) => r.track);
  const ids = store.playlists.playlistTrackIds(collection.map((t) => t.pageId));
  const tracks = collection.map((t) => ({
    trackId: ids.get(t.pageId)!,
    name: t.title,
    artist: t.artist,
    album: t.album,
    genre: t.genre,
    kind: t.kind,
    sizeBytes: t.sizeBytes,
    totalTimeSeconds: t.durationSeconds ?? 0,
    dateAdded: t.dateAdded,
    bitRateKbps: t.bitRateKbps,
    sampleRateHz: t.sampleRateHz,
    averageBpm: t.bpm,
    tonality: t.tonality,
    comments: config.playlists.camelotInComments ? t.camelot : '',
    path: t.path,
  }));
  const playlists = plans.map((p) => ({ name: p.naming.label, trackIds: p.entries.map((t) => ids.get(t.pageId)!) }));
  const options = { folderName: config.playlists.rekordboxFolder, productVersion: version() };
  // Rendering 2,000 tracks takes a few hundred milliseconds; hashing what it is made of, a few: render only on a
  // change.
  const inputs = sha256(JSON.stringify({ tracks, playlists, options }));
  const last = store.getMeta(REKORDBOX_META);
  const previous = last === undefined ? undefined : (JSON.parse(last) as { path: string; inputs: string });
  const unchanged = previous?.inputs === inputs && previous.path === path && existsSync(path);
  if (!unchanged && !dryRun) {
    await writeTextAtomically(path, renderRekordboxXml(tracks, playlists, options), { store: store.library, clock });
    store.setMeta(REKORDBOX_META, JSON.stringify({ path, inputs }));
  }
  return { path, written: !unchanged && !dryRun, tracks: tracks.length, playlists: playlists.length };
}
