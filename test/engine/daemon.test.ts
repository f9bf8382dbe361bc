import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { TrackSyncError } from '../../src/errors.js';
import { bullet } from '../../src/notion/blocks.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { FAST, startTestDaemon } from '../helpers/daemon.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/** Executions of the handler's one real piece of work, per page: "done exactly once" is checked against this. */
const workDone = new Map<string, number>();
const attemptsSeen = new Map<string, number>();

const trackHandler: Handler<'tracks'> = {
  name: 'test-track',
  source: 'tracks',
  accepts: (input) => String(input.fields.title ?? '').startsWith('T:'),
  run: async (ctx) => {
    const name = String(ctx.input.fields.title);
    attemptsSeen.set(ctx.item.pageId, ctx.item.attempt);
    if (name.includes('permanent'))
      throw new TrackSyncError('SOURCE_NOT_FOUND', 'the track was removed from SoundCloud', {
        details: { processingTag: 'SC_404' },
      });
    if (name.includes('flaky') && ctx.item.attempt < 3)
      throw new TrackSyncError('DOWNLOAD_FAILED', `network dropped (attempt ${ctx.item.attempt})`);
    const analysed = await ctx.stage('analyse', 'v1', async () => {
      workDone.set(ctx.item.pageId, (workDone.get(ctx.item.pageId) ?? 0) + 1);
      if (name.includes('slow')) await ctx.clock.sleep(60_000, ctx.signal);
      if (name.includes('brief')) await ctx.clock.sleep(300, ctx.signal);
      return { bpm: 128 };
    });
    return {
      outcome: 'synced',
      properties: { bpm: analysed.bpm, downloaded: true, processing: ['Audio Analysis Complete'] },
    };
  },
};

const taskHandler: Handler<'tasks'> = {
  name: 'test-task',
  source: 'tasks',
  accepts: (input) =>
    String(input.fields.title ?? '')
      .toLowerCase()
      .includes('music sync'),
  run: async (ctx) => {
    await ctx.stage('work', 'v1', async () => workDone.set(ctx.item.pageId, (workDone.get(ctx.item.pageId) ?? 0) + 1));
    return {
      outcome: 'completed',
      taskStatus: 'completed',
      summary: 'Synced 2 tracks; 1 failed.',
      report: [bullet('Track A: synced'), bullet('Track B: failed (removed)')],
      details: { errorCount: 1 },
    };
  },
};

const handlers = [trackHandler, taskHandler] as Handler[];

function fieldOf(sandbox: Sandbox, pageId: string, property: string): unknown {
  const page = sandbox.workspace.retrievePage(pageId);
  return decodeProperty(page.properties[property]);
}

async function createTrack(sandbox: Sandbox, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  return sandbox.workspace.createPage({
    parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
    properties: {
      Title: title(name),
      'Artist Name': text('Test Artist'),
      'Source URL': { url: 'http://127.0.0.1/a.wav' },
      ...extra,
    },
  }).id;
}

