import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Enqueue,
  Handler,
  HandlerContext,
  JobContext,
  JobHandler,
  ServiceRegistry,
  StageRunner,
  TrackRunner,
} from './contracts.js';
import { handlerStore, type ItemRow, type Store } from '../../state/store.js';
import { backoffMs } from '../backoff.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { TrackSyncError, WAITS_FOR_A_PERSON, coerceError, rawDetail, type ErrorKind } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import { span } from '../human.js';
import type { Identity } from './identity.js';
import type { ItemSource, JobQueue, ResultRun } from './sources.js';

/**
 * Item backoff (backoff.ts): attempt n waits min(base · 2^(n-1), max), jittered. With the defaults (30 s base, 6 h cap)
 * the seven waits between the eight attempts add up to 30 s · (2^7 - 1) = 63.5 min, 32 to 95 min with the jitter,
 * graphile-worker's curve (docs/decisions.md, "Leases, heartbeats, backoff, shutdown").
 */
export function retryDelayMs(attempt: number, retry: Config['retry'], random: () => number = Math.random): number {
  return backoffMs(attempt - 1, retry.baseDelayMs, retry.maxDelayMs, random);
}

/** Where an item's intermediate files live (in the state directory, so they survive a restart). */
export function workDirOf(config: Config, itemId: number): string {
  return join(config.stateDir, 'work', String(itemId));
}

async function removeWorkDir(config: Config, itemId: number, logger: Logger): Promise<void> {
  try {
    await rm(workDirOf(config, itemId), { recursive: true, force: true });
  } catch (error) {
    logger.warn({ err: error, itemId }, 'could not remove the item work folder');
  }
}

/** Why a job's signal aborted: the daemon stopping gives the item back; a time limit counts as a failed attempt. */
export class ShutdownAbort extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('tracksync is shutting down');
  }
}

export interface RunnerDeps {
  readonly store: Store;
  readonly notion: NotionGateway;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly identity: Identity;
  readonly services: ServiceRegistry;
  readonly tracks: TrackRunner;
  readonly enqueue: Enqueue;
  schemas(): Schemas;
}

/** An item claimed to run: a page (its source claimed it in Notion), or a job (claimed by its local lease alone). */
export type ClaimedItem =
  | {
      readonly kind: 'page';
      readonly row: ItemRow;
      readonly source: ItemSource;
      readonly handler: Handler;
      readonly page: PageResponse;
    }
  | { readonly kind: 'job'; readonly row: ItemRow; readonly source: JobQueue; readonly handler: JobHandler };

