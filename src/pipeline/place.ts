import { randomUUID } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { AudioFormat, Config, DestinationKey } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { PipelineDeps } from './context.js';
import { fingerprintKeys } from '../library/fingerprint-index.js';
import { numberedName, safeSegment, trackFileName } from '../domain/names.js';
import { coreTitle, normaliseText } from '../domain/scoring.js';
import { unmountedVolume } from '../domain/volumes.js';

export interface Placed {
  /** The path written to Notion per format (the first destination). */
  readonly primary: Partial<Record<AudioFormat, string>>;
  /** Every file written, copies included. */
  readonly all: readonly string[];
  readonly bytes: number;
}

/**
 * The folder of a destination: OUT_DIR/<playlist or "Unassigned">, or the flat backup folders. Undefined when the
 * destination's folder is not configured (the format then goes to its next destination).
 */
export function destinationFolder(config: Config, key: DestinationKey, playlist: string | null): string | undefined {
  if (key === 'out')
    return join(
      config.paths.outDir,
      safeSegment(playlist ?? '', config.placement.maxFileNameBytes, config.placement.unassignedFolder),
    );
  if (key === 'backup') return config.paths.backupDir;
  return config.paths.wavBackupDir;
}

/**
 * Names being written right now, by page. Two tracks with the same name placed at the same moment would both find the
 * name free (neither file exists yet) and the second rename would replace the first track's file; a name is therefore
 * reserved, synchronously, before its write starts. One daemon per state directory makes a process-wide map enough.
 */
const writing = new Map<string, string>();

/**
 * The final name in `folder`, reserved for this track: the plain one unless another track owns (or is writing) a
 * file by that name, then "Name (2)", ... The same track replaces its own file. Release with `writing.delete`.
 */
function reserveName(deps: PipelineDeps, folder: string, fileName: string): string {
  for (let n = 1; n < 1000; n += 1) {
    const candidate = join(folder, n === 1 ? fileName : numberedName(fileName, n));
    const writer = writing.get(candidate);
    if (writer !== undefined && writer !== deps.pageId) continue;
    const free = !existsSync(candidate) || deps.store.getLibraryFile(candidate)?.page_id === deps.pageId;
    if (!free) continue;
    writing.set(candidate, deps.pageId);
    return candidate;
  }
  throw new TrackSyncError('FILE_WRITE_FAILED', `more than 999 files named like "${fileName}" in ${folder}`);
}

/** Copy (an APFS clone where possible), fsync, rename: the file appears whole or not at all. */
export async function writeAtomically(deps: PipelineDeps, source: string, target: string): Promise<number> {
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target).slice(0, 60)}.tracksync-${randomUUID().slice(0, 8)}.tmp`);
  deps.store.addPendingFile(temp, deps.itemId, deps.clock.now());
  try {
    deps.signal.throwIfAborted();
    // COPYFILE_FICLONE: a copy-on-write clone on APFS (instant, no extra space); a plain copy where cloning is
    // unsupported.
    await deps.files.copyFile(source, temp, constants.COPYFILE_FICLONE);
    const handle = await deps.files.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await deps.files.rename(temp, target);
  } catch (error) {
    await deps.files.rm(temp, { force: true });
    throw coerceError(error);
  } finally {
    deps.store.removePendingFile(temp);
  }
  return (await deps.files.stat(target)).size;
}

/** What the library index records of a placed file (the pipeline knows it all already: no file is read again). */
export interface PlacedFacts {
  readonly album: string;
  readonly durationSeconds: number;
  readonly bpm: number | null;
  readonly key: string | null;
  readonly fingerprint: string | null;
  readonly fingerprintRaw: Uint32Array | null;
}

/** Places every converted file in its destinations and adds them to the library index. */
export async function placeFiles(
  deps: PipelineDeps,
  files: Partial<Record<AudioFormat, string>>,
  names: { artist: string; title: string; playlist: string | null },
  facts?: PlacedFacts,
): Promise<Placed> {
  const { config } = deps;
  const primary: Partial<Record<AudioFormat, string>> = {};
  const all: string[] = [];
  let bytes = 0;
  for (const [format, source] of Object.entries(files) as Array<[AudioFormat, string]>) {
    const configured = config.placement.destinations[format]
      .map((key) => destinationFolder(config, key, names.playlist))
      .filter((f): f is string => f !== undefined);
    // OUT_DIR always exists (it has a default): a format whose folders are all unset lands there.
    const folders = configured.length > 0 ? configured : [destinationFolder(config, 'out', names.playlist)!];
    for (const folder of [...new Set(folders)]) {
      const missing = unmountedVolume(folder);
      if (missing)
        throw new TrackSyncError(
          'VOLUME_NOT_MOUNTED',
          `volume not mounted: ${missing} (needed for ${folder}); the track waits and is retried`,
          { details: { folder } },
        );
      await deps.files.mkdir(folder, { recursive: true });
      const target = reserveName(
        deps,
        folder,
        trackFileName(names.artist, names.title, format, config.placement.maxFileNameBytes),
      );
      let size: number;
      try {
        // Belt and braces: whatever the name, the file stays inside its folder.
        if (relative(folder, target).startsWith('..') || relative(folder, target).includes(sep))
          throw new TrackSyncError('INTERNAL', `refusing to write outside ${folder}: ${target}`);
        size = await writeAtomically(deps, source, target);
        const stats = await deps.files.stat(target);
        const raw = facts?.fingerprintRaw ?? null;
        deps.store.upsertIndexedFile(
          {
            path: target,
            root: null,
            pageId: deps.pageId,
            format,
            size,
            mtimeMs: Math.round(stats.mtimeMs),
            durationSeconds: facts?.durationSeconds ?? null,
            title: names.title,
            artist: names.artist,
            album: facts?.album ?? null,
            bpm: facts?.bpm ?? null,
            musicalKey: facts?.key ?? null,
            normTitle: coreTitle(names.title),
            normArtist: normaliseText(names.artist),
            fingerprint: facts?.fingerprint ?? null,
            fingerprintRaw: raw ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : null,
            scanId: null,
            now: deps.clock.now(),
          },
          raw ? fingerprintKeys(raw) : [],
        );
      } finally {
        writing.delete(target);
      }
      primary[format] ??= target;
      all.push(target);
      bytes += size;
    }
  }
  deps.events?.emit('files:written', { bytes });
  return { primary, all, bytes };
}
