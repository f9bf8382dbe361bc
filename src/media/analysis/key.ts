import { Fft, hann } from './fft.js';

/**
 * Musical key from audio: a chromagram (spectral power folded onto the 12 pitch classes) averaged over the track and
 * correlated with the 24 rotations of a major and a minor key profile; the best correlation wins.
 *
 * The legacy detector rotated its profiles the wrong way, which is right only for C and F# (legacy-workflow.md §7):
 * here the profile for tonic t is indexed as profile[(pitchClass - t + 12) % 12], and every one of the 24 keys is
 * tested.
 */

export interface KeyResult {
  /** 0 = C ... 11 = B. */
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
  /** Standard notation as DJs write it: "A Minor", "Eb Major", "F# Minor". */
  readonly name: string;
  /** Camelot wheel code: "8A" for A minor, "8B" for C major. */
  readonly camelot: string;
  /** Margin between the best and the second-best key's correlation (0..2); under ~0.05 is a guess. */
  readonly confidence: number;
}

/**
 * Krumhansl and Kessler's probe-tone ratings (1982). On our 240-clip corpus (5 timbres, both progressions, all 24
 * keys) with magnitude chroma up to 2.1 kHz they found 236 keys exactly, Temperley's Kostka-Payne profiles 220, and
 * power chroma or a band up to 1 kHz did worse with either. (media-notes.md saw Krumhansl fail on Meyda's chroma: the
 * chroma, not the profile, was the problem there.)
 */
export const PROFILE_MAJOR: readonly number[] = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
export const PROFILE_MINOR: readonly number[] = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

/** How DJ software spells keys: sharps for F#/C#/G# minor and F# major, flats for Eb, Ab, Bb, Db major and Bb, Eb minor. */
const MAJOR_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MINOR_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'];

/** Camelot numbers by tonic pitch class (legacy-workflow.md §7 table: the standard wheel). */
const CAMELOT_MAJOR = [8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1];
const CAMELOT_MINOR = [5, 12, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10];

export function keyName(tonic: number, mode: 'major' | 'minor'): string {
  return `${(mode === 'major' ? MAJOR_NAMES : MINOR_NAMES)[tonic]} ${mode === 'major' ? 'Major' : 'Minor'}`;
}

export function camelotOf(tonic: number, mode: 'major' | 'minor'): string {
  return `${(mode === 'major' ? CAMELOT_MAJOR : CAMELOT_MINOR)[tonic]}${mode === 'major' ? 'B' : 'A'}`;
}

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

export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i += 1) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i += 1) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

/** Scores every key against a chroma vector; highest first. */
export function rankKeys(chroma: ArrayLike<number>): Array<{ tonic: number; mode: 'major' | 'minor'; score: number }> {
  const scores: Array<{ tonic: number; mode: 'major' | 'minor'; score: number }> = [];
  const rotated = new Float64Array(12);
  for (const mode of ['major', 'minor'] as const) {
    const profile = mode === 'major' ? PROFILE_MAJOR : PROFILE_MINOR;
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
