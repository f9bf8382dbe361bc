import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, FileConfig } from '../../src/config/load.js';
import type { Handler, HandlerContext, JobHandler } from '../../src/engine/contracts.js';
import { establishIdentity } from '../../src/engine/identity.js';
import { retryDelayMs, runItem, workDirOf, type ClaimedItem, type RunnerDeps } from '../../src/engine/runner.js';
import { Services } from '../../src/engine/services.js';
import { queueOf, type JobQueue } from '../../src/engine/sources.js';
import { TrackSyncError } from '../../src/errors.js';
import { EventBus, type EventMap, type EventName } from '../../src/events.js';
import { silentLogger } from '../../src/log.js';
import type { PageResponse } from '../../src/notion/gateway.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { Store } from '../../state/store.js';
import { FAST, testConfig } from '../helpers/daemon.js';
import { gatewayFor, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';
import { FixedClock, NotesSource } from './world.js';

/** Rejects with the signal's reason once it aborts: a long stage (a download) that only an abort ends. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

const handlerOf = (name: string, run: (ctx: HandlerContext<'tracks'>) => ReturnType<Handler['run']>): Handler =>
  ({ name, source: 'tracks', accepts: () => true, run }) as Handler<'tracks'> as Handler;

const RECORDED: EventName[] = ['item:done', 'item:retry', 'item:failed', 'item:released', 'stage:start', 'stage:end'];

describe('runItem (src/engine/runner.ts): one claimed item to its end state, on a real store and the local Notion', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const notion = gatewayFor(sandbox, { maxRetries: 1 });
  let n = 0;
  afterEach(() => sandbox.setFaults([]));

  /** A fresh state directory and everything runItem is given, as the daemon builds it (Daemon.#runnerDeps). */
  async function world(file: FileConfig = FAST, options: { queue?: string } = {}) {
    const config = testConfig(sandbox, join(dir, `state-${++n}`), file);
    const store = Store.open(join(config.stateDir, 'tracksync.sqlite'));
    onTestFinished(() => store.close());
    const clock = new FixedClock(Date.UTC(2026, 0, 5, 9));
    const events = new EventBus();
    const logger = silentLogger();
    const schemas = await loadSchemas({ notion, store, config, clock, logger });
    const source = new NotesSource(notion, schemas.tracks, options.queue);
    const identity = establishIdentity(store);
    const deps: RunnerDeps = {
      store,
      notion,
      config,
      clock,
      logger,
      events,
      identity,
      services: new Services(),
      tracks: { syncNow: () => Promise.reject(new Error('no task runs tracks in these tests')) },
      enqueue: () => false,
      schemas: () => schemas,
    };
    const seen: Array<{ [E in EventName]: { event: E; payload: EventMap[E] } }[EventName]> = [];
    for (const event of RECORDED) events.on(event, (payload) => seen.push({ event, payload } as (typeof seen)[number]));
    const createPage = (name: string): PageResponse =>
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: { Title: title(name) },
      });
    /** Records the page as an item of the source's queue (as a poll does) and claims it now, as the daemon would. */
    const claim = async (page: PageResponse, handler: Handler): Promise<ClaimedItem> => {
      store.items.upsertPolledItem({
        source: queueOf(source),
        pageId: page.id,
        dataSourceId: source.dataSourceId,
        handler: handler.name,
        title: source.title(page),
        inputHash: source.contentHash(page),
        now: clock.now(),
      });
      return claimAgain(page, handler);
    };
    const claimAgain = async (page: PageResponse, handler: Handler): Promise<ClaimedItem> => {
      const id = store.items.getItemByPage(queueOf(source), page.id)!.id;
      const row = store.items.claimItemById({
        id,
        owner: `${identity.host}:${identity.pid}`,
        bootId: identity.bootId,
        now: clock.now(),
        leaseMs: config.claims.leaseMs,
      });
      if (!row) throw new Error(`item ${id} could not be claimed`);
      const outcome = await source.claim(page.id);
      if (outcome.kind !== 'claimed') throw new Error(`the page could not be claimed: ${outcome.kind}`);
      return { kind: 'page', row, source, handler, page: outcome.page };
    };
    const run = (claimed: ClaimedItem, shutdown = new AbortController().signal): Promise<void> =>
      runItem(deps, claimed, shutdown);
    const item = (page: PageResponse) => store.items.getItemByPage(queueOf(source), page.id)!;
    const events_ = <E extends EventName>(event: E): Array<EventMap[E]> =>
      seen.filter((e) => e.event === event).map((e) => e.payload as EventMap[E]);
    return { config, store, clock, events, source, identity, createPage, claim, claimAgain, run, item, seen: events_ };
  }

  it("writes the handler's result back, finishes the item with the page's new hash, and removes its work folder", async () => {
    const w = await world();
    const page = w.createPage('Result Song');
    const handler = handlerOf('writer', async (ctx) => {
      // Intermediate files go to the work folder, which the runner owns (HandlerContext.workDir).
      mkdirSync(ctx.workDir, { recursive: true });
      writeFileSync(join(ctx.workDir, 'download.part'), 'bytes');
      return { outcome: 'synced', properties: { bpm: 128 } };
    });
    const claimed = await w.claim(page, handler);
    await w.run(claimed);

    // The source got the handler's result for the claimed page, with the run it belongs to (attempt 1, generation 1).
    expect(w.source.results).toHaveLength(1);
    expect(w.source.results[0]).toMatchObject({
      pageId: page.id,
      result: { outcome: 'synced', properties: { bpm: 128 } },
      run: { itemId: claimed.row.id, attempt: 1, generation: 1 },
    });
    const written = sandbox.workspace.retrievePage(page.id);
    expect(written.properties.Tempo).toMatchObject({ number: 128 });
    // Our own write-back is remembered as the page's content, so the next poll does not take it for a person's edit.
    expect(w.item(page)).toMatchObject({
      state: 'done',
      outcome: 'synced',
      attempts: 1,
      lease_owner: null,
      input_hash: w.source.contentHash(written),
    });
    expect(w.store.items.listAttempts(claimed.row.id)).toMatchObject([{ attempt: 1, outcome: 'synced' }]);
    expect(w.seen('item:done')).toMatchObject([{ itemId: claimed.row.id, outcome: 'synced', handler: 'writer' }]);
    // A finished item's intermediate files are not kept: the work folder is gone.
    expect(existsSync(workDirOf(w.config, claimed.row.id))).toBe(false);
  });

  it('retries a transient error after the item backoff, counts the attempt and keeps the work folder for the next one', async () => {
    const retry = { ...FAST.retry, baseDelayMs: 10_000, maxDelayMs: 60_000, maxAttempts: 8 };
    const w = await world({ ...FAST, retry });
    const page = w.createPage('Flaky Song');
    const handler = handlerOf('flaky', async (ctx) => {
      mkdirSync(ctx.workDir, { recursive: true });
      writeFileSync(join(ctx.workDir, 'attempt'), String(ctx.item.attempt));
      if (ctx.item.attempt === 1) throw new TrackSyncError('DOWNLOAD_FAILED', 'network dropped');
      // Not one of ours: an unexpected error is an internal one, retried like any transient error.
      if (ctx.item.attempt === 2) throw new Error('socket hang up');
      return { outcome: 'synced' };
    });

    for (const [attempt, code] of [
      [1, 'DOWNLOAD_FAILED'],
      [2, 'INTERNAL'],
    ] as const) {
      const claimed = attempt === 1 ? await w.claim(page, handler) : await w.claimAgain(page, handler);
      const startedAt = w.clock.now();
      await w.run(claimed);
      const item = w.item(page);
      expect(item).toMatchObject({ state: 'retry_wait', attempts: attempt, last_error_code: code, lease_owner: null });
      // backoff.ts: base · 2^(attempt-1), times a jitter factor in [0.5, 1.5), rounded to the millisecond.
      const nominal = retry.baseDelayMs * 2 ** (attempt - 1);
      const waited = item.next_attempt_at - startedAt;
      expect(waited).toBeGreaterThanOrEqual(nominal * 0.5);
      expect(waited).toBeLessThanOrEqual(nominal * 1.5);
      // The page says it will be retried, and when; the event tells the status page the same time.
      expect(w.source.failures.at(-1)).toMatchObject({
        error: { code },
        failure: { final: false, attempt, nextAttemptAt: item.next_attempt_at },
      });
      expect(w.seen('item:retry').at(-1)).toMatchObject({
        code,
        kind: 'transient',
        nextAttemptAt: item.next_attempt_at,
      });
      // Our failure write-back is not a change a person made (it would re-queue the item at once).
      expect(item.input_hash).toBe(w.source.contentHash(sandbox.workspace.retrievePage(page.id)));
      expect(existsSync(join(workDirOf(w.config, claimed.row.id), 'attempt'))).toBe(true);
      w.clock.at = item.next_attempt_at;
    }

    await w.run(await w.claimAgain(page, handler));
    expect(w.item(page)).toMatchObject({ state: 'done', attempts: 3, last_error_code: null });
    expect(
      w.store.items.listAttempts(w.item(page).id).map((a) => [a.attempt, a.outcome, a.error_code, a.error_message]),
    ).toEqual([
      [1, 'retry', 'DOWNLOAD_FAILED', 'network dropped'],
      [2, 'retry', 'INTERNAL', 'socket hang up'],
      [3, 'synced', null, null],
    ]);
  });

  it('gives up when the attempts are used up: the last transient failure is final, and the work folder goes', async () => {
    const w = await world({ ...FAST, retry: { ...FAST.retry, maxAttempts: 2 } });
    const page = w.createPage('Always Failing Song');
    const handler = handlerOf('failing', async (ctx) => {
      mkdirSync(ctx.workDir, { recursive: true });
      throw new TrackSyncError('CONVERSION_FAILED', `ffmpeg exited 1 (attempt ${ctx.item.attempt})`);
    });
    const claimed = await w.claim(page, handler);
    await w.run(claimed);
    expect(w.item(page).state).toBe('retry_wait');
    await w.run(await w.claimAgain(page, handler));

    expect(w.item(page)).toMatchObject({ state: 'failed', attempts: 2, last_error_code: 'CONVERSION_FAILED' });
    expect(w.source.failures.map((f) => f.failure)).toEqual([
      { final: false, attempt: 1, nextAttemptAt: expect.any(Number) },
      { final: true, attempt: 2 },
    ]);
    expect(w.seen('item:failed')).toMatchObject([{ itemId: claimed.row.id, code: 'CONVERSION_FAILED' }]);
    expect(existsSync(workDirOf(w.config, claimed.row.id))).toBe(false);
  });

  it('fails a permanent error at once, on its first attempt, and writes the reason as final', async () => {
    const w = await world();
    const page = w.createPage('Removed Song');
    const handler = handlerOf('gone', async () => {
      throw new TrackSyncError('SOURCE_NOT_FOUND', 'the track was removed from SoundCloud');
    });
    await w.run(await w.claim(page, handler));

    expect(w.item(page)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error_code: 'SOURCE_NOT_FOUND',
      last_error_kind: 'permanent',
      last_error_message: 'the track was removed from SoundCloud',
    });
    expect(w.source.failures.map((f) => f.failure)).toEqual([{ final: true, attempt: 1 }]);
    expect(sandbox.workspace.retrievePage(page.id).properties.Notes).toMatchObject({
      rich_text: [{ plain_text: 'SOURCE_NOT_FOUND (gave up)' }],
    });
    expect(w.seen('item:retry')).toEqual([]);
  });

  it('waits as long as a rate-limited service asked, or retry.rateLimitedDefaultDelayMs when it did not say', async () => {
    const w = await world({ ...FAST, retry: { ...FAST.retry, rateLimitedDefaultDelayMs: 45_000 } });
    const page = w.createPage('Busy Song');
    const handler = handlerOf('limited', async (ctx) => {
      if (ctx.item.attempt === 1)
        throw new TrackSyncError('SOURCE_RATE_LIMITED', 'HTTP 429 from SoundCloud', { retryAfterMs: 120_000 });
      throw new TrackSyncError('SPOTIFY_RATE_LIMITED', 'HTTP 429 without Retry-After');
    });
    const first = w.clock.now();
    await w.run(await w.claim(page, handler));
    expect(w.item(page)).toMatchObject({ state: 'retry_wait', next_attempt_at: first + 120_000 });
    w.clock.at = first + 120_000;
    await w.run(await w.claimAgain(page, handler));
    expect(w.item(page)).toMatchObject({ state: 'retry_wait', attempts: 2, next_attempt_at: first + 165_000 });
  });

  it('lets an item that waits for a person (WAITS_FOR_A_PERSON) wait retry.waitForPersonMs, its attempt given back', async () => {
    // One attempt allowed: were the waits counted, the first would already be final.
    const w = await world({ ...FAST, retry: { ...FAST.retry, maxAttempts: 1, waitForPersonMs: 1_800_000 } });
    const page = w.createPage('Eagle Closed');
    let runs = 0;
    const handler = handlerOf('eagle-import', async () => {
      runs += 1;
      throw new TrackSyncError('EAGLE_UNAVAILABLE', 'Eagle is not running');
    });
    const claimed = await w.claim(page, handler);
    for (let look = 1; look <= 3; look += 1) {
      const at = w.clock.now();
      await w.run(look === 1 ? claimed : await w.claimAgain(page, handler));
      expect(w.item(page)).toMatchObject({
        state: 'retry_wait',
        attempts: 0,
        last_error_code: 'EAGLE_UNAVAILABLE',
        next_attempt_at: at + 1_800_000,
      });
      expect(w.source.failures.at(-1)?.failure).toEqual({ final: false, attempt: 1, nextAttemptAt: at + 1_800_000 });
      w.clock.at = at + 1_800_000;
    }
    expect(runs).toBe(3);
    expect(w.seen('item:failed')).toEqual([]);
  });

  it('on shutdown gives the item back untouched: released, queued again, the attempt refunded, finished stages kept', async () => {
    const w = await world();
    const page = w.createPage('Interrupted Song');
    const runsOf = { download: 0, analyse: 0 };
    let hold = true;
    const handler = handlerOf('staged', async (ctx) => {
      const file = await ctx.stage('download', 'v1', async () => {
        runsOf.download += 1;
        return { file: 'song.wav' };
      });
      const analysed = await ctx.stage('analyse', 'v1', async () => {
        runsOf.analyse += 1;
        if (hold) await untilAborted(ctx.signal);
        return { bpm: 124 };
      });
      return { outcome: 'synced', properties: { bpm: analysed.bpm }, details: file };
    });
    const stopping = new AbortController();
    // The daemon stops while the item is in its second stage.
    w.events.on('stage:start', (e) => {
      if (e.stage === 'analyse') stopping.abort();
    });
    const claimed = await w.claim(page, handler);
    await w.run(claimed, stopping.signal);

    expect(w.source.released).toEqual([page.id]);
    expect(w.source.failures).toEqual([]);
    expect(w.item(page)).toMatchObject({ state: 'queued', attempts: 0, stage: null, lease_owner: null });
    expect(w.store.items.listAttempts(claimed.row.id)).toMatchObject([{ outcome: 'released', stage: 'analyse' }]);
    expect(w.seen('item:released')).toEqual([{ itemId: claimed.row.id, pageId: page.id, reason: 'shutdown' }]);

    // The next daemon resumes at the stage that did not finish.
    hold = false;
    await w.run(await w.claimAgain(page, handler));
    expect(runsOf).toEqual({ download: 1, analyse: 2 });
    expect(w.item(page)).toMatchObject({ state: 'done', attempts: 1 });
    expect(w.source.results[0]?.result.details).toEqual({ file: 'song.wav' });
  });

  it('counts an item that runs past items.maxRunMs as a failed attempt (ABORTED), unlike a shutdown', async () => {
    const w = await world({ ...FAST, items: { maxRunMs: 50 } });
    const page = w.createPage('Endless Song');
    const handler = handlerOf('endless', (ctx) => untilAborted(ctx.signal));
    await w.run(await w.claim(page, handler));
    expect(w.item(page)).toMatchObject({ state: 'retry_wait', attempts: 1, last_error_code: 'ABORTED' });
    expect(w.item(page).last_error_message).toContain('items.maxRunMs');
    expect(w.source.released).toEqual([]);
  });

  describe('checkpoints', () => {
    /** A two-stage handler whose second stage fails once; counts the runs of the first. */
    function twoStages(options: { isValid?: (output: { file: string }) => boolean } = {}) {
      const state = { downloads: 0, failAnalyse: true, file: '' };
      const handler = handlerOf('two-stages', async (ctx) => {
        const downloaded = await ctx.stage(
          'download',
          'v1',
          async () => {
            state.downloads += 1;
            mkdirSync(ctx.workDir, { recursive: true });
            state.file = join(ctx.workDir, `song-${state.downloads}.wav`);
            writeFileSync(state.file, 'audio');
            return { file: state.file };
          },
          options.isValid ? { isValid: options.isValid } : undefined,
        );
        await ctx.stage('analyse', 'v1', async () => {
          if (state.failAnalyse) throw new TrackSyncError('ANALYSIS_FAILED', 'aubio crashed');
          return { bpm: 128 };
        });
        return { outcome: 'synced', details: downloaded };
      });
      return { state, handler };
    }

    it('skips a stage that finished on the next attempt of the same generation, returning its saved output', async () => {
      const w = await world();
      const page = w.createPage('Resumed Song');
      const { state, handler } = twoStages();
      await w.run(await w.claim(page, handler));
      expect(w.item(page).state).toBe('retry_wait');
      const firstFile = state.file;
      state.failAnalyse = false;
      await w.run(await w.claimAgain(page, handler));

      // The download ran once; the second attempt got its saved output and said it skipped it.
      expect(state.downloads).toBe(1);
      expect(w.source.results[0]?.result.details).toEqual({ file: firstFile });
      expect(w.seen('stage:end').filter((e) => e.stage === 'download')).toMatchObject([
        { skipped: false },
        { skipped: true, durationMs: 0 },
      ]);
      expect(w.item(page)).toMatchObject({ state: 'done', attempts: 2 });
    });

    it('runs the stage again for a new generation (a person changed the page)', async () => {
      const w = await world();
      const page = w.createPage('Edited Song');
      const { state, handler } = twoStages();
      await w.run(await w.claim(page, handler));
      // A person edits the row while it waits: the poll records a new input, which is a new generation.
      sandbox.workspace.updatePage(page.id, { properties: { Title: title('Edited Song (Extended Mix)') } });
      const edited = sandbox.workspace.retrievePage(page.id);
      const row = w.store.items.upsertPolledItem({
        source: 'tracks',
        pageId: page.id,
        dataSourceId: w.source.dataSourceId,
        handler: handler.name,
        title: w.source.title(edited),
        inputHash: w.source.contentHash(edited),
        now: w.clock.now(),
      });
      expect(row).toMatchObject({ state: 'queued', generation: 2, attempts: 0 });
      state.failAnalyse = false;
      await w.run(await w.claimAgain(page, handler));
      expect(state.downloads).toBe(2);
      expect(w.source.results[0]?.run.generation).toBe(2);
    });

    it('runs the stage again when isValid rejects its saved output (its file is gone)', async () => {
      const w = await world();
      const page = w.createPage('Cleaned Up Song');
      const { state, handler } = twoStages({ isValid: (output) => existsSync(output.file) });
      await w.run(await w.claim(page, handler));
      rmSync(state.file);
      state.failAnalyse = false;
      await w.run(await w.claimAgain(page, handler));
      expect(state.downloads).toBe(2);
      expect(existsSync(state.file)).toBe(false); // the work folder went with the finished item
      expect(w.item(page).state).toBe('done');
    });
  });

  it('gives up, without running the handler, on an item whose runs never finished (the daemon died in each)', async () => {
    const w = await world({ ...FAST, retry: { ...FAST.retry, maxAttempts: 2 } });
    const page = w.createPage('Crashing Song');
    let runs = 0;
    const handler = handlerOf('crasher', async () => {
      runs += 1;
      return { outcome: 'synced' };
    });
    const id = w.store.items.upsertPolledItem({
      source: 'tracks',
      pageId: page.id,
      dataSourceId: w.source.dataSourceId,
      handler: handler.name,
      title: 'Crashing Song',
      inputHash: w.source.contentHash(page),
      now: w.clock.now(),
    }).id;
    // Two earlier daemons each claimed it, started it, and died; the next start released their leases.
    for (const boot of ['boot-that-died-1', 'boot-that-died-2']) {
      w.store.items.claimItemById({ id, owner: 'mac:1', bootId: boot, now: w.clock.now(), leaseMs: 60_000 });
      w.store.items.markItemRunning(id, boot, w.clock.now());
      w.store.items.releaseLeasesOfOtherBoots(w.identity.bootId, w.clock.now());
    }
    await w.run(await w.claimAgain(page, handler));

    expect(runs).toBe(0);
    expect(w.item(page)).toMatchObject({ state: 'failed', attempts: 3, last_error_code: 'INTERNAL' });
    expect(w.item(page).last_error_message).toContain('gave up after 2 attempts');
    expect(w.source.failures.map((f) => f.failure)).toEqual([{ final: true, attempt: 3 }]);
  });

  it('leaves an item alone when its lease was lost before it started', async () => {
    const w = await world();
    const page = w.createPage('Lost Lease Song');
    let runs = 0;
    const handler = handlerOf('late', async () => {
      runs += 1;
      return { outcome: 'synced' };
    });
    const claimed = await w.claim(page, handler);
    // A newer daemon on this state directory released every lease of this boot.
    w.store.items.releaseLeasesOfOtherBoots('a-newer-boot', w.clock.now());
    await w.run(claimed);
    expect(runs).toBe(0);
    expect(w.item(page)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(w.store.items.listAttempts(claimed.row.id)).toEqual([]);
    expect([w.source.results, w.source.failures, w.source.released]).toEqual([[], [], []]);
  });

  it('still schedules the retry when the failure cannot be written to Notion, so the item is never left running', async () => {
    const w = await world();
    const page = w.createPage('Unlucky Song');
    const handler = handlerOf('unlucky', async () => {
      throw new TrackSyncError('DOWNLOAD_TIMEOUT', 'yt-dlp took too long');
    });
    w.source.failWrites = true;
    const claimed = await w.claim(page, handler);
    await w.run(claimed);
    expect(w.item(page)).toMatchObject({
      state: 'retry_wait',
      attempts: 1,
      lease_owner: null,
      last_error_code: 'DOWNLOAD_TIMEOUT',
      input_hash: claimed.row.input_hash,
    });
  });

  it('retries a result Notion refused to take without repeating the finished stages', async () => {
    const w = await world();
    const page = w.createPage('Unwritten Song');
    let analyses = 0;
    const handler = handlerOf('analyser', async (ctx) => {
      const { bpm } = await ctx.stage('analyse', 'v1', async () => {
        analyses += 1;
        return { bpm: 126 };
      });
      return { outcome: 'synced', properties: { bpm } };
    });
    sandbox.setFaults([{ method: 'PATCH', status: 503 }]);
    await w.run(await w.claim(page, handler));
    expect(w.item(page)).toMatchObject({ state: 'retry_wait', last_error_code: 'NOTION_UNAVAILABLE' });
    sandbox.setFaults([]);
    await w.run(await w.claimAgain(page, handler));
    expect(analyses).toBe(1);
    expect(w.item(page).state).toBe('done');
    expect(sandbox.workspace.retrievePage(page.id).properties.Tempo).toMatchObject({ number: 126 });
  });

  it("hands an item of a local queue the data it was enqueued with, beside its page's fields", async () => {
    const w = await world(FAST, { queue: 'imports' });
    const page = w.createPage('Queued Import');
    const handler = handlerOf('importer', async (ctx) => ({
      outcome: 'imported',
      details: { data: ctx.input.data, title: ctx.input.fields.title },
    }));
    w.store.items.enqueueLocal({
      source: 'imports',
      pageId: page.id,
      handler: handler.name,
      title: 'Queued Import',
      inputJson: JSON.stringify({ file: '/Music/a.aiff', tags: ['techno'] }),
      dueAt: w.clock.now(),
      now: w.clock.now(),
    });
    await w.run(await w.claimAgain(page, handler));
    expect(w.source.results[0]?.result.details).toEqual({
      data: { file: '/Music/a.aiff', tags: ['techno'] },
      title: 'Queued Import',
    });
    expect(w.store.items.getItemByPage('imports', page.id)?.state).toBe('done');
  });

  it('runs a job (no page) with its key and data: nothing is claimed or written in Notion, a failure stays on the item', async () => {
    const w = await world();
    const requestsBefore = notion.requestCount;
    const seenBy: unknown[] = [];
    let fail = true;
    const job: JobHandler = {
      kind: 'job',
      name: 'exporter',
      queue: 'exports',
      run: async (ctx) => {
        seenBy.push({ key: ctx.item.key, data: ctx.data, attempt: ctx.item.attempt });
        if (fail) throw new TrackSyncError('NOTION_UNAVAILABLE', 'Notion answered 503');
        return { outcome: 'exported' };
      },
    };
    const queueSource: JobQueue = { kind: 'jobs', queue: 'exports', maxRunning: 1 };
    const claimJob = (): ClaimedItem => {
      const row = w.store.items.claimNextItems({
        source: 'exports',
        owner: `${w.identity.host}:${w.identity.pid}`,
        bootId: w.identity.bootId,
        now: w.clock.now(),
        leaseMs: w.config.claims.leaseMs,
        limit: 1,
      })[0];
      if (!row) throw new Error('the job is not due');
      return { kind: 'job', row, source: queueSource, handler: job };
    };
    w.store.items.enqueueLocal({
      source: 'exports',
      pageId: 'playlists',
      handler: job.name,
      title: 'Export',
      inputJson: JSON.stringify({ reason: 'schedule' }),
      dueAt: w.clock.now(),
      now: w.clock.now(),
    });
    await w.run(claimJob());
    // A transient failure: retried with the item backoff like any item, its error kept where `status` shows it.
    const waiting = w.store.items.getItemByPage('exports', 'playlists');
    expect(waiting).toMatchObject({ state: 'retry_wait', attempts: 1, last_error_code: 'NOTION_UNAVAILABLE' });
    expect(w.seen('item:retry')).toMatchObject([{ pageId: 'playlists', code: 'NOTION_UNAVAILABLE' }]);
    fail = false;
    w.clock.advance(waiting!.next_attempt_at - w.clock.now());
    await w.run(claimJob());
    expect(w.store.items.getItemByPage('exports', 'playlists')).toMatchObject({ state: 'done', outcome: 'exported' });
    expect(seenBy).toEqual([
      { key: 'playlists', data: { reason: 'schedule' }, attempt: 1 },
      { key: 'playlists', data: { reason: 'schedule' }, attempt: 2 },
    ]);
    // No page: no claim, no write-back, no failure written anywhere in Notion.
    expect(notion.requestCount).toBe(requestsBefore);
  });
});

describe('retryDelayMs (src/engine/runner.ts): the item backoff curve', () => {
  const retry: Config['retry'] = {
    maxAttempts: 8,
    baseDelayMs: 30_000,
    maxDelayMs: 6 * 3_600_000,
    rateLimitedDefaultDelayMs: 60_000,
    lockConflictDelayMs: 300_000,
    waitForPersonMs: 1_800_000,
  };
  const middle = () => 0.5; // the jitter factor 1: the nominal curve

  it('doubles from retry.baseDelayMs with each attempt, up to retry.maxDelayMs', () => {
    expect([1, 2, 3, 4, 8].map((attempt) => retryDelayMs(attempt, retry, middle))).toEqual([
      30_000, 60_000, 120_000, 240_000, 3_840_000,
    ]);
    expect(retryDelayMs(20, retry, middle)).toBe(6 * 3_600_000);
  });

  it('spreads retries between half and one and a half times the nominal wait, so failures together retry apart', () => {
    expect(retryDelayMs(2, retry, () => 0)).toBe(30_000);
    expect(retryDelayMs(2, retry, () => 0.999)).toBe(89_940);
  });
});
