import { ensurePlaylistPage } from '../../domain/playlists.js';
import { listPlaylistEntries } from '../../feeds/listing.js';
import type { TrackRunOutcome } from '../../engine/contracts.js';
import { TrackSyncError, coerceError } from '../../errors.js';
import { outcomeWords, trackLine, type TrackLine } from '../../handoff/report.js';
import { ensureTrackRow } from '../../domain/lookup.js';
import { MEDIA, type MediaServices } from '../../services/media.js';
import { classifyUrl, type ClassifiedUrl } from '../../domain/urls.js';
import { print, type CliIO } from '../io.js';
import { ProgressView, followItems } from '../progress.js';
import { printResults } from '../results.js';
import { loadRuntime, startDaemon } from '../runtime.js';
import { onStopSignal } from '../signals.js';
import { usageError, wholeNumber } from '../usage.js';

/**
 * `tracksync sync <url>...`: the track pipeline on demand, the same code path as the daemon (rows found or created by
 * the dedup rules, then run now). Playlists are expanded. Live progress on a terminal, then the result table (or
 * --json). Exit 0 when every track synced, 3 when some did not, 2 for bad input. With a daemon already running on
 * this state directory, tracksync refuses to run a second one.
 */
export async function syncCommand(positionals: string[], values: { limit?: string; json?: boolean }, io: CliIO): Promise<number> {
  if (positionals.length === 0) throw usageError('give at least one URL: tracksync sync <url>... (SoundCloud, YouTube, Spotify track or playlist, or any URL yt-dlp reads)');
  const targets: ClassifiedUrl[] = [];
  for (const raw of positionals) {
    const c = classifyUrl(raw);
    if (!c.ok) throw usageError(`"${raw}" is not a URL tracksync can sync: ${c.reason}`);
    if (!['track', 'short-link', 'playlist'].includes(c.value.kind)) throw usageError(`"${raw}" is a ${c.value.platform} ${c.value.kind}, not a track or a playlist`);
    if (!targets.some((t) => t.url === c.value.url)) targets.push(c.value);
  }
  const limit = wholeNumber('--limit', values.limit) ?? Infinity;

  const runtime = loadRuntime(io, { json: values.json === true });
  const daemon = await startDaemon(runtime);
  const controller = new AbortController();
  const dispose = onStopSignal(() => controller.abort());
  const view = new ProgressView(io, { off: values.json === true });
  const unfollow = followItems(daemon.events, daemon.store, view);
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
      view.note(`playlist "${listing.name}": ${listing.entries.length} track(s)`);
      for (const entry of listing.entries) {
        const c = classifyUrl(entry.url);
        if (c.ok) expanded.push({ target: c.value, known: { title: entry.title, artist: entry.artist, ...(playlistId ? { playlistIds: [playlistId] } : {}) } });
      }
    }
    const chosen = expanded.slice(0, limit);
    view.setTotal(chosen.length);
    for (const { target, known } of chosen) {
      let run: TrackRunOutcome;
      try {
        const { page } = await ensureTrackRow(daemon.notion, daemon.schemas.tracks, target, known);
        run = await daemon.syncTrackNow(page.id, controller.signal);
      } catch (raw) {
        const error = coerceError(raw);
        if (error.code === 'ABORTED') break;
        run = { pageId: '', state: 'failed', outcome: 'failed', page: undefined, error: { code: error.code, message: error.message } };
      }
      const line = trackLine(daemon.schemas.tracks, run, target.url);
      // Rows that never ran (already synced, held elsewhere, a URL that failed before its row existed) end here.
      if (run.state === 'skipped' || run.outcome === 'already-synced' || run.pageId === '') view.ended(line.label, line.succeeded || run.state === 'skipped' ? 'ok' : 'fail', line.succeeded || run.state === 'skipped' ? outcomeWords(run.outcome) : `failed: ${line.reason ?? ''}`);
      lines.push(line);
    }
  } finally {
    view.stop();
    unfollow();
    await daemon.stop('sync finished');
    dispose();
  }
  if (values.json) print(io.stdout, JSON.stringify({ tracks: lines }, null, 2));
  else printResults(io, lines);
  if (controller.signal.aborted) throw new TrackSyncError('ABORTED', 'interrupted');
  return lines.every((l) => l.succeeded) ? 0 : 3;
}
