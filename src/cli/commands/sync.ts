import { setTimeout as sleep } from 'node:timers/promises';
import { ensurePlaylistPage } from '../../domain/playlists.js';
import { listPlaylistEntries } from '../../feeds/listing.js';
import type { TrackRunOutcome } from '../../engine/contracts.js';
import { TrackSyncError, coerceError } from '../../errors.js';
import { outcomeWords, trackLine, type TrackLine } from '../../handoff/report.js';
import { ensureTrackRow } from '../../domain/lookup.js';
import { MEDIA, type MediaServices } from '../../services/media.js';
import { classifyUrl, type ClassifiedUrl } from '../../domain/urls.js';
import type { NotionGateway } from '../../notion/gateway.js';
import type { Schemas } from '../../notion/schemas.js';
import type { ServiceRegistry } from '../../engine/contracts.js';
import { stepOfStage } from '../../pipeline/steps.js';
import { daemonProcess } from '../../status/views.js';
import { span } from '../../human.js';
import { print, type CliIO } from '../io.js';
import { ProgressView, followItems, readableTitle } from '../progress.js';
import { printResults } from '../results.js';
import { connectBesideDaemon, loadRuntime, startDaemon, type Connection, type Runtime } from '../runtime.js';
import { onStopSignal } from '../signals.js';
import { usageError, wholeNumber } from '../usage.js';

/**
 * `tracksync sync <url>...`: the track pipeline on demand, the same code path as the daemon (rows found or created by
 * the dedup rules, then run now). Playlists are expanded. Live progress on a terminal, then the result table (or
 * --json). Exit 0 when every track synced, 3 when some did not, 2 for bad input. With a daemon already running on
 * this state directory, the command finds or creates the rows the same way and hands each to that daemon through the
 * shared SQLite (state/migrations/0010_sync_requests.sql), then follows it there to its end: same progress, same
 * table, same exit codes; exit 1 if that daemon stops first.
 */
