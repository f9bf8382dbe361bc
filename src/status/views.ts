import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../state/store.js';
import { camelotCode, parseKey } from '../playlists/keys.js';

/**
 * What `tracksync status` and the status page show beyond the queue: whether a daemon runs on the state directory,
 * the latest synced tracks (from SQLite, no Notion request), the library's shape, and the raw output behind failures.
 * Read-only; everything comes from the state directory.
 */

export interface DaemonProcess {
  readonly running: boolean;
  readonly pid?: number;
  /** When the daemon took the state directory's lock (the pid file's time). */
  readonly since?: number;
}

/**
 * The daemon holding this state directory: its lock writes daemon.pid when it takes the lock and removes it when it
 * lets go (daemon/lockfile.ts); a pid file left by a killed process names a process that no longer exists.
 */
export function daemonProcess(stateDir: string, alive: (pid: number) => boolean = processAlive): DaemonProcess {
  const file = join(stateDir, 'daemon.pid');
  if (!existsSync(file)) return { running: false };
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return { running: false };
  return { running: true, pid, since: statSync(file).mtimeMs };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RecentTrack {
  readonly pageId: string;
  readonly pageUrl: string;
  readonly title: string;
  readonly artist: string;
  readonly bpm: number | null;
  readonly key: string;
  readonly camelot: string;
  /** Where the audio came from ("SoundCloud", "YouTube (Search)", "Eagle library"), empty when unknown. */
  readonly source: string;
  readonly outcome: string;
  readonly finishedAt: number | null;
  readonly files: readonly string[];
}

/** What the track pipeline saves when it places a track (its `place` checkpoint): the parts the views read. */
interface PlacedCheckpoint {
  placed?: { all?: string[]; primary?: Record<string, string> };
  analysis?: { bpm?: number | null; key?: string | null; camelot?: string | null };
  metadata?: { title?: string; artist?: string };
  download?: { source?: { label?: string } };
}

/** The Notion page's address (the app opens it; the page id is all it needs). */
export function notionPageUrl(pageId: string): string {
  return `https://www.notion.so/${pageId.replaceAll('-', '')}`;
}

/**
 * The latest tracks done, newest first, with what was measured and where the files are: from the track's placement
 * record when the pipeline placed it, else from the library index (adopted files).
 */
export function recentTracks(store: Store, limit = 10): RecentTrack[] {
  const rows = store.db
    .prepare<
      [number],
      { id: number; page_id: string; title: string; outcome: string | null; finished_at: number | null }
    >(
      "SELECT id, page_id, title, outcome, finished_at FROM items WHERE source = 'tracks' AND state = 'done' AND outcome IN ('synced', 'adopted', 'metadata-only') ORDER BY finished_at DESC LIMIT ?",
    )
    .all(limit);
  return rows.map((row) => {
    let saved: PlacedCheckpoint = {};
    try {
      const checkpoint = store.items.getCheckpoint(row.id, 'place');
      if (checkpoint) saved = JSON.parse(checkpoint.output_json) as PlacedCheckpoint;
    } catch {
      saved = {};
    }
    const indexed = store.library.listLibraryFilesOfPage(row.page_id).filter((f) => !f.gone);
    const files = saved.placed?.all?.length ? saved.placed.all : indexed.map((f) => f.path);
    const first = indexed[0];
    const key = saved.analysis?.key ?? first?.musical_key ?? '';
    const [artist, title] = saved.metadata?.title
      ? [saved.metadata.artist ?? '', saved.metadata.title]
      : splitTitle(row.title);
    return {
      pageId: row.page_id,
      pageUrl: notionPageUrl(row.page_id),
      title,
      artist,
      bpm: saved.analysis?.bpm ?? first?.bpm ?? null,
      key,
      camelot: saved.analysis?.camelot ?? camelotCode(parseKey(key)),
      source: saved.download?.source?.label ?? '',
      outcome: row.outcome ?? 'done',
      finishedAt: row.finished_at,
      files,
    };
  });
}

/** "Artist - Title" as items are named (daemon/sources/tracks.ts). */
function splitTitle(label: string): [string, string] {
  const at = label.indexOf(' - ');
  return at > 0 ? [label.slice(0, at), label.slice(at + 3)] : ['', label];
}

export interface LibraryShape {
  /** Files in the library index, not gone. */
  readonly files: number;
  /** Tracks (distinct recordings by page, or files without a page) per Camelot code, "1A" to "12B". */
  readonly camelot: Readonly<Record<string, number>>;
  /** Tracks per 5 BPM band, from 60 to 200 (slower and faster ones in the end bands). */
  readonly bpm: ReadonlyArray<{ readonly from: number; readonly to: number; readonly count: number }>;
  readonly formats: ReadonlyArray<{ readonly format: string; readonly files: number; readonly bytes: number }>;
}

/** BPM bands for the histogram: a DJ's range, 5 BPM wide. */
const BPM_FROM = 60;
const BPM_TO = 200;
const BPM_BAND = 5;

/** The library at a glance: keys on the Camelot wheel, tempos, formats and sizes (one track counted once per key). */
export function libraryShape(store: Store): LibraryShape {
  const tracks = store.db
    .prepare<[], { bpm: number | null; musical_key: string | null }>(
      // One row per track: its files (M4A, AIFF, WAV) share a page and an analysis.
      'SELECT MAX(bpm) AS bpm, MAX(musical_key) AS musical_key FROM library_files WHERE gone = 0 GROUP BY COALESCE(page_id, path)',
    )
    .all();
  const camelot: Record<string, number> = {};
  for (let n = 1; n <= 12; n += 1) for (const letter of ['A', 'B']) camelot[`${n}${letter}`] = 0;
  const bands = Array.from({ length: (BPM_TO - BPM_FROM) / BPM_BAND }, (_, i) => ({
    from: BPM_FROM + i * BPM_BAND,
    to: BPM_FROM + (i + 1) * BPM_BAND,
    count: 0,
  }));
  for (const track of tracks) {
    const code = camelotCode(parseKey(track.musical_key ?? ''));
    if (code) camelot[code] = (camelot[code] ?? 0) + 1;
    if (track.bpm !== null && track.bpm > 0) {
      const index = Math.min(bands.length - 1, Math.max(0, Math.floor((track.bpm - BPM_FROM) / BPM_BAND)));
      bands[index]!.count += 1;
    }
  }
  const formats = store.library
    .libraryStats()
    .filter((f) => f.files > 0)
    .map((f) => ({ format: f.format, files: f.files, bytes: f.bytes }));
  return { files: formats.reduce((sum, f) => sum + f.files, 0), camelot, bpm: bands, formats };
}

/** The raw tool output of an item's latest failed attempt, if one was kept. */
export function latestFailureDetail(store: Store, itemId: number): string | undefined {
  const attempts = store.items.listAttempts(itemId).filter((a) => a.error_detail);
  return attempts.at(-1)?.error_detail ?? undefined;
}
