import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOBS, type MusicDaemon } from '../../src/app/music.js';
import type { EventMap } from '../../src/events.js';
import { makeClip } from '../helpers/audio.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';
import { parseM3u8 } from '../playlists/formats.js';
import { playlistWorld } from '../playlists/world.js';

/** The next 'playlists:exported' of a daemon: the test waits on the event, never on time. */
function nextExport(daemon: MusicDaemon): Promise<EventMap['playlists:exported']> {
  return new Promise((resolve) => {
    const off = daemon.events.on('playlists:exported', (e) => {
      off();
      resolve(e);
    });
  });
}

/**
 * The running daemon keeps the playlists exported (issue 15): a synced track lands in its playlists' files after a
 * short debounce, and an edited Music Playlists row is picked up by the scheduled export.
 */
describe('the daemon exports the playlists that changed', async () => {
  const world = await pipelineWorld();
  const { sandbox } = world;
  const playlists = await playlistWorld(sandbox, join(world.dir, 'playlist-world'));
  const exportDir = join(world.outDir, 'Playlists (tracksync)');
  const file = { playlists: { exportDebounceMs: 50 } };

  it('writes a newly synced track into its playlist, and renames the file when the playlist is renamed', async () => {
    const url = await world.media.addFile(
      'warehouse.mp3',
      await makeClip({ tonic: 4, mode: 'minor', bpm: 124, seconds: 12 }),
    );
    const id = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('Warehouse'), 'Artist Name': text('Daemon Artist'), 'Source URL': { url } },
    }).id;
    const playlist = playlists.playlist('Friday Set', []);
    playlists.setTracks(playlist, [id]);
    const daemon = await world.daemon({ file: { ...file, schedule: { cycleCron: '0 0 1 1 *' } } });
    try {
      expect(daemon.app.schedules().map((s) => s.name)).toContain('playlists');
      const exported = nextExport(daemon);
      const jobDone = new Promise<EventMap['item:done']>((resolve) => {
        const off = daemon.events.on('item:done', (e) => {
          if (e.source !== JOBS.playlistExport.queue) return;
          off();
          resolve(e);
        });
      });
      daemon.startSchedule(); // one first cycle (it syncs the row), then none until 1 January
      // The export is a job on the one queue, claimed when its debounce is over (no cycle runs meanwhile).
      expect(await exported).toMatchObject({ reason: 'tracks synced', exported: 1 });
      expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', outcome: 'synced' });
      const entries = parseM3u8(join(exportDir, 'Friday Set.m3u8')).entries;
      expect(entries.map((e) => e.label)).toEqual(['Daemon Artist - Warehouse']);
      expect(existsSync(entries[0]!.path)).toBe(true);
      expect(await jobDone).toMatchObject({ pageId: JOBS.playlistExport.key, outcome: 'exported' });
      expect(daemon.store.items.getItemByPage(JOBS.playlistExport.queue, JOBS.playlistExport.key)).toMatchObject({
        state: 'done',
        outcome: 'exported',
      });

      // Renamed in Notion: the scheduled export (playlists.exportCron asks for it) renames the file.
      sandbox.workspace.updatePage(playlist, { properties: { Name: title('Saturday Set') } });
      const renamed = nextExport(daemon);
      await daemon.app
        .schedules()
        .find((s) => s.name === 'playlists')!
        .run();
      expect(await renamed).toMatchObject({ reason: 'schedule', exported: 1 });
      expect(readdirSync(exportDir)).toContain('Saturday Set.m3u8');
      expect(readdirSync(exportDir)).not.toContain('Friday Set.m3u8');
    } finally {
      await daemon.stop('test');
    }
  });

  it('retries a failed export with the item backoff, and says why in the item', async () => {
    // The export folder cannot be made: a file stands where it goes.
    const notAFolder = join(world.dir, 'not-a-folder');
    writeFileSync(notAFolder, '');
    const daemon = await world.daemon({
      file: {
        playlists: { exportDebounceMs: 50, exportDir: notAFolder },
        schedule: { cycleCron: '0 0 1 1 *' },
        retry: { baseDelayMs: 60_000 }, // the retry waits a minute: the test sees it waiting, not running again
      },
    });
    try {
      daemon.startSchedule();
      const failed = nextExport(daemon);
      const retry = new Promise<EventMap['item:retry']>((resolve) => {
        const off = daemon.events.on('item:retry', (e) => {
          off();
          resolve(e);
        });
      });
      daemon.app.requestExport('schedule');
      expect((await failed).error).toBeDefined();
      const scheduled = await retry;
      expect(scheduled.pageId).toBe(JOBS.playlistExport.key);
      expect(scheduled.nextAttemptAt).toBeGreaterThan(Date.now());
      const item = daemon.store.items.getItemByPage(JOBS.playlistExport.queue, JOBS.playlistExport.key);
      expect(item).toMatchObject({ state: 'retry_wait', attempts: 1 });
      expect(item?.last_error_message).toBeTruthy();
    } finally {
      await daemon.stop('test');
    }
  });

  it('once syncs the row and leaves the export queued: the running daemon runs it', async () => {
    const url = await world.media.addFile(
      'later.mp3',
      await makeClip({ tonic: 2, mode: 'major', bpm: 120, seconds: 8 }),
    );
    const id = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('Later'), 'Artist Name': text('Daemon Artist'), 'Source URL': { url } },
    }).id;
    playlists.setTracks(playlists.playlist('Sunday Set', []), [id]);
    const daemon = await world.daemon({ file: { ...file, schedule: { cycleCron: '0 0 1 1 *' } } });
    try {
      const exports: unknown[] = [];
      const off = daemon.events.on('playlists:exported', (e) => exports.push(e));
      await daemon.runOnce();
      off();
      expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', outcome: 'synced' });
      // `once` is one pass over the rows: the export it asked for waits in the queue, nothing is lost.
      expect(exports).toEqual([]);
      expect(daemon.store.items.getItemByPage(JOBS.playlistExport.queue, JOBS.playlistExport.key)).toMatchObject({
        state: 'queued',
      });
      const exported = nextExport(daemon);
      daemon.startSchedule();
      expect(await exported).toMatchObject({ reason: 'tracks synced' });
      expect(readdirSync(exportDir)).toContain('Sunday Set.m3u8');
    } finally {
      await daemon.stop('test');
    }
  });

  it('a request while the export runs is not lost: one more export runs after it', async () => {
    const daemon = await world.daemon({ file: { ...file, schedule: { cycleCron: '0 0 1 1 *' } } });
    try {
      daemon.startSchedule();
      const reasons: string[] = [];
      const second = new Promise<void>((resolve) => {
        daemon.events.on('playlists:exported', (e) => {
          reasons.push(e.reason);
          if (reasons.length === 2) resolve();
        });
      });
      // Asked again at the instant the first export is claimed, as a track synced meanwhile would.
      const off = daemon.events.on('item:claimed', (e) => {
        if (e.source !== JOBS.playlistExport.queue) return;
        off();
        daemon.app.requestExport('tracks synced');
      });
      daemon.app.requestExport('schedule');
      await second;
      expect(reasons).toEqual(['schedule', 'tracks synced']);
    } finally {
      await daemon.stop('test');
    }
  });

  it('exports nothing by itself with playlists.autoExport off', async () => {
    const daemon = await world.daemon({ file: { playlists: { exportDebounceMs: 50, autoExport: false } } });
    expect(daemon.app.schedules().map((s) => s.name)).not.toContain('playlists');
    await daemon.stop('test');
  });
});