/** Runs one claimed item to an end state: done, retry_wait, failed, or released on shutdown. Never throws. */
export async function runItem(deps: RunnerDeps, claimed: ClaimedItem, shutdown: AbortSignal): Promise<void> {
  const { store, clock, config, events, identity } = deps;
  const { row, handler } = claimed;
  const logger = deps.logger.child({ itemId: row.id, pageId: row.page_id, source: row.source, handler: handler.name });
  const startedAt = clock.now();
  const attempt = store.items.markItemRunning(row.id, identity.bootId, startedAt);
  if (attempt === undefined) {
    logger.warn('lease lost before the item started; leaving it');
    return;
  }
  const attemptId = store.items.startAttempt(row.id, attempt, identity.bootId, startedAt);
  const controller = new AbortController();
  const onShutdown = (): void => controller.abort(new ShutdownAbort());
  shutdown.addEventListener('abort', onShutdown, { once: true });
  if (shutdown.aborted) onShutdown();
  const timeLimit = setTimeout(
    () =>
      controller.abort(
        new TrackSyncError('ABORTED', `the item ran longer than ${span(config.items.maxRunMs)} (items.maxRunMs)`),
      ),
    config.items.maxRunMs,
  );
  const heartbeat = setInterval(
    () => {
      store.items.renewLease(row.id, identity.bootId, clock.now() + config.claims.leaseMs, clock.now());
      if (claimed.kind === 'job') return;
      claimed.source
        .renewClaim(row.page_id)
        .catch((error: unknown) =>
          logger.warn(
            { err: error },
            'could not refresh the Processing Lock; another machine may take the row when it goes stale',
          ),
        );
    },
    Math.max(1_000, Math.floor(config.claims.leaseMs / 3)),
  );
  heartbeat.unref();

  let currentStage: string | null = null;
  // Checkpoints belong to one generation: retries of the same work resume, a page changed by a person starts afresh.
  const stage: StageRunner = async (name, stageInputHash, run, options) => {
    const inputHash = `g${row.generation}:${stageInputHash}`;
    const checkpoint = store.items.getCheckpoint(row.id, name);
    if (checkpoint && checkpoint.input_hash === inputHash) {
      const saved = JSON.parse(checkpoint.output_json);
      if (!options?.isValid || options.isValid(saved)) {
        events.emit('stage:end', { itemId: row.id, stage: name, durationMs: 0, skipped: true });
        return saved;
      }
      logger.info({ stage: name }, 'checkpoint no longer valid (its files are gone); running the stage again');
    }
    controller.signal.throwIfAborted();
    currentStage = name;
    store.items.setItemStage(row.id, name, clock.now());
    events.emit('stage:start', { itemId: row.id, stage: name });
    const began = clock.now();
    logger.debug({ stage: name }, 'stage start');
    const output = await run();
    store.items.recordStageDone(
      row.id,
      name,
      inputHash,
      output ?? null,
      options?.artefactHash?.(output) ?? null,
      clock.now(),
    );
    events.emit('stage:end', { itemId: row.id, stage: name, durationMs: clock.now() - began, skipped: false });
    return output;
  };
  const resultRun: ResultRun = { itemId: row.id, attempt, generation: row.generation, startedAt, stage };

  try {
    if (attempt > config.retry.maxAttempts) {
      throw new TrackSyncError(
        'INTERNAL',
        `gave up after ${attempt - 1} attempts (the last one did not finish: the daemon was stopped or crashed while running it)`,
        { kind: 'permanent' },
      );
    }
    const data: unknown = row.input_json === null ? undefined : JSON.parse(row.input_json);
    const shared = {
      logger,
      notion: deps.notion,
      schemas: deps.schemas(),
      store: handlerStore(store),
      config,
      clock,
      events,
      signal: controller.signal,
      stage,
      workDir: workDirOf(config, row.id),
      services: deps.services,
      tracks: deps.tracks,
      enqueue: deps.enqueue,
    };
    let outcome: string;
    let hash: string | null = null;
    let details: Readonly<Record<string, unknown>> | undefined;
    if (claimed.kind === 'job') {
      const context: JobContext = { ...shared, item: { id: row.id, key: row.page_id, attempt }, data };
      ({ outcome, details } = await claimed.handler.run(context));
      controller.signal.throwIfAborted();
    } else {
      const { source, page } = claimed;
      const input = data === undefined ? source.toInput(page) : { ...source.toInput(page), data };
      const context: HandlerContext = { ...shared, item: { id: row.id, pageId: row.page_id, attempt }, input };
      const result = await claimed.handler.run(context as never);
      controller.signal.throwIfAborted();
      outcome = result.outcome;
      hash = source.contentHash(await source.writeResult(page, result, resultRun));
    }
    store.items.finishItem(row.id, outcome, hash, clock.now());
    store.items.finishAttempt(attemptId, { outcome, stage: currentStage }, clock.now());
    await removeWorkDir(config, row.id, logger);
    events.emit('item:done', {
      itemId: row.id,
      source: row.source,
      pageId: row.page_id,
      title: row.title,
      handler: handler.name,
      outcome,
      durationMs: clock.now() - startedAt,
    });
    logger.info({ outcome, ...(details ? { details } : {}), durationMs: clock.now() - startedAt }, 'item done');
  } catch (raw) {
    const reason = controller.signal.reason;
    const error =
      raw instanceof ShutdownAbort || reason instanceof ShutdownAbort
        ? undefined
        : coerceError(reason instanceof TrackSyncError && controller.signal.aborted ? reason : raw);
    if (error === undefined) {
      await giveBack(deps, claimed, logger, attemptId, currentStage);
    } else {
      await recordFailure(deps, claimed, logger, { attempt, attemptId, stage: currentStage, error, run: resultRun });
    }
  } finally {
    clearTimeout(timeLimit);
    clearInterval(heartbeat);
    shutdown.removeEventListener('abort', onShutdown);
  }
}

