import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { detectKey } from '../src/media/analysis/key.js';
import { detectTempo, foldTempo } from '../src/media/analysis/tempo.js';
import { analysisWindow } from '../src/pipeline/analyse.js';
import { ANALYSIS_RATE } from '../src/pipeline/convert.js';
import { DEFAULT_SETTINGS } from '../src/config/schema.js';
import { packageRoot } from '../src/paths.js';
import { detectKey as baselineKey } from './baseline/key.js';
import { detectTempo as baselineTempo } from './baseline/tempo.js';
import { STYLES } from './corpus/arrange.js';
import {
  decodeForAnalysis,
  missingTools,
  realTracks,
  renderCorpus,
  seedsOf,
  type CorpusTrack,
} from './corpus/render.js';
import type { BenchSection } from './report.js';

/** MIREX key scoring: exact 1, perfect fifth 0.5, relative major/minor 0.3, parallel 0.2, otherwise 0. */
export function mirexScore(truth: { tonic: number; mode: string }, guess: { tonic: number; mode: string }): number {
  if (truth.tonic === guess.tonic && truth.mode === guess.mode) return 1;
  if (
    truth.mode === guess.mode &&
    ((guess.tonic - truth.tonic + 12) % 12 === 7 || (truth.tonic - guess.tonic + 12) % 12 === 7)
  )
    return 0.5;
  if (truth.mode === 'minor' && guess.mode === 'major' && guess.tonic === (truth.tonic + 3) % 12) return 0.3;
  if (truth.mode === 'major' && guess.mode === 'minor' && guess.tonic === (truth.tonic + 9) % 12) return 0.3;
  if (truth.tonic === guess.tonic) return 0.2;
  return 0;
}

/** Songs per half: every key in six styles, every style at least 14 times. */
const SONGS_PER_HALF = 144;
const RANGE = { minBpm: DEFAULT_SETTINGS.media.minBpm, maxBpm: DEFAULT_SETTINGS.media.maxBpm };

/**
 * `aubio tempo` (aubio-tools), with the buffer sizes docs/decisions.md, "Tempo analysis" found right for fast tempos;
 * folded into range.
 */
async function aubioTempo(path: string): Promise<number | undefined> {
  const result = await execa('aubio', ['tempo', '-B', '512', '-H', '256', '-i', path], { reject: false });
  const bpm = Number(String(result.stdout).match(/([\d.]+)\s*bpm/)?.[1]);
  return Number.isFinite(bpm) && bpm > 0 ? bpm : undefined;
}

/** bpm-tools' `bpm` reads raw 32-bit float mono PCM at 44.1 kHz on stdin (bpm -h); given tracksync's range. */
async function bpmTools(path: string): Promise<number | undefined> {
  const result = await execa(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', path, '-ac', '1', '-ar', '44100', '-f', 'f32le', '-'],
    { reject: false },
  ).pipe('bpm', ['-m', String(RANGE.minBpm), '-x', String(RANGE.maxBpm)], { reject: false });
  const value = Number(String(result.stdout).trim());
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

interface Tally {
  n: number;
  keyExact: number;
  mirex: number;
  keyed: number;
  within4: number;
  within1: number;
  octave: number;
  seconds: number;
}

const tally = (): Tally => ({ n: 0, keyExact: 0, mirex: 0, keyed: 0, within4: 0, within1: 0, octave: 0, seconds: 0 });

function countTempo(t: Tally, truth: number, found: number | undefined): void {
  t.n += 1;
  if (found === undefined) return;
  const bpm = found;
  if (Math.abs(bpm - truth) <= 0.04 * truth) t.within4 += 1;
  if (Math.abs(bpm - truth) <= 1) t.within1 += 1;
  if ([1, 2, 0.5].some((m) => Math.abs(bpm - truth * m) <= 0.04 * truth * m)) t.octave += 1;
}

function countKey(
  t: Tally,
  truth: { tonic: number; mode: string },
  found: { tonic: number; mode: string } | undefined,
): void {
  t.keyed += 1;
  if (!found) return;
  if (found.tonic === truth.tonic && found.mode === truth.mode) t.keyExact += 1;
  t.mirex += mirexScore(truth, found);
}

const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : '-');

/**
 * `npm run bench -- accuracy`: the realistic corpus's held-out half (bench/corpus: MIDI arrangements rendered with
 * fluidsynth and the General MIDI soundfont, mastered, MP3), analysed by tracksync, by the analyser it replaced
 * (bench/baseline) and by the Debian peers as subprocesses; plus real recordings with a documented tempo when
 * Debian's fretsonfire song packages are installed. `--half tuning` measures the half the analyser was tuned on.
 */
