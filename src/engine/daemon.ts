import { join } from 'node:path';
import cron from 'node-cron';
import { HandlerRegistry } from './registry.js';
import {
  isJobHandler,
  type AnyHandler,
  type App,
  type AppContext,
  type AppFactory,
  type Handler,
  type QueuedWork,
  type ServiceRegistry,
  type SourceKey,
  type TrackRunOutcome,
} from './contracts.js';
import { Store } from '../../state/store.js';
import { backoffMs } from '../backoff.js';
import { systemClock, type Clock } from '../clock.js';
import { CONSTANTS } from '../config/constants.js';
import type { Config } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { DATABASES } from '../notion/databases.js';
import { gatewayFromConfig, type NotionGateway, type RequestCount } from '../notion/gateway.js';
import { Poller } from '../notion/poller.js';
import { loadSchema, loadSchemas, type Schemas } from '../notion/schemas.js';
import { establishIdentity, type Identity } from './identity.js';
import { watchNotionHealth } from './health.js';
import { removeLeftovers } from './leftovers.js';
import { DaemonLock } from './lockfile.js';
import { runItem, type ClaimedItem, type RunnerDeps } from './runner.js';
import { Services } from './services.js';
import { isJobQueue, queueOf, type ItemSource, type JobQueue, type QueueSource } from './sources.js';

export interface DaemonOptions<A extends App = App> {
  config: Config;
  /** The application the engine runs (src/app/music.ts: `musicApp`). */
  app: AppFactory<A>;
  logger: Logger;
  handlers: readonly Handler[];
  clock?: Clock;
  /** Transport for Notion (tests observe or break it); the global fetch otherwise. */
  fetch?: typeof fetch;
  services?: ServiceRegistry;
  events?: EventBus;
  /** Overrides for the process identity (tests run two "machines" in one process). */
  pid?: number;
  host?: string;
}

export interface CycleReport {
  readonly runId: number;
  readonly polled: number;
  readonly queued: number;
  readonly claimed: number;
  readonly errors: readonly string[];
}

/**
 * The daemon: scheduled cycles of poll -> record -> claim -> dispatch, a bounded pool of running items, and a
 * graceful stop. One instance per state directory (DaemonLock); its SQLite file is the truth about claims.
 */
export class Daemon<A extends App = App> {
  readonly config: Config;
  /** The application plugged in (its sources, its work around the cycles). */
  readonly app: A;
  readonly store: Store;
  readonly notion: NotionGateway;
  readonly events: EventBus;
  readonly identity: Identity;
  readonly registry: HandlerRegistry;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #lock: DaemonLock;
  readonly #poller: Poller;
  readonly #services: ServiceRegistry;
  #schemas: Schemas;
  /** Every source by the queue its items are stored under: the polled Notion sources and the local queues. */
  readonly #sources = new Map<string, QueueSource>();
  /** Sources whose schema broke while running; retried each cycle while the others go on. */
  readonly #brokenSources = new Map<SourceKey, string>();
  readonly #running = new Map<number, Promise<void>>();
  /** Running items per queue, for the queues that cap theirs (`ItemSource.maxRunning`). */
  readonly #runningByQueue = new Map<string, number>();
  readonly #shutdown = new AbortController();
  #cycle: Promise<CycleReport> | undefined;
  #cronTask: { stop(): void } | undefined;
  readonly #appTasks: Array<{ stop(): void }> = [];
  #wakeTimer: NodeJS.Timeout | undefined;
  /** Claims when the earliest local item queued for later is due (#claimWhenDue). */
  #dueTimer: { readonly at: number; readonly timer: NodeJS.Timeout } | undefined;
  /** Looks for rows `tracksync sync` handed over (schedule.syncRequestCheckMs). */
  #syncRequestTimer: NodeJS.Timeout | undefined;
  /** Handed-over rows being run now (outside the item pool, as an in-process `sync` runs them). */
  readonly #handoffs = new Set<Promise<void>>();
  /** Sources named by the wakes of the current debounce window ('any' for all). */
  readonly #wakeSources = new Set<SourceKey | 'any'>();
  readonly #notionHealth: ReturnType<typeof watchNotionHealth>;
  /** When this process started (ms since the epoch), for uptime. */
  readonly startedAt: number;
  #stopping = false;
  /** Claims are serialised: a cycle and a freed slot never claim at the same time. */
  #claimChain: Promise<number> = Promise.resolve(0);
  /** Claim again whenever a running item finishes (set by `startSchedule` and `runOnce`). */
  #claimOnFreedSlot = false;
  /**
   * Jobs (the feed reads, the playlist export) are the running daemon's work: `once` runs the rows and tasks that are
   * due and their follow-ups, as before jobs were items, and leaves a job queued meanwhile for the next `run`.
   */
  #claimJobs = false;
  /** `once --limit N`: how many more items may still be claimed (unlimited when undefined). */
  #claimBudget: number | undefined;
  #countsSnapshot = new Map<string, RequestCount>();

