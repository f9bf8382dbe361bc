import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Store } from '../../state/store.js';
import { loadConfig } from '../../src/config/load.js';
import { findSimilarFiles, fingerprintKeys } from '../../src/library/fingerprint-index.js';
import { fingerprintFile } from '../../src/media/chromaprint.js';
import { mulberry32 } from '../../src/media/synth.js';
import { makeClip } from '../helpers/audio.js';
import { tempDir } from '../helpers/tmp.js';

// "Same recording" must be found among the whole library by fingerprint (real fpcalc), whatever the file's name or
// encoding, without comparing against every file; another song must not match.
describe('the fingerprint index', async () => {
  const dir = tempDir('tracksync-fp-index-');
  const config = loadConfig({
    env: { NOTION_TOKEN: 'ntn_test_123456', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640' },
    cwd: dir,
  });
  const store = Store.open(join(dir, 'state.sqlite'));
  afterAll(() => store.close());

  const index = async (name: string, clip: Buffer, pageId: string | null): Promise<Uint32Array> => {
    const path = join(dir, name);
    writeFileSync(path, clip);
    const { raw } = await fingerprintFile(config, path);
    store.library.upsertIndexedFile(
      {
        path,
        root: null,
        pageId,
        format: 'mp3',
        size: clip.length,
        mtimeMs: 0,
        durationSeconds: 20,
        title: name,
        artist: '',
        album: null,
        bpm: null,
        musicalKey: null,
        normTitle: name,
        normArtist: '',
        fingerprint: null,
        fingerprintRaw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
        scanId: null,
        now: 0,
      },
      fingerprintKeys(raw),
    );
    return raw;
  };

  it('keys a fingerprint by its values, so a copy that starts later has the same keys', () => {
    const random = mulberry32(3);
    const raw = Uint32Array.from({ length: 2000 }, () => Math.floor(random() * 0x1_0000_0000));
    const keys = fingerprintKeys(raw);
    // About 1 item in 16, at most 200.
    expect(keys.length).toBeGreaterThan(60);
    expect(keys.length).toBeLessThanOrEqual(200);
    expect(fingerprintKeys(raw.subarray(0, 1000)).length).toBeGreaterThan(30);
    const later = fingerprintKeys(raw.subarray(37, 1037));
    const first = new Set(fingerprintKeys(raw.subarray(0, 1037)));
    expect(later.every((k) => first.has(k))).toBe(true);
  });

  it('finds a re-encoded copy by fingerprint, not another song, and leaves out what the caller excludes', async () => {
    const song = await makeClip({ tonic: 2, mode: 'minor', bpm: 118, seconds: 20, format: 'wav' });
    await index('placed.wav', song, 'page-1');
    await index(
      'other.wav',
      await makeClip({ tonic: 7, mode: 'major', bpm: 96, seconds: 20, format: 'wav', seed: 9 }),
      null,
    );
    const wav = join(dir, 'download.wav');
    writeFileSync(wav, song);
    const mp3 = join(dir, 'download.mp3');
    await execa('ffmpeg', ['-nostdin', '-v', 'error', '-i', wav, '-b:a', '128k', mp3]);
    const { raw } = await fingerprintFile(config, mp3);
    const found = findSimilarFiles(store.library, raw, { threshold: 0.9 });
    expect(found.map((f) => f.row.path)).toEqual([join(dir, 'placed.wav')]);
    expect(found[0]!.similarity).toBeGreaterThan(0.9);
    expect(
      findSimilarFiles(store.library, raw, { threshold: 0.9, exclude: (row) => row.page_id === 'page-1' }),
    ).toEqual([]);
    expect(findSimilarFiles(store.library, new Uint32Array(0), { threshold: 0.9 })).toEqual([]);
  });
});