export async function accuracyBench(argv: readonly string[] = []): Promise<BenchSection> {
  const missing = missingTools();
  if (missing.length > 0)
    throw new Error(
      `the accuracy benchmark renders its corpus with fluidsynth and needs ${missing.join(', ')}: install the Debian packages fluidsynth and fluid-soundfont-gm`,
    );
  const half = argv.includes('tuning') ? 'tuning' : 'held-out';
  const cache = join(packageRoot(), 'bench', '.cache', 'corpus');
  const songs = await renderCorpus(seedsOf(half, SONGS_PER_HALF), cache, (done, total) => {
    if (done % 24 === 0) process.stderr.write(` ${done}/${total}`);
  });
  const real = await realTracks(cache);
  const scratch = mkdtempSync(join(tmpdir(), 'tracksync-accuracy-'));
  const ours = tally();
  const old = tally();
  const aubio = tally();
  const bpmTool = tally();
  const realOurs = tally();
  const realOld = tally();
  const realAubio = tally();
  const realBpm = tally();
  const wrong: string[] = [];
  try {
    const analyse = async (
      path: string,
      truthBpm: number,
      truthKey: CorpusTrack['spec'] | undefined,
      t: { ours: Tally; old: Tally; aubio: Tally; bpm: Tally },
      label: string,
    ): Promise<void> => {
      const pcm = analysisWindow(
        await decodeForAnalysis(path, scratch),
        ANALYSIS_RATE,
        DEFAULT_SETTINGS.media.analysisWindowSeconds,
      );
      let started = performance.now();
      const tempo = detectTempo(pcm, ANALYSIS_RATE, {
        ...RANGE,
        priorCentreBpm: DEFAULT_SETTINGS.media.tempoPriorCentreBpm,
        priorWidthOctaves: DEFAULT_SETTINGS.media.tempoPriorWidthOctaves,
      });
      const key = detectKey(pcm, ANALYSIS_RATE);
      t.ours.seconds += (performance.now() - started) / 1000;
      started = performance.now();
      const oldTempo = baselineTempo(pcm, ANALYSIS_RATE, RANGE);
      const oldKey = baselineKey(pcm, ANALYSIS_RATE);
      t.old.seconds += (performance.now() - started) / 1000;
      countTempo(t.ours, truthBpm, tempo?.bpm);
      countTempo(t.old, truthBpm, oldTempo?.bpm);
      if (truthKey) {
        countKey(t.ours, truthKey, key);
        countKey(t.old, truthKey, oldKey);
        if (key && (key.tonic !== truthKey.tonic || key.mode !== truthKey.mode))
          wrong.push(`${label}: key ${key.name} (confidence ${key.confidence})`);
      }
      if (!tempo || Math.abs(tempo.bpm - truthBpm) > 1) wrong.push(`${label}: ${tempo?.bpm ?? 'no'} BPM`);
      started = performance.now();
      const aubioBpm = await aubioTempo(path);
      t.aubio.seconds += (performance.now() - started) / 1000;
      countTempo(t.aubio, truthBpm, aubioBpm === undefined ? undefined : foldTempo(aubioBpm, RANGE));
      started = performance.now();
      const bpm = await bpmTools(path);
      t.bpm.seconds += (performance.now() - started) / 1000;
      countTempo(t.bpm, truthBpm, bpm);
    };
    for (const song of songs) {
      const { spec } = song;
      await analyse(
        song.path,
        spec.bpm,
        spec,
        { ours, old, aubio, bpm: bpmTool },
        `seed ${spec.seed} ${spec.style} ${spec.bpm} BPM`,
      );
    }
    for (const track of real) {
      await analyse(
        track.path,
        foldTempo(track.bpm, RANGE),
        undefined,
        { ours: realOurs, old: realOld, aubio: realAubio, bpm: realBpm },
        track.name,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const perTrack = (t: Tally): string => `${((1000 * t.seconds) / Math.max(1, t.n)).toFixed(0)} ms`;
  const table = (rows: Array<[string, Tally, boolean]>): string[] => [
    '| analyser | key exact | MIREX weighted | tempo within ±4 % | within ±1 BPM | right up to an octave | time per track |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      ([name, t, keys]) =>
        `| ${name} | ${keys ? pct(t.keyExact, t.keyed) : '-'} | ${keys ? (t.mirex / Math.max(1, t.keyed)).toFixed(3) : '-'} | ${pct(t.within4, t.n)} | ${pct(t.within1, t.n)} | ${pct(t.octave, t.n)} | ${perTrack(t)} |`,
    ),
  ];
  const styles = STYLES.join(', ');
  return {
    title: 'Key and tempo accuracy',
    command: `npm run bench -- accuracy${half === 'tuning' ? ' tuning' : ''} (bench/accuracy.ts)`,
    rows: [
      {
        figure: `exact key, ${ours.keyed} rendered songs (${half} half)`,
        ours: pct(ours.keyExact, ours.keyed),
        baseline: `${pct(old.keyExact, old.keyed)} (the analyser before issue 16)`,
        ratio: old.keyExact > 0 ? `x${(ours.keyExact / old.keyExact).toFixed(2)}` : '-',
        note: 'target >= 96 %',
      },
      {
        figure: 'MIREX weighted key score',
        ours: (ours.mirex / Math.max(1, ours.keyed)).toFixed(3),
        baseline: (old.mirex / Math.max(1, old.keyed)).toFixed(3),
        ratio: `x${(ours.mirex / Math.max(1e-9, old.mirex)).toFixed(2)}`,
        note: 'target >= 0.97; 1 exact, 0.5 fifth, 0.3 relative, 0.2 parallel',
      },
      {
        figure: 'tempo within ±4 %',
        ours: pct(ours.within4, ours.n),
        baseline: pct(old.within4, old.n),
        ratio: old.within4 > 0 ? `x${(ours.within4 / old.within4).toFixed(2)}` : '-',
        note: 'target >= 90 %',
      },
      {
        figure: 'tempo within ±1 BPM',
        ours: pct(ours.within1, ours.n),
        baseline: pct(old.within1, old.n),
        ratio: old.within1 > 0 ? `x${(ours.within1 / old.within1).toFixed(2)}` : '-',
        note: 'target >= 88 %',
      },
      {
        figure: 'tempo right up to an octave',
        ours: pct(ours.octave, ours.n),
        baseline: pct(old.octave, old.n),
        ratio: '-',
        note: 'half or double time counted as right',
      },
      {
        figure: 'analysis time per track (key and tempo, same PCM)',
        ours: perTrack(ours),
        baseline: perTrack(old),
        ratio: `x${(old.seconds / Math.max(1e-9, ours.seconds)).toFixed(2)}`,
        note: 'target: no slower than before (ratio >= 1)',
      },
    ],
    extra: [
      `Side by side on the same ${ours.n} files (${half} half), peers run as subprocesses (their times include decoding):`,
      '',
      ...table([
        ['tracksync', ours, true],
        ['tracksync before issue 16', old, true],
        ['aubio tempo -B 512 -H 256 (aubio-tools)', aubio, false],
        [`bpm -m ${RANGE.minBpm} -x ${RANGE.maxBpm} (bpm-tools)`, bpmTool, false],
      ]),
      '',
      ...(real.length > 0
        ? [
            `Real recordings with a documented tempo (${real.length} metal songs from Debian's fretsonfire-songs-muldjord and fretsonfire-songs-sectoid; the game charts' tempo maps, folded into ${RANGE.minBpm}-${RANGE.maxBpm} BPM; no key is documented):`,
            '',
            ...table([
              ['tracksync', realOurs, false],
              ['tracksync before issue 16', realOld, false],
              ['aubio tempo', realAubio, false],
              ['bpm (bpm-tools)', realBpm, false],
            ]),
            '',
          ]
        : [
            'Real recordings: none found (install the Debian packages fretsonfire-songs-muldjord and fretsonfire-songs-sectoid to add 8 songs with documented tempos).',
            '',
          ]),
    ],
    notes: [
      `Corpus (bench/corpus, rendered into bench/.cache at benchmark time, deterministic from the seed): ${SONGS_PER_HALF * 2} songs in ${STYLES.length} styles (${styles}), 70-180 BPM, all 24 keys in each half; MIDI arrangements (drums on channel 10 with genre patterns, bass, comping, pads, a lead melody; progressions often starting away from the tonic, borrowed chords, sevenths) rendered by fluidsynth with FluidR3_GM (fluid-soundfont-gm), about a third detuned by 8-40 cents, compressed and limited with ffmpeg, MP3 at 128-320 kb/s.`,
      `Halves by seed: even seeds tune, odd seeds are held out; every setting of the analyser was chosen on even seeds only (this tuning half, and for the key's peak-level compression, tonic cue and third cue also even seeds 290-548 of the same generator). This table: the ${half} half.`,
      'aubio has no range option: its tempo is folded into the range like ours. bpm-tools is given the range.',
      ...(wrong.length > 0 ? [`tracksync's misses: ${wrong.join('; ')}.`] : []),
    ],
  };
}
