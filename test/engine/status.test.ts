import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { statusSnapshot } from '../../src/engine/status.js';
import { tempDir } from '../helpers/tmp.js';

describe('the status snapshot (src/engine/status.ts), on a real SQLite file', () => {
  it('counts the queue by source and state, lists what runs, waits and failed, and the recent cycles', () => {
    const store = Store.open(join(tempDir(), 'tracksync.sqlite'));
    try {
      const item = (pageId: string, title: string): number =>
        store.items.upsertPolledItem({
          source: 'tracks',
          pageId,
          dataSourceId: 'ds',
          handler: 'music-track',
          title,
          inputHash: 'h',
          now: 1_000,
        }).id;
      const running = item('p-run', 'Running Song');
      const waiting = item('p-wait', 'Waiting Song');
      const failed = item('p-fail', 'Failed Song');
      item('p-queued', 'Queued Song');
      const [claimedFirst] = store.items.claimNextItems({
        source: 'tracks',
        owner: 'host:1',
        bootId: 'boot',
        now: 2_000,
        leaseMs: 60_000,
        limit: 3,
      });
      expect(claimedFirst?.id).toBe(running);
      for (const id of [running, waiting, failed]) expect(store.items.markItemRunning(id, 'boot', 2_000)).toBe(1);
      store.items.setItemStage(running, 'download', 2_500);
      store.items.scheduleRetry(
        waiting,
        90_000,
        { code: 'NETWORK', kind: 'transient', message: 'connection reset' },
        3_000,
      );
      store.items.failItem(failed, { code: 'SOURCE_NOT_FOUND', kind: 'permanent', message: 'removed' }, 'h', 3_000);
      const run = store.runs.startRun('boot', 'cron', 4_000);
      store.runs.finishRun({
        id: run,
        finishedAt: 4_250,
        polled: 4,
        queued: 4,
        claimed: 3,
        notionRequests: 7,
        notionRateLimited: 0,
        errorCode: null,
        errorMessage: null,
      });

      const snapshot = statusSnapshot(store);
      expect(snapshot.queue).toEqual({ tracks: { queued: 1, running: 1, retry_wait: 1, failed: 1 } });
      expect(snapshot.inFlight).toEqual([
        expect.objectContaining({
          id: running,
          title: 'Running Song',
          state: 'running',
          stage: 'download',
          attempts: 1,
        }),
      ]);
      expect(snapshot.retrying).toEqual([
        expect.objectContaining({ id: waiting, nextAttemptAt: 90_000, error: 'NETWORK: connection reset' }),
      ]);
      expect(snapshot.failed).toEqual([
        expect.objectContaining({ id: failed, nextAttemptAt: null, error: 'SOURCE_NOT_FOUND: removed' }),
      ]);
      expect(snapshot.runs).toEqual([
        {
          id: run,
          startedAt: 4_000,
          trigger: 'cron',
          polled: 4,
          claimed: 3,
          notionRequests: 7,
          durationMs: 250,
          error: null,
        },
      ]);
      expect(snapshot.lastSuccessfulCycleAt).toBe(4_250);
    } finally {
      store.close();
    }
  });

  it('is empty, not missing, on a fresh state', () => {
    const store = Store.open(join(tempDir(), 'tracksync.sqlite'));
    try {
      expect(statusSnapshot(store)).toEqual({
        queue: {},
        inFlight: [],
        retrying: [],
        failed: [],
        runs: [],
        lastSuccessfulCycleAt: null,
      });
    } finally {
      store.close();
    }
  });
});
