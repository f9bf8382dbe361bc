import { join } from 'node:path';
import type { IndexedFile } from '../../state/store.js';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// The library index (state/library.ts): placed and scanned files, their fingerprint keys, the scans
// (src/library/scan.ts), the dedup lookups (src/dedup/checks.ts, src/library/fingerprint-index.ts) and the temp
// files recorded before they are written (src/engine/leftovers.ts).

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `library-${++files}.sqlite`))));
afterEach(() => store.close());

const ROOT = '/Volumes/Music/Tracks';
const indexed = (name: string, overrides: Partial<IndexedFile> = {}): IndexedFile => ({
  path: `${ROOT}/${name}.aiff`,
  root: ROOT,
  pageId: null,
  format: 'aiff',
  size: 1_000,
  mtimeMs: 1_000,
  durationSeconds: 200,
  title: name,
  artist: 'Bird',
  album: null,
  bpm: 124,
  musicalKey: '8A',
  normTitle: name.toLowerCase(),
  normArtist: 'bird',
  fingerprint: 'AQAA',
  fingerprintRaw: Buffer.from([1, 2, 3, 4]),
  scanId: null,
  now: 1_000,
  ...overrides,
});
const paths = (rows: Array<{ path: string }>): string[] => rows.map((r) => r.path);

describe('lookups (findFilesByFingerprintKeys, findFilesByNames, listLibraryFilesOfPage)', () => {
  it('a library lookup finds a track by fingerprint key, the file sharing most keys first', () => {
    // Dedup after download: the same recording from another platform is adopted instead of stored twice.
    store.library.upsertIndexedFile(indexed('One'), [1, 2, 3, 4]);
    store.library.upsertIndexedFile(indexed('Two'), [3, 4, 5, 6]);
    store.library.upsertIndexedFile(indexed('Three'), [7, 8]);
    expect(store.library.findFilesByFingerprintKeys([2, 3, 4, 9], 5)).toEqual([
      { path: `${ROOT}/One.aiff`, shared: 3 },
      { path: `${ROOT}/Two.aiff`, shared: 2 },
    ]);
    expect(store.library.findFilesByFingerprintKeys([2, 3, 4, 9], 1)).toEqual([
      { path: `${ROOT}/One.aiff`, shared: 3 },
    ]);
    expect(store.library.findFilesByFingerprintKeys([42], 5)).toEqual([]);
  });

  it('a file indexed again is found by its new keys only', () => {
    // A re-encoded file has a new fingerprint; its old keys would match recordings it no longer is.
    store.library.upsertIndexedFile(indexed('One'), [1, 2, 3]);
    store.library.upsertIndexedFile(indexed('One', { size: 2_000 }), [7, 8, 9]);
    expect(store.library.findFilesByFingerprintKeys([1, 2, 3], 5)).toEqual([]);
    expect(store.library.findFilesByFingerprintKeys([7, 8], 5)).toEqual([{ path: `${ROOT}/One.aiff`, shared: 2 }]);
  });

  it('finds files by normalised title and artist, and never a file marked gone', () => {
    // The title + artist + duration layer of dedup; a deleted file must not be offered for adoption.
    store.library.upsertIndexedFile(indexed('One'), [1, 2]);
    store.library.upsertIndexedFile(indexed('One', { path: `${ROOT}/One (copy).wav`, format: 'wav' }), [1, 2]);
    store.library.upsertIndexedFile(indexed('Two'), []);
    expect(paths(store.library.findFilesByNames('one', 'bird')).sort()).toEqual([
      `${ROOT}/One (copy).wav`,
      `${ROOT}/One.aiff`,
    ]);
    const scan = store.library.beginLibraryScan([ROOT], 2_000);
    store.library.markLibraryFilesSeen([`${ROOT}/One.aiff`, `${ROOT}/Two.aiff`], scan, ROOT);
    expect(store.library.finishLibraryScan(scan, [ROOT], { seen: 2, read: 0 }, 3_000)).toBe(1);
    expect(paths(store.library.findFilesByNames('one', 'bird'))).toEqual([`${ROOT}/One.aiff`]);
    expect(store.library.findFilesByFingerprintKeys([1, 2], 5)).toEqual([{ path: `${ROOT}/One.aiff`, shared: 2 }]);
  });

  it('a scan of a placed file keeps the Notion row it belongs to', () => {
    // The scan does not know which row a file is for; losing the link would make the row's own file look foreign.
    store.library.upsertIndexedFile(indexed('One', { root: null, pageId: 'page-1' }), [1]);
    store.library.upsertIndexedFile(indexed('Other', { root: null, pageId: 'page-2' }), [2]);
    store.library.upsertIndexedFile(indexed('One', { pageId: null, scanId: 7, mtimeMs: 5_000 }), [1]);
    expect(store.library.getLibraryFile(`${ROOT}/One.aiff`)).toMatchObject({
      page_id: 'page-1',
      root: ROOT,
      scan_id: 7,
      mtime_ms: 5_000,
      placed_at: 1_000,
      gone: 0,
    });
    expect(paths(store.library.listLibraryFilesOfPage('page-1'))).toEqual([`${ROOT}/One.aiff`]);
  });
});

