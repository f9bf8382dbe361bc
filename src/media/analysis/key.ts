import { Fft, hann } from './fft.js';

/**
 * Musical key from audio (issue 16). The earlier detector summed every FFT bin up to 2.1 kHz onto the pitch classes
 * and compared that with profiles of notes: each sampled note's 3rd harmonic (an octave and a fifth up) then counted
 * as a pitch, and on rendered arrangements 20 of 24 wrong keys were the dominant. Now:
 * 1. spectral peaks per frame (local maxima, frequency and level refined by parabolic interpolation), 40 Hz-5 kHz:
 *    above that, sampled instruments add mostly harmonics and cymbals;
 * 2. the tuning: the magnitude-weighted circular mean of every peak's offset from equal temperament at A = 440 Hz,
 *    so a track pitched 30 cents sharp is read as it is played;
 * 3. a harmonic pitch class profile (HPCP, Gómez, "Tonal Description of Music Audio Signals", PhD thesis, UPF 2006):
 *    each peak, its magnitude compressed to the power 0.75 and counted only within 40 dB of the frame's strongest,
 *    adds to the pitch class of its own frequency and, with weight 0.6^(h-1), to those of f/2, f/3, f/4
 *    (the fundamentals it may be a harmonic of), with a cos² window around each semitone; each frame is normalised
 *    to its maximum and the frames are summed. A second HPCP of the bass register (40-200 Hz) follows the roots;
 * 4. both correlated with the 24 rotations of a major and a minor key profile for popular and electronic music
 *    (bgate, Faraldo et al. 2017; the bass with a quarter of the weight); the best sum wins,
 * 5. unless a close rival shares most of its notes (the relative key, the dominant, the subdominant) and its tonic is
 *    more present in the bass: the tonic cue (preferBassTonic);
 * 6. and a near tie with the parallel key is left to the third the bass plays: the third cue (preferBassThird).
 *
 * Tried on the tuning half only (274 songs, even seeds 2-548 of bench/corpus; 261 exact with steps 1-5, MIREX 0.968)
 * and not kept, because none gained more than step 6 without losing songs, or their gains held only at one setting:
 * - profiles that expect each note's partials (Gómez 2006, section on polyphonic profiles: every profile degree
 *   spread over partials 2-8, decaying 0.3-0.75 per partial or as 1/h^0.5-2, sent through this HPCP; blended 50 or
 *   100 % with bgate): 239-262 (the best setting gains 92, 396, 444 and loses 348, 544); profiles built from the
 *   tonic, subdominant and dominant triads, the same thesis: 209-259;
 * - removing expected partials from each frame's peaks before the HPCP (the peak at 3, 5, 6, 7 or 2-8 times a lower
 *   peak, reduced or dropped): 226-259. In a chord, real notes sit on the partials' pitches (G is 3x C, E is 5x C);
 * - step 6 with the main HPCP's thirds instead of the bass's (bands from 100 Hz to 2 kHz, all frames or those where
 *   the bass is on the tonic, with or without those partials removed, margins 0.01-0.1): 257-262, gaining seed 92 at
 *   best, and most settings that gain it lose another near tie (230, 276, 348 or 544): see step 6 for why;
 * - other profiles mixed in (Krumhansl-Kessler, EDMA or Temperley at 10-50 %): 253-261; bass weight 0.15 or 0.35:
 *   256, 259; frames weighted by level or by how peaked their chroma is: 249-258; subharmonics 3-8 with decay
 *   0.5-0.7: 258-261; the mean correlation of 4-18 s segments added to the whole song's: 259-263, swapping near ties
 *   (262-263 without a loss only when each segment estimated its own tuning, which does not change within a song).
 */

export interface KeyResult {
  /** 0 = C ... 11 = B. */
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
  /** Standard notation as DJs write it: "A Minor", "Eb Major", "F# Minor". */
  readonly name: string;
  /** Camelot wheel code: "8A" for A minor, "8B" for C major. */
  readonly camelot: string;
  /** Margin between the best and the second-best key's score (0..2; correlations, with the cues of steps 5 to 7). */
  readonly confidence: number;
}

export interface Profiles {
  readonly major: readonly number[];
  readonly minor: readonly number[];
}