/** Shutdown: the page goes back to how it was before the claim, and the attempt is not counted. */
async function giveBack(
  deps: RunnerDeps,
  claimed: ClaimedItem,
  logger: Logger,
  attemptId: number,
  stage: string | null,
): Promise<void> {
  const { store, clock, events } = deps;
  let hash: string | null = null;
  try {
    if (claimed.kind === 'page') {
      const page = await claimed.source.release(claimed.row.page_id, 'the daemon was stopped');
      if (page) hash = claimed.source.contentHash(page);
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not release the claim in Notion; it goes stale after the lease');
  }
  store.items.releaseItem(claimed.row.id, clock.now(), { refundAttempt: true, inputHash: hash });
  store.items.finishAttempt(attemptId, { outcome: 'released', stage }, clock.now());
  events.emit('item:released', { itemId: claimed.row.id, pageId: claimed.row.page_id, reason: 'shutdown' });
  logger.info({ stage }, 'item released for shutdown; it resumes from its last finished stage');
}

async function recordFailure(
  deps: RunnerDeps,
  claimed: ClaimedItem,
  logger: Logger,
  failure: { attempt: number; attemptId: number; stage: string | null; error: TrackSyncError; run: ResultRun },
): Promise<void> {
  const { store, clock, config, events } = deps;
  const { error, attempt } = failure;
  // A condition only a person can end waits as long as it lasts, its attempt given back (errors.ts WAITS_FOR_A_PERSON).
  const waits = WAITS_FOR_A_PERSON.has(error.code);
  const final = error.kind === 'permanent' || (!waits && attempt >= config.retry.maxAttempts);
  const delay = waits ? config.retry.waitForPersonMs : delayFor(error.kind, error, attempt, config);
  const nextAttemptAt = clock.now() + delay;
  let hash: string | null = null;
  try {
    if (claimed.kind === 'page') {
      const written = await claimed.source.writeFailure(
        claimed.page,
        error,
        { final, attempt, ...(final ? {} : { nextAttemptAt }) },
        failure.run,
      );
      if (written) hash = claimed.source.contentHash(written);
    }
  } catch (writeError) {
    logger.error({ err: writeError }, 'could not write the failure back to Notion');
  }
  const itemError = { code: error.code, kind: error.kind, message: error.message };
  if (final) {
    store.items.failItem(claimed.row.id, itemError, hash, clock.now());
    await removeWorkDir(config, claimed.row.id, logger);
    events.emit('item:failed', {
      itemId: claimed.row.id,
      pageId: claimed.row.page_id,
      title: claimed.row.title,
      code: error.code,
      message: error.message,
    });
    logger.warn({ code: error.code, kind: error.kind, attempt, err: error }, 'item failed');
  } else {
    store.items.scheduleRetry(claimed.row.id, nextAttemptAt, itemError, clock.now(), {
      inputHash: hash,
      refundAttempt: waits,
    });
    events.emit('item:retry', {
      itemId: claimed.row.id,
      pageId: claimed.row.page_id,
      code: error.code,
      kind: error.kind,
      message: error.message,
      nextAttemptAt,
    });
    logger.info(
      { code: error.code, kind: error.kind, attempt, retryInMs: delay, message: error.message },
      'item will be retried',
    );
  }
  // The raw tool output (a traceback, yt-dlp's own words) is kept with the attempt for `tracksync status --verbose`.
  const detail = rawDetail(error);
  store.items.finishAttempt(
    failure.attemptId,
    {
      outcome: final ? 'failed' : 'retry',
      stage: failure.stage,
      code: error.code,
      message: error.message,
      ...(detail ? { detail } : {}),
    },
    clock.now(),
  );
}

function delayFor(kind: ErrorKind, error: TrackSyncError, attempt: number, config: Config): number {
  if (kind === 'rate_limited') return error.retryAfterMs ?? config.retry.rateLimitedDefaultDelayMs;
  return retryDelayMs(attempt, config.retry);
}
