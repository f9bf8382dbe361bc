import { coerceError } from '../errors.js';
import type { App, AppContext, AppFactory, AppSchedule, SourceKey } from '../engine/contracts.js';
import type { Daemon } from '../engine/daemon.js';
import type { ItemSource } from '../engine/sources.js';
import { runFeeds, type FeedReport } from '../feeds/feeds.js';
import { CriticalTasks } from '../handoff/critical.js';
import { watchCriticalConditions } from '../handoff/critical-watch.js';
import { encodeFields, pageHasValues, readList } from '../notion/codecs.js';
import { PROCESSING_TAGS } from '../notion/databases.js';
import { importIntoEagle, type EagleImport } from '../pipeline/eagle.js';
import { LINKED_OUTCOMES, enrichDueLinks } from './links.js';
import { MEDIA, type MediaServices } from '../services/media.js';
import type { SourceDeps } from './sources/common.js';
import { TaskSource } from './sources/tasks.js';
import { TrackSource } from './sources/tracks.js';

/** A daemon running the music application. */
export type MusicDaemon = Daemon<MusicApp>;

/**
 * The music application as the engine sees it (src/engine/contracts.ts, App): the Music Tracks and Agent-Tasks
 * sources, the CRITICAL tasks and their watch, deferred Eagle imports, link enrichment after a track is done, and the
 * feeds on their own schedule.
 */
export class MusicApp implements App {
  /** Conditions that need a person, filed as CRITICAL Agent-Tasks. */
  readonly critical: CriticalTasks;
  readonly #ctx: AppContext;
  readonly #stopCriticalWatch: () => void;
  /** The link enrichment pass running in the background, if any. */
  #links: Promise<unknown> | undefined;
  /** Aborted when the daemon starts stopping: a link search is never worth delaying a stop. */
  readonly #stop = new AbortController();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const { config, clock, logger, store, events } = ctx;
    events.on('item:done', (e) => {
      if (e.source === 'tracks' && config.links.enabled && LINKED_OUTCOMES.has(e.outcome)) store.addLinksPending(e.pageId, clock.now(), clock.now());
    });
    this.critical = new CriticalTasks({ notion: ctx.notion, schemas: () => ctx.schemas(), store, config, clock, logger });
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
          return spotify.checkAccess().then(() => 'ok' as const, (error: unknown) => coerceError(error).code);
        },
      },
      resume: (code) => {
        const resumed = store.resumeWaiting(code, clock.now());
        if (resumed > 0) logger.info({ code, resumed }, 'the condition cleared: the items that waited for it are due now');
      },
    });
  }

  buildSources(wanted: ReadonlySet<SourceKey>): Map<SourceKey, ItemSource> {
    const { notion, config, clock, logger, identity } = this.#ctx;
    const schemas = this.#ctx.schemas();
    const deps: SourceDeps = { notion, schemas, config, clock, logger, identity };
    const sources = new Map<SourceKey, ItemSource>();
    if (wanted.has('tracks')) sources.set('tracks', new TrackSource(deps));
    if (wanted.has('tasks')) {
      if (schemas.tasks) sources.set('tasks', new TaskSource(deps));
      else logger.info('AGENT_TASKS_DB_ID is not set: Agent-Tasks are not polled');
    }
    return sources;
  }

  /**
   * Eagle imports deferred because Eagle was closed: done now if it answers, and the row gets its Eagle File ID and
   * the Files Imported to Eagle tag (a write to a finished row, merged with the tags it has).
   */
  async beforeClaim(errors: string[]): Promise<void> {
    const { store, notion, clock, logger } = this.#ctx;
    const media = this.#ctx.services.get<MediaServices>(MEDIA);
    const pending = store.listEaglePending(10);
    if (!media || pending.length === 0 || !(await media.eagle.available())) return;
    const schema = this.#ctx.schemas().tracks;
    for (const row of pending) {
      try {
        const eagleId = await importIntoEagle(media.eagle, JSON.parse(row.data_json) as EagleImport);
        const page = await notion.retrievePage(row.page_id);
        const tags = [...new Set([...readList(schema, page, 'processing'), PROCESSING_TAGS.eagleImported])];
        const values = { eagleId, processing: tags };
        await notion.updatePage(row.page_id, encodeFields(schema, values), (p) => pageHasValues(schema, p, values));
        store.removeEaglePending(row.page_id);
        logger.info({ pageId: row.page_id, eagleId }, 'deferred Eagle import done');
      } catch (raw) {
        const error = coerceError(raw);
        store.failEaglePending(row.page_id, error.message, clock.now());
        errors.push(`Eagle import of ${row.path}: ${error.message}`);
      }
    }
  }

  /**
   * Cross-platform links of synced rows (app/links.ts), in the background after the claims: a search takes
   * seconds and must not delay the next claim. One pass at a time; idle() waits for it.
   */
  afterClaim(): void {
    const media = this.#ctx.services.get<MediaServices>(MEDIA);
    if (!media || !this.#ctx.config.links.enabled || this.#links || this.#stop.signal.aborted) return;
    const { notion, store, config, clock, logger } = this.#ctx;
    const deps = { notion, schemas: this.#ctx.schemas(), store, config, clock, logger, ytdlp: media.ytdlp, spotify: media.spotify, signal: this.#stop.signal };
    this.#links = enrichDueLinks(deps)
      .catch((error: unknown) => logger.warn({ err: coerceError(error) }, 'looking for links failed; tried again next cycle'))
      .finally(() => {
        this.#links = undefined;
      });
  }

  schedules(): readonly AppSchedule[] {
    const { feeds } = this.#ctx.config;
    const any = feeds.soundcloudLikes || feeds.spotifyLikes || feeds.soundcloudPlaylists.length > 0 || feeds.spotifyPlaylists.length > 0;
    return any ? [{ name: 'feeds', cron: feeds.cron, run: () => this.runFeeds() }] : [];
  }

  /** One run of the configured feeds (likes, playlists); new rows wake the poller. */
  async runFeeds(): Promise<FeedReport[]> {
    const media = this.#ctx.services.get<MediaServices>(MEDIA);
    if (!media || this.#stop.signal.aborted) return [];
    const { config, notion, logger } = this.#ctx;
    const reports = await runFeeds({ config, notion, schemas: this.#ctx.schemas(), media, logger, signal: this.#ctx.shutdown }).catch((error: unknown) => {
      logger.error({ err: error }, 'feeds failed');
      return [];
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
    await this.#links;
  }
}

/** The factory Daemon.start takes: `Daemon.start({ ..., app: musicApp })`. */
export const musicApp: AppFactory<MusicApp> = (context) => new MusicApp(context);
