import { join } from 'node:path';
import { Store } from '../../state/store.js';
import type { PolledItem } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// The items queue (state/items.ts) on a real SQLite file: the claim, leases, attempts, retries and checkpoints the
// daemon (src/engine/daemon.ts) and the runner (src/engine/runner.ts) rely on. Times are injected numbers (ms).

const dir = tempDir();
let files = 0;
const path = (): string => join(dir, `items-${++files}.sqlite`);
let store: Store;
beforeEach(() => (store = Store.open(path())));
afterEach(() => store.close());

const LEASE_MS = 60_000;
const boot = { owner: 'mac:100', bootId: 'boot-1' };
const page = (pageId: string, overrides: Partial<PolledItem> = {}): PolledItem => ({
  source: 'tracks',
  pageId,
  dataSourceId: 'ds-tracks',
  handler: 'music-track',
  title: `Track ${pageId}`,
  inputHash: 'h1',
  now: 1_000,
  ...overrides,
});
const claim = (now: number, options: { source?: string; bootId?: string; limit?: number } = {}) =>
  store.items.claimNextItems({
    source: options.source ?? 'tracks',
    owner: boot.owner,
    bootId: options.bootId ?? boot.bootId,
    now,
    leaseMs: LEASE_MS,
    limit: options.limit ?? 10,
  });
const error = { code: 'DOWNLOAD_FAILED', kind: 'transient', message: 'yt-dlp exited 1' };