describe('scans (beginLibraryScan, markLibraryFilesSeen, finishLibraryScan)', () => {
  it('an interrupted scan is resumed by the next scan of the same folders, in any order', () => {
    // A first scan of a big library takes long; stopping it must not throw away what it saw.
    const first = store.library.beginLibraryScan(['/b', '/a'], 1_000);
    expect(store.library.beginLibraryScan(['/a', '/b'], 2_000)).toBe(first);
    expect(store.library.beginLibraryScan(['/a'], 2_000)).not.toBe(first);
    store.library.finishLibraryScan(first, ['/a', '/b'], { seen: 0, read: 0 }, 3_000);
    expect(store.library.beginLibraryScan(['/a', '/b'], 4_000)).not.toBe(first);
  });

  it('marks gone the files of the scanned folders it did not see, keeps others, and brings back one seen again', () => {
    // The index must follow the disk: stats and dupes must not list deleted files; an unmounted folder that was not
    // scanned keeps its files.
    store.library.upsertIndexedFile(indexed('Kept'), [1]);
    store.library.upsertIndexedFile(indexed('Deleted'), [2]);
    store.library.upsertIndexedFile(
      indexed('Elsewhere', { path: '/Volumes/Backup/Elsewhere.aiff', root: '/Volumes/Backup' }),
      [3],
    );
    const scan = store.library.beginLibraryScan([ROOT], 2_000);
    store.library.markLibraryFilesSeen([`${ROOT}/Kept.aiff`], scan, ROOT);
    expect(store.library.finishLibraryScan(scan, [ROOT], { seen: 1, read: 0 }, 3_000)).toBe(1);
    expect(store.library.getLibraryFile(`${ROOT}/Deleted.aiff`)?.gone).toBe(1);
    expect(store.library.getLibraryFile(`${ROOT}/Kept.aiff`)?.gone).toBe(0);
    expect(store.library.getLibraryFile('/Volumes/Backup/Elsewhere.aiff')?.gone).toBe(0);
    expect(
      store.db.prepare('SELECT finished_at, files_seen, files_gone FROM library_scans WHERE id = ?').get(scan),
    ).toEqual({
      finished_at: 3_000,
      files_seen: 1,
      files_gone: 1,
    });

    const next = store.library.beginLibraryScan([ROOT], 4_000);
    store.library.markLibraryFilesSeen([`${ROOT}/Kept.aiff`, `${ROOT}/Deleted.aiff`], next, ROOT);
    expect(store.library.finishLibraryScan(next, [ROOT], { seen: 2, read: 0 }, 5_000)).toBe(0);
    expect(store.library.getLibraryFile(`${ROOT}/Deleted.aiff`)?.gone).toBe(0);
  });

  it('a file the pipeline placed and the DJ deleted before any scan is marked gone by the next scan', () => {
    // The pipeline indexes the files it places without a scan root (src/pipeline/place.ts). Such a file deleted
    // before a scan saw it must still be marked gone, or `tracksync library stats` and `library dupes` list it
    // for ever.
    store.library.upsertIndexedFile(indexed('Placed', { root: null, pageId: 'page-1' }), [1]);
    store.library.upsertIndexedFile(indexed('Kept', { root: null, pageId: 'page-2' }), [2]);
    store.library.upsertIndexedFile(
      indexed('Sibling', { path: `${ROOT} Old/Sibling.aiff`, root: null, pageId: 'page-3' }),
      [3],
    );
    const scan = store.library.beginLibraryScan([ROOT], 2_000);
    store.library.markLibraryFilesSeen([`${ROOT}/Kept.aiff`], scan, ROOT);
    // Placed while the scan ran (`tracksync library scan` runs beside the daemon): the walk may have passed it.
    store.library.upsertIndexedFile(indexed('Fresh', { root: null, pageId: 'page-4', now: 2_500 }), [4]);
    expect(store.library.finishLibraryScan(scan, [ROOT], { seen: 1, read: 0 }, 3_000)).toBe(1);
    expect(store.library.getLibraryFile(`${ROOT}/Placed.aiff`)?.gone).toBe(1);
    expect(store.library.getLibraryFile(`${ROOT}/Fresh.aiff`)?.gone).toBe(0);
    expect(store.library.listLibraryFilesOfPage('page-1')).toEqual([]);
    expect(store.library.getLibraryFile(`${ROOT}/Kept.aiff`)).toMatchObject({ gone: 0, root: ROOT });
    // A folder whose name merely starts like the scanned one was not scanned.
    expect(store.library.getLibraryFile(`${ROOT} Old/Sibling.aiff`)?.gone).toBe(0);
  });
});