/** Krumhansl and Kessler's probe-tone ratings (1982). */
export const KRUMHANSL: Profiles = {
  major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
  minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
};
/** Temperley (1999), from the Kostka-Payne harmony textbook's excerpts. */
export const TEMPERLEY: Profiles = {
  major: [5, 2, 3.5, 2, 4.5, 4, 2, 4.5, 2, 3.5, 1.5, 4],
  minor: [5, 2, 3.5, 4.5, 2, 4, 2, 4.5, 3.5, 2, 1.5, 4],
};
/**
 * Faraldo, Gómez, Jordà and Herrera, "Key Estimation in Electronic Dance Music", ECIR 2016 (LNCS 9626): the EDMA
 * profiles, averaged from the HPCP of electronic dance music with known keys.
 */
export const EDMA: Profiles = {
  major: [
    0.16519551, 0.04749026, 0.08293076, 0.06687112, 0.09994645, 0.09274123, 0.05294487, 0.13159476, 0.05218986,
    0.07443653, 0.06940723, 0.0642515,
  ],
  minor: [
    0.17235348, 0.05336489, 0.0761009, 0.10043649, 0.05621498, 0.08527853, 0.0497915, 0.13451001, 0.07458916,
    0.05003023, 0.09187879, 0.05545106,
  ],
};
/**
 * Faraldo, Jordà and Herrera, "A Multi-Profile Method for Key Estimation in EDM", AES Conference on Semantic Audio
 * 2017: the "bgate" profiles, from Beatport and GiantSteps tracks, with chromatic degrees set to zero.
 */
export const BGATE: Profiles = {
  major: [1, 0, 0.42, 0, 0.53, 0.37, 0, 0.77, 0, 0.38, 0.21, 0.3],
  minor: [1, 0, 0.36, 0.39, 0, 0.38, 0, 0.74, 0.27, 0, 0.42, 0.23],
};

/**
 * The profiles detectKey uses, chosen on the benchmark corpus's tuning half (bench/corpus, even seeds; with the
 * bands and weights here): bgate 94.4 % exact keys, Krumhansl-Kessler 92.4 %, EDMA 91.7 %, Temperley far behind
 * (it confuses relative keys). Checked again with the compressed peaks (CHROMA_DEFAULTS) on 274 even seeds (2-548),
 * offline on the same peaks: bgate 94.9 %, Krumhansl-Kessler 91.2 %, EDMA 89.8 %.
 */
export const KEY_PROFILES: Profiles = BGATE;

/**
 * How DJ software spells keys: sharps for F#/C#/G# minor and F# major, flats for Eb, Ab, Bb, Db major and Bb, Eb minor.
 */
const MAJOR_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MINOR_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'];

/** Camelot numbers by tonic pitch class (docs/legacy-bugs.md, "Key notation" table: the standard wheel). */
const CAMELOT_MAJOR = [8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1];
const CAMELOT_MINOR = [5, 12, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10];

export function keyName(tonic: number, mode: 'major' | 'minor'): string {
  return `${(mode === 'major' ? MAJOR_NAMES : MINOR_NAMES)[tonic]} ${mode === 'major' ? 'Major' : 'Minor'}`;
}

export function camelotOf(tonic: number, mode: 'major' | 'minor'): string {
  return `${(mode === 'major' ? CAMELOT_MAJOR : CAMELOT_MINOR)[tonic]}${mode === 'major' ? 'B' : 'A'}`;
}

export interface ChromaOptions {
  minHz: number;
  maxHz: number;
  /** Subharmonics each peak contributes to (1 = its own pitch only). */
  harmonics: number;
  /** Weight of the h-th subharmonic: decay^(h-1). */
  decay: number;
  /**
   * Peak level: magnitude raised to this power (1 magnitude, 2 energy, below 1 compressed). Compression keeps a few
   * loud notes (a bass held under a whole bar, a lead on one pitch) from outweighing the harmony, the reason chroma
   * toolboxes compress before they sum (Müller and Ewert, "Chroma Toolbox", ISMIR 2011: logarithmic compression).
   * On the corpus's tuning songs (274 even seeds, 2-548; bench/corpus), with a 60 dB floor: magnitude (1) 92.3 %
   * exact keys, 0.85 93.4 %, 0.75 and 0.65 94.5 %, energy (2) 85 % (first 144 songs). The detector as a whole:
   * 92.7 % before this setting and the floor below, 94.2 % with them.
   */
  exponent: number;
  /**
   * Peaks below the frame's strongest by more than this many dB are ignored: 40 dB keeps every note of a mix that
   * matters and drops reverb tails, MP3 artefacts and the cymbals' noise, which grow in weight once levels are
   * compressed (on the 274 tuning songs, exponent 0.75: 40 dB about 95 % exact keys, 60 dB 94.5 %).
   */
  floorDb: number;
  /** At most this many peaks per frame (the strongest). */
  maxPeaks: number;
  /** Estimate the tuning from the peaks (else A = 440 Hz). */
  tuning: boolean;
}

