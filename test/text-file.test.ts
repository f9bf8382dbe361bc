import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../state/store.js';
import type { PendingFiles } from '../src/text-file.js';
import { writeTextAtomically } from '../src/text-file.js';
import { systemClock } from '../src/clock.js';
import { TrackSyncError } from '../src/errors.js';
import { tempDir } from './helpers/tmp.js';

// Playlists and the RETURN handoff file are read by other programs while tracksync writes them: a reader must see the
// old file or the new one, never half; a failed write must leave no temp file behind, and the temp file is recorded
// in the real state database before it exists, so a crash in between is cleaned up at the next start.
describe('writeTextAtomically (src/text-file.ts)', () => {
  const root = tempDir();

  it('replaces the file whole and leaves no temp file in the folder', async () => {
    const dir = join(root, 'replace');
    mkdirSync(dir);
    const path = join(dir, 'set.m3u8');
    writeFileSync(path, '#EXTM3U\nold.aiff\n');
    await writeTextAtomically(path, '#EXTM3U\nnew.aiff\n');
    expect(readFileSync(path, 'utf8')).toBe('#EXTM3U\nnew.aiff\n');
    expect(readdirSync(dir)).toEqual(['set.m3u8']);
  });

  it('gives the file exactly the mode asked for, whatever the umask', async () => {
    const dir = join(root, 'mode');
    mkdirSync(dir);
    const previous = process.umask(0o077);
    try {
      await writeTextAtomically(join(dir, 'RETURN.md'), 'done\n', { mode: 0o664 });
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(dir, 'RETURN.md')).mode & 0o777).toBe(0o664);
  });

  it('records the temp file in the state before writing it, and forgets it after success and after failure', async () => {
    const dir = join(root, 'pending');
    mkdirSync(dir);
    const store = Store.open(join(root, 'pending.sqlite'));
    try {
      const seen: Array<{ path: string; existed: boolean }> = [];
      const pending: PendingFiles = {
        addPendingFile: (path, itemId, now) => {
          seen.push({ path, existed: readdirSync(dir).length > 0 });
          store.library.addPendingFile(path, itemId, now);
        },
        removePendingFile: (path) => store.library.removePendingFile(path),
      };
      await writeTextAtomically(join(dir, 'a.txt'), 'a', {
        store: pending,
        clock: { ...systemClock, now: () => 1_000 },
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.existed).toBe(false);
      expect(seen[0]!.path.startsWith(join(dir, '.a.txt.tracksync-'))).toBe(true);
      expect(store.library.listPendingFiles()).toEqual([]);

      // The target is a folder with a file in it: the rename fails, the error is classified, nothing is left.
      mkdirSync(join(dir, 'taken'));
      writeFileSync(join(dir, 'taken', 'inside'), '');
      const failed = await writeTextAtomically(join(dir, 'taken'), 'b', { store: pending }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(TrackSyncError);
      expect(readdirSync(dir).sort()).toEqual(['a.txt', 'taken']);
      expect(store.library.listPendingFiles()).toEqual([]);
    } finally {
      store.close();
    }
  });
});
