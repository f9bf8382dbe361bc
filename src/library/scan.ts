import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Store } from '../../state/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { fingerprintFile } from '../media/chromaprint.js';
import { readTags } from '../media/tags.js';
import { unmountedVolume } from '../domain/volumes.js';
import { coreTitle, normaliseText } from '../domain/scoring.js';
import { fingerprintKeys } from './fingerprint-index.js';

const SEEN_BATCH = 500;
const AUDIO_EXTENSIONS = new Set(['.m4a', '.aiff', '.aif', '.wav', '.mp3', '.flac', '.ogg', '.opus', '.aac']);

export interface ScanProgress {
  readonly seen: number;
  /** Files decoded (new or changed); unchanged ones (same size and mtime) are not opened. */
  readonly read: number;
  readonly failed: number;
  readonly current: string;
}

export interface ScanResult {
  readonly scanId: number;
  readonly roots: readonly string[];
  readonly skippedRoots: ReadonlyArray<{ root: string; reason: string }>;
  readonly seen: number;
  readonly read: number;
  readonly failed: number;
  readonly gone: number;
}

/** The library folders: OUT_DIR, BACKUP_DIR, WAV_BACKUP_DIR and `library.extraFolders` from the config file. */
export function libraryRoots(config: Config): string[] {
  return [
    ...new Set(
      [config.paths.outDir, config.paths.backupDir, config.paths.wavBackupDir, ...config.library.extraFolders].filter(
        (p): p is string => Boolean(p),
      ),
    ),
  ];
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Whether a path typed into Notion (M4A/AIFF/WAV File Path) may be adopted: it must lie inside a library folder, both
 * as written and once every symlink is resolved (a link in the library pointing at ~/.ssh is outside). A file that
 * does not exist (yet) is judged by how it is written. Returns why not, or null when it may.
 */
export async function outsideLibrary(config: Config, path: string): Promise<string | null> {
  const roots = libraryRoots(config);
  const named = 'outside the library folders (OUT_DIR, BACKUP_DIR, WAV_BACKUP_DIR, library.extraFolders)';
  if (!isAbsolute(path) || !roots.some((root) => within(resolve(root), resolve(path)))) return named;
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return null; // not there: nothing would be adopted anyway
  }
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => resolve(root))));
  return realRoots.some((root) => within(root, real)) ? null : `a link to ${real}, ${named}`;
}

async function* audioFiles(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // a folder that vanished mid-scan, or one we may not read
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue; // hidden files, our own temp files, Eagle's .library packages
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* audioFiles(path);
    else if (entry.isFile() && AUDIO_EXTENSIONS.has(extname(entry.name).toLowerCase())) yield path;
  }
}

/**
 * Builds or refreshes the index. Incremental: a file with the size and mtime the index already has is not opened.
 * Resumable: an interrupted scan is continued by the next one (every file is committed as it is read, and the scan id
 * is reused until a scan of the same folders finishes). At the end, files not seen are marked gone.
 */
export async function scanLibrary(options: {
  store: Store;
  config: Config;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}): Promise<ScanResult> {
  const { store, config, clock, logger } = options;
  const roots: string[] = [];
  const skippedRoots: Array<{ root: string; reason: string }> = [];
  for (const root of libraryRoots(config)) {
    const missing = unmountedVolume(root);
    if (missing) skippedRoots.push({ root, reason: `volume not mounted: ${missing}` });
    else if (!existsSync(root)) skippedRoots.push({ root, reason: 'folder does not exist' });
    else roots.push(root);
  }
  const scanId = store.library.beginLibraryScan(roots, clock.now());
  const concurrency = Math.max(1, config.library.scanConcurrency || availableParallelism());
  let seen = 0;
  let read = 0;
  let failed = 0;
  let aborted: Error | undefined;
  const readFile = async (path: string, root: string, stats: { size: number; mtimeMs: number }): Promise<void> => {
    const [tags, fingerprint] = await Promise.all([readTags(path), fingerprintFile(config, path, options.signal)]);
    const raw = Buffer.from(fingerprint.raw.buffer, fingerprint.raw.byteOffset, fingerprint.raw.byteLength);
    store.library.upsertIndexedFile(
      {
        path,
        root,
        pageId: null,
        format: extname(path).slice(1).toLowerCase(),
        size: stats.size,
        mtimeMs: Math.round(stats.mtimeMs),
        durationSeconds: tags.durationSeconds,
        title: tags.title,
        artist: tags.artist,
        album: tags.album,
        bpm: tags.bpm,
        musicalKey: tags.key,
        normTitle: tags.title ? coreTitle(tags.title) : null,
        normArtist: tags.artist ? normaliseText(tags.artist) : null,
        fingerprint: fingerprint.compressed,
        fingerprintRaw: raw,
        scanId,
        now: clock.now(),
      },
      fingerprintKeys(fingerprint.raw),
    );
  };
  for (const root of roots) {
    // Unchanged files are marked seen in batches: an interrupted scan loses at most one batch of cheap marks.
    let unchanged: string[] = [];
    const flush = (): void => {
      store.library.markLibraryFilesSeen(unchanged, scanId, root);
      unchanged = [];
    };
    // New and changed files are read `concurrency` at a time (one fpcalc each: a first scan of a big library is CPU
    // bound, and fpcalc uses one core); unchanged files cost a stat and a lookup, no decode.
    const inFlight = new Set<Promise<void>>();
    for await (const path of audioFiles(root)) {
      options.signal?.throwIfAborted();
      seen += 1;
      let stats;
      try {
        stats = await stat(path);
      } catch (raw) {
        failed += 1;
        logger.warn({ path, err: coerceError(raw) }, 'could not index a file; the scan goes on');
        continue;
      }
      const known = store.library.getLibraryFile(path);
      if (known && known.size === stats.size && known.mtime_ms === Math.round(stats.mtimeMs) && known.fingerprint_raw) {
        unchanged.push(path);
        if (unchanged.length >= SEEN_BATCH) flush();
      } else {
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        const task = readFile(path, root, stats).then(
          () => {
            read += 1;
          },
          (raw: unknown) => {
            const error = coerceError(raw);
            if (error.code === 'ABORTED') aborted = error;
            else {
              failed += 1;
              logger.warn({ path, err: error }, 'could not index a file; the scan goes on');
            }
          },
        );
        const tracked = task.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      if (aborted) throw aborted;
      if (seen % 25 === 0) options.onProgress?.({ seen, read, failed, current: path });
    }
    await Promise.all(inFlight);
    if (aborted) throw aborted;
    flush();
  }
  const gone = store.library.finishLibraryScan(scanId, roots, { seen, read }, clock.now());
  options.onProgress?.({ seen, read, failed, current: '' });
  return { scanId, roots, skippedRoots, seen, read, failed, gone };
}
