import { join } from 'node:path';
import { Store, handlerStore } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

describe('the handler port over the store (state/store.ts, handlerStore)', () => {
  it('offers a handler the library, its temp files and the link candidates, and nothing of leases or attempts', () => {
    const store = Store.open(join(tempDir(), 'tracksync.sqlite'));
    try {
      const port = handlerStore(store);
      expect(Object.keys(port).sort()).toEqual([
        'addPendingFile',
        'findFilesByFingerprintKeys',
        'findFilesByNames',
        'getLibraryFile',
        'listLibraryFilesOfPage',
        'removePendingFile',
        'saveLinkCandidate',
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
      port.saveLinkCandidate({
        pageId: 'page-1',
        platform: 'youtube',
        url: 'https://www.youtube.com/watch?v=abc',
        title: 'Song',
        score: 0.9,
        accepted: true,
        rejected: null,
        now: 2_000,
      });
      expect(store.library.listPendingFiles()).toEqual([
        { path: '/music/.song.tracksync-1.tmp', item_id: null, created_at: 1_000 },
      ]);
      expect(store.links.listLinkCandidates('page-1')).toEqual([
        expect.objectContaining({ page_id: 'page-1', platform: 'youtube', accepted: 1 }),
      ]);
      port.removePendingFile('/music/.song.tracksync-1.tmp');
      expect(store.library.listPendingFiles()).toEqual([]);
      expect(port.getLibraryFile('/music/song.aiff')).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