describe('claiming (ItemQueue.claimNextItems, claimItemById)', () => {
  it('hands each item to one claimer only, even through a second connection to the same file', () => {
    // Two claims must never run the same row twice (two downloads, two write-backs to Notion).
    for (const id of ['a', 'b', 'c']) store.items.upsertPolledItem(page(id));
    const other = Store.open(store.db.name);
    try {
      const first = claim(2_000, { limit: 2 });
      const second = other.items.claimNextItems({
        source: 'tracks',
        owner: 'mac:200',
        bootId: 'boot-2',
        now: 2_000,
        leaseMs: LEASE_MS,
        limit: 10,
      });
      expect(first).toHaveLength(2);
      expect(second).toHaveLength(1);
      const ids = [...first, ...second].map((r) => r.page_id).sort();
      expect(ids).toEqual(['a', 'b', 'c']);
      // Nothing is left to claim, and a claimed row is not claimed again later in the same boot, not even past its
      // lease time: one daemon runs per state directory, its own runner renews or ends the lease
      // (docs/decisions.md, "Claims in SQLite, then in Notion").
      expect(claim(2_000 + 10 * LEASE_MS)).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('claims the longest-due items of the asked queue first, up to the limit, and records the lease', () => {
    // Queues take turns in the daemon; a limit keeps one queue from taking every free slot.
    store.items.upsertPolledItem(page('late'));
    store.items.upsertPolledItem(page('early'));
    store.items.upsertPolledItem(page('task', { source: 'tasks', handler: 'task' }));
    const late = store.items.getItemByPage('tracks', 'late')!;
    store.items.releaseItem(late.id, 1_000, { refundAttempt: false, nextAttemptAt: 1_500 });
    const [row] = claim(2_000, { limit: 1 });
    expect(row).toMatchObject({
      page_id: 'early',
      state: 'claimed',
      lease_owner: boot.owner,
      lease_boot_id: boot.bootId,
      lease_expires_at: 2_000 + LEASE_MS,
    });
    expect(claim(2_000).map((r) => r.page_id)).toEqual(['late']);
    expect(claim(2_000, { source: 'tasks' }).map((r) => r.page_id)).toEqual(['task']);
  });

  it('claims a given item now, whatever its retry time, but never one that is running or finished', () => {
    // `tracksync sync` and tasks ask for a row now: the person asked, the backoff does not apply.
    const row = store.items.upsertPolledItem(page('a'));
    store.items.scheduleRetry(row.id, 1_000_000, error, 2_000);
    expect(claim(3_000)).toEqual([]);
    const claimed = store.items.claimItemById({ id: row.id, ...boot, now: 3_000, leaseMs: LEASE_MS });
    expect(claimed?.state).toBe('claimed');
    expect(store.items.claimItemById({ id: row.id, ...boot, now: 3_000, leaseMs: LEASE_MS })).toBeUndefined();
    store.items.finishItem(row.id, 'synced', null, 4_000);
    expect(store.items.claimItemById({ id: row.id, ...boot, now: 5_000, leaseMs: LEASE_MS })).toBeUndefined();
  });
});

describe('leases and attempts (markItemRunning, renewLease, releaseLeasesOfOtherBoots)', () => {
  it('counts an attempt when the item starts, and numbers attempts from one', () => {
    // The attempt number caps retries (retry.maxAttempts) and labels the history `tracksync status` shows.
    const row = store.items.upsertPolledItem(page('a'));
    claim(2_000);
    expect(store.items.markItemRunning(row.id, boot.bootId, 2_001)).toBe(1);
    const attemptId = store.items.startAttempt(row.id, 1, boot.bootId, 2_001);
    store.items.finishAttempt(
      attemptId,
      { outcome: 'retry', stage: 'download', code: 'DOWNLOAD_FAILED', message: 'exit 1', detail: 'ERROR: HTTP 403' },
      2_500,
    );
    expect(store.items.getItem(row.id)).toMatchObject({ state: 'running', attempts: 1, started_at: 2_001 });
    expect(store.items.listAttempts(row.id)).toEqual([
      {
        attempt: 1,
        started_at: 2_001,
        finished_at: 2_500,
        outcome: 'retry',
        stage: 'download',
        error_code: 'DOWNLOAD_FAILED',
        error_message: 'exit 1',
        error_detail: 'ERROR: HTTP 403',
      },
    ]);
  });

  it('after a crash, the next boot frees what the old one held, keeps its checkpoints and counts its attempt', () => {
    // A crashed daemon's items resume from their last finished stage; the attempt that crashed still counts, so an
    // item that crashes the daemon every time is given up on (runner.ts, "gave up after N attempts").
    const row = store.items.upsertPolledItem(page('a'));
    claim(2_000);
    store.items.markItemRunning(row.id, boot.bootId, 2_000);
    store.items.recordStageDone(row.id, 'download', 'g1:x', { path: '/tmp/a.wav' }, null, 2_500);
    const mine = store.items.upsertPolledItem(page('b'));
    store.items.claimItemById({ id: mine.id, owner: 'mac:200', bootId: 'boot-2', now: 9_000, leaseMs: LEASE_MS });

    expect(store.items.releaseLeasesOfOtherBoots('boot-2', 9_000)).toBe(1);
    expect(store.items.getItem(row.id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      lease_owner: null,
      lease_boot_id: null,
      lease_expires_at: null,
    });
    // The new boot's own lease stands.
    expect(store.items.getItem(mine.id)).toMatchObject({ state: 'claimed', lease_boot_id: 'boot-2' });
    expect(store.items.getCheckpoint(row.id, 'download')?.output_json).toBe('{"path":"/tmp/a.wav"}');
    const [again] = store.items.claimNextItems({
      source: 'tracks',
      owner: 'mac:200',
      bootId: 'boot-2',
      now: 9_001,
      leaseMs: LEASE_MS,
      limit: 10,
    });
    expect(again?.id).toBe(row.id);
    expect(store.items.markItemRunning(row.id, 'boot-2', 9_002)).toBe(2);
  });

  it('a boot whose lease was taken away can neither renew it nor start the item', () => {
    // An old process's heartbeat must not take back an item another boot now runs.
    const row = store.items.upsertPolledItem(page('a'));
    claim(2_000);
    expect(store.items.renewLease(row.id, boot.bootId, 2_000 + 2 * LEASE_MS, 2_500)).toBe(true);
    expect(store.items.getItem(row.id)?.lease_expires_at).toBe(2_000 + 2 * LEASE_MS);
    store.items.releaseLeasesOfOtherBoots('boot-2', 3_000);
    expect(store.items.renewLease(row.id, boot.bootId, 3_000 + LEASE_MS, 3_000)).toBe(false);
    expect(store.items.markItemRunning(row.id, boot.bootId, 3_000)).toBeUndefined();
    expect(store.items.getItem(row.id)).toMatchObject({ state: 'queued', attempts: 0, lease_expires_at: null });
  });
});

describe('retries and give-ups (scheduleRetry, failItem, releaseItem, resetItemForRetry)', () => {
  const run = (pageId: string, now: number): number => {
    const row = store.items.getItemByPage('tracks', pageId) ?? store.items.upsertPolledItem(page(pageId));
    store.items.claimItemById({ id: row.id, ...boot, now, leaseMs: LEASE_MS });
    store.items.markItemRunning(row.id, boot.bootId, now);
    return row.id;
  };

  it('a retry is not due before its time, and is due at it', () => {
    // The backoff spreads attempts over hours (src/backoff.ts); an early claim would hammer a failing service.
    const id = run('a', 2_000);
    store.items.scheduleRetry(id, 50_000, error, 3_000);
    expect(store.items.getItem(id)).toMatchObject({
      state: 'retry_wait',
      attempts: 1,
      next_attempt_at: 50_000,
      last_error_code: 'DOWNLOAD_FAILED',
      last_error_kind: 'transient',
      last_error_message: 'yt-dlp exited 1',
      lease_boot_id: null,
    });
    expect(claim(49_999)).toEqual([]);
    expect(claim(50_000).map((r) => r.id)).toEqual([id]);
  });

  it('a rate-limited or person-bound wait gives its attempt back', () => {
    // Waiting for Spotify's quota or for Eagle to start must not use up the item's eight attempts.
    const id = run('a', 2_000);
    store.items.scheduleRetry(id, 10_000, { ...error, code: 'EAGLE_UNAVAILABLE', kind: 'transient' }, 3_000, {
      refundAttempt: true,
    });
    expect(store.items.getItem(id)?.attempts).toBe(0);
  });

  it("keeps the hash of its own failure write-back, so the next poll does not take it for a person's edit", () => {
    // Otherwise writing "will retry at ..." to the row would re-queue the item at once with a fresh budget: a loop.
    const id = run('a', 2_000);
    store.items.scheduleRetry(id, 50_000, error, 3_000, { inputHash: 'h-after-write' });
    const polled = store.items.upsertPolledItem(page('a', { inputHash: 'h-after-write', now: 4_000 }));
    expect(polled).toMatchObject({ state: 'retry_wait', attempts: 1, generation: 1, next_attempt_at: 50_000 });
  });

  it('a failed item stays failed until its page changes or a person asks again', () => {
    // A give-up must not come back by itself every cycle; a fixed row (new URL) or `tracksync retry` brings it back.
    const id = run('a', 2_000);
    store.items.failItem(id, { ...error, kind: 'permanent' }, 'h-failed', 3_000);
    expect(store.items.getItem(id)).toMatchObject({ state: 'failed', outcome: 'failed', finished_at: 3_000 });
    expect(claim(1_000_000)).toEqual([]);
    expect(store.items.upsertPolledItem(page('a', { inputHash: 'h-failed', now: 4_000 })).state).toBe('failed');

    expect(store.items.resetItemForRetry(id, 5_000)).toBe(true);
    expect(store.items.getItem(id)).toMatchObject({
      state: 'queued',
      attempts: 0,
      next_attempt_at: 0,
      last_error_code: null,
      last_error_message: null,
    });
    expect(claim(5_000).map((r) => r.id)).toEqual([id]);
    // A running item is not reset under its runner.
    store.items.markItemRunning(id, boot.bootId, 5_000);
    expect(store.items.resetItemForRetry(id, 5_001)).toBe(false);
    expect(store.items.getItem(id)?.state).toBe('running');
  });

  it('a changed page re-queues a finished, failed or waiting item as a new generation with a fresh budget', () => {
    // The DJ fixed the row: that is new work, and the old stage outputs (keyed by generation) must not be reused.
    const id = run('a', 2_000);
    store.items.scheduleRetry(id, 1_000_000, error, 3_000);
    const edited = store.items.upsertPolledItem(page('a', { inputHash: 'h2', title: 'Fixed', now: 4_000 }));
    expect(edited).toMatchObject({
      id,
      state: 'queued',
      attempts: 0,
      generation: 2,
      next_attempt_at: 0,
      input_hash: 'h2',
      title: 'Fixed',
    });
    expect(claim(4_000).map((r) => r.id)).toEqual([id]);
  });

  it('a running item keeps its state, handler and hash when its page is polled with an edit', () => {
    // The run re-reads the page itself; re-queuing it mid-run would start a second run of the same row.
    const id = run('a', 2_000);
    const polled = store.items.upsertPolledItem(page('a', { inputHash: 'h2', handler: 'other', now: 3_000 }));
    expect(polled).toMatchObject({ id, state: 'running', handler: 'music-track', input_hash: 'h1', generation: 1 });
    expect(claim(3_000)).toEqual([]);
  });

  it('a finished item keeps the hash of its write-back, so only a later edit queues it again', () => {
    // The daemon writes the results to the row; its next poll sees that edit and must leave the row done.
    const id = run('a', 2_000);
    store.items.setItemStage(id, 'place', 2_500);
    store.items.finishItem(id, 'synced', 'h-written', 3_000);
    expect(store.items.getItem(id)).toMatchObject({
      state: 'done',
      outcome: 'synced',
      stage: null,
      lease_boot_id: null,
      last_error_code: null,
      finished_at: 3_000,
    });
    expect(store.items.upsertPolledItem(page('a', { inputHash: 'h-written', now: 4_000 })).state).toBe('done');
    expect(store.items.upsertPolledItem(page('a', { inputHash: 'h3', now: 5_000 })).state).toBe('queued');
  });

  it('a release (shutdown) gives the attempt back and waits as long as asked (a lock held elsewhere)', () => {
    // A stopped daemon must not use up attempts; a row another machine holds is looked at again later, not at once.
    const id = run('a', 2_000);
    store.items.releaseItem(id, 3_000, { refundAttempt: true, inputHash: 'h-released' });
    expect(store.items.getItem(id)).toMatchObject({
      state: 'queued',
      attempts: 0,
      stage: null,
      input_hash: 'h-released',
      lease_boot_id: null,
    });
    // Released before it ever started: nothing to give back, the count does not go below zero.
    store.items.claimItemById({ id, ...boot, now: 3_000, leaseMs: LEASE_MS });
    store.items.releaseItem(id, 3_000, { refundAttempt: true, nextAttemptAt: 20_000 });
    expect(store.items.getItem(id)?.attempts).toBe(0);
    expect(claim(19_999)).toEqual([]);
    expect(claim(20_000).map((r) => r.id)).toEqual([id]);
  });
});

describe('waiting on a condition (isWaitingOn, resumeWaiting)', () => {
  it('makes the items waiting on a cleared condition due now, and no others', () => {
    // Eagle came back: its imports go now instead of after the long person-bound wait; other retries keep theirs.
    const ids = ['eagle-1', 'eagle-2', 'other'].map((pageId) => {
      const row = store.items.upsertPolledItem(page(pageId));
      return row.id;
    });
    const [eagle1, eagle2, other] = ids as [number, number, number];
    const eagle = { code: 'EAGLE_UNAVAILABLE', kind: 'transient', message: 'Eagle is not running' };
    store.items.scheduleRetry(eagle1, 1_000_000, eagle, 2_000);
    store.items.scheduleRetry(eagle2, 2_000_000, eagle, 2_000);
    store.items.scheduleRetry(other, 1_000_000, error, 2_000);
    expect(store.items.isWaitingOn('EAGLE_UNAVAILABLE')).toBe(true);
    expect(store.items.isWaitingOn('SPOTIFY_APP_REFUSED')).toBe(false);

    expect(store.items.resumeWaiting('EAGLE_UNAVAILABLE', 5_000)).toBe(2);
    expect(
      claim(5_000)
        .map((r) => r.id)
        .sort(),
    ).toEqual([eagle1, eagle2].sort());
    expect(store.items.getItem(other)?.next_attempt_at).toBe(1_000_000);
    // Claimed items no longer wait.
    expect(store.items.isWaitingOn('EAGLE_UNAVAILABLE')).toBe(false);
  });
});

describe('checkpoints (getCheckpoint, recordStageDone, clearCheckpoints)', () => {
  it('keeps one output per stage, the latest, and returns it with the input it was made from', () => {
    // A resumed item skips a stage whose input is unchanged; the runner compares input_hash (generation-prefixed).
    const row = store.items.upsertPolledItem(page('a'));
    store.items.recordStageDone(row.id, 'download', 'g1:url-1', { path: '/w/1.wav' }, 'sha-1', 2_000);
    store.items.recordStageDone(row.id, 'analyse', 'g1:sha-1', { bpm: 124 }, null, 2_100);
    store.items.recordStageDone(row.id, 'download', 'g1:url-2', { path: '/w/2.wav' }, 'sha-2', 2_200);
    expect(store.items.getCheckpoint(row.id, 'download')).toEqual({
      item_id: row.id,
      stage: 'download',
      input_hash: 'g1:url-2',
      output_json: '{"path":"/w/2.wav"}',
      artefact_hash: 'sha-2',
      finished_at: 2_200,
    });
    expect(JSON.parse(store.items.getCheckpoint(row.id, 'analyse')!.output_json)).toEqual({ bpm: 124 });
    expect(store.items.getCheckpoint(row.id, 'convert')).toBeUndefined();

    const other = store.items.upsertPolledItem(page('b'));
    store.items.recordStageDone(other.id, 'download', 'g1:url-b', null, null, 2_300);
    store.items.clearCheckpoints(row.id);
    expect(store.items.getCheckpoint(row.id, 'download')).toBeUndefined();
    expect(store.items.getCheckpoint(row.id, 'analyse')).toBeUndefined();
    expect(store.items.getCheckpoint(other.id, 'download')?.output_json).toBe('null');
  });

  it('a checkpoint survives closing and reopening the state file', () => {
    // The point of a checkpoint: a restart (launchd, a crash) resumes after the last finished stage.
    const file = store.db.name;
    const row = store.items.upsertPolledItem(page('a'));
    store.items.recordStageDone(row.id, 'download', 'g1:x', { path: '/w/a.wav' }, null, 2_000);
    store.close();
    store = Store.open(file);
    expect(store.items.getCheckpoint(row.id, 'download')?.output_json).toBe('{"path":"/w/a.wav"}');
  });
});

describe('local queues (enqueueLocal)', () => {
  const work = { source: 'eagle-import', pageId: 'page-a', handler: 'eagle-import', title: 'A', now: 1_000 };

  it('queued again while it waits for a retry, keeps its attempts and state, due at the earlier time', () => {
    // A second sync of the same row must not reset an Eagle import's attempt cap (the old Eagle retry had none).
    const row = store.items.enqueueLocal({ ...work, inputJson: '{"n":1}', dueAt: 1_000 });
    store.items.claimItemById({ id: row.id, ...boot, now: 1_000, leaseMs: LEASE_MS });
    store.items.markItemRunning(row.id, boot.bootId, 1_000);
    store.items.scheduleRetry(row.id, 90_000, error, 2_000);
    const again = store.items.enqueueLocal({ ...work, inputJson: '{"n":2}', dueAt: 10_000, now: 3_000 });
    expect(again).toMatchObject({
      id: row.id,
      state: 'retry_wait',
      attempts: 1,
      generation: 1,
      next_attempt_at: 10_000,
      input_json: '{"n":2}',
    });
    expect(claim(9_999, { source: 'eagle-import' })).toEqual([]);
    expect(claim(10_000, { source: 'eagle-import' }).map((r) => r.id)).toEqual([row.id]);
  });

  it('queued after a give-up, starts afresh with the new input', () => {
    const row = store.items.enqueueLocal({ ...work, inputJson: '{"n":1}', dueAt: 1_000 });
    store.items.failItem(row.id, error, null, 2_000);
    const again = store.items.enqueueLocal({ ...work, inputJson: '{"n":2}', dueAt: 3_000, now: 3_000 });
    expect(again).toMatchObject({ state: 'queued', attempts: 0, generation: 2, input_json: '{"n":2}' });
    // Queues are separate: the same page on another queue is another item.
    const links = store.items.enqueueLocal({ ...work, source: 'links', handler: 'links', inputJson: null, dueAt: 0 });
    expect(links.id).not.toBe(row.id);
    expect(
      store.items
        .findItemsByPage('page-a')
        .map((r) => r.source)
        .sort(),
    ).toEqual(['eagle-import', 'links']);
  });
});

describe('what the status page and the summary read', () => {
  it('counts items per queue and state, lists in-flight items with their finished stages, and recent changes', () => {
    // `tracksync status`, the status server's gauges and the daily summary are built from these numbers.
    const a = store.items.upsertPolledItem(page('a'));
    const b = store.items.upsertPolledItem(page('b'));
    store.items.upsertPolledItem(page('c'));
    store.items.upsertPolledItem(page('t', { source: 'tasks', handler: 'task' }));
    store.items.claimItemById({ id: a.id, ...boot, now: 2_000, leaseMs: LEASE_MS });
    store.items.markItemRunning(a.id, boot.bootId, 2_000);
    store.items.recordStageDone(a.id, 'resolve', 'g1:x', {}, null, 2_100);
    store.items.recordStageDone(a.id, 'download', 'g1:y', {}, null, 2_200);
    store.items.failItem(b.id, error, null, 3_000);

    expect(store.items.countItemsByState()).toEqual(
      expect.arrayContaining([
        { source: 'tracks', state: 'running', count: 1 },
        { source: 'tracks', state: 'failed', count: 1 },
        { source: 'tracks', state: 'queued', count: 1 },
        { source: 'tasks', state: 'queued', count: 1 },
      ]),
    );
    expect(store.items.listInFlight()).toEqual([expect.objectContaining({ id: a.id, stages_done: 2 })]);
    expect(store.items.listItemsInState('failed', 10).map((r) => r.id)).toEqual([b.id]);
    expect(store.items.countFinishedSince(2_500)).toEqual({ failed: 1 });
    expect(store.items.countFinishedSince(3_001)).toEqual({});
  });
});

describe('sync requests (addSyncRequest, takeSyncRequests, finishSyncRequest)', () => {
  it('a request handed to the daemon is taken once, by one boot, and its outcome is kept for the command', () => {
    // `tracksync sync` while a daemon runs: two daemons in turn (a restart) must not both run the row.
    const id = store.items.addSyncRequest('page-a', 1_000);
    expect(store.items.takeSyncRequests('boot-1', 2_000)).toEqual([
      expect.objectContaining({ id, page_id: 'page-a', taken_boot_id: 'boot-1', taken_at: 2_000 }),
    ]);
    expect(store.items.takeSyncRequests('boot-2', 3_000)).toEqual([]);
    store.items.finishSyncRequest(
      id,
      { state: 'failed', outcome: 'failed', error: { code: 'DOWNLOAD_FAILED', message: 'exit 1' } },
      4_000,
    );
    expect(store.items.getSyncRequest(id)).toMatchObject({
      finished_at: 4_000,
      state: 'failed',
      outcome: 'failed',
      error_code: 'DOWNLOAD_FAILED',
      error_message: 'exit 1',
    });
  });
});
