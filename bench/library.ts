import { copyFileSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../state/store.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { fingerprintKeys, findSimilarFiles } from '../src/library/fingerprint-index.js';
import { scanLibrary } from '../src/library/scan.js';
import { silentLogger } from '../src/log.js';
import { rawFromBytes } from '../src/media/chromaprint.js';
import { readTags } from '../src/media/tags.js';
import { encodeWav, synthesize } from '../src/media/synth.js';
import { median, ratio, type BenchSection } from './report.js';

/** A deterministic pseudo-random fingerprint (items as uniform as chromaprint's hashed ones). */
function randomFingerprint(seed: number, items: number): Uint32Array {
  let a = seed >>> 0;
  const raw = new Uint32Array(items);
  for (let i = 0; i < items; i += 1) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    raw[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return raw;
}

const config = (dir: string) =>
  loadConfig({
    env: {
      NOTION_TOKEN: 'ntn_bench_0000',
      TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
      OUT_DIR: join(dir, 'library'),
    },
    cwd: dir,
  });

/** One new track against an index of 100,000 entries: the key index against comparing every stored fingerprint. */
async function lookupRows(): Promise<BenchSection['rows']> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-lookup-'));
  const store = Store.open(join(dir, 'state.sqlite'));
  const entries = 100_000;
  // Stored fingerprints of 300 items (37 s of audio) keep the database at a few hundred MB; the lookup cost depends
  // on the keys, which are sampled from the items at the same rate whatever the length.
  const length = 300;
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < entries; i += 1) {
      const raw = randomFingerprint(i + 1, length);
      store.library.upsertIndexedFile(
        {
          path: `/library/${i}.m4a`,
          root: '/library',
          pageId: null,
          format: 'm4a',
          size: 1,
          mtimeMs: 1,
          durationSeconds: 180,
          title: `t${i}`,
          artist: `a${i}`,
          album: null,
          bpm: null,
          musicalKey: null,
          normTitle: `t${i}`,
          normArtist: `a${i}`,
          fingerprint: null,
          fingerprintRaw: Buffer.from(raw.buffer),
          scanId: null,
          now,
        },
        fingerprintKeys(raw),
      );
    }
  });
  // The new track: a re-encode of entry 77,777 (1 % of bits flipped), 1,450 items as a 3-minute track has.
  const target = randomFingerprint(77_778, length);
  const query = new Uint32Array(1_450);
  query.set(target.map((v, i) => (i % 3 === 0 ? v ^ (1 << (i % 32)) : v)));
  const indexed: number[] = [];
  let found = '';
  for (let i = 0; i < 15; i += 1) {
    const t = performance.now();
    found = findSimilarFiles(store.library, query, { threshold: 0.9 })[0]?.row.path ?? '';
    indexed.push(performance.now() - t);
  }
  if (found !== '/library/77777.m4a') throw new Error(`indexed lookup found ${found}`);
  const linear: number[] = [];
  const rows = store.library.listFingerprintedFiles();
  for (let i = 0; i < 3; i += 1) {
    const t = performance.now();
    let best = { path: '', score: 0 };
    for (const row of rows) {
      const raw = rawFromBytes(row.fingerprint_raw!);
      let same = 0;
      for (let k = 0; k < raw.length; k += 1) {
        let x = (raw[k]! ^ query[k]!) >>> 0;
        x -= (x >>> 1) & 0x55555555;
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        same += 32 - ((((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24);
      }
      const score = same / (32 * raw.length);
      if (score > best.score) best = { path: row.path, score };
    }
    if (best.path !== '/library/77777.m4a') throw new Error(`linear lookup found ${best.path}`);
    linear.push(performance.now() - t);
  }
  store.close();
  const ours = median(indexed);
  const base = median(linear);
  return [
    {
      figure: 'duplicate lookup, one new track against 100,000 fingerprints (median)',
      ours: `${ours.toFixed(2)} ms (key index + exact check)`,
      baseline: `${base.toFixed(0)} ms (compare all, offset 0 only)`,
      ratio: ratio(ours, base),
      note: 'target: under 5 ms',
    },
  ];
}

/** A rescan of 10,000 unchanged files against reading every file, and the rate of a first, full scan. */
async function scanRows(): Promise<BenchSection['rows']> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-rescan-'));
  const library = join(dir, 'library');
  mkdirSync(library, { recursive: true });
  const clip = join(dir, 'clip.wav');
  writeFileSync(
    clip,
    encodeWav(
      synthesize({ tonic: 0, mode: 'major', bpm: 120, timbre: 'sine', seconds: 0.2, sampleRate: 8_000, drums: false }),
      8_000,
      1,
    ),
  );
  const files = 10_000;
  const store = Store.open(join(dir, 'state.sqlite'));
  const cfg = config(dir);
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < files; i += 1) {
      const path = join(library, `Artist ${i} - Song ${i}.wav`);
      copyFileSync(clip, path);
      const stats = statSync(path);
      // As a previous scan left them: same size and mtime, with a fingerprint.
      store.library.upsertIndexedFile(
        {
          path,
          root: library,
          pageId: null,
          format: 'wav',
          size: stats.size,
          mtimeMs: Math.round(stats.mtimeMs),
          durationSeconds: 0.2,
          title: null,
          artist: null,
          album: null,
          bpm: null,
          musicalKey: null,
          normTitle: null,
          normArtist: null,
          fingerprint: 'AQA',
          fingerprintRaw: Buffer.alloc(4),
          scanId: null,
          now,
        },
        [],
      );
    }
  });
  const t0 = performance.now();
  const rescan = await scanLibrary({ store, config: cfg, clock: systemClock, logger: silentLogger() });
  const ours = (performance.now() - t0) / 1000;
  if (rescan.read !== 0 || rescan.seen !== files) throw new Error(`rescan read ${rescan.read} of ${rescan.seen}`);
  const t1 = performance.now();
  for (let i = 0; i < files; i += 1) await readTags(join(library, `Artist ${i} - Song ${i}.wav`));
  const naive = (performance.now() - t1) / 1000;
  store.close();

  const fullDir = mkdtempSync(join(tmpdir(), 'tracksync-fullscan-'));
  mkdirSync(join(fullDir, 'library'), { recursive: true });
  const song = join(fullDir, 'song.wav');
  writeFileSync(song, encodeWav(synthesize({ tonic: 4, mode: 'minor', bpm: 124, timbre: 'saw', seconds: 180 })));
  const count = 40;
  for (let i = 0; i < count; i += 1) copyFileSync(song, join(fullDir, 'library', `Track ${i}.wav`));
  const fullStore = Store.open(join(fullDir, 'state.sqlite'));
  const t2 = performance.now();
  const full = await scanLibrary({
    store: fullStore,
    config: config(fullDir),
    clock: systemClock,
    logger: silentLogger(),
  });
  const fullSeconds = (performance.now() - t2) / 1000;
  fullStore.close();
  return [
    {
      figure: `rescan of ${files.toLocaleString('en')} unchanged files`,
      ours: `${ours.toFixed(2)} s, 0 files decoded`,
      baseline: `${naive.toFixed(2)} s (every file's tags read)`,
      ratio: ratio(ours, naive),
      note: 'target: under 2 s, no file decoded',
    },
    {
      figure: `first scan rate (3-minute WAVs: tags + fpcalc)`,
      ours: `${(full.read / fullSeconds).toFixed(1)} files/s`,
      baseline: '-',
      ratio: '-',
      note: `${full.read} files in ${fullSeconds.toFixed(1)} s; the user's 2,300 files: about ${Math.round(2300 / (full.read / fullSeconds) / 60)} min once`,
    },
  ];
}

export async function libraryBench(): Promise<BenchSection> {
  return {
    title: 'Library index and duplicate lookup',
    command: 'npm run bench -- library (bench/library.ts)',
    rows: [...(await lookupRows()), ...(await scanRows())],
    notes: [
      'The linear baseline compares at offset 0 only; the real similarity searches ±80 offsets, so a linear search with it would be about 160 times slower still.',
    ],
  };
}
