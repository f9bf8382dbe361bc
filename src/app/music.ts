import { coerceError } from '../errors.js';
import type { App, AppContext, AppFactory, AppSchedule, JobHandler } from '../engine/contracts.js';
import type { Daemon } from '../engine/daemon.js';
import type { ItemSource } from '../engine/sources.js';
import { runFeeds, type FeedProgress, type FeedReport } from '../feeds/feeds.js';
import { CriticalTasks } from '../handoff/critical.js';
import { watchCriticalConditions } from '../handoff/critical-watch.js';
import { exportPlaylists } from '../playlists/export.js';
import type { JobOutcome } from '../domain/outcomes.js';
import { LINKED_OUTCOMES } from './links.js';
import { MEDIA, type MediaServices } from '../services/media.js';
import type { SourceDeps } from './sources/common.js';
import { TaskSource } from './sources/tasks.js';
import { TrackSource } from './sources/tracks.js';
import { FOLLOW_UP_QUEUES, TrackFollowUpSource } from './sources/follow-ups.js';

/** The music application's job queues, each with its one job (engine/contracts.ts, JobHandler). */
export const JOBS = {
  /** Every playlist that changed, exported (playlists/export.ts). */
  playlistExport: { queue: 'playlist-export', key: 'playlists' },
  /** The configured likes and playlists read into Music Tracks rows (feeds/feeds.ts). */
  feeds: { queue: 'feeds', key: 'feeds' },
} as const;

/** A daemon running the music application. */
export type MusicDaemon = Daemon<MusicApp>;

/**
 * The music application as the engine sees it (src/engine/contracts.ts, App): the Music Tracks and Agent-Tasks
 * sources and the local queues of follow-up work on a track (link lookups after a sync, Eagle imports that waited for
 * Eagle), the CRITICAL tasks and their watch, and two jobs: the feeds (on their schedule) and the playlist export
 * (after synced tracks, debounced, and on its schedule).
 */
