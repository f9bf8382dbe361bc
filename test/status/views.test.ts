import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import type { IndexedFile } from '../../state/rows.js';
import { indexedFile } from '../helpers/library.js';
import {
  daemonProcess,
  latestFailureDetail,
  libraryShape,
  notionPageUrl,
  recentTracks,
} from '../../src/status/views.js';
import { tempDir } from '../helpers/tmp.js';

// `tracksync status` and the status page read these from the state directory alone (no Notion request): whether a
// daemon runs, what was synced last with its BPM, key and files, the library on the Camelot wheel, and why a row
// failed.
describe('the status views (src/status/views.ts) over a real state directory', () => {
  const dir = tempDir('tracksync-views-');
  const store = Store.open(join(dir, 'tracksync.sqlite'));
  afterAll(() => store.close());
  let clock = 1_000_000;
  const track = (pageId: string, title: string, outcome: string): number => {
    const item = store.items.upsertPolledItem({
      source: 'tracks',
      pageId,
      dataSourceId: 'ds',
      handler: 'track',
      title,
      inputHash: 'h',
      now: clock,
    });
    clock += 1_000;
    store.items.finishItem(item.id, outcome, 'h', clock);
    return item.id;
  };
  const indexed = (path: string, extra: Partial<IndexedFile>): void =>
    store.library.upsertIndexedFile(
      indexedFile(path, { root: '/music', size: 1_000, durationSeconds: 200, now: clock, ...extra }),
      [],
    );

  it('sees no daemon without a pid file, or with the pid of a process that is gone; sees a live one with its start', () => {
    expect(daemonProcess(dir)).toEqual({ running: false });
    writeFileSync(join(dir, 'daemon.pid'), 'garbage\n');
    expect(daemonProcess(dir).running).toBe(false);
    // A pid file left by a kill -9: the process it names no longer exists.
    writeFileSync(join(dir, 'daemon.pid'), '4242\n');
    expect(daemonProcess(dir, () => false)).toEqual({ running: false });
    writeFileSync(join(dir, 'daemon.pid'), `${process.pid}\n`);
    const live = daemonProcess(dir);
    expect(live).toEqual({ running: true, pid: process.pid, since: expect.any(Number) });
  });

  it('lists the latest synced tracks newest first, from the placement record, else from the library index', () => {
    const placed = track('aaaa-1', 'Row Artist - Row Title', 'synced');
    store.items.recordStageDone(
      placed,
      'place',
      'h',
      {
        placed: { all: ['/music/Real Title.m4a', '/music/Real Title.aiff'] },
        analysis: { bpm: 124, key: 'A Minor', camelot: '8A' },
        metadata: { title: 'Real Title', artist: 'Real Artist' },
        download: { source: { label: 'SoundCloud' } },
      },
      null,
      clock,
    );
    // Adopted: files already on disk, known from a library scan, with no placement record.
    track('bbbb-2', 'Scan Artist - Scanned', 'adopted');
    indexed('/music/Scanned.m4a', { pageId: 'bbbb-2', bpm: 98, musicalKey: 'C Major' });
    // Neither a failure nor a done task is a synced track.
    track('cccc-3', 'X - Failed', 'failed');

    const recent = recentTracks(store);
    expect(recent.map((t) => t.title)).toEqual(['Scanned', 'Real Title']);
    expect(recent[1]).toEqual({
      pageId: 'aaaa-1',
      pageUrl: 'https://www.notion.so/aaaa1',
      title: 'Real Title',
      artist: 'Real Artist',
      bpm: 124,
      key: 'A Minor',
      camelot: '8A',
      source: 'SoundCloud',
      outcome: 'synced',
      finishedAt: expect.any(Number),
      files: ['/music/Real Title.m4a', '/music/Real Title.aiff'],
    });
    // The row's "Artist - Title" is split; the key's Camelot code is worked out from the scanned key.
    expect(recent[0]).toMatchObject({
      artist: 'Scan Artist',
      bpm: 98,
      key: 'C Major',
      camelot: '8B',
      outcome: 'adopted',
      files: ['/music/Scanned.m4a'],
    });
    expect(recentTracks(store, 1)).toHaveLength(1);
  });

  it('counts each track once on the Camelot wheel and in 5-BPM bands, whatever its number of formats', () => {
    // One recording in three formats (one page): one track in 8A at 124 BPM.
    for (const format of ['aiff', 'wav'])
      indexed(`/music/Real Title.${format}`, {
        pageId: 'aaaa-1',
        format,
        bpm: 124,
        musicalKey: 'A Minor',
        size: 5_000,
      });
    indexed('/music/Real Title.m4a', { pageId: 'aaaa-1', bpm: 124, musicalKey: 'A Minor' });
    // A file without a page counts on its own; tempos outside 60-200 go to the end bands.
    indexed('/music/loose.m4a', { bpm: 40, musicalKey: 'A Minor' });
    indexed('/music/fast.m4a', { bpm: 250 });
    const shape = libraryShape(store);
    expect(shape.files).toBe(6);
    expect(Object.keys(shape.camelot)).toHaveLength(24);
    expect(shape.camelot['8A']).toBe(2);
    expect(shape.camelot['8B']).toBe(1);
    expect(shape.bpm[0]).toEqual({ from: 60, to: 65, count: 1 });
    expect(shape.bpm.find((b) => b.from === 120)!.count).toBe(1);
    expect(shape.bpm.at(-1)).toEqual({ from: 195, to: 200, count: 1 });
    expect(shape.formats).toEqual(
      expect.arrayContaining([
        { format: 'm4a', files: 4, bytes: 4_000 },
        { format: 'aiff', files: 1, bytes: 5_000 },
      ]),
    );
  });

  it('keeps the raw output of the latest failed attempt for status -v', () => {
    const id = track('dddd-4', 'Y - Broken', 'failed');
    expect(latestFailureDetail(store, id)).toBeUndefined();
    for (const detail of ['ERROR: first', 'ERROR: HTTP Error 404']) {
      const attempt = store.items.startAttempt(id, 1, 'boot', clock);
      store.items.finishAttempt(attempt, { outcome: 'failed', stage: 'download', code: 'X', detail }, clock);
    }
    expect(latestFailureDetail(store, id)).toBe('ERROR: HTTP Error 404');
  });

  it('links a page by its id without dashes', () => {
    expect(notionPageUrl('12345678-90ab-cdef-1234-567890abcdef')).toBe(
      'https://www.notion.so/1234567890abcdef1234567890abcdef',
    );
  });
});
