import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { NotionTrack } from '../../src/playlists/model.js';
import { displayTitle, mapLimit, resolveTracks } from '../../src/playlists/tracks.js';
import { makeClip } from '../helpers/audio.js';
import { tempDir } from '../helpers/tmp.js';

// An exported playlist points at files that exist: the first existing format, else where the library index saw the
// file last; a track that cannot be exported is left out with its reason (test/playlists/export.test.ts runs it all).
describe('resolving playlist tracks to files', async () => {
  const dir = tempDir('tracksync-playlist-tracks-');
  const config = loadConfig({
    env: { NOTION_TOKEN: 'ntn_test_123456', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640' },
    cwd: dir,
  });
  const store = Store.open(join(dir, 'state.sqlite'));
  afterAll(() => store.close());
  const deps = { store, config, logger: silentLogger() };
  const wav = join(dir, 'Solar Echo - Golden Hour.wav');
  writeFileSync(wav, await makeClip({ seconds: 2, format: 'wav' }));
  const track = (pageId: string, extra: Partial<NotionTrack> = {}): NotionTrack => ({
    pageId,
    title: 'Golden Hour',
    artist: 'Solar Echo',
    album: '',
    genre: '',
    downloaded: true,
    paths: {},
    bpm: 122,
    key: 'A Minor',
    camelot: '',
    durationSeconds: null,
    addedAt: '2026-11-20T10:00:00.000Z',
    setOrder: null,
    playlistIds: [],
    ...extra,
  });

  it('exports a synced file with its header facts, and leaves out what is not synced or missing, saying why', async () => {
    const rows = [
      track('ok', { paths: { aiff: join(dir, 'gone.aiff'), wav } }),
      track('not-synced', { downloaded: false }),
      track('missing', { paths: { aiff: join(dir, 'gone.aiff') } }),
      track('not-audio', { paths: { wav: join(dir, 'notes.txt') } }),
    ];
    const resolved = await resolveTracks(deps, rows, { headers: true });
    expect(resolved.get('ok')).toMatchObject({
      ok: true,
      track: {
        path: wav,
        kind: 'WAV File',
        sampleRateHz: 44_100,
        tonality: 'Am',
        camelot: '8A',
        dateAdded: '2026-11-20',
      },
    });
    const ok = resolved.get('ok') as { track: { durationSeconds: number } };
    expect(ok.track.durationSeconds).toBeCloseTo(2, 1);
    expect(resolved.get('not-synced')).toMatchObject({ ok: false, leftOut: { reason: 'not synced yet' } });
    expect(resolved.get('missing')).toMatchObject({
      ok: false,
      leftOut: { reason: 'file missing', detail: `no file at ${join(dir, 'gone.aiff')}` },
    });
    expect(resolved.get('not-audio')).toMatchObject({ ok: false, leftOut: { reason: 'file missing' } });
  });

  it('finds a moved file through the library index and says where it was', async () => {
    const moved = join(dir, 'moved.wav');
    writeFileSync(moved, 'x');
    store.library.upsertIndexedFile(
      {
        path: moved,
        root: null,
        pageId: 'moved-row',
        format: 'wav',
        size: 1,
        mtimeMs: 0,
        durationSeconds: 200,
        title: 'Golden Hour',
        artist: 'Solar Echo',
        album: null,
        bpm: null,
        musicalKey: null,
        normTitle: 'golden hour',
        normArtist: 'solar echo',
        fingerprint: null,
        fingerprintRaw: null,
        scanId: null,
        now: 0,
      },
      [],
    );
    const old = join(dir, 'old-place.wav');
    const resolved = await resolveTracks(deps, [track('moved-row', { paths: { wav: old }, durationSeconds: 200 })], {
      headers: false,
    });
    expect(resolved.get('moved-row')).toMatchObject({ ok: true, track: { path: moved, movedFrom: old } });
    rmSync(moved);
  });

  it('runs at most `limit` at a time and keeps the input order', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await Promise.resolve();
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    expect(displayTitle({ title: '', artist: 'Solar Echo' })).toBe('Solar Echo - Untitled');
    expect(displayTitle({ title: 'Golden Hour', artist: '' })).toBe('Golden Hour');
  });

  it('after a failure starts nothing new and rejects only once the work under way has ended', async () => {
    // The export's write-backs run three at a time: a shutdown must not leave one writing SQLite after the export
    // has returned.
    const started: number[] = [];
    const ended: number[] = [];
    let release!: () => void;
    const slowDone = new Promise<void>((resolve) => (release = resolve));
    const run = mapLimit([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) await slowDone;
      if (n === 2) throw new Error('stopped');
      ended.push(n);
      return n;
    });
    let settled = false;
    const outcome = run.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    void outcome.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false); // item 1 is still under way
    release();
    expect(await outcome).toBe('stopped');
    expect(started).toEqual([1, 2]);
    expect(ended).toEqual([1]);
  });
});