export const CHROMA_DEFAULTS: ChromaOptions = {
  minHz: 60,
  maxHz: 5000,
  harmonics: 4,
  decay: 0.6,
  exponent: 0.75,
  floorDb: 40,
  maxPeaks: 60,
  tuning: true,
};

const FRAME = 8192;
const HOP = 8192;

interface Peak {
  /** Frequency in Hz. */
  readonly hz: number;
  readonly magnitude: number;
}

/** The spectral peaks of each frame (frequency and magnitude refined by parabolic interpolation on dB). */
export function spectralPeaks(
  pcm: Float32Array,
  sampleRate: number,
  options: ChromaOptions = CHROMA_DEFAULTS,
): Peak[][] {
  const size = sampleRate > 30_000 ? 2 * FRAME : FRAME;
  const hop = sampleRate > 30_000 ? 2 * HOP : HOP;
  const fft = new Fft(size);
  const window = hann(size);
  const frame = new Float64Array(size);
  const power = new Float64Array(size / 2 + 1);
  const db = new Float64Array(size / 2 + 1);
  const binHz = sampleRate / size;
  const lo = Math.max(2, Math.floor(options.minHz / binHz) - 1);
  const hi = Math.min(size / 2 - 1, Math.ceil(options.maxHz / binHz) + 1);
  const frames: Peak[][] = [];
  for (let start = 0; start + size <= pcm.length; start += hop) {
    for (let i = 0; i < size; i += 1) frame[i] = pcm[start + i]! * window[i]!;
    fft.power(frame, power);
    let top = 0;
    for (let k = lo - 1; k <= hi + 1; k += 1) {
      db[k] = 10 * Math.log10(power[k]! + 1e-20);
      if (power[k]! > top) top = power[k]!;
    }
    if (top <= 1e-12) {
      frames.push([]);
      continue;
    }
    const floor = 10 * Math.log10(top) - options.floorDb;
    const peaks: Peak[] = [];
    for (let k = lo; k <= hi; k += 1) {
      const c = db[k]!;
      if (c < floor || c <= db[k - 1]! || c < db[k + 1]!) continue;
      const l = db[k - 1]!;
      const r = db[k + 1]!;
      const denominator = l - 2 * c + r;
      const offset = denominator < 0 ? (0.5 * (l - r)) / denominator : 0;
      const hz = (k + offset) * binHz;
      if (hz < options.minHz || hz > options.maxHz) continue;
      const peakDb = c - 0.25 * (l - r) * offset;
      peaks.push({ hz, magnitude: 10 ** (peakDb / 20) });
    }
    if (peaks.length > options.maxPeaks) peaks.sort((a, b) => b.magnitude - a.magnitude).length = options.maxPeaks;
    frames.push(peaks);
  }
  return frames;
}

/** The tuning as an offset from A = 440 Hz in semitones (-0.5 .. 0.5): the weighted circular mean of peak offsets. */
export function estimateTuning(frames: readonly Peak[][]): number {
  let x = 0;
  let y = 0;
  for (const peaks of frames) {
    for (const { hz, magnitude } of peaks) {
      const semitones = 12 * Math.log2(hz / 440);
      const angle = 2 * Math.PI * (semitones - Math.round(semitones));
      x += magnitude * Math.cos(angle);
      y += magnitude * Math.sin(angle);
    }
  }
  return x === 0 && y === 0 ? 0 : Math.atan2(y, x) / (2 * Math.PI);
}

