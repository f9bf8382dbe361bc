import { KRUMHANSL, camelotOf, correlation, keyName, type KeyResult } from '../../src/media/analysis/key.js';
import { Fft, hann } from './fft.js';

/**
 * The key detector as it was before issue 16, kept only as the accuracy benchmark's baseline (bench/accuracy.ts): a
 * chromagram summing every FFT bin from 65 Hz to 2.1 kHz, correlated with the Krumhansl-Kessler profiles. On rendered
 * songs it read many keys as their dominant (a note's 3rd harmonic counted as a pitch).
 */

/** The analysis band: 65 Hz (C2) to 2.1 kHz (C7); below is rumble and kick, above mostly harmonics and cymbals. */
const MIN_HZ = 65;
const MAX_HZ = 2100;

/** Mean chroma vector of a mono signal (each frame's chroma normalised, so loud passages do not dominate). */
export function chromagram(pcm: Float32Array, sampleRate: number): Float64Array {
  const size = sampleRate > 30_000 ? 16_384 : 8_192; // ~1.3-2.7 Hz resolution: a semitone at C2 is 3.9 Hz
  const hop = size / 2;
  const fft = new Fft(size);
  const window = hann(size);
  const frame = new Float64Array(size);
  const power = new Float64Array(size / 2 + 1);
  // Precompute, per bin, its pitch class and a weight that peaks at the semitone's centre.
  const binClass = new Int8Array(size / 2 + 1).fill(-1);
  const binWeight = new Float64Array(size / 2 + 1);
  for (let k = 1; k <= size / 2; k += 1) {
    const hz = (k * sampleRate) / size;
    if (hz < MIN_HZ || hz > MAX_HZ) continue;
    const midi = 69 + 12 * Math.log2(hz / 440);
    const nearest = Math.round(midi);
    const off = midi - nearest;
    binClass[k] = ((nearest % 12) + 12) % 12;
    binWeight[k] = Math.cos(Math.PI * off) ** 2;
  }
  const total = new Float64Array(12);
  const chroma = new Float64Array(12);
  for (let start = 0; start + size <= pcm.length; start += hop) {
    for (let i = 0; i < size; i += 1) frame[i] = pcm[start + i]! * window[i]!;
    fft.power(frame, power);
    chroma.fill(0);
    for (let k = 1; k <= size / 2; k += 1) {
      const pc = binClass[k]!;
      if (pc >= 0) chroma[pc]! += binWeight[k]! * Math.sqrt(power[k]!);
    }
    let sum = 0;
    for (const v of chroma) sum += v;
    if (sum <= 1e-9) continue;
    for (let pc = 0; pc < 12; pc += 1) total[pc]! += chroma[pc]! / sum;
  }
  return total;
}

/** Scores every key against a chroma vector; highest first. */
export function rankKeys(chroma: ArrayLike<number>): Array<{ tonic: number; mode: 'major' | 'minor'; score: number }> {
  const scores: Array<{ tonic: number; mode: 'major' | 'minor'; score: number }> = [];
  const rotated = new Float64Array(12);
  for (const mode of ['major', 'minor'] as const) {
    const profile = KRUMHANSL[mode];
    for (let tonic = 0; tonic < 12; tonic += 1) {
      for (let pc = 0; pc < 12; pc += 1) rotated[pc] = profile[(pc - tonic + 12) % 12]!;
      scores.push({ tonic, mode, score: correlation(chroma, rotated) });
    }
  }
  return scores.sort((x, y) => y.score - x.score);
}

/** The key of a mono signal, or undefined for silence. */
export function detectKey(pcm: Float32Array, sampleRate: number): KeyResult | undefined {
  const chroma = chromagram(pcm, sampleRate);
  if (chroma.every((v) => v === 0)) return undefined;
  const [best, second] = rankKeys(chroma);
  return {
    tonic: best!.tonic,
    mode: best!.mode,
    name: keyName(best!.tonic, best!.mode),
    camelot: camelotOf(best!.tonic, best!.mode),
    confidence: Math.round((best!.score - second!.score) * 1000) / 1000,
  };
}