  private constructor(init: {
    options: DaemonOptions<A>;
    store: Store;
    notion: NotionGateway;
    events: EventBus;
    identity: Identity;
    lock: DaemonLock;
    schemas: Schemas;
    registry: HandlerRegistry;
  }) {
    this.config = init.options.config;
    this.#logger = init.options.logger;
    this.#clock = init.options.clock ?? systemClock;
    this.store = init.store;
    this.notion = init.notion;
    this.events = init.events;
    this.identity = init.identity;
    this.#lock = init.lock;
    this.#schemas = init.schemas;
    this.registry = init.registry;
    this.#services = init.options.services ?? new Services();
    this.#poller = new Poller({
      notion: this.notion,
      store: this.store,
      clock: this.#clock,
      logger: this.#logger,
      fullReconcileIntervalMs: this.config.schedule.fullReconcileIntervalMs,
      cursorOverlapMs: this.config.schedule.cursorOverlapMs,
    });
    this.startedAt = this.#clock.now();
    this.#notionHealth = watchNotionHealth(this.events, this.#clock, this.config.notifications.notionDownAfterMs);
    const context: AppContext = {
      config: this.config,
      store: this.store,
      notion: this.notion,
      events: this.events,
      clock: this.#clock,
      logger: this.#logger,
      identity: this.identity,
      services: this.#services,
      shutdown: this.#shutdown.signal,
      schemas: () => this.#schemas,
      wake: (reason) => this.wake(reason),
      enqueue: (work) => this.enqueue(work),
    };
    this.app = init.options.app(context);
    for (const job of this.app.jobs?.() ?? []) this.registry.register(job);
    this.#buildSources();
  }

  /**
   * Takes the state directory's lock, opens SQLite, releases leases an earlier process left, reads and checks every
   * database schema. Throws ConfigError (exit 2) for anything the user must fix.
   */
  static async start<A extends App>(options: DaemonOptions<A>): Promise<Daemon<A>> {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const lock = DaemonLock.acquire(join(config.stateDir, 'daemon.lock.sqlite'), options.pid);
    let store: Store | undefined;
    try {
      store = Store.open(join(config.stateDir, 'tracksync.sqlite'));
      const identity = establishIdentity(store, options.pid, options.host);
      store.runs.recordBoot(identity.bootId, identity.pid, identity.host, clock.now());
      const released = store.items.releaseLeasesOfOtherBoots(identity.bootId, clock.now());
      if (released > 0)
        options.logger.info(
          { released },
          'released items an earlier run left claimed; they resume from their last finished stage',
        );
      await removeLeftovers(store, config, options.logger);
      const { events, notion, schemas } = await connectNotion({ ...options, clock, store });
      for (const schema of Object.values(schemas) as Array<Schemas[keyof Schemas]>) {
        if (!schema) continue;
        if (schema.skipped.length > 0)
          options.logger.info(
            { database: schema.label, skipped: schema!.skipped.map((s: { field: string }) => s.field) },
            'optional fields not in the database are skipped',
          );
      }
      if (!schemas.tracks.fields.lock)
        options.logger.warn('Music Tracks has no "Processing Lock" property: claims are local to this machine only');
      const registry = new HandlerRegistry(options.handlers);
      return new Daemon<A>({ options, store, notion, events, identity, lock, schemas, registry });
    } catch (error) {
      store?.close();
      lock.release();
      throw error;
    }
  }

  get schemas(): Schemas {
    return this.#schemas;
  }

  /** The shared services handlers use (media tools, Spotify, artists). */
  get services(): ServiceRegistry {
    return this.#services;
  }

  /** Since when every cycle has failed to reach Notion, if it currently does. */
  get notionDownSince(): number | undefined {
    return this.#notionHealth.downSince();
  }

  /** The polled source a Notion database or data source id belongs to (for webhook events). */
  sourceOfId(id: string): SourceKey | undefined {
    const bare = id.replaceAll('-', '').toLowerCase();
    for (const source of this.#sources.values()) {
      if (isJobQueue(source) || source.queue) continue;
      const key = source.key;
      const schema = this.#schemas[key];
      if (
        schema &&
        [schema.databaseId, schema.dataSourceId].some((known) => known.replaceAll('-', '').toLowerCase() === bare)
      )
        return key;
    }
    return undefined;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  #buildSources(): void {
    this.#sources.clear();
    for (const [queue, source] of this.app.buildSources(new Set(this.registry.queues())))
      this.#sources.set(queue, source);
    for (const queue of this.registry.jobQueues()) this.#sources.set(queue, { kind: 'jobs', queue, maxRunning: 1 });
  }

  /**
   * Queues work on a local queue (docs/architecture.md, "One queue"). A slot that frees takes it (or the next cycle
   * does); while `once` runs, it is claimed before `once` returns.
   */
  enqueue(work: QueuedWork): boolean {
    const handler = this.registry.forQueue(work.queue);
    if (!handler || !this.#sources.has(work.queue)) {
      this.#logger.warn(
        { queue: work.queue, pageId: work.pageId },
        'no handler serves this queue; the work is dropped',
      );
      return false;
    }
    const now = this.#clock.now();
    this.store.items.enqueueLocal({
      source: work.queue,
      pageId: work.pageId,
      handler: handler.name,
      title: work.title,
      inputJson: work.data === undefined ? null : JSON.stringify(work.data),
      dueAt: work.dueAt ?? now,
      now,
    });
    this.events.emit('item:queued', { queue: work.queue, pageId: work.pageId, handler: handler.name });
    if (work.dueAt !== undefined && work.dueAt > now) this.#claimWhenDue(work.dueAt);
    else if (!this.#stopping && this.#claimOnFreedSlot && this.#running.size < this.config.concurrency.maxItems)
      void this.#claimSerially();
    return true;
  }

  /**
   * Work queued for later (the playlist export's debounce, 30 s by default) is claimed when it is due, not at the
   * next cycle after it (a minute or more later with the default cycleCron). One timer, for the earliest time asked.
   */
  #claimWhenDue(at: number): void {
    if (this.#dueTimer && this.#dueTimer.at <= at) return;
    if (this.#dueTimer) clearTimeout(this.#dueTimer.timer);
    const timer = setTimeout(
      () => {
        this.#dueTimer = undefined;
        if (!this.#stopping && this.#claimOnFreedSlot) void this.#claimSerially();
      },
      Math.max(0, at - this.#clock.now()),
    );
    timer.unref();
    this.#dueTimer = { at, timer };
  }

  /** Starts the schedule (node-cron) and runs a first cycle now. */
  startSchedule(): void {
    if (!cron.validate(this.config.schedule.cycleCron)) {
      throw new TrackSyncError(
        'CONFIG_INVALID',
        `schedule.cycleCron "${this.config.schedule.cycleCron}" is not a valid cron expression`,
      );
    }
    this.#claimOnFreedSlot = true;
    this.#claimJobs = true;
    this.#cronTask = cron.schedule(this.config.schedule.cycleCron, () => void this.runCycle('cron'), {
      noOverlap: true,
      name: 'tracksync-cycle',
    });
    for (const job of this.app.schedules?.() ?? []) {
      if (!cron.validate(job.cron))
        throw new TrackSyncError('CONFIG_INVALID', `${job.name}.cron "${job.cron}" is not a valid cron expression`);
      const run = (): void =>
        void job
          .run()
          .catch((error: unknown) => this.#logger.error({ err: error, job: job.name }, 'a scheduled job failed'));
      this.#appTasks.push(cron.schedule(job.cron, run, { noOverlap: true, name: `tracksync-${job.name}` }));
    }
    void this.runCycle('start');
    this.#syncRequestTimer = setInterval(() => this.#takeSyncRequests(), this.config.schedule.syncRequestCheckMs);
    this.#syncRequestTimer.unref();
  }

  /**
   * Rows `tracksync sync` handed over while this daemon holds the lock (state/migrations/0010_sync_requests.sql): run
   * now with syncTrackNow, the in-process `sync`'s code, and the outcome written back for the command to report.
   */
  #takeSyncRequests(): void {
    if (this.#stopping) return;
    let requests: ReturnType<Store['items']['takeSyncRequests']>;
    try {
      requests = this.store.items.takeSyncRequests(this.identity.bootId, this.#clock.now());
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not read the rows handed over by tracksync sync; looking again shortly');
      return;
    }
    for (const request of requests) {
      this.#logger.info(
        { pageId: request.page_id, request: request.id },
        'tracksync sync handed over a row; running it now',
      );
      const job = this.syncTrackNow(request.page_id, this.#shutdown.signal)
        .then(
          // A run the shutdown interrupted gives its row back (state queued, reported as skipped): not an outcome.
          (run) => ({
            state: this.#stopping && run.state === 'skipped' ? 'stopped' : run.state,
            outcome: run.outcome,
            ...(run.error ? { error: run.error } : {}),
          }),
          (raw: unknown) => {
            const error = coerceError(raw);
            return {
              state: error.code === 'ABORTED' ? 'stopped' : 'failed',
              outcome: 'failed',
              error: { code: error.code, message: error.message },
            };
          },
        )
        .then((result) => {
          if (result.state !== 'stopped') this.store.items.finishSyncRequest(request.id, result, this.#clock.now());
        })
        .catch((error: unknown) =>
          this.#logger.error({ err: error, request: request.id }, "could not record a handed-over row's outcome"),
        )
        .finally(() => this.#handoffs.delete(job));
      this.#handoffs.add(job);
    }
  }

  /**
   * A webhook (or new feed rows) asks for a cycle soon. Debounced: the first wake starts a timer and later ones join
   * it, so a burst of events makes one cycle and pickup stays bounded by the delay. `source` narrows the poll to one
   * data source; wakes for different sources in one window poll each of them.
   */
  wake(reason: string, options: { source?: SourceKey; debounceMs?: number } = {}): void {
    if (this.#stopping) return;
    this.events.emit('poll:wake', { source: options.source ?? 'any', reason });
    this.#wakeSources.add(options.source ?? 'any');
    if (this.#wakeTimer) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      void this.#runWake(reason);
    }, options.debounceMs ?? CONSTANTS.webhooks.debounceMs);
  }

  async #runWake(reason: string): Promise<void> {
    // A cycle already running may have read the data source before the change that woke us: run after it, not in it.
    if (this.#cycle) await this.#cycle.catch(() => undefined);
    if (this.#stopping) return;
    const sources = this.#wakeSources.has('any') ? undefined : ([...this.#wakeSources] as SourceKey[]);
    this.#wakeSources.clear();
    await this.runCycle(`wake: ${reason}`, sources ? { sources } : {});
  }

  /**
   * One cycle: poll the sources (all, or the ones named), record what changed, claim up to the free slots, start the
   * items. Cycles never overlap.
   */
  runCycle(trigger: string, options: { full?: boolean; sources?: readonly SourceKey[] } = {}): Promise<CycleReport> {
    if (this.#cycle) return this.#cycle;
    this.#cycle = this.#doCycle(trigger, options.full === true, options.sources).finally(() => {
      this.#cycle = undefined;
    });
    return this.#cycle;
  }

  async #doCycle(trigger: string, full: boolean, only: readonly SourceKey[] | undefined): Promise<CycleReport> {
    const started = this.#clock.now();
    const requestsBefore = this.notion.requestCount;
    const limitedBefore = this.notion.rateLimitedCount;
    const runId = this.store.runs.startRun(this.identity.bootId, trigger, started);
    this.events.emit('cycle:start', { runId, trigger });
    const errors: string[] = [];
    let polled = 0;
    let queued = 0;
    let claimed = 0;
    if (!this.#stopping) {
      await this.#repairBrokenSources(errors);
      for (const source of this.#sources.values()) {
        if (isJobQueue(source) || source.queue) continue; // a local or job queue: nothing to poll
        if (this.#brokenSources.has(source.key) || (only && !only.includes(source.key))) continue;
        try {
          const counts = await this.#pollSource(source, full);
          polled += counts.polled;
          queued += counts.queued;
        } catch (raw) {
          const error = coerceError(raw);
          errors.push(`${DATABASES[source.key].label}: ${error.message}`);
          if (error.code === 'NOTION_VALIDATION') this.#brokenSources.set(source.key, error.message);
          this.events.emit('cycle:error', { runId, code: error.code, message: error.message });
          this.#logger.error({ err: error, source: source.key }, 'polling failed; the other sources go on');
        }
      }
      try {
        await this.app.beforeClaim?.();
      } catch (raw) {
        const error = coerceError(raw);
        errors.push(`before claiming: ${error.message}`);
        this.#logger.warn({ err: error }, 'the application could not check what waits; claiming goes on');
      }
      try {
        claimed = await this.#claimSerially();
      } catch (raw) {
        const error = coerceError(raw);
        errors.push(`claiming: ${error.message}`);
        this.#logger.error({ err: error }, 'claiming failed');
      }
    }
    const durationMs = this.#clock.now() - started;
    this.store.runs.finishRun({
      id: runId,
      finishedAt: this.#clock.now(),
      polled,
      queued,
      claimed,
      notionRequests: this.notion.requestCount - requestsBefore,
      notionRateLimited: this.notion.rateLimitedCount - limitedBefore,
      errorCode: errors.length > 0 ? 'CYCLE_ERRORS' : null,
      errorMessage: errors.length > 0 ? errors.join('; ') : null,
    });
    this.#flushRequestCounts();
    this.events.emit('cycle:end', { runId, polled, claimed, durationMs, errors: errors.length });
    this.#logger.info(
      { runId, trigger, polled, queued, claimed, running: this.#running.size, durationMs, errors: errors.length },
      'cycle done',
    );
    return { runId, polled, queued, claimed, errors };
  }

  async #pollSource(source: ItemSource, full: boolean): Promise<{ polled: number; queued: number }> {
    await source.beforePoll?.();
    const result = await this.#poller.poll(source, { full });
    let queued = 0;
    const now = this.#clock.now();
    this.store.transaction(() => {
      for (const page of result.pages) {
        const input = source.toInput(page);
        const handler = this.registry.find(input, this.config);
        if (!handler) continue; // no handler wants it: the row is left untouched
        const row = this.store.items.upsertPolledItem({
          source: source.key,
          pageId: page.id,
          dataSourceId: source.dataSourceId,
          handler: handler.name,
          title: source.title(page),
          inputHash: source.contentHash(page),
          now,
        });
        if (row.state === 'queued') queued += 1;
      }
      result.commit();
    });
    return { polled: result.changed.length, queued };
  }

  /** A schema problem found while running (a property renamed): re-read it; the source comes back once it resolves. */
  async #repairBrokenSources(errors: string[]): Promise<void> {
    for (const [key, why] of this.#brokenSources) {
      const databaseId = this.config.databases[key];
      if (!databaseId) continue;
      try {
        const { schema, problems } = await loadSchema(
          { notion: this.notion, store: this.store, config: this.config, clock: this.#clock, logger: this.#logger },
          key,
          databaseId,
        );
        if (problems.length > 0 || !schema) {
          errors.push(...problems);
          this.#logger.error(
            { database: DATABASES[key].label, problems, firstSeen: why },
            'a database schema no longer fits; this source is paused until it is fixed',
          );
          continue;
        }
        this.#schemas = { ...this.#schemas, [key]: schema };
        this.#brokenSources.delete(key);
        this.#buildSources();
        this.#logger.info({ database: DATABASES[key].label }, 'schema re-read; the source is served again');
      } catch (raw) {
        errors.push(`${DATABASES[key].label}: ${coerceError(raw).message}`);
      }
    }
  }

  #claimSerially(): Promise<number> {
    const next = this.#claimChain.then(() => this.#claimAndDispatch());
    this.#claimChain = next.catch((error: unknown) => {
      this.#logger.error({ err: error }, 'claiming failed');
      return 0;
    });
    return next;
  }

  async #claimAndDispatch(): Promise<number> {
    let claimed = 0;
    const sources = [...this.#sources.values()].filter((s) =>
      isJobQueue(s) ? this.#claimJobs : !this.#brokenSources.has(s.key),
    );
    // Take turns between sources so a backlog of tracks cannot starve the tasks (and the other way round).
    for (let progress = true; progress && !this.#stopping;) {
      progress = false;
      for (const source of sources) {
        const queue = queueOf(source);
        const free = Math.min(
          this.config.concurrency.maxItems - this.#running.size,
          this.#claimBudget ?? Infinity,
          (source.maxRunning ?? Infinity) - (this.#runningByQueue.get(queue) ?? 0),
        );
        if (this.#stopping || this.#running.size >= this.config.concurrency.maxItems) return claimed;
        if (free <= 0) continue; // this queue is at its own cap, or the budget is spent
        const rows = this.store.items.claimNextItems({
          source: queue,
          owner: `${this.identity.host}:${this.identity.pid}`,
          bootId: this.identity.bootId,
          now: this.#clock.now(),
          leaseMs: this.config.claims.leaseMs,
          limit: Math.min(free, this.config.concurrency.claimBatchSize),
        });
        if (rows.length === 0) continue;
        progress = true;
        // Notion claims of a batch run together, so they share one settle wait.
        const outcomes = await Promise.all(rows.map((row) => this.#claimInNotion(source, row)));
        for (const item of outcomes) {
          if (!item) continue;
          claimed += 1;
          if (this.#claimBudget !== undefined) this.#claimBudget -= 1;
          this.#dispatch(item);
        }
      }
    }
    return claimed;
  }

  async #claimInNotion(
    source: QueueSource,
    row: ReturnType<Store['items']['claimNextItems']>[number],
  ): Promise<ClaimedItem | undefined> {
    const now = (): number => this.#clock.now();
    const handler = this.registry.byName(row.handler);
    if (isJobQueue(source)) return this.#claimJob(source, row, handler);
    try {
      const outcome = await source.claim(row.page_id);
      if (outcome.kind === 'claimed') {
        const input = source.toInput(outcome.page);
        // A local queue's item keeps the handler it was queued for; a polled page is matched again as it is now.
        const queued = handler && !isJobHandler(handler) ? handler : undefined;
        const current = source.queue ? queued : (this.registry.find(input, this.config) ?? queued);
        if (!current) {
          await source.release(row.page_id, 'no handler accepts it any more');
          this.store.items.finishItem(row.id, 'no-handler', source.contentHash(outcome.page), now());
          return undefined;
        }
        this.events.emit('item:claimed', {
          itemId: row.id,
          source: row.source, // the queue: "tracks", "tasks" or a local queue
          pageId: row.page_id,
          handler: current.name,
        });
        return { kind: 'page', row: { ...row, handler: current.name }, source, handler: current, page: outcome.page };
      }
      if (outcome.kind === 'not-eligible') {
        this.store.items.finishItem(row.id, 'not-eligible', source.contentHash(outcome.page), now());
        this.#logger.info({ itemId: row.id, reason: outcome.reason }, 'item no longer eligible');
      } else if (outcome.kind === 'gone') {
        this.store.items.finishItem(row.id, 'gone', null, now());
        this.#logger.info({ itemId: row.id, reason: outcome.reason }, 'item page is gone');
      } else {
        this.store.items.releaseItem(row.id, now(), {
          refundAttempt: false,
          nextAttemptAt: now() + this.config.retry.lockConflictDelayMs,
        });
        this.#logger.info({ itemId: row.id, reason: outcome.reason }, 'item held elsewhere; looking again later');
      }
    } catch (raw) {
      const error = coerceError(raw);
      this.store.items.releaseItem(row.id, now(), {
        refundAttempt: false,
        nextAttemptAt: now() + this.config.retry.rateLimitedDefaultDelayMs,
      });
      this.#logger.warn({ err: error, itemId: row.id }, 'claim failed; the item waits for a later cycle');
    }
    return undefined;
  }

  /** A job is claimed by its local lease alone: there is no page, and no Processing Lock, to take. */
  #claimJob(
    source: JobQueue,
    row: ReturnType<Store['items']['claimNextItems']>[number],
    handler: AnyHandler | undefined,
  ): ClaimedItem | undefined {
    if (!handler || !isJobHandler(handler)) {
      this.store.items.finishItem(row.id, 'no-handler', null, this.#clock.now());
      this.#logger.warn({ itemId: row.id, queue: source.queue, handler: row.handler }, 'no job handler for this job');
      return undefined;
    }
    this.events.emit('item:claimed', {
      itemId: row.id,
      source: row.source,
      pageId: row.page_id,
      handler: handler.name,
    });
    return { kind: 'job', row, source, handler };
  }

  #runnerDeps(): RunnerDeps {
    return {
      store: this.store,
      notion: this.notion,
      config: this.config,
      clock: this.#clock,
      logger: this.#logger,
      events: this.events,
      identity: this.identity,
      services: this.#services,
      tracks: { syncNow: (pageId, signal) => this.syncTrackNow(pageId, signal) },
      enqueue: (work) => this.enqueue(work),
      schemas: () => this.#schemas,
    };
  }

  #dispatch(item: ClaimedItem): void {
    const queue = item.row.source;
    this.#runningByQueue.set(queue, (this.#runningByQueue.get(queue) ?? 0) + 1);
    const job = runItem(this.#runnerDeps(), item, this.#shutdown.signal).finally(() => {
      this.#running.delete(item.row.id);
      this.#runningByQueue.set(queue, (this.#runningByQueue.get(queue) ?? 1) - 1);
      // A finished item frees a slot: claim the next queued one now (no new poll) rather than at the next tick.
      if (!this.#stopping && this.#claimOnFreedSlot) void this.#claimSerially();
    });
    this.#running.set(item.row.id, job);
  }

  /**
   * Runs the track pipeline on one Music Tracks row now, with the poller's code and bookkeeping (its own item,
   * checkpoints and claim). A row given up on is tried again: a person (or a task) asked for it. If the poller is
   * already working on the row, this waits for that run instead of starting another.
   */
  async syncTrackNow(pageId: string, signal: AbortSignal): Promise<TrackRunOutcome> {
    const source = this.#sources.get('tracks') as ItemSource<'tracks'> | undefined;
    if (!source) throw new TrackSyncError('CONFIG_INVALID', 'no handler serves Music Tracks in this daemon');
    const page = await this.notion.retrievePage(pageId);
    const input = source.toInput(page);
    if (input.fields.downloaded === true) return { pageId, state: 'done', outcome: 'already-synced', page };
    const handler = this.registry.find(input, this.config);
    if (!handler) return { pageId, state: 'skipped', outcome: 'no-handler', page };
    const row = this.store.items.upsertPolledItem({
      source: 'tracks',
      pageId,
      dataSourceId: source.dataSourceId,
      handler: handler.name,
      title: source.title(page),
      inputHash: source.contentHash(page),
      now: this.#clock.now(),
    });
    if (row.state === 'failed' || row.state === 'done' || row.state === 'retry_wait')
      this.store.items.resetItemForRetry(row.id, this.#clock.now());
    for (;;) {
      signal.throwIfAborted();
      const claimed = this.store.items.claimItemById({
        id: row.id,
        owner: `${this.identity.host}:${this.identity.pid}`,
        bootId: this.identity.bootId,
        now: this.#clock.now(),
        leaseMs: this.config.claims.leaseMs,
      });
      if (claimed) {
        const item = await this.#claimInNotion(source, claimed);
        if (item) await runItem(this.#runnerDeps(), item, signal);
        break;
      }
      // The poller has it right now: wait for that run to end, and report what it did.
      const state = this.store.items.getItem(row.id)?.state;
      if (state === 'done' || state === 'failed') break;
      await this.#clock.sleep(250, signal);
    }
    return this.#outcomeOf(row.id, pageId);
  }

  async #outcomeOf(itemId: number, pageId: string): Promise<TrackRunOutcome> {
    const item = this.store.items.getItem(itemId)!;
    const page = await this.notion.retrievePage(pageId).catch(() => undefined);
    const error = item.last_error_code
      ? { code: item.last_error_code, message: item.last_error_message ?? '' }
      : undefined;
    if (item.state === 'done') return { pageId, state: 'done', outcome: item.outcome ?? 'done', page };
    if (item.state === 'failed')
      return { pageId, state: 'failed', outcome: 'failed', page, ...(error ? { error } : {}) };
    if (item.state === 'retry_wait')
      return { pageId, state: 'retry_wait', outcome: 'will-retry', page, ...(error ? { error } : {}) };
    return {
      pageId,
      state: 'skipped',
      outcome: item.outcome === 'not-eligible' ? 'not-eligible' : 'locked-elsewhere',
      page,
    };
  }

  /** Resolves when nothing is running and no cycle or claim is in progress. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.#cycle) await this.#cycle;
      await this.#claimChain;
      if (this.#running.size === 0 && this.#handoffs.size === 0 && !this.#cycle) return;
      await Promise.allSettled([...this.#running.values(), ...this.#handoffs]);
    }
  }

  /**
   * `tracksync once`: one poll, then claim and run what it found (up to `limit` items), freed slots refilled from the
   * queue without polling again; returns when nothing is left running.
   */
  async runOnce(options: { limit?: number; full?: boolean } = {}): Promise<CycleReport> {
    this.#claimBudget = options.limit;
    this.#claimOnFreedSlot = true;
    const report = await this.runCycle('once', { full: options.full === true });
    await this.drain();
    this.#claimOnFreedSlot = false;
    return report;
  }

  /**
   * Graceful stop (SIGTERM, SIGINT): stop claiming, give running stages `graceMs`, then abort them (subprocesses are
   * killed through their AbortSignal) and release their claims, then close the database and the lock.
   */
  async stop(reason: string): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.events.emit('daemon:shutdown', { reason });
    this.#cronTask?.stop();
    for (const task of this.#appTasks) task.stop();
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
    if (this.#dueTimer) clearTimeout(this.#dueTimer.timer);
    if (this.#syncRequestTimer) clearInterval(this.#syncRequestTimer);
    this.#notionHealth.stop();
    this.app.stopping?.();
    this.#logger.info({ reason, running: this.#running.size }, 'stopping');
    const settle = (ms: number): Promise<unknown> =>
      Promise.race([this.drain(), new Promise((r) => setTimeout(r, ms).unref())]);
    await settle(this.config.shutdown.graceMs);
    if (this.#running.size > 0 || this.#handoffs.size > 0) {
      this.#logger.info(
        { running: this.#running.size + this.#handoffs.size },
        'grace period over; aborting running items',
      );
      this.#shutdown.abort();
      await settle(this.config.shutdown.abortWaitMs);
    }
    await this.app.idle?.();
    this.#flushRequestCounts();
    this.store.runs.endBoot(this.identity.bootId, this.#clock.now());
    this.store.close();
    this.#lock.release();
    this.#logger.info('stopped');
  }

  #flushRequestCounts(): void {
    const day = new Date(this.#clock.now()).toISOString().slice(0, 10);
    const delta = this.notion.requestCounts().map((c) => {
      const before = this.#countsSnapshot.get(`${c.method} ${c.endpoint}`);
      this.#countsSnapshot.set(`${c.method} ${c.endpoint}`, c);
      return {
        ...c,
        requests: c.requests - (before?.requests ?? 0),
        rateLimited: c.rateLimited - (before?.rateLimited ?? 0),
        failed: c.failed - (before?.failed ?? 0),
      };
    });
    try {
      this.store.runs.addNotionRequestCounts(day, delta);
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not record Notion request counts');
    }
  }
}

/**
 * The Notion side of a daemon without the daemon: the gateway (sharing the rate budget in `store` with any daemon on
 * the same state directory) and the checked schemas. Daemon.start uses it, and so does `tracksync sync` when a
 * running daemon holds the lock and the command only finds the row and hands it over.
 */
export async function connectNotion(options: {
  config: Config;
  logger: Logger;
  store: Store;
  clock?: Clock;
  events?: EventBus;
  fetch?: typeof fetch;
}): Promise<{ events: EventBus; notion: NotionGateway; schemas: Schemas }> {
  const { config, logger, store } = options;
  const clock = options.clock ?? systemClock;
  const events = options.events ?? new EventBus(logger);
  const notion = gatewayFromConfig(config, logger, {
    clock,
    events,
    store: store.notion,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const schemas = await loadSchemasPatiently({ notion, store, config, clock, logger });
  return { events, notion, schemas };
}

/**
 * Reads the schemas at start-up, waiting out a Notion outage (transient errors and 429s, with backoff up to
 * notion.startupWaitMs): a daemon restarted by launchd while Notion is down must not crash-loop. Problems the user must
 * fix (a wrong token, a missing database) still fail at once.
 */
async function loadSchemasPatiently(deps: Parameters<typeof loadSchemas>[0]): Promise<Schemas> {
  const started = deps.clock.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadSchemas(deps);
    } catch (raw) {
      const error = coerceError(raw);
      const waited = deps.clock.now() - started;
      if (error.kind === 'permanent' || waited >= CONSTANTS.notion.startupWaitMs) throw error;
      const delay = Math.min(
        error.retryAfterMs ?? backoffMs(attempt, CONSTANTS.notion.retryBaseDelayMs, CONSTANTS.notion.retryMaxDelayMs),
        CONSTANTS.notion.startupWaitMs - waited,
      );
      deps.logger.warn({ err: error, retryInMs: delay }, 'Notion is not answering at start-up; waiting for it');
      await deps.clock.sleep(delay);
    }
  }
}
