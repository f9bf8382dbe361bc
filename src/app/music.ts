import { coerceError } from '../errors.js';
import type { App, AppContext, AppFactory, AppSchedule } from '../engine/contracts.js';
import type { Daemon } from '../engine/daemon.js';
import type { ItemSource } from '../engine/sources.js';
import { runFeeds, type FeedProgress, type FeedReport } from '../feeds/feeds.js';
import { CriticalTasks } from '../handoff/critical.js';
import { watchCriticalConditions } from '../handoff/critical-watch.js';
import { exportPlaylists } from '../playlists/export.js';
import { LINKED_OUTCOMES } from './links.js';
import { MEDIA, type MediaServices } from '../services/media.js';
import type { SourceDeps } from './sources/common.js';
import { TaskSource } from './sources/tasks.js';
import { TrackSource } from './sources/tracks.js';
import { FOLLOW_UP_QUEUES, TrackFollowUpSource } from './sources/follow-ups.js';

/** A daemon running the music application. */
export type MusicDaemon = Daemon<MusicApp>;

/**
 * The music application as the engine sees it (src/engine/contracts.ts, App): the Music Tracks and Agent-Tasks
 * sources and the local queues of follow-up work on a track (link lookups after a sync, Eagle imports that waited for
 * Eagle), the CRITICAL tasks and their watch, the feeds on their own schedule, and the playlist export (after synced
 * tracks, debounced, and on its own schedule).
 */
export class MusicApp implements App {
  /** Conditions that need a person, filed as CRITICAL Agent-Tasks. */
  readonly critical: CriticalTasks;
  readonly #ctx: AppContext;
  readonly #stopCriticalWatch: () => void;
  /** Aborted when the daemon starts stopping: a feed read or an export is never worth delaying a stop. */
  readonly #stop = new AbortController();
  /** The debounce of the playlist export after synced tracks (playlists.exportDebounceMs). */
  #exportTimer: NodeJS.Timeout | undefined;
  /** The playlist export running, if any; a request while it runs is remembered in #exportAgain. */
  #exporting: Promise<void> | undefined;
  #exportAgain: string | undefined;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const { config, clock, logger, store, events } = ctx;
    events.on('item:done', (e) => {
      // A synced row's missing links are looked for as an item of the links queue (handlers/links.ts).
      if (e.source === 'tracks' && config.links.enabled && LINKED_OUTCOMES.has(e.outcome))
        ctx.enqueue({ queue: FOLLOW_UP_QUEUES.links, pageId: e.pageId, title: e.title });
      // A synced track may complete a playlist: the playlists that changed are exported again, once per burst.
      if (e.source === 'tracks') this.#scheduleExport('tracks synced');
    });
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
    const { feeds, playlists } = this.#ctx.config;
    const any =
      feeds.soundcloudLikes ||
      feeds.spotifyLikes ||
      feeds.soundcloudPlaylists.length > 0 ||
      feeds.spotifyPlaylists.length > 0;
    const schedules: AppSchedule[] = any ? [{ name: 'feeds', cron: feeds.cron, run: () => this.runFeeds() }] : [];
    if (this.#exportsPlaylists())
      schedules.push({ name: 'playlists', cron: playlists.exportCron, run: () => this.exportPlaylists('schedule') });
    return schedules;
  }

  /** Whether this daemon keeps the playlists exported: Music Playlists is configured and playlists.autoExport is on. */
  #exportsPlaylists(): boolean {
    return this.#ctx.config.playlists.autoExport && this.#ctx.schemas().playlists !== undefined;
  }

  #scheduleExport(reason: string): void {
    if (this.#exportTimer || this.#stop.signal.aborted || !this.#exportsPlaylists()) return;
    this.#exportTimer = setTimeout(() => {
      this.#exportTimer = undefined;
      void this.exportPlaylists(reason);
    }, this.#ctx.config.playlists.exportDebounceMs);
  }

  /**
   * The playlists whose export would change are exported again (playlists/export.ts with onlyChanged: an unchanged
   * playlist costs no request beyond the listings). One export at a time: a request during one runs once after it.
   * A failure is logged and reported in the event; the next trigger tries again.
   */
  async exportPlaylists(reason: string): Promise<void> {
    if (this.#exporting) {
      this.#exportAgain = reason;
      return this.#exporting;
    }
    const { notion, store, config, clock, logger, events } = this.#ctx;
    const schemas = this.#ctx.schemas();
    this.#exporting = exportPlaylists(
      { notion, schemas, store, config, clock, logger, signal: this.#stop.signal },
      { onlyChanged: true },
    )
      .then(
        (report) => {
          const exported = report.playlists.filter((p) => p.exportedNow).length;
          if (exported > 0) logger.info({ reason, exported }, 'playlists exported');
          events.emit('playlists:exported', { reason, exported, unchanged: report.playlists.length - exported });
        },
        (raw: unknown) => {
          const error = coerceError(raw);
          logger.warn(
            { err: error, reason },
            'the playlist export failed; it is tried again at the next synced track or schedule',
          );
          events.emit('playlists:exported', { reason, exported: 0, unchanged: 0, error: error.message });
        },
      )
      .finally(() => {
        this.#exporting = undefined;
        const again = this.#exportAgain;
        this.#exportAgain = undefined;
        if (again !== undefined && !this.#stop.signal.aborted) void this.exportPlaylists(again);
      });
    return this.#exporting;
  }

  /** One run of the configured feeds (likes, playlists); new rows wake the poller. `onProgress`: the CLI's live line. */
  async runFeeds(onProgress?: (progress: FeedProgress) => void): Promise<FeedReport[]> {
    const media = this.#ctx.services.get<MediaServices>(MEDIA);
    if (!media || this.#stop.signal.aborted) return [];
    const { config, notion, logger } = this.#ctx;
    const deps = {
      config,
      notion,
      schemas: this.#ctx.schemas(),
      media,
      logger,
      signal: this.#ctx.shutdown,
      ...(onProgress ? { onProgress } : {}),
    };
    const reports = await runFeeds(deps).catch((error: unknown) => {
      logger.error({ err: error }, 'feeds failed');
      return [];
    });
    if (reports.some((r) => r.created > 0)) this.#ctx.wake('feeds added rows');
    return reports;
  }

  stopping(): void {
    this.#stopCriticalWatch();
    this.#stop.abort();
    if (this.#exportTimer) clearTimeout(this.#exportTimer);
    this.#exportTimer = undefined;
  }

  async idle(): Promise<void> {
    await this.critical.idle();
    await this.#exporting;
  }
}

/** The factory Daemon.start takes: `Daemon.start({ ..., app: musicApp })`. */
export const musicApp: AppFactory<MusicApp> = (context) => new MusicApp(context);