describe('the daemon against the local Notion', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  let n = 0;
  const daemonFor = (file = FAST, extra: Partial<Parameters<typeof startTestDaemon>[1]> = {}) =>
    startTestDaemon(sandbox, { stateDir: join(dir, `state-${++n}`), handlers, file, ...extra });
  afterEach(() => sandbox.setFaults([]));

  it('processes eligible rows once, writes the result in one update, releases the lock and leaves other rows alone', async () => {
    const one = await createTrack(sandbox, 'T: one');
    const two = await createTrack(sandbox, 'T: two');
    const other = await createTrack(sandbox, 'not for any handler');
    const done = await createTrack(sandbox, 'T: already done', { Downloaded: { checkbox: true } });
    const otherBefore = sandbox.workspace.retrievePage(other);
    const daemon = await daemonFor();
    const report = await daemon.runOnce();
    expect(report.claimed).toBe(2);
    for (const id of [one, two]) {
      expect(fieldOf(sandbox, id, 'Downloaded')).toBe(true);
      expect(fieldOf(sandbox, id, 'Tempo')).toBe(128);
      expect(fieldOf(sandbox, id, 'Processing Lock')).toBe('');
      expect(fieldOf(sandbox, id, 'Audio Processing')).toEqual(['Audio Analysis Complete']);
      expect(workDone.get(id)).toBe(1);
      expect(daemon.store.items.getItemByPage('tracks', id)?.state).toBe('done');
    }
    expect(sandbox.workspace.retrievePage(other)).toEqual(otherBefore);
    expect(workDone.has(done)).toBe(false);
    // Nothing changed: the next cycle claims nothing and repeats no work.
    expect((await daemon.runOnce()).claimed).toBe(0);
    expect(workDone.get(one)).toBe(1);
    await daemon.stop('test');
  });

  it('fails a permanent error at once with its tag and reason, and does not pick the row again until it changes', async () => {
    const id = await createTrack(sandbox, 'T: permanent');
    const daemon = await daemonFor();
    await daemon.runOnce();
    const item = daemon.store.items.getItemByPage('tracks', id)!;
    expect(item).toMatchObject({ state: 'failed', attempts: 1, last_error_code: 'SOURCE_NOT_FOUND' });
    expect(fieldOf(sandbox, id, 'Audio Processing')).toEqual(['SC_404']);
    expect(fieldOf(sandbox, id, 'Downloaded')).toBe(false);
    expect(fieldOf(sandbox, id, 'Processing Lock')).toBe('');
    const comment = sandbox.workspace.comments().find((c) => (c.parent as { page_id?: string }).page_id === id);
    expect(comment?.rich_text[0]?.plain_text).toContain(
      'SOURCE_NOT_FOUND: the track was removed from SoundCloud (gave up)',
    );
    // Our own write-back (tag, lock) is not a change: the failed row is not retried in a loop (legacy bug 3).
    sandbox.advanceClock(60_000);
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)?.attempts).toBe(1);
    // A person edits the row: it is a new piece of work.
    sandbox.workspace.updatePage(id, { properties: { 'Source URL': { url: 'http://127.0.0.1/b.wav' } } });
    sandbox.advanceClock(60_000);
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({
      state: 'failed',
      generation: 2,
      attempts: 1,
    });
    await daemon.stop('test');
  });

  it('retries a transient error with backoff, resumes at the failed stage and clears the error tag on success', async () => {
    const id = await createTrack(sandbox, 'T: flaky');
    // A backoff longer than one run, so the item visibly waits between attempts.
    const daemon = await daemonFor({ ...FAST, retry: { ...FAST.retry, baseDelayMs: 300, maxDelayMs: 300 } });
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({
      state: 'retry_wait',
      last_error_code: 'DOWNLOAD_FAILED',
    });
    expect(fieldOf(sandbox, id, 'Audio Processing')).toEqual(['Download_Failed']);
    for (let i = 0; i < 5 && daemon.store.items.getItemByPage('tracks', id)?.state !== 'done'; i += 1) {
      await new Promise((r) => setTimeout(r, 500)); // past the longest backoff: 300 ms x 1.5
      await daemon.runOnce();
    }
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', attempts: 3 });
    expect(fieldOf(sandbox, id, 'Audio Processing')).toEqual(['Audio Analysis Complete']);
    expect(workDone.get(id)).toBe(1);
    await daemon.stop('test');
  });

  it('takes only Ready music tasks and hands the result back: status, summary, dated report, Execution-Logs page', async () => {
    const tasks = sandbox.ids.tasks.dataSourceId;
    const task = (name: string, status: string) =>
      sandbox.workspace.createPage({
        parent: { data_source_id: tasks },
        properties: { 'Task Name': title(name), Status: { status: { name: status } } },
      }).id;
    const ready = task('Music Sync: weekend set', 'Ready');
    const draft = task('Music Sync: not yet', 'Draft');
    const unrelated = task('DriveSheetsSync fix', 'Ready');
    const daemon = await daemonFor();
    await daemon.runOnce();
    expect(fieldOf(sandbox, ready, 'Status')).toBe('Completed');
    expect(fieldOf(sandbox, ready, 'Execution-Result')).toBe('Synced 2 tracks; 1 failed.');
    const blocks = sandbox.workspace.allBlocks(ready);
    expect(JSON.stringify(blocks[0])).toMatch(/tracksync report · \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(blocks.map((b) => (b as { type: string }).type)).toEqual([
      'heading_2',
      'bulleted_list_item',
      'bulleted_list_item',
    ]);
    const logs = fieldOf(sandbox, ready, 'Execution-Logs') as string[];
    expect(logs).toHaveLength(1);
    expect(fieldOf(sandbox, logs[0]!, 'Status')).toBe('Partial');
    expect(fieldOf(sandbox, logs[0]!, 'Agent-Tasks')).toEqual([ready]);
    expect(fieldOf(sandbox, draft, 'Status')).toBe('Draft');
    expect(fieldOf(sandbox, unrelated, 'Status')).toBe('Ready');
    // Set back to Ready by a person: a new run and a second dated report, never a copy of the first.
    sandbox.workspace.updatePage(ready, { properties: { Status: { status: { name: 'Ready' } } } });
    sandbox.advanceClock(60_000);
    await daemon.runOnce();
    expect(workDone.get(ready)).toBe(2);
    expect(sandbox.workspace.allBlocks(ready).filter((b) => (b as { type: string }).type === 'heading_2')).toHaveLength(
      2,
    );
    await daemon.stop('test');
  });

  it('loses nothing and repeats no work through 429 storms and 5xx bursts', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => createTrack(sandbox, `T: storm ${i}`)));
    const daemon = await daemonFor({ ...FAST, notion: { ...FAST.notion, maxRetries: 2 } });
    sandbox.setFaults([
      { status: 429, retryAfterSeconds: 0, probability: 0.3 },
      { method: 'PATCH', status: 503, probability: 0.1 },
      { method: 'GET', status: 500, probability: 0.1 },
      { method: 'POST', path: '/query$', status: 502, probability: 0.1 },
    ]);
    for (
      let i = 0;
      i < 30 && ids.some((id) => daemon.store.items.getItemByPage('tracks', id)?.state !== 'done');
      i += 1
    ) {
      await daemon.runOnce();
      await new Promise((r) => setTimeout(r, 20));
    }
    sandbox.setFaults([]);
    for (const id of ids) {
      expect(daemon.store.items.getItemByPage('tracks', id)?.state).toBe('done');
      expect(fieldOf(sandbox, id, 'Downloaded')).toBe(true);
      expect(fieldOf(sandbox, id, 'Processing Lock')).toBe('');
      expect(workDone.get(id)).toBe(1);
    }
    expect(sandbox.requests().some((r) => r.status === 429)).toBe(true);
    await daemon.stop('test');
  });

  it('two daemons with separate state directories on the same databases process each row once', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => createTrack(sandbox, `T: shared ${i}`)));
    const a = await daemonFor(FAST, { host: 'mac-studio', pid: 101 });
    const b = await daemonFor(FAST, { host: 'macbook', pid: 202 });
    for (let i = 0; i < 10 && ids.some((id) => fieldOf(sandbox, id, 'Downloaded') !== true); i += 1) {
      await Promise.all([a.runOnce(), b.runOnce()]);
    }
    for (const id of ids) {
      expect(fieldOf(sandbox, id, 'Downloaded')).toBe(true);
      expect(workDone.get(id)).toBe(1);
    }
    const byA = ids.filter((id) => a.store.items.getItemByPage('tracks', id)?.outcome === 'synced').length;
    const byB = ids.filter((id) => b.store.items.getItemByPage('tracks', id)?.outcome === 'synced').length;
    expect(byA + byB).toBe(10);
    await Promise.all([a.stop('test'), b.stop('test')]);
  });

  it('stops gracefully: claims end, a running item is aborted after the grace period and given back untouched', async () => {
    const id = await createTrack(sandbox, 'T: slow');
    const daemon = await daemonFor();
    const once = daemon.runOnce();
    while (daemon.store.items.getItemByPage('tracks', id)?.stage !== 'analyse')
      await new Promise((r) => setTimeout(r, 10));
    expect(fieldOf(sandbox, id, 'Processing Lock')).toMatch(/^\d+:[^:]+:[0-9a-f]{8}:\d{4}-/);
    const stateDir = daemon.config.stateDir;
    await daemon.stop('SIGTERM');
    await once;
    expect(fieldOf(sandbox, id, 'Processing Lock')).toBe('');
    expect(fieldOf(sandbox, id, 'Downloaded')).toBe(false);
    const again = await startTestDaemon(sandbox, { stateDir, handlers });
    expect(again.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'queued', attempts: 0 });
    await again.stop('test');
    sandbox.workspace.updatePage(id, { in_trash: true }); // a 60-second row would hold up the next tests
  });

  it("a task asking for a row the poller is processing gets that run's outcome, without running it twice", async () => {
    const id = await createTrack(sandbox, 'T: brief');
    const daemon = await daemonFor();
    const once = daemon.runOnce();
    while (daemon.store.items.getItemByPage('tracks', id)?.stage !== 'analyse')
      await new Promise((r) => setTimeout(r, 10));
    const outcome = await daemon.syncTrackNow(id, new AbortController().signal);
    await once;
    expect(outcome).toMatchObject({ state: 'done', outcome: 'synced' });
    expect(workDone.get(id)).toBe(1);
    await daemon.stop('test');
  });

  it('keeps serving the other databases while one has a required property renamed, and recovers when it is back', async () => {
    const daemon = await daemonFor();
    sandbox.workspace.renameProperty(sandbox.ids.tracks.dataSourceId, 'Downloaded', 'Done?');
    sandbox.advanceClock(60_000);
    const task = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: { 'Task Name': title('music sync during schema trouble'), Status: { status: { name: 'Ready' } } },
    }).id;
    const broken = await daemon.runOnce();
    expect(broken.errors.join('\n')).toMatch(/Music Tracks/);
    expect(fieldOf(sandbox, task, 'Status')).toBe('Completed');
    const stillBroken = await daemon.runOnce();
    expect(stillBroken.errors.join('\n')).toContain('required field "downloaded" has no property');
    sandbox.workspace.renameProperty(sandbox.ids.tracks.dataSourceId, 'Done?', 'Downloaded');
    const id = await createTrack(sandbox, 'T: after repair');
    expect((await daemon.runOnce()).errors).toEqual([]);
    expect(fieldOf(sandbox, id, 'Downloaded')).toBe(true);
    await daemon.stop('test');
  });
});

describe('the cost of an idle cycle', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();

  it('is at most 10 Notion requests, never more than 5 in a second, whatever the database size', async () => {
    for (let i = 0; i < 300; i += 1) await createTrack(sandbox, `T: old ${i}`, { Downloaded: { checkbox: true } });
    const stateDir = join(dir, 'idle');
    // Default rate limits here: the point is what the real settings do.
    const settings = { claims: FAST.claims };
    const first = await startTestDaemon(sandbox, { stateDir, handlers, file: settings });
    await first.runOnce(); // learns the data sources and sets the cursors
    await first.stop('test');
    const since = sandbox.requests().at(-1)?.seq ?? 0;
    const daemon = await startTestDaemon(sandbox, { stateDir, handlers, file: settings });
    await daemon.runOnce();
    await daemon.stop('test');
    const requests = sandbox.requests(since);
    expect(requests.length).toBeLessThanOrEqual(10);
    for (const r of requests)
      expect(requests.filter((o) => o.at >= r.at && o.at < r.at + 1000).length).toBeLessThanOrEqual(5);
  });
});