/** One frame's HPCP (step 3) into `chroma`, normalised to its maximum; false when the frame has no pitch. */
function frameHpcp(
  peaks: readonly Peak[],
  tuning: number,
  options: ChromaOptions,
  weights: readonly number[],
  chroma: Float64Array,
): boolean {
  chroma.fill(0);
  for (const { hz, magnitude } of peaks) {
    const level = magnitude ** options.exponent;
    for (let h = 1; h <= options.harmonics; h += 1) {
      const f0 = hz / h;
      if (f0 < options.minHz) break;
      // Semitones above C, in the track's own tuning.
      const position = 12 * Math.log2(f0 / 440) + 9 - tuning;
      const nearest = Math.round(position);
      const weight = Math.cos(Math.PI * (position - nearest)) ** 2;
      chroma[((nearest % 12) + 12) % 12]! += level * weight * weights[h - 1]!;
    }
  }
  let top = 0;
  for (const v of chroma) top = Math.max(top, v);
  if (top <= 0) return false;
  for (let pc = 0; pc < 12; pc += 1) chroma[pc]! /= top;
  return true;
}

const subharmonicWeights = (options: ChromaOptions): number[] =>
  Array.from({ length: options.harmonics }, (_, h) => options.decay ** h);

/** The summed HPCP of the frames (12 pitch classes, 0 = C). */
export function hpcp(
  frames: readonly Peak[][],
  options: ChromaOptions = CHROMA_DEFAULTS,
  tuning: number = options.tuning ? estimateTuning(frames) : 0,
): Float64Array {
  const total = new Float64Array(12);
  const chroma = new Float64Array(12);
  const weights = subharmonicWeights(options);
  for (const peaks of frames) {
    if (!frameHpcp(peaks, tuning, options, weights, chroma)) continue;
    for (let pc = 0; pc < 12; pc += 1) total[pc]! += chroma[pc]!;
  }
  return total;
}

/** The main HPCP's band (see step 1) and the bass HPCP's. */
export const MAIN_BAND_HZ = [60, 5000] as const;
export const BASS_BAND_HZ = [40, 200] as const;
/** Weight of the bass HPCP's correlation next to the main one's (step 4). */
export const BASS_WEIGHT = 0.25;

function band(frames: readonly Peak[][], [lo, hi]: readonly [number, number]): Peak[][] {
  return frames.map((peaks) => peaks.filter((p) => p.hz >= lo && p.hz <= hi));
}

const MAIN_OPTIONS: ChromaOptions = { ...CHROMA_DEFAULTS, minHz: MAIN_BAND_HZ[0], maxHz: MAIN_BAND_HZ[1] };
const BASS_OPTIONS: ChromaOptions = { ...CHROMA_DEFAULTS, minHz: BASS_BAND_HZ[0], maxHz: BASS_BAND_HZ[1] };