describe('what `tracksync library` reads (libraryStats, listNameGroups, listFingerprintedFiles)', () => {
  it('counts files, bytes, fingerprints and links per format, gone files apart', () => {
    store.library.upsertIndexedFile(indexed('A', { size: 100, pageId: 'page-a' }), [1]);
    store.library.upsertIndexedFile(indexed('B', { size: 50, fingerprintRaw: null }), []);
    store.library.upsertIndexedFile(indexed('C', { path: `${ROOT}/C.wav`, format: 'wav', size: 70 }), [2]);
    const scan = store.library.beginLibraryScan([ROOT], 2_000);
    store.library.markLibraryFilesSeen([`${ROOT}/A.aiff`, `${ROOT}/B.aiff`], scan, ROOT);
    store.library.finishLibraryScan(scan, [ROOT], { seen: 2, read: 0 }, 3_000);
    expect(store.library.libraryStats()).toEqual([
      { format: 'aiff', files: 2, bytes: 150, gone: 0, fingerprinted: 1, linked: 1 },
      { format: 'wav', files: 0, bytes: 0, gone: 1, fingerprinted: 0, linked: 0 },
    ]);
    expect(paths(store.library.listFingerprintedFiles())).toEqual([`${ROOT}/A.aiff`]);
  });

  it('groups files of the same name only when they belong to different rows', () => {
    // An AIFF and a WAV of one row are its formats, not duplicates; the same name on two rows may be.
    store.library.upsertIndexedFile(indexed('One', { pageId: 'page-1' }), []);
    store.library.upsertIndexedFile(indexed('One', { path: `${ROOT}/One.wav`, format: 'wav', pageId: 'page-1' }), []);
    store.library.upsertIndexedFile(indexed('Two', { pageId: 'page-2' }), []);
    store.library.upsertIndexedFile(indexed('Two', { path: `${ROOT}/Two (1).aiff` }), []);
    expect(store.library.listNameGroups(10)).toEqual([{ norm_title: 'two', norm_artist: 'bird', files: 2 }]);
  });
});

describe('pending files (addPendingFile, removePendingFile, listPendingFiles)', () => {
  it('a temp file recorded before it is written is still listed after a restart, until it is removed', () => {
    // A crash between write and rename leaves a temp file; the next start finds it here and deletes it.
    const file = store.db.name;
    store.library.addPendingFile(`${ROOT}/.One.tracksync-1.tmp`, 7, 1_000);
    store.library.addPendingFile(`${ROOT}/.Two.tracksync-2.tmp`, null, 1_100);
    store.close();
    store = Store.open(file);
    expect(store.library.listPendingFiles()).toEqual(
      expect.arrayContaining([
        { path: `${ROOT}/.One.tracksync-1.tmp`, item_id: 7, created_at: 1_000 },
        { path: `${ROOT}/.Two.tracksync-2.tmp`, item_id: null, created_at: 1_100 },
      ]),
    );
    store.library.removePendingFile(`${ROOT}/.One.tracksync-1.tmp`);
    expect(paths(store.library.listPendingFiles())).toEqual([`${ROOT}/.Two.tracksync-2.tmp`]);
  });
});
