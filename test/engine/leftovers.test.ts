import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { removeLeftovers } from '../../src/engine/leftovers.js';
import { workDirOf } from '../../src/engine/runner.js';
import { silentLogger } from '../../src/log.js';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';
import { base } from '../config/problems.js';

/** A state directory with its configuration, loaded as the CLI loads it (no Notion needed: nothing here calls it). */
function stateDir(root: string) {
  const dir = join(root, 'state');
  mkdirSync(dir, { recursive: true });
  const config = loadConfig({
    env: { ...base, TRACKSYNC_STATE_DIR: dir },
    cwd: root,
    home: root,
    platform: 'linux',
  });
  const store = Store.open(join(dir, 'tracksync.sqlite'));
  onTestFinished(() => store.close());
  return { config, store };
}

describe('what a crash left behind (src/engine/leftovers.ts), removed at start', () => {
  it('removes recorded temp files and the work folders of finished, failed and unknown items; keeps those to resume', async () => {
    const root = tempDir();
    const { config, store } = stateDir(root);
    const item = (pageId: string): number =>
      store.items.upsertPolledItem({
        source: 'tracks',
        pageId,
        dataSourceId: 'ds',
        handler: 'music-track',
        title: pageId,
        inputHash: 'h',
        now: 1_000,
      }).id;
    const [done, failed, queued, waiting, running] = ['done', 'failed', 'queued', 'waiting', 'running'].map(item) as [
      number,
      number,
      number,
      number,
      number,
    ];
    for (const id of [done, failed, waiting, running])
      store.items.claimItemById({ id, owner: 'mac:1', bootId: 'boot', now: 2_000, leaseMs: 60_000 });
    for (const id of [done, failed, waiting, running]) store.items.markItemRunning(id, 'boot', 2_000);
    store.items.finishItem(done, 'synced', null, 3_000);
    store.items.failItem(failed, { code: 'SOURCE_NOT_FOUND', kind: 'permanent', message: 'removed' }, null, 3_000);
    store.items.scheduleRetry(waiting, 90_000, { code: 'DOWNLOAD_FAILED', kind: 'transient', message: 'reset' }, 3_000);

    const folder = (name: string | number): string => {
      const path = typeof name === 'number' ? workDirOf(config, name) : join(config.stateDir, 'work', name);
      mkdirSync(path, { recursive: true });
      writeFileSync(join(path, 'download.part'), 'half a song');
      return path;
    };
    const gone = [folder(done), folder(failed), folder(999), folder('not-an-item')];
    const kept = [folder(queued), folder(waiting), folder(running)];
    // Temp files are recorded before they are written (beside their final names): a crash may have left them or not.
    const temps = ['a.aiff.tmp', 'b.m4a.tmp'].map((name) => join(root, name));
    for (const path of temps) writeFileSync(path, 'partial');
    for (const path of [...temps, join(root, 'never-written.tmp')]) store.library.addPendingFile(path, running, 2_500);

    expect(await removeLeftovers(store, config, silentLogger())).toEqual({ tempFiles: 3, workFolders: 4 });
    expect(gone.filter(existsSync)).toEqual([]);
    expect(temps.filter(existsSync)).toEqual([]);
    expect(store.library.listPendingFiles()).toEqual([]);
    // The work of items still to do stays: their checkpoints point at these files, so they resume.
    expect(kept.map((path) => existsSync(join(path, 'download.part')))).toEqual([true, true, true]);
    // A second start finds nothing more to remove.
    expect(await removeLeftovers(store, config, silentLogger())).toEqual({ tempFiles: 0, workFolders: 0 });
  });

  it('has nothing to do in a fresh state directory (no work folder yet)', async () => {
    const { config, store } = stateDir(tempDir());
    expect(await removeLeftovers(store, config, silentLogger())).toEqual({ tempFiles: 0, workFolders: 0 });
  });
});