export class MusicApp implements App {
  /** Conditions that need a person, filed as CRITICAL Agent-Tasks. */
  readonly critical: CriticalTasks;
  readonly #ctx: AppContext;
  readonly #stopCriticalWatch: () => void;
  /** Aborted when the daemon starts stopping: no new feed read or export is asked for. */
  readonly #stop = new AbortController();
  /** A request for the playlist export while it ran: asked again once it ends. */
  #exportAgain: string | undefined;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const { config, clock, logger, store, events } = ctx;
    events.on('item:done', (e) => {
      // A synced row's missing links are looked for as an item of the links queue (handlers/links.ts).
      if (e.source === 'tracks' && config.links.enabled && LINKED_OUTCOMES.has(e.outcome))
        ctx.enqueue({ queue: FOLLOW_UP_QUEUES.links, pageId: e.pageId, title: e.title });
      // A synced track may complete a playlist: the playlists that changed are exported again, once per burst.
      if (e.source === 'tracks') this.requestExport('tracks synced', config.playlists.exportDebounceMs);
    });
    const exportEnded = (e: { itemId: number }): void => {
      const again = this.#exportAgain;
      if (again === undefined || store.items.getItem(e.itemId)?.source !== JOBS.playlistExport.queue) return;
      this.#exportAgain = undefined;
      this.requestExport(again, config.playlists.exportDebounceMs);
    };
    for (const ended of ['item:done', 'item:retry', 'item:failed', 'item:released'] as const)
      events.on(ended, exportEnded);
    this.critical = new CriticalTasks({
      notion: ctx.notion,
      schemas: () => ctx.schemas(),
      store,
      config,
      clock,
      logger,
    });
    const media = (): MediaServices | undefined => ctx.services.get<MediaServices>(MEDIA);
    this.#stopCriticalWatch = watchCriticalConditions({
      events,
      critical: this.critical,
      config,
      clock,
      probes: {
        ytDlpVersion: async () => media()?.ytdlp.version(),
        spotifyStatus: async () => {
          const spotify = media()?.spotify;
          if (!spotify) return undefined;
          return spotify.checkAccess().then(
            () => 'ok' as const,
            (error: unknown) => coerceError(error).code,
          );
        },
      },
      resume: (code) => {
        const resumed = store.items.resumeWaiting(code, clock.now());
        if (resumed > 0)
          logger.info({ code, resumed }, 'the condition cleared: the items that waited for it are due now');
      },
    });
  }

  buildSources(wanted: ReadonlySet<string>): Map<string, ItemSource> {
    const { notion, config, clock, logger, identity } = this.#ctx;
    const schemas = this.#ctx.schemas();
    const deps: SourceDeps = { notion, schemas, config, clock, logger, identity };
    const sources = new Map<string, ItemSource>();
    if (wanted.has('tracks')) sources.set('tracks', new TrackSource(deps));
    if (wanted.has('tasks')) {
      if (schemas.tasks) sources.set('tasks', new TaskSource(deps));
      else logger.info('AGENT_TASKS_DB_ID is not set: Agent-Tasks are not polled');
    }
    for (const queue of Object.values(FOLLOW_UP_QUEUES))
      if (wanted.has(queue)) sources.set(queue, new TrackFollowUpSource(deps, queue));
    return sources;
  }

  /**
   * Eagle imports wait while Eagle is closed (errors.ts WAITS_FOR_A_PERSON): each cycle in which some wait, one
   * request asks Eagle whether it answers, and when it does they are due at once rather than at their next look.
   */
  async beforeClaim(): Promise<void> {
    const { store, clock, logger } = this.#ctx;
    const media = this.#ctx.services.get<MediaServices>(MEDIA);
    if (!media || !store.items.isWaitingOn('EAGLE_UNAVAILABLE')) return;
    if (!(await media.eagle.available())) return;
    const resumed = store.items.resumeWaiting('EAGLE_UNAVAILABLE', clock.now());
    if (resumed > 0) logger.info({ resumed }, 'Eagle answers again: the imports that waited for it are due now');
  }

  schedules(): readonly AppSchedule[] {
    const schedules: AppSchedule[] = [];
    if (this.#readsFeeds())
      schedules.push({ name: 'feeds', cron: this.#ctx.config.feeds.cron, run: async () => this.requestFeeds() });
    if (this.#exportsPlaylists())
      schedules.push({
        name: 'playlists',
        cron: this.#ctx.config.playlists.exportCron,
        run: async () => this.requestExport('schedule'),
      });
    return schedules;
  }

  /**
   * The feed reads and the playlist export are jobs on the one queue (docs/architecture.md, "One queue"): each run
   * has a lease, the item backoff when it fails, the attempt cap and a line in `tracksync status`.
   */
  jobs(): readonly JobHandler[] {
    const jobs: JobHandler[] = [];
    if (this.#readsFeeds()) jobs.push(this.#feedsJob());
    if (this.#exportsPlaylists()) jobs.push(this.#exportJob());
    return jobs;
  }

  #readsFeeds(): boolean {
    const { feeds } = this.#ctx.config;
    return (
      feeds.soundcloudLikes ||
      feeds.spotifyLikes ||
      feeds.soundcloudPlaylists.length > 0 ||
      feeds.spotifyPlaylists.length > 0
    );
  }

  /** Whether this daemon keeps the playlists exported: Music Playlists is configured and playlists.autoExport is on. */
  #exportsPlaylists(): boolean {
    return this.#ctx.config.playlists.autoExport && this.#ctx.schemas().playlists !== undefined;
  }

  /**
   * Asks for the playlist export, `delayMs` from now (the debounce after synced tracks: the earliest request of a
   * burst sets the time, later ones join it). A request while the export runs queues one more after it, so a track
   * synced meanwhile is not left out until the next schedule.
   */
  requestExport(reason: string, delayMs = 0): void {
    if (this.#stop.signal.aborted || !this.#exportsPlaylists()) return;
    const { queue, key } = JOBS.playlistExport;
    const state = this.#ctx.store.items.getItemByPage(queue, key)?.state;
    // Queued again while it runs, the item would keep running and the request would be lost (state/items.ts).
    if (state === 'claimed' || state === 'running') {
      this.#exportAgain ??= reason;
      return;
    }
    this.#ctx.enqueue({
      queue,
      pageId: key,
      title: 'Playlist export',
      data: { reason },
      dueAt: this.#ctx.clock.now() + delayMs,
    });
  }

  /** Asks for a read of the configured feeds now (their schedule does). */
  requestFeeds(): void {
    if (this.#stop.signal.aborted || !this.#readsFeeds()) return;
    this.#ctx.enqueue({ queue: JOBS.feeds.queue, pageId: JOBS.feeds.key, title: 'Feeds' });
  }

  #exportJob(): JobHandler<JobOutcome> {
    const { store, events } = this.#ctx;
    return {
      kind: 'job',
      name: 'playlist-export',
      queue: JOBS.playlistExport.queue,
      run: async (job) => {
        const reason = (job.data as { reason?: string } | undefined)?.reason ?? 'schedule';
        try {
          // onlyChanged: an unchanged playlist costs no request beyond the listings (playlists/export.ts).
          const report = await exportPlaylists(
            { ...job, store, logger: job.logger.child({ reason }) },
            { onlyChanged: true },
          );
          const exported = report.playlists.filter((p) => p.exportedNow).length;
          const unchanged = report.playlists.length - exported;
          if (exported > 0) job.logger.info({ reason, exported }, 'playlists exported');
          events.emit('playlists:exported', { reason, exported, unchanged });
          return { outcome: 'exported', details: { exported, unchanged } };
        } catch (raw) {
          // The item is retried with the item backoff (or waits for the next request if it failed for good).
          events.emit('playlists:exported', { reason, exported: 0, unchanged: 0, error: coerceError(raw).message });
          throw raw;
        }
      },
    };
  }

  #feedsJob(): JobHandler<JobOutcome> {
    return {
      kind: 'job',
      name: 'feeds',
      queue: JOBS.feeds.queue,
      run: async (job) => {
        const reports = await this.runFeeds(undefined, job.signal);
        // One feed failing is reported and the others go on; when every feed failed, the job failed: its error (the
        // first feed's) says whether a retry can help, and the item backoff spaces the retries.
        const failures = reports.flatMap((r) => (r.failure ? [r.failure] : []));
        if (reports.length > 0 && failures.length === reports.length) throw failures[0]!;
        return {
          outcome: 'read',
          details: { feeds: reports.map(({ feed, created, known, error }) => ({ feed, created, known, error })) },
        };
      },
    };
  }

  /**
   * One run of the configured feeds (likes, playlists); new rows wake the poller. `onProgress`: the CLI's live line.
   * The daemon runs it as the feeds job; `tracksync feeds` runs it directly.
   */
  async runFeeds(
    onProgress?: (progress: FeedProgress) => void,
    signal: AbortSignal = this.#ctx.shutdown,
  ): Promise<FeedReport[]> {
    const media = this.#ctx.services.get<MediaServices>(MEDIA);
    if (!media || this.#stop.signal.aborted) return [];
    const { config, notion, logger } = this.#ctx;
    const reports = await runFeeds({
      config,
      notion,
      schemas: this.#ctx.schemas(),
      media,
      logger,
      signal,
      ...(onProgress ? { onProgress } : {}),
    });
    if (reports.some((r) => r.created > 0)) this.#ctx.wake('feeds added rows');
    return reports;
  }

  stopping(): void {
    this.#stopCriticalWatch();
    this.#stop.abort();
  }

  async idle(): Promise<void> {
    await this.critical.idle();
  }
}

/** The factory Daemon.start takes: `Daemon.start({ ..., app: musicApp })`. */
export const musicApp: AppFactory<MusicApp> = (context) => new MusicApp(context);