export async function syncCommand(
  positionals: string[],
  values: { limit?: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  if (positionals.length === 0)
    throw usageError(
      'give at least one URL: tracksync sync <url>... (SoundCloud, YouTube, Spotify track or playlist, or any URL yt-dlp reads)',
    );
  const targets: ClassifiedUrl[] = [];
  for (const raw of positionals) {
    const c = classifyUrl(raw);
    if (!c.ok) throw usageError(`"${raw}" is not a URL tracksync can sync: ${c.reason}`);
    if (!['track', 'short-link', 'playlist'].includes(c.value.kind))
      throw usageError(`"${raw}" is a ${c.value.platform} ${c.value.kind}, not a track or a playlist`);
    if (!targets.some((t) => t.url === c.value.url)) targets.push(c.value);
  }
  const limit = wholeNumber('--limit', values.limit) ?? Infinity;

  const runtime = loadRuntime(io, { json: values.json === true });
  const view = new ProgressView(io, { off: values.json === true });
  const running = daemonProcess(runtime.config.stateDir);
  const daemon = running.running ? await handOff(runtime, view, running.pid!) : await inProcess(runtime, view);
  const controller = new AbortController();
  const dispose = onStopSignal(() => controller.abort());
  const lines: TrackLine[] = [];
  try {
    const expanded: Array<{
      target: ClassifiedUrl;
      known: { title?: string; artist?: string; playlistIds?: string[] };
    }> = [];
    for (const target of targets) {
      if (target.kind !== 'playlist') {
        expanded.push({ target, known: {} });
        continue;
      }
      // Read only as far as needed: --limit, and at most tasks.maxPlaylistTracks as for a task.
      const listing = await listPlaylistEntries(
        daemon.services.require<MediaServices>(MEDIA),
        target,
        controller.signal,
        Math.min(limit, runtime.config.tasks.maxPlaylistTracks),
      );
      const playlistId = await ensurePlaylistPage(daemon.notion, daemon.schemas, listing.name, target.url);
      view.note(`playlist "${listing.name}": ${listing.entries.length} track(s)`);
      for (const entry of listing.entries) {
        const c = classifyUrl(entry.url);
        if (c.ok)
          expanded.push({
            target: c.value,
            known: { title: entry.title, artist: entry.artist, ...(playlistId ? { playlistIds: [playlistId] } : {}) },
          });
      }
    }
    const chosen = expanded.slice(0, limit);
    view.setTotal(chosen.length);
    for (const { target, known } of chosen) {
      let run: TrackRunOutcome;
      let reported = false;
      try {
        const { page } = await ensureTrackRow(daemon.notion, daemon.schemas.tracks, target, known);
        ({ run, reported } = await daemon.run(page.id, target.url, controller.signal));
      } catch (raw) {
        const error = coerceError(raw);
        if (error.code === 'ABORTED') break;
        if (error.code === 'DAEMON_STOPPED') throw error;
        run = {
          pageId: '',
          state: 'failed',
          outcome: 'failed',
          page: undefined,
          error: { code: error.code, message: error.message },
        };
      }
      const line = trackLine(daemon.schemas.tracks, run, target.url);
      // Rows the view never saw run (already synced, held elsewhere, a URL that failed before its row existed) end
      // here.
      if (!reported)
        view.ended(
          line.label,
          line.succeeded || run.state === 'skipped' ? 'ok' : 'fail',
          line.succeeded || run.state === 'skipped' ? outcomeWords(run.outcome) : `failed: ${line.reason ?? ''}`,
        );
      lines.push(line);
    }
  } finally {
    view.stop();
    await daemon.stop(controller.signal.aborted);
    dispose();
  }
  if (values.json) print(io.stdout, JSON.stringify({ tracks: lines }, null, 2));
  else printResults(io, lines);
  if (controller.signal.aborted) throw new TrackSyncError('ABORTED', 'interrupted');
  return lines.every((l) => l.succeeded) ? 0 : 3;
}

/** Where `sync` runs its rows: in a daemon of its own, or in the daemon already holding the state directory. */
interface Runner {
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly services: ServiceRegistry;
  /** Runs one row to its end. `reported`: the progress view has already shown how it ended. */
  run(pageId: string, url: string, signal: AbortSignal): Promise<{ run: TrackRunOutcome; reported: boolean }>;
  stop(interrupted: boolean): Promise<void>;
}

/** No daemon runs on the state directory: start one here (without its schedule) and run each row in it. */
async function inProcess(runtime: Runtime, view: ProgressView): Promise<Runner> {
  const daemon = await startDaemon(runtime);
  const unfollow = followItems(daemon.events, daemon.store, view);
  return {
    notion: daemon.notion,
    schemas: daemon.schemas,
    services: daemon.services,
    run: async (pageId, _url, signal) => {
      const run = await daemon.syncTrackNow(pageId, signal);
      // Rows that never ran (already synced, held elsewhere) had no claimed/done events.
      return { run, reported: !(run.state === 'skipped' || run.outcome === 'already-synced') };
    },
    stop: async () => {
      unfollow();
      await daemon.stop('sync finished');
    },
  };
}

/**
 * How often the command reads the hand-off and the item in SQLite while the daemon works on it: two indexed reads,
 * and a step shows within a quarter of a second (the daemon's own waits on a busy row use the same 250 ms).
 */
const FOLLOW_MS = 250;

/** A daemon holds the state directory: find the rows here, hand each to it and follow it in SQLite to its end. */
async function handOff(runtime: Runtime, view: ProgressView, pid: number): Promise<Runner> {
  const connection = await connectBesideDaemon(runtime);
  view.note(`a tracksync daemon (pid ${pid}) is running on this state directory: handing the tracks to it`);
  return {
    notion: connection.notion,
    schemas: connection.schemas,
    services: connection.services,
    run: (pageId, url, signal) =>
      followHandOff(connection, { stateDir: runtime.config.stateDir, pid }, pageId, url, view, signal),
    stop: async (interrupted) => {
      connection.close();
      if (interrupted)
        view.note(`the daemon (pid ${pid}) goes on with the tracks handed to it; "tracksync status" shows them`);
    },
  };
}

async function followHandOff(
  connection: Connection,
  daemon: { stateDir: string; pid: number },
  pageId: string,
  url: string,
  view: ProgressView,
  signal: AbortSignal,
): Promise<{ run: TrackRunOutcome; reported: boolean }> {
  const { store } = connection;
  const requestId = store.items.addSyncRequest(pageId, Date.now());
  const key = `hand-off ${requestId}`;
  let shown = false;
  let stage: string | null = null;
  let pid = daemon.pid;
  for (;;) {
    const request = store.items.getSyncRequest(requestId)!;
    // The item row is the daemon's: its state and stage say where the run is (progress in words via stepOfStage).
    const item = request.taken_at !== null ? store.items.getItemByPage('tracks', pageId) : undefined;
    if (item && (item.state === 'claimed' || item.state === 'running')) {
      const title = readableTitle(item.title);
      if (!shown) view.start(key, title, 'Starting');
      if (!shown || item.stage !== stage) {
        const step = stepOfStage(item.stage);
        view.update(key, { title, ...(step ? { label: step.label, step } : {}) });
      }
      shown = true;
      stage = item.stage;
    }
    if (request.finished_at !== null) {
      const page = await connection.notion.retrievePage(pageId).catch(() => undefined);
      const error = request.error_code ? { code: request.error_code, message: request.error_message ?? '' } : undefined;
      const run: TrackRunOutcome = {
        pageId,
        state: (request.state ?? 'failed') as TrackRunOutcome['state'],
        outcome: request.outcome ?? 'failed',
        page,
        ...(error ? { error } : {}),
      };
      if (!shown) return { run, reported: false };
      // The same words as followItems gives an in-process run's end.
      if (run.state === 'done') view.finish(key, 'ok', outcomeWords(run.outcome));
      else if (run.state === 'failed') view.finish(key, 'fail', `failed: ${error?.message ?? run.outcome}`);
      else if (run.state === 'retry_wait')
        view.finish(
          key,
          'wait',
          `${error?.message ?? ''}; tried again in ${span((item?.next_attempt_at ?? Date.now()) - Date.now())}`,
        );
      else view.finish(key, 'stopped', outcomeWords(run.outcome));
      return { run, reported: true };
    }
    const now = daemonProcess(daemon.stateDir);
    // A daemon started since may still take a request nobody took; one that was taken went with its daemon.
    if (now.running && (now.pid === pid || request.taken_at === null)) pid = now.pid!;
    else {
      throw new TrackSyncError(
        'DAEMON_STOPPED',
        `the tracksync daemon (pid ${pid}) that "${url}" was handed to stopped before the track was done. ` +
          'Its Notion row is kept and a daemon resumes it when it runs again ("tracksync run", or "tracksync launchd status" ' +
          'for the LaunchAgent); or run "tracksync sync" again.',
      );
    }
    await sleep(FOLLOW_MS, undefined, { signal });
  }
}
