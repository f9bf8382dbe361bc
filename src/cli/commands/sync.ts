import { parseArgs } from 'node:util';
import { ensurePlaylistPage } from '../../domain/playlists.js';
import { listPlaylistEntries } from '../../feeds/listing.js';
import type { TrackRunOutcome } from '../../engine/contracts.js';
import { TrackSyncError, coerceError } from '../../errors.js';
import { trackLine, type TrackLine } from '../../handoff/report.js';
import { ensureTrackRow } from '../../domain/lookup.js';
import { MEDIA, type MediaServices } from '../../services/media.js';
import { classifyUrl, type ClassifiedUrl } from '../../domain/urls.js';
import { print, table, type CliIO } from '../io.js';
import { loadRuntime, startDaemon } from '../runtime.js';
import { onStopSignal } from '../signals.js';
import { usageError } from '../usage.js';

/**
 * `tracksync sync <url>...`: the track pipeline on demand, the same code path as the daemon (rows found or created by
 * the dedup rules, then run now). Playlists are expanded. Exit 0 when every track synced, 3 when some did not, 2 for
 * bad input. With a daemon already running on this state directory, tracksync refuses to run a second one.
 */
export async function syncCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { limit: { type: 'string' } }, allowPositionals: true });
  if (positionals.length === 0) throw usageError('give at least one URL: tracksync sync <url>... (SoundCloud, YouTube, Spotify track or playlist, or any URL yt-dlp reads)');
  const targets: ClassifiedUrl[] = [];
  for (const raw of positionals) {
    const c = classifyUrl(raw);
    if (!c.ok) throw usageError(`"${raw}" is not a URL tracksync can sync: ${c.reason}`);
    if (!['track', 'short-link', 'playlist'].includes(c.value.kind)) throw usageError(`"${raw}" is a ${c.value.platform} ${c.value.kind}, not a track or a playlist`);
    if (!targets.some((t) => t.url === c.value.url)) targets.push(c.value);
  }
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit >= 1)) throw usageError(`--limit must be a whole number >= 1, got "${values.limit}"`);

  const runtime = loadRuntime(io);
  const daemon = await startDaemon(runtime);
  const controller = new AbortController();
  const dispose = onStopSignal(() => controller.abort());
  const titles = new Map<number, string>();
  daemon.events.on('item:claimed', (e) => titles.set(e.itemId, daemon.store.getItem(e.itemId)?.title ?? e.pageId));
  daemon.events.on('stage:start', (e) => print(io.stdout, `  ${(titles.get(e.itemId) ?? `#${e.itemId}`).slice(0, 50).padEnd(50)} ${e.stage}`));
  const lines: TrackLine[] = [];
  try {
    const expanded: Array<{ target: ClassifiedUrl; known: { title?: string; artist?: string; playlistIds?: string[] } }> = [];
    for (const target of targets) {
      if (target.kind !== 'playlist') {
        expanded.push({ target, known: {} });
        continue;
      }
      // Read only as far as needed: --limit, and at most tasks.maxPlaylistTracks as for a task.
      const listing = await listPlaylistEntries(daemon.services.require<MediaServices>(MEDIA), target, controller.signal, Math.min(limit, runtime.config.tasks.maxPlaylistTracks));
      const playlistId = await ensurePlaylistPage(daemon.notion, daemon.schemas, listing.name, target.url);
      print(io.stdout, `playlist "${listing.name}": ${listing.entries.length} track(s)`);
      for (const entry of listing.entries) {
        const c = classifyUrl(entry.url);
        if (c.ok) expanded.push({ target: c.value, known: { title: entry.title, artist: entry.artist, ...(playlistId ? { playlistIds: [playlistId] } : {}) } });
      }
    }
    for (const { target, known } of expanded.slice(0, limit)) {
      print(io.stdout, `${target.url}`);
      let run: TrackRunOutcome;
      try {
        const { page } = await ensureTrackRow(daemon.notion, daemon.schemas.tracks, target, known);
        run = await daemon.syncTrackNow(page.id, controller.signal);
      } catch (raw) {
        const error = coerceError(raw);
        if (error.code === 'ABORTED') break;
        run = { pageId: '', state: 'failed', outcome: 'failed', page: undefined, error: { code: error.code, message: error.message } };
      }
      lines.push(trackLine(daemon.schemas.tracks, run, target.url));
    }
  } finally {
    await daemon.stop('sync finished');
    dispose();
  }
  print(io.stdout);
  print(io.stdout, table([['track', 'result', 'BPM', 'key', 'files'], ...lines.map((l) => [l.label, l.succeeded ? l.outcome : `${l.outcome}${l.reason ? `: ${l.reason}` : ''}`, l.bpm === null ? '' : String(l.bpm), l.camelot ? `${l.key} (${l.camelot})` : l.key, String(l.paths.length)])]));
  for (const line of lines) for (const path of line.paths) print(io.stdout, `  ${path}`);
  if (controller.signal.aborted) throw new TrackSyncError('ABORTED', 'interrupted');
  return lines.every((l) => l.succeeded) ? 0 : 3;
}
