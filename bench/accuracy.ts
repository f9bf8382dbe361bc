import { PROFILE_MAJOR, PROFILE_MINOR, chromagram, correlation, detectKey } from '../src/media/analysis/key.js';
import { autocorrelation, detectTempo, interpolate, onsetEnvelope } from '../src/media/analysis/tempo.js';
import { TIMBRES, synthesize } from '../src/media/synth.js';
import type { BenchSection } from './report.js';

/** MIREX key scoring: exact 1, perfect fifth 0.5, relative major/minor 0.3, parallel 0.2, otherwise 0. */
export function mirexScore(truth: { tonic: number; mode: string }, guess: { tonic: number; mode: string }): number {
  if (truth.tonic === guess.tonic && truth.mode === guess.mode) return 1;
  if (truth.mode === guess.mode && ((guess.tonic - truth.tonic + 12) % 12 === 7 || (truth.tonic - guess.tonic + 12) % 12 === 7)) return 0.5;
  if (truth.mode === 'minor' && guess.mode === 'major' && guess.tonic === (truth.tonic + 3) % 12) return 0.3;
  if (truth.mode === 'major' && guess.mode === 'minor' && guess.tonic === (truth.tonic + 9) % 12) return 0.3;
  if (truth.tonic === guess.tonic) return 0.2;
  return 0;
}

/**
 * The legacy detector's method (legacy-workflow.md §7), on our chroma: tonic = the strongest pitch class, mode = the
 * better correlation with the Krumhansl-Kessler profiles rotated the wrong way (left instead of right).
 */
function legacyKey(pcm: Float32Array, rate: number): { tonic: number; mode: 'major' | 'minor' } {
  const chroma = chromagram(pcm, rate);
  const tonic = chroma.indexOf(Math.max(...chroma));
  const wrongWay = (profile: readonly number[]) => Array.from({ length: 12 }, (_, pc) => profile[(tonic - pc + 12) % 12]!);
  return { tonic, mode: correlation(chroma, wrongWay(PROFILE_MAJOR)) >= correlation(chroma, wrongWay(PROFILE_MINOR)) ? 'major' : 'minor' };
}

/** A tempo without octave handling: the strongest comb peak over the full band within 70-180 BPM (the legacy had none). */
function naiveTempo(pcm: Float32Array, rate: number): number {
  const { envelope, framesPerSecond } = onsetEnvelope(pcm, rate);
  const ac = autocorrelation(envelope, Math.ceil((60 * framesPerSecond) / 70) + 1);
  let best = { bpm: 0, score: -Infinity };
  for (let i = 0; 70 + i * 0.1 <= 180; i += 1) {
    const bpm = 70 + i * 0.1;
    const score = interpolate(ac, (60 * framesPerSecond) / bpm);
    if (score > best.score) best = { bpm, score };
  }
  return best.bpm;
}

export async function accuracyBench(): Promise<BenchSection> {
  const rate = 22_050;
  let keys = 0;
  let exact = 0;
  let mirex = 0;
  let legacyExact = 0;
  let legacyMirex = 0;
  let keySeconds = 0;
  for (const timbre of TIMBRES) {
    for (const mode of ['major', 'minor'] as const) {
      for (let tonic = 0; tonic < 12; tonic += 1) {
        for (const progression of [0, 1] as const) {
          const pcm = synthesize({ tonic, mode, bpm: 96 + tonic * 4, timbre, seconds: 20, progression, sampleRate: rate });
          const t = performance.now();
          const found = detectKey(pcm, rate)!;
          keySeconds += (performance.now() - t) / 1000;
          const legacy = legacyKey(pcm, rate);
          keys += 1;
          exact += found.tonic === tonic && found.mode === mode ? 1 : 0;
          mirex += mirexScore({ tonic, mode }, found);
          legacyExact += legacy.tonic === tonic && legacy.mode === mode ? 1 : 0;
          legacyMirex += mirexScore({ tonic, mode }, legacy);
        }
      }
    }
  }
  let tempos = 0;
  let within = 0;
  let naiveWithin = 0;
  let tempoSeconds = 0;
  for (const timbre of TIMBRES) {
    for (let bpm = 70; bpm <= 180; bpm += 5.5) {
      const pcm = synthesize({ tonic: Math.round(bpm) % 12, mode: bpm % 2 < 1 ? 'minor' : 'major', bpm, timbre, seconds: 30, sampleRate: rate });
      const t = performance.now();
      const found = detectTempo(pcm, rate, { minBpm: 70, maxBpm: 180 });
      tempoSeconds += (performance.now() - t) / 1000;
      tempos += 1;
      within += found && Math.abs(found.bpm - bpm) <= 1 ? 1 : 0;
      naiveWithin += Math.abs(naiveTempo(pcm, rate) - bpm) <= 1 ? 1 : 0;
    }
  }
  const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)} %`;
  return {
    title: 'Key and tempo accuracy',
    command: 'npm run bench -- accuracy (bench/accuracy.ts)',
    rows: [
      { figure: `exact key, ${keys} clips (24 keys x 5 timbres x 2 progressions)`, ours: pct(exact, keys), baseline: `${pct(legacyExact, keys)} (legacy method)`, ratio: legacyExact === 0 ? '- (baseline 0)' : `x${(exact / legacyExact).toFixed(1)}`, note: 'target >= 90 %' },
      { figure: 'MIREX weighted key score', ours: (mirex / keys).toFixed(3), baseline: `${(legacyMirex / keys).toFixed(3)} (legacy method)`, ratio: `x${(mirex / Math.max(1e-9, legacyMirex)).toFixed(1)}`, note: '1 exact, 0.5 fifth, 0.3 relative, 0.2 parallel' },
      { figure: `BPM within ±1, ${tempos} clips (70-180 BPM x 5 timbres)`, ours: pct(within, tempos), baseline: `${pct(naiveWithin, tempos)} (comb peak, no octave handling)`, ratio: naiveWithin === 0 ? '- (baseline 0)' : `x${(within / naiveWithin).toFixed(1)}`, note: 'target >= 95 %' },
      { figure: 'analysis time per 20 s (key) / 30 s (tempo) of audio', ours: `${((keySeconds / keys) * 1000).toFixed(0)} ms / ${((tempoSeconds / tempos) * 1000).toFixed(0)} ms`, baseline: '-', ratio: '-', note: 'pure TypeScript, 22.05 kHz mono' },
    ],
    notes: [
      'Corpus generated by src/media/synth.ts (seeded): pad chords, bass on the roots, an arpeggio, kick on every beat, snare on 2 and 4, hi-hats on the off-beats. Real music still needs checking, especially for key (media-notes.md).',
      'Progressions: cadential (I IV V I / i iv V i) and pop (I V vi IV / i VI VII i).',
    ],
  };
}