/** The main and bass HPCPs of a mono signal (12 pitch classes, 0 = C), and the root of its final chord (step 7). */
export function chromagrams(
  pcm: Float32Array,
  sampleRate: number,
): { main: Float64Array; bass: Float64Array; finalRoot: number | undefined } {
  const frames = spectralPeaks(pcm, sampleRate, { ...CHROMA_DEFAULTS, minHz: BASS_BAND_HZ[0], maxHz: MAIN_BAND_HZ[1] });
  const hopSeconds = (sampleRate > 30_000 ? 2 * HOP : HOP) / sampleRate;
  const mainFrames = band(frames, MAIN_BAND_HZ);
  // One tuning estimate for the main HPCP and the final chord.
  const tuning = MAIN_OPTIONS.tuning ? estimateTuning(mainFrames) : 0;
  return {
    main: hpcp(mainFrames, MAIN_OPTIONS, tuning),
    bass: hpcp(band(frames, BASS_BAND_HZ), BASS_OPTIONS),
    finalRoot: finalChordRoot(frames, hopSeconds, tuning),
  };
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

export interface KeyScore {
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
  readonly score: number;
}

/** Scores every key against a chroma vector (Pearson correlation with the rotated profile); highest first. */
export function rankKeys(chroma: ArrayLike<number>, profiles: Profiles = KEY_PROFILES): KeyScore[] {
  const scores: KeyScore[] = [];
  const rotated = new Float64Array(12);
  for (const mode of ['major', 'minor'] as const) {
    const profile = profiles[mode];
    for (let tonic = 0; tonic < 12; tonic += 1) {
      for (let pc = 0; pc < 12; pc += 1) rotated[pc] = profile[(pc - tonic + 12) % 12]!;
      scores.push({ tonic, mode, score: correlation(chroma, rotated) });
    }
  }
  return scores.sort((x, y) => y.score - x.score);
}

/** Step 4: main and bass correlations combined, scaled back to a correlation (-1..1); highest first. */
export function rankKeysWithBass(
  main: ArrayLike<number>,
  bass: ArrayLike<number>,
  profiles: Profiles = KEY_PROFILES,
): KeyScore[] {
  const bassScores = new Map(rankKeys(bass, profiles).map((k) => [`${k.tonic}${k.mode}`, k.score]));
  return rankKeys(main, profiles)
    .map((k) => ({
      ...k,
      score: (k.score + BASS_WEIGHT * (bassScores.get(`${k.tonic}${k.mode}`) ?? 0)) / (1 + BASS_WEIGHT),
    }))
    .sort((x, y) => y.score - x.score);
}

/**
 * Step 5, the tonic cue. A key profile compares pitch-class totals, and a song that dwells on its relative major's
 * chords (i VI III VII in minor is vi IV I V of the relative major) or on its dominant has nearly the totals of that
 * other key; what still tells the tonic is where the music rests. The tonic tops the tonal hierarchy, heard most
 * often and longest (Krumhansl, "Cognitive Foundations of Musical Pitch", 1990, where the key profiles come from),
 * and in popular styles the bass dwells on it; Mauch and Dixon ("Simultaneous Estimation of Chords and Musical Context
 * From Audio", IEEE TASLP 18(6), 2010) give the bass its own chroma next to the key for that reason. So among the
 * best key and its rivals within TONIC_CUE_MARGIN that are its relative or a fifth away, each rival's score moves by
 * TONIC_CUE_WEIGHT times the difference between its tonic's and the best key's tonic's share of the bass HPCP; the
 * parallel key has the same tonic, so the cue cannot and does not decide between those two.
 * Chosen on the benchmark corpus's even seeds only (bench/corpus, 274 songs, seeds 2-548; see bench/RESULTS.md for the
 * held-out figures): exact keys 258 to 261 (94.2 % to 95.3 %), MIREX 0.961 to 0.968, no song lost; the same 261 for
 * every margin from 0.02 to 1 with weights 0.2-0.5 (0.1 gains two). Cost: none beyond a sort (the bass HPCP exists).
 * Tried and not kept: the bass note of each frame counted instead of the shares (263 at one setting, fewer next to
 * it), the bass below 130 Hz alone or without subharmonics (260 at best).
 */
export const TONIC_CUE_MARGIN = 0.05;
export const TONIC_CUE_WEIGHT = 0.3;

/** True when two keys share six of seven scale notes: relative major/minor, or the same mode a fifth apart. */
function closeRivals(a: KeyScore, b: KeyScore): boolean {
  if (a.mode !== b.mode) {
    const [major, minor] = a.mode === 'major' ? [a, b] : [b, a];
    return (major.tonic + 9) % 12 === minor.tonic;
  }
  const fifths = (b.tonic - a.tonic + 12) % 12;
  return fifths === 5 || fifths === 7;
}

/** Each pitch class's share of the bass HPCP, or undefined when the bass is silent. */
function bassShares(bass: ArrayLike<number>): ((pc: number) => number) | undefined {
  let total = 0;
  for (let pc = 0; pc < 12; pc += 1) total += bass[pc]!;
  return total > 0 ? (pc) => bass[pc]! / total : undefined;
}

/** Step 5: the ranking with the tonic cue applied to the best key's close rivals; highest first. */
export function preferBassTonic(ranked: readonly KeyScore[], bass: ArrayLike<number>): KeyScore[] {
  const best = ranked[0];
  const share = bassShares(bass);
  if (!best || !share) return [...ranked];
  return ranked
    .map((k) =>
      best.score - k.score <= TONIC_CUE_MARGIN && closeRivals(best, k)
        ? { ...k, score: k.score + TONIC_CUE_WEIGHT * (share(k.tonic) - share(best.tonic)) }
        : k,
    )
    .sort((x, y) => y.score - x.score);
}

/**
 * Step 6, the third cue: a tie between the best key and its parallel (C major and C minor) is left to the bass. The two
 * share the tonic, the second, the fourth and the fifth, and on rock songs the profiles often cannot tell them apart:
 * distorted power chords and leads add each root's 5th partial, a major third above it, so 7 of the 14 minor rock songs
 * among the benchmark corpus's even seeds have more major than minor third in the main HPCP. The bass register lies
 * below those partials, and its line reaches the key's own third (in minor the root of III, the relative major's
 * chord). So when the parallel key is within THIRD_CUE_MARGIN of the best, its score moves by TONIC_CUE_WEIGHT times
 * the difference between its third's and the best key's third's share of the bass HPCP.
 * Only for ties, because the cue is weaker than the profiles: on the corpus's even seeds (274 songs, 2-548) the bass
 * has more of the true mode's third than of the other in 214 songs (78 %), and in 4 of the 12 songs whose two modes are
 * 0.02-0.1 apart, but in all 5 whose modes are within 0.012 (seeds 92, 230, 276, 348, 544). Chosen there: exact keys
 * 261 to 262 (seed 92, a rock song in A minor read as A major by 0.002), MIREX 0.968 to 0.970, no song lost, the same
 * for every margin from 0.005 to 0.02 and weights 0.1-2; with this weight, margins of 0.03 and more lose seed 212.
 * Cost: none (the bass HPCP exists).
 */
export const THIRD_CUE_MARGIN = 0.02;

/** Step 6: the ranking with the third cue applied to the best key's parallel key; highest first. */
export function preferBassThird(ranked: readonly KeyScore[], bass: ArrayLike<number>): KeyScore[] {
  const best = ranked[0];
  const share = bassShares(bass);
  if (!best || !share) return [...ranked];
  const third = (k: KeyScore): number => (k.tonic + (k.mode === 'minor' ? 3 : 4)) % 12;
  return ranked
    .map((k) =>
      k.tonic === best.tonic && k.mode !== best.mode && best.score - k.score <= THIRD_CUE_MARGIN
        ? { ...k, score: k.score + TONIC_CUE_WEIGHT * (share(third(k)) - share(third(best))) }
        : k,
    )
    .sort((x, y) => y.score - x.score);
}

/**
 * Step 7, the final chord: a song ends on its tonic chord far more often than on any other (the authentic and plagal
 * cadences, V-I and IV-I, close a piece: Temperley, "The Cognition of Basic Musical Structures", MIT Press 2001,
 * chapter 7; Papadopoulos and Peeters, "Local Key Estimation From an Audio Signal Relying on Harmonic and Metrical
 * Structures", IEEE TASLP 20(4), 2012, weigh chords by their function in the key for that reason), while the relative
 * key and the keys a fifth away share most chords with it, so the profiles' totals barely tell them apart. Only the
 * chord's root is used: it tells those rivals apart, and distorted guitars' 5th partials make the third unreliable
 * (step 6), so the cue never decides between parallel keys.
 * The end: the last frame within FINAL_CHORD_GATE_DB of the median frame's level, followed by at least
 * FINAL_CHORD_TAIL_SECONDS below it (the release or silence after the last chord). A clip cut from the middle of a
 * track (analysisWindow) ends loud and gets no final chord. The chord: that frame and its neighbours (about 1.1 s)
 * summed, matched with the 24 major and minor triads as the share of the HPCP on the triad's notes plus
 * FINAL_CHORD_BASS_WEIGHT times the bass HPCP's share on its root (bass-aware, as Mauch and Dixon 2010 above).
 * Chosen on the benchmark corpus's even seeds only (bench/corpus, 274 songs, seeds 2-548): exact keys 262 to 269
 * (95.6 % to 98.2 %), MIREX 0.970 to 0.986, no song lost (gains 30, 52, 330, 426: relative; 110, 396, 444: fifths).
 * Every setting tried lost none: margins 0.02-0.1 with weights 0.05-0.4 (265 at 0.02, 268 at 0.04, 268-269 above),
 * gates 6-15 dB, one to seven frames summed, bass weights 0-1 (0 with seven frames loses one).
 * Tried and not kept (same songs): each key's share of tonic chords over the whole song, 258-262 and losing 1-7;
 * the share of V-I and IV-I motions among chord changes, 258-263 and losing 1-5; the first chord, 251-260; the final
 * chord with its quality (major or minor) instead of its root, 263-266 but losing seed 230 (a rock song in F# minor
 * ending on a distorted F# chord read as major), and more at larger margins.
 * Cost: the levels of the frames and the HPCP of three of them, next to the rest of detectKey.
 */
export const FINAL_CHORD_GATE_DB = 10;
export const FINAL_CHORD_TAIL_SECONDS = 2;
export const FINAL_CHORD_BASS_WEIGHT = 0.3;
export const FINAL_CUE_MARGIN = 0.06;
export const FINAL_CUE_WEIGHT = 0.2;

/** The semitones of the 24 triads above their root: major roots 0-11, then minor. */
const TRIADS = [4, 3].flatMap((third) =>
  Array.from({ length: 12 }, (_, root) => ({ root, notes: [root, (root + third) % 12, (root + 7) % 12] })),
);

/** Step 7: the root of the chord the signal ends on (0 = C), or undefined when it does not end (see above). */
export function finalChordRoot(frames: readonly Peak[][], hopSeconds: number, tuning: number): number | undefined {
  const levels = frames.map((peaks) => peaks.reduce((sum, p) => sum + p.magnitude ** 2, 0));
  if (levels.length === 0) return undefined;
  const median = [...levels].sort((a, b) => a - b)[Math.floor(levels.length / 2)]!;
  if (median <= 0) return undefined;
  const gate = median * 10 ** (-FINAL_CHORD_GATE_DB / 10);
  let last = levels.length - 1;
  while (last >= 0 && levels[last]! < gate) last -= 1;
  if (last < 0 || (levels.length - 1 - last) * hopSeconds < FINAL_CHORD_TAIL_SECONDS) return undefined;
  const around = frames.slice(Math.max(0, last - 1), last + 2);
  // The whole signal's tuning, as the main HPCP uses.
  const main = hpcp(band(around, MAIN_BAND_HZ), MAIN_OPTIONS, tuning);
  const bass = hpcp(band(around, BASS_BAND_HZ), BASS_OPTIONS, tuning);
  const mainTotal = main.reduce((a, b) => a + b, 0);
  const bassTotal = bass.reduce((a, b) => a + b, 0);
  if (mainTotal <= 0) return undefined;
  let root: number | undefined;
  let bestFit = -Infinity;
  for (const { root: r, notes } of TRIADS) {
    let fit = notes.reduce((a, pc) => a + main[pc]!, 0) / mainTotal;
    if (bassTotal > 0) fit += (FINAL_CHORD_BASS_WEIGHT * bass[r]!) / bassTotal;
    if (fit > bestFit) {
      bestFit = fit;
      root = r;
    }
  }
  return root;
}

/** Step 7: the ranking with the final-chord cue applied to the best key's close rivals; highest first. */
export function preferFinalChord(ranked: readonly KeyScore[], finalRoot: number | undefined): KeyScore[] {
  const best = ranked[0];
  if (!best || finalRoot === undefined) return [...ranked];
  const ends = (k: KeyScore): number => (k.tonic === finalRoot ? 1 : 0);
  return ranked
    .map((k) =>
      best.score - k.score <= FINAL_CUE_MARGIN && closeRivals(best, k)
        ? { ...k, score: k.score + FINAL_CUE_WEIGHT * (ends(k) - ends(best)) }
        : k,
    )
    .sort((x, y) => y.score - x.score);
}

/** The key of a mono signal, or undefined for silence. */
export function detectKey(pcm: Float32Array, sampleRate: number): KeyResult | undefined {
  const { main, bass, finalRoot } = chromagrams(pcm, sampleRate);
  if (main.every((v) => v === 0)) return undefined;
  const ranked = preferBassThird(preferBassTonic(rankKeysWithBass(main, bass), bass), bass);
  const [best, second] = preferFinalChord(ranked, finalRoot);
  return {
    tonic: best!.tonic,
    mode: best!.mode,
    name: keyName(best!.tonic, best!.mode),
    camelot: camelotOf(best!.tonic, best!.mode),
    confidence: Math.round((best!.score - second!.score) * 1000) / 1000,
  };
}
