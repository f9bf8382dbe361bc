import { join } from 'node:path';
import { Store, handlerStore } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

describe('the handler port over the store (state/store.ts, handlerStore)', () => {
  it('offers a handler the library, its temp files and a deferred Eagle import, and nothing of leases or attempts', () => {
    const store = Store.open(join(tempDir(), 'tracksync.sqlite'));
    try {
      const port = handlerStore(store);
      expect(Object.keys(port).sort()).toEqual([
        'addEaglePending',
        'addPendingFile',
        'findFilesByFingerprintKeys',
        'findFilesByNames',
        'getLibraryFile',
        'listLibraryFilesOfPage',
        'removePendingFile',
        'upsertIndexedFile',
      ]);
      for (const lease of [
        'claimNextItems',
        'renewLease',
        'markItemRunning',
        'recordStageDone',
        'releaseItem',
        'close',
      ])
        expect(port).not.toHaveProperty(lease);
    } finally {
      store.close();
    }
  });

  it('writes through to the same SQLite file', () => {
    const store = Store.open(join(tempDir(), 'tracksync.sqlite'));
    try {
      const port = handlerStore(store);
      port.addPendingFile('/music/.song.tracksync-1.tmp', null, 1_000);
      port.addEaglePending('page-1', '/music/song.aiff', { path: '/music/song.aiff', name: 'Song' }, 2_000);
      expect(store.library.listPendingFiles()).toEqual([
        { path: '/music/.song.tracksync-1.tmp', item_id: null, created_at: 1_000 },
      ]);
      expect(store.deferred.listEaglePending(10)).toEqual([
        expect.objectContaining({ page_id: 'page-1', path: '/music/song.aiff' }),
      ]);
      port.removePendingFile('/music/.song.tracksync-1.tmp');
      expect(store.library.listPendingFiles()).toEqual([]);
      expect(port.getLibraryFile('/music/song.aiff')).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
