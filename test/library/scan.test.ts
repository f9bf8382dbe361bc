import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { findSimilarFiles } from '../../src/library/fingerprint-index.js';
import { scanLibrary } from '../../src/library/scan.js';
import { silentLogger } from '../../src/log.js';
import { fingerprintFile } from '../../src/media/chromaprint.js';
import { writeTags } from '../../src/media/tags.js';
import { makeClip } from '../helpers/audio.js';
import { tempDir } from '../helpers/tmp.js';

describe('the library index', async () => {
  const dir = tempDir('tracksync-library-');
  const out = join(dir, 'Playlists');
  const wavs = join(dir, 'Apple-Music-Auto-Add');
  mkdirSync(join(out, 'House'), { recursive: true });
  mkdirSync(wavs, { recursive: true });
  const config = loadConfig({
    env: {
      NOTION_TOKEN: 'ntn_test_123456',
      TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
      OUT_DIR: out,
      WAV_BACKUP_DIR: wavs,
      BACKUP_DIR: join(dir, 'not-mounted-yet'),
    },
    cwd: dir,
  });
  const store = Store.open(join(dir, 'state.sqlite'));
  afterAll(() => store.close());
  const scan = (signal?: AbortSignal) =>
    scanLibrary({ store, config, clock: systemClock, logger: silentLogger(), ...(signal ? { signal } : {}) });
  const files: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const path = join(i % 2 ? wavs : join(out, 'House'), `Artist ${i} - Song ${i}.wav`);
    writeFileSync(path, await makeClip({ tonic: i, mode: 'major', bpm: 100 + 7 * i, seconds: 12, format: 'wav' }));
    writeTags(path, { title: `Song ${i}`, artist: `Artist ${i}`, bpm: 100 + 7 * i });
    files.push(path);
  }

  it('indexes every audio file with its tags, duration and fingerprint, and skips folders that are not there', async () => {
    const result = await scan();
    expect(result).toMatchObject({ seen: 6, read: 6, failed: 0, gone: 0 });
    expect(result.skippedRoots).toEqual([{ root: join(dir, 'not-mounted-yet'), reason: 'folder does not exist' }]);
    const row = store.library.getLibraryFile(files[2]!)!;
    expect(row).toMatchObject({
      title: 'Song 2',
      artist: 'Artist 2',
      bpm: 114,
      norm_title: 'song 2',
      norm_artist: 'artist 2',
      format: 'wav',
    });
    expect(row.duration_seconds).toBeCloseTo(12, 0);
    expect(row.fingerprint).toMatch(/^AQA/);
  });

  it('rescans incrementally: unchanged files are not opened, a changed one is, a removed one is marked gone', async () => {
    expect(await scan()).toMatchObject({ seen: 6, read: 0, gone: 0 });
    writeTags(files[0]!, { title: 'Song 0 (Edit)', artist: 'Artist 0' });
    utimesSync(files[0]!, new Date(), new Date(Date.now() + 5_000));
    rmSync(files[5]!);
    expect(await scan()).toMatchObject({ seen: 5, read: 1, gone: 1 });
    expect(store.library.getLibraryFile(files[0]!)?.title).toBe('Song 0 (Edit)');
    expect(store.library.getLibraryFile(files[5]!)?.gone).toBe(1);
  });

  it('resumes an interrupted scan where it stopped', async () => {
    for (let i = 6; i < 10; i += 1) {
      const path = join(out, `New ${i}.wav`);
      writeFileSync(path, await makeClip({ tonic: i, mode: 'minor', bpm: 90 + i, seconds: 12, format: 'wav' }));
    }
    const controller = new AbortController();
    let read = 0;
    const interrupted = scanLibrary({
      store,
      config,
      clock: systemClock,
      logger: silentLogger(),
      signal: controller.signal,
      onProgress: () => undefined,
    });
    // Stop it once two new files are in.
    const poll = setInterval(() => {
      read = [6, 7, 8, 9].filter((i) => store.library.getLibraryFile(join(out, `New ${i}.wav`))).length;
      if (read >= 2) controller.abort();
    }, 5);
    await expect(interrupted).rejects.toThrow();
    clearInterval(poll);
    const resumed = await scan();
    expect(resumed.read).toBe(4 - read);
    expect(resumed.gone).toBe(0);
  });

  it('finds the same recording among the index by fingerprint, not by name', async () => {
    const { execa } = await import('execa');
    const copy = join(dir, 'copy.mp3');
    await execa('ffmpeg', ['-v', 'error', '-y', '-i', files[3]!, '-b:a', '128k', copy]);
    const fp = await fingerprintFile(config, copy);
    const found = findSimilarFiles(store.library, fp.raw, { threshold: 0.9 });
    expect(found.map((f) => f.row.path)).toEqual([files[3]]);
    expect(found[0]!.similarity).toBeGreaterThan(0.9);
  });
});

describe('the first library scan on every core', async () => {
  const dir = tempDir('tracksync-library-parallel-');
  const out = join(dir, 'Playlists');
  mkdirSync(out, { recursive: true });
  for (let i = 0; i < 5; i += 1)
    writeFileSync(
      join(out, `Song ${i}.wav`),
      await makeClip({ tonic: i, mode: 'minor', bpm: 120, seconds: 8, format: 'wav' }),
    );
  // fpcalc behind a wrapper that counts the runs in progress: the first three wait for each other (up to 30 s, a
  // fallback only: they are released as soon as three are running), so the count shows how many ran at once.
  const running = join(dir, 'running');
  mkdirSync(running);
  const wrapper = join(dir, 'fpcalc');
  writeFileSync(
    wrapper,
    `#!/bin/sh
touch "${running}/$$"
ls "${running}" | grep -v released | wc -l >> "${dir}/counts"
i=0
while [ ! -e "${running}/released" ] && [ "$(ls "${running}" | grep -cv released)" -lt 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
touch "${running}/released"
fpcalc "$@"; rc=$?
rm -f "${running}/$$"
exit $rc
`,
    { mode: 0o755 },
  );
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ media: { tools: { fpcalc: wrapper } }, library: { scanConcurrency: 3 } }));
  const config = loadConfig({
    env: {
      NOTION_TOKEN: 'ntn_test_123456',
      TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
      OUT_DIR: out,
      TRACKSYNC_CONFIG: configFile,
    },
    cwd: dir,
  });
  const store = Store.open(join(dir, 'state.sqlite'));
  afterAll(() => store.close());

  it('reads new files library.scanConcurrency at a time, and every one of them', async () => {
    const result = await scanLibrary({ store, config, clock: systemClock, logger: silentLogger() });
    expect(result).toMatchObject({ seen: 5, read: 5, failed: 0 });
    const counts = readFileSync(join(dir, 'counts'), 'utf8').trim().split('\n').map(Number);
    expect(Math.max(...counts)).toBe(3);
  });
});
