import { mulberry32 } from '../../src/media/synth.js';
import { TICKS_PER_QUARTER, type MidiNote, type MidiTrack } from './midi.js';

/**
 * Arrangements for the realistic benchmark corpus: multi-part songs in ten styles, written as MIDI and rendered with
 * sampled instruments (render.ts). Everything follows from a seed, so a corpus can be rebuilt bit for bit and any
 * track replayed.
 *
 * What makes them harder than src/media/synth.ts's clips, on purpose (the error patterns of issue 16):
 * - sampled instruments, with their real harmonics (a note's 3rd harmonic is an octave and a fifth above it);
 * - progressions that often start away from the tonic (vi IV I V, VI VII i), borrowed chords (bVII, iv and bVI in
 *   major, IV and V in minor), sevenths in jazzier styles, power chords in rock;
 * - a lead melody, a bass line, comping and pads, each in its own register;
 * - genre drum patterns on channel 10: a backbeat (snare on 2 and 4) under slow ballads, fast rock with the kick on 1
 *   and 3, four-on-the-floor house, bossa and salsa without a snare backbeat, swung hip-hop, busy funk;
 * - some tracks start with a beatless intro; some are detuned by up to ±40 cents.
 * The key is established the way songs do it: the tonic chord is in every song, melodies end phrases on chord tones
 * and the song on the tonic, and the last bars cadence to the tonic.
 */

export const STYLES = ['ballad', 'pop', 'rock', 'house', 'techno', 'hiphop', 'bossa', 'salsa', 'funk', 'dnb'] as const;
export type Style = (typeof STYLES)[number];
export type Mode = 'major' | 'minor';

export interface SongSpec {
  readonly seed: number;
  readonly style: Style;
  /** Pitch class of the tonic, 0 = C. */
  readonly tonic: number;
  readonly mode: Mode;
  /** Quarter notes per minute: the tempo a DJ counts. */
  readonly bpm: number;
  /** Every pitched part bent by this much (0 for most songs). */
  readonly detuneCents: number;
  /** MP3 bitrate of the mastered file. */
  readonly bitrateKbps: number;
  /** The verse's and the chorus's loops, as Roman numerals; drawn from the seed when absent. */
  readonly progressions?: readonly [verse: string, chorus: string];
}

export interface Song {
  readonly spec: SongSpec;
  readonly tracks: readonly MidiTrack[];
  /** The progressions used, as Roman numerals (for the corpus notes). */
  readonly progressions: readonly string[];
  readonly seconds: number;
}

/** Tempo range per style, in BPM. */
export const STYLE_TEMPOS: Record<Style, readonly [number, number]> = {
  ballad: [70, 86],
  pop: [95, 128],
  rock: [100, 168],
  house: [118, 128],
  techno: [124, 138],
  hiphop: [82, 100],
  bossa: [128, 168],
  salsa: [150, 180],
  funk: [96, 118],
  dnb: [168, 178],
};

/**
 * The song for a seed. Seeds pair up: 2j+1 and 2j+2 share key j mod 24 and style, so the two halves of the corpus
 * (odd and even seeds) each hold every key in every block of 48 seeds, and every style.
 */
export function songSpec(seed: number): SongSpec {
  if (!Number.isInteger(seed) || seed < 1) throw new RangeError(`corpus seeds are whole numbers from 1, got ${seed}`);
  const j = Math.floor((seed - 1) / 2);
  const key = j % 24;
  const style = STYLES[(j + 7 * Math.floor(j / 24)) % STYLES.length]!;
  const random = mulberry32(seed * 7919 + 17);
  const [lo, hi] = STYLE_TEMPOS[style];
  const raw = lo + random() * (hi - lo);
  // Most releases sit on a whole BPM; some (live drummers, old records) do not.
  const bpm = random() < 0.7 ? Math.round(raw) : Math.round(raw * 10) / 10;
  const detuneCents = random() < 0.35 ? Math.round((random() < 0.5 ? -1 : 1) * (8 + random() * 32)) : 0;
  const bitrateKbps = [128, 192, 256, 320][Math.floor(random() * 4)]!;
  return { seed, style, tonic: key % 12, mode: key < 12 ? 'major' : 'minor', bpm, detuneCents, bitrateKbps };
}

// ---------------------------------------------------------------------------------------------------------------
// Harmony

type Quality = 'maj' | 'min' | 'dim' | 'dom7' | 'maj7' | 'min7';

interface Chord {
  /** Semitones above the tonic. */
  readonly root: number;
  readonly quality: Quality;
}

const INTERVALS: Record<Quality, readonly number[]> = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  dim: [0, 3, 6],
  dom7: [0, 4, 7, 10],
  maj7: [0, 4, 7, 11],
  min7: [0, 3, 7, 10],
};

const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11];
const MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10];

/**
 * Loops by mode. About half start away from the tonic; several borrow from the parallel mode (modal mixture).
 * Every loop contains the tonic chord.
 */
const PROGRESSIONS: Record<Mode, readonly string[]> = {
  major: [
    'I V vi IV',
    'vi IV I V',
    'IV I V vi',
    'I vi IV V',
    'ii V I vi',
    'IV V I vi',
    'I bVII IV I',
    'I iv I V',
    'I bVI bVII I',
    'vi ii V I',
    'IV I ii V',
    'I IV vi V',
    'iii vi IV I',
    'IV iv I V',
  ],
  minor: [
    'i VI III VII',
    'i iv v i',
    'i iv V i',
    'VI VII i i',
    'i VII VI V',
    'i IV i VII',
    'iv i V i',
    'VI iv i V',
    'i v VI iv',
    'ii° V i i',
    'VI III VII i',
    'iv VII i i',
    'i VI iv V',
    'III VI iv i',
  ],
};

/**
 * Minor loops whose chords are exactly those of a major-key loop on the relative major (i VI III VII is vi IV I V):
 * only the melody, the other section and the cadence tell them apart, so a song never uses two of them.
 */
const RELATIVE_AMBIGUOUS = new Set([
  'i VI III VII',
  'VI III VII i',
  'III VI iv i',
  'i v VI iv',
  'VI VII i i',
  'iv VII i i',
]);

/** Cadences closing the song on the tonic: the last two bars. */
const CADENCES: Record<Mode, readonly string[]> = {
  major: ['V I', 'IV I', 'bVII I', 'ii V'],
  minor: ['V i', 'iv i', 'VII i', 'VI V'],
};

function parseNumeral(numeral: string, mode: Mode): Chord {
  const match = numeral.match(/^(b|#)?(i{1,3}|iv|vi{0,2}|I{1,3}|IV|VI{0,2})(°)?$/);
  if (!match) throw new Error(`bad numeral ${numeral}`);
  const [, accidental, roman, dim] = match;
  const degree = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii'].indexOf(roman!.toLowerCase());
  const scale = mode === 'major' ? MAJOR_SCALE : MINOR_SCALE;
  const root = (scale[degree]! + (accidental === 'b' ? -1 : accidental === '#' ? 1 : 0) + 12) % 12;
  const upper = roman === roman!.toUpperCase();
  return { root, quality: dim ? 'dim' : upper ? 'maj' : 'min' };
}

function parseProgression(text: string, mode: Mode): Chord[] {
  return text.split(' ').map((n) => parseNumeral(n, mode));
}

/** Jazz-leaning styles colour triads as sevenths; rock guitars play power chords (other parts keep the triad). */
function colour(chord: Chord, style: Style, mode: Mode): Chord {
  if (!['bossa', 'funk', 'hiphop', 'salsa'].includes(style)) return chord;
  if (chord.quality === 'min') return { ...chord, quality: 'min7' };
  if (chord.quality !== 'maj') return chord;
  const dominant = chord.root === 7 || (mode === 'minor' && chord.root === 10);
  return { ...chord, quality: dominant || style === 'funk' ? 'dom7' : 'maj7' };
}

// ---------------------------------------------------------------------------------------------------------------
// Instruments (General MIDI programs, 0-based) and patterns

interface StyleParts {
  readonly chords: readonly number[];
  readonly pad: readonly number[];
  readonly bass: readonly number[];
  readonly lead: readonly number[];
}

const PARTS: Record<Style, StyleParts> = {
  ballad: { chords: [0, 4, 24], pad: [48, 49, 89], bass: [32, 33, 35], lead: [73, 53, 65, 40, 71] },
  pop: { chords: [0, 4, 25], pad: [50, 89, 48], bass: [33, 38, 34], lead: [80, 54, 81, 56, 26] },
  rock: { chords: [29, 30], pad: [16, 18, 0], bass: [34, 33], lead: [30, 29, 81] },
  house: { chords: [0, 17, 4], pad: [88, 89, 91], bass: [38, 39], lead: [81, 80, 87] },
  techno: { chords: [81, 17], pad: [95, 90, 89], bass: [38, 39], lead: [81, 84, 80] },
  hiphop: { chords: [4, 5, 0], pad: [48, 49], bass: [33, 38, 32], lead: [11, 73, 0, 65] },
  bossa: { chords: [24], pad: [48, 49], bass: [32, 33], lead: [73, 66, 65, 11] },
  salsa: { chords: [0, 1], pad: [61, 48], bass: [32, 33], lead: [56, 61, 65] },
  funk: { chords: [7, 28], pad: [16, 61], bass: [36, 37, 33], lead: [56, 65, 80] },
  dnb: { chords: [4, 0], pad: [89, 91, 95], bass: [38, 87], lead: [81, 0, 88] },
};

/** Drum kits (General MIDI level 2 / GS kit numbers, all in FluidR3_GM): 0 standard, 8 room, 16 power, 24 electronic,
 * 25 TR-808, 32 jazz, 40 brush. */
const DRUM_KITS: Record<Style, readonly number[]> = {
  ballad: [0, 8, 40],
  pop: [0, 8, 24],
  rock: [0, 8, 16],
  house: [24, 25, 0],
  techno: [24, 25],
  hiphop: [25, 0, 8],
  bossa: [40, 32, 0],
  salsa: [0, 8],
  funk: [0, 8, 16],
  dnb: [24, 0, 16],
};

// General MIDI percussion keys (channel 10).
const KICK = 36;
const SNARE = 38;
const SIDE_STICK = 37;
const CLAP = 39;
const CLOSED_HAT = 42;
const OPEN_HAT = 46;
const CRASH = 49;
const RIDE = 51;
const TAMBOURINE = 54;
const COWBELL = 56;
const HIGH_TIMBALE = 65;
const MUTE_CONGA = 62;
const OPEN_CONGA = 63;
const LOW_CONGA = 64;
const MARACAS = 70;
const CLAVES = 75;
const LOW_TOM = 45;
const HIGH_TOM = 50;

/** One drum hit on the 16-step grid of a bar. */
type Hit = readonly [key: number, step: number, velocity: number];

/**
 * Drum hits for one bar. `fill` is the last bar of a phrase; `busyHats` plays the hats in sixteenths (accented on the
 * eighths), as R&B ballads, modern hip-hop and pop often do.
 */
function drumBar(
  style: Style,
  bar: number,
  fill: boolean,
  random: () => number,
  variant: number,
  busyHats: boolean,
): Hit[] {
  const hits: Hit[] = [];
  const add = (key: number, steps: readonly number[], velocity: number): void => {
    for (const step of steps) hits.push([key, step, velocity]);
  };
  const eighths = [0, 2, 4, 6, 8, 10, 12, 14];
  const sixteenths = Array.from({ length: 16 }, (_, i) => i);
  const hats = (key: number, velocity: number): void => {
    add(key, eighths, velocity);
    if (busyHats)
      add(
        key,
        eighths.map((s) => s + 1),
        Math.round(velocity * 0.7),
      );
  };
  switch (style) {
    case 'ballad':
      add(KICK, variant % 2 ? [0, 10] : [0, 8], 92);
      add(variant % 3 === 2 ? SIDE_STICK : SNARE, [4, 12], 88);
      hats(variant % 2 ? RIDE : CLOSED_HAT, 52);
      break;
    case 'pop':
      add(
        KICK,
        [
          [0, 8],
          [0, 6, 8],
          [0, 8, 10],
        ][variant % 3]!,
        100,
      );
      add(variant % 2 ? CLAP : SNARE, [4, 12], 98);
      hats(CLOSED_HAT, 62);
      if (variant % 4 === 3) add(TAMBOURINE, [4, 12], 60);
      break;
    case 'rock':
      add(KICK, variant % 2 ? [0, 8, 10] : [0, 8], 108);
      add(SNARE, [4, 12], 110);
      if (variant % 3 === 2) add(CLOSED_HAT, [0, 4, 8, 12], 72);
      else hats(variant % 3 === 1 ? RIDE : CLOSED_HAT, 72);
      break;
    case 'house':
      add(KICK, [0, 4, 8, 12], 112);
      add(CLAP, [4, 12], 90);
      add(OPEN_HAT, [2, 6, 10, 14], 70);
      if (variant % 2)
        add(
          CLOSED_HAT,
          sixteenths.filter((s) => s % 4 !== 2),
          45,
        );
      break;
    case 'techno':
      add(KICK, [0, 4, 8, 12], 118);
      add(variant % 2 ? CLOSED_HAT : OPEN_HAT, [2, 6, 10, 14], 72);
      add(CLOSED_HAT, sixteenths, 38);
      if (variant % 3 === 0) add(CLAP, [4, 12], 80);
      break;
    case 'hiphop':
      add(KICK, variant % 2 ? [0, 7, 10] : [0, 3, 10], 110);
      add(SNARE, [4, 12], 105);
      hats(CLOSED_HAT, 60);
      break;
    case 'bossa':
      // The bass drum's dotted pulse, side-stick on the two-bar bossa clave, shaker or hats on the eighths.
      add(KICK, [0, 6, 8, 14], 78);
      add(SIDE_STICK, bar % 2 === 0 ? [0, 6, 12] : [4, 10], 80);
      add(variant % 2 ? MARACAS : CLOSED_HAT, eighths, 50);
      break;
    case 'salsa':
      // Son clave 3-2, cowbell on the beat, conga tumbao (open tones on 4 and its 'and'), guiro-like maracas.
      add(CLAVES, bar % 2 === 0 ? [0, 6, 12] : [4, 8], 82);
      add(COWBELL, [0, 4, 8, 12], 78);
      add(MUTE_CONGA, [0, 4, 8], 62);
      add(OPEN_CONGA, [12, 14], 88);
      add(LOW_CONGA, [6], 70);
      add(MARACAS, sixteenths, 42);
      if (variant % 2) add(HIGH_TIMBALE, [2, 10], 55);
      break;
    case 'funk':
      add(KICK, variant % 2 ? [0, 3, 10] : [0, 6, 10, 11], 108);
      add(SNARE, [4, 12], 108);
      add(SNARE, [7, 9, 15], 34); // ghost notes
      add(CLOSED_HAT, sixteenths, 55);
      break;
    case 'dnb':
      add(KICK, variant % 2 ? [0, 10] : [0, 6, 10], 115);
      add(SNARE, [4, 12], 115);
      hats(CLOSED_HAT, 64);
      if (variant % 3 === 0) add(SNARE, [7, 14], 40);
      break;
  }
  if (fill) {
    // A short fill over the last beat: toms or snare sixteenths, a little louder towards the next bar.
    const last = hits.filter(([, step]) => step < 12);
    hits.length = 0;
    hits.push(...last);
    const toms =
      style === 'salsa'
        ? [HIGH_TIMBALE, HIGH_TIMBALE, LOW_TOM, LOW_TOM]
        : random() < 0.5
          ? [SNARE, SNARE, HIGH_TOM, LOW_TOM]
          : [HIGH_TOM, HIGH_TOM, LOW_TOM, LOW_TOM];
    toms.forEach((key, i) => hits.push([key, 12 + i, 80 + i * 8]));
  }
  return hits;
}

/** Bass rhythm per style: [step, length in steps, chord tone: 0 root, 1 fifth, 2 octave, 3 next bar's root]. */
const BASS_PATTERNS: Record<Style, ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>> = {
  ballad: [
    [
      [0, 8, 0],
      [8, 8, 1],
    ],
    [
      [0, 12, 0],
      [12, 4, 1],
    ],
  ],
  pop: [
    [
      [0, 2, 0],
      [2, 2, 0],
      [4, 2, 0],
      [6, 2, 0],
      [8, 2, 0],
      [10, 2, 0],
      [12, 2, 0],
      [14, 2, 0],
    ],
    [
      [0, 6, 0],
      [6, 2, 0],
      [8, 6, 1],
      [14, 2, 0],
    ],
  ],
  // Eighths, quarters, or locked to the kick on 1 and 3 (then the low band pulses at half the tempo).
  rock: [
    [
      [0, 2, 0],
      [2, 2, 0],
      [4, 2, 0],
      [6, 2, 0],
      [8, 2, 0],
      [10, 2, 0],
      [12, 2, 0],
      [14, 2, 0],
    ],
    [
      [0, 4, 0],
      [4, 4, 0],
      [8, 4, 0],
      [12, 4, 2],
    ],
    [
      [0, 7, 0],
      [8, 7, 0],
    ],
    [
      [0, 7, 0],
      [8, 2, 0],
      [10, 5, 1],
    ],
  ],
  house: [
    [
      [2, 2, 0],
      [6, 2, 0],
      [10, 2, 0],
      [14, 2, 2],
    ],
    [
      [2, 1, 0],
      [3, 1, 2],
      [6, 1, 0],
      [10, 1, 0],
      [11, 1, 2],
      [14, 1, 0],
    ],
  ],
  techno: [
    [
      [2, 1, 0],
      [3, 1, 0],
      [6, 1, 0],
      [7, 1, 0],
      [10, 1, 0],
      [11, 1, 0],
      [14, 1, 0],
      [15, 1, 0],
    ],
    [
      [2, 2, 0],
      [6, 2, 0],
      [10, 2, 0],
      [14, 2, 0],
    ],
  ],
  hiphop: [
    [
      [0, 6, 0],
      [7, 2, 0],
      [10, 4, 1],
    ],
    [
      [0, 3, 0],
      [3, 3, 2],
      [10, 6, 0],
    ],
  ],
  bossa: [
    [
      [0, 6, 0],
      [6, 2, 1],
      [8, 6, 1],
      [14, 2, 0],
    ],
  ],
  salsa: [
    [
      [6, 6, 1],
      [12, 4, 3],
    ],
  ],
  funk: [
    [
      [0, 2, 0],
      [3, 1, 2],
      [6, 1, 0],
      [7, 1, 0],
      [10, 2, 1],
      [13, 1, 2],
      [14, 2, 0],
    ],
    [
      [0, 1, 0],
      [2, 1, 2],
      [4, 1, 0],
      [7, 2, 0],
      [10, 1, 1],
      [11, 1, 0],
      [14, 1, 2],
    ],
  ],
  dnb: [
    [
      [0, 10, 0],
      [10, 6, 0],
    ],
    [
      [0, 14, 0],
      [14, 2, 1],
    ],
  ],
};

/**
 * Chord comping rhythms per style: [step, length in steps]; 'arp' breaks the chord into eighths, 'arp16' sixteenths.
 */
const COMP_PATTERNS: Record<Style, ReadonlyArray<ReadonlyArray<readonly [number, number]> | 'arp' | 'arp16'>> = {
  ballad: [
    'arp',
    'arp16',
    [
      [0, 8],
      [8, 8],
    ],
    [[0, 16]],
  ],
  pop: [
    [
      [0, 3],
      [4, 3],
      [8, 3],
      [12, 3],
    ],
    [
      [0, 6],
      [6, 6],
      [12, 4],
    ],
    'arp',
    'arp16',
  ],
  rock: [
    [
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 2],
      [8, 2],
      [10, 2],
      [12, 2],
      [14, 2],
    ],
    [
      [0, 6],
      [6, 6],
      [12, 4],
    ],
  ],
  house: [
    [
      [2, 1],
      [6, 1],
      [10, 1],
      [14, 1],
    ],
    [
      [0, 2],
      [3, 2],
      [6, 2],
      [10, 2],
      [12, 2],
    ],
  ],
  techno: [
    [
      [0, 1],
      [3, 1],
      [6, 1],
      [10, 1],
    ],
    [
      [2, 1],
      [10, 1],
    ],
  ],
  hiphop: [
    [
      [0, 7],
      [8, 7],
    ],
    [
      [0, 3],
      [3, 5],
      [10, 6],
    ],
  ],
  bossa: [
    [
      [0, 2],
      [3, 2],
      [6, 2],
      [10, 2],
      [12, 2],
    ],
    [
      [0, 3],
      [4, 2],
      [7, 2],
      [10, 3],
      [14, 2],
    ],
  ],
  salsa: [
    'arp',
    [
      [0, 1],
      [2, 1],
      [3, 1],
      [5, 1],
      [6, 1],
      [8, 1],
      [10, 1],
      [11, 1],
      [13, 1],
      [14, 1],
    ],
  ],
  funk: [
    [
      [0, 1],
      [2, 1],
      [3, 1],
      [6, 1],
      [8, 1],
      [10, 1],
      [11, 1],
      [14, 1],
    ],
    [
      [1, 1],
      [4, 1],
      [6, 1],
      [9, 1],
      [12, 1],
      [14, 1],
    ],
  ],
  dnb: [
    [[0, 16]],
    [
      [0, 6],
      [6, 10],
    ],
  ],
};

/** Lead rhythms over two bars (32 steps): [step, length]. */
const LEAD_RHYTHMS: Record<Style, ReadonlyArray<ReadonlyArray<readonly [number, number]>>> = {
  ballad: [
    [
      [0, 6],
      [6, 2],
      [8, 8],
      [16, 4],
      [20, 4],
      [24, 8],
    ],
    [
      [0, 4],
      [4, 4],
      [8, 12],
      [20, 4],
      [24, 8],
    ],
  ],
  pop: [
    [
      [0, 2],
      [2, 2],
      [4, 4],
      [8, 2],
      [10, 2],
      [12, 4],
      [16, 2],
      [18, 2],
      [20, 4],
      [24, 8],
    ],
    [
      [2, 2],
      [4, 2],
      [6, 4],
      [12, 4],
      [18, 2],
      [20, 2],
      [22, 4],
      [26, 6],
    ],
  ],
  rock: [
    [
      [0, 4],
      [4, 4],
      [8, 2],
      [10, 2],
      [12, 4],
      [16, 4],
      [20, 4],
      [24, 8],
    ],
    [
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 6],
      [16, 2],
      [18, 2],
      [20, 2],
      [22, 10],
    ],
  ],
  house: [
    [
      [2, 2],
      [6, 2],
      [10, 2],
      [12, 2],
      [18, 2],
      [22, 2],
      [26, 4],
    ],
    [
      [0, 3],
      [3, 3],
      [6, 2],
      [16, 3],
      [19, 3],
      [22, 6],
    ],
  ],
  techno: [
    [
      [0, 1],
      [2, 1],
      [3, 1],
      [6, 1],
      [8, 1],
      [10, 1],
      [11, 1],
      [14, 1],
      [16, 1],
      [18, 1],
      [19, 1],
      [22, 1],
      [24, 1],
      [26, 1],
      [27, 1],
      [30, 1],
    ],
  ],
  hiphop: [
    [
      [0, 4],
      [6, 2],
      [8, 6],
      [16, 4],
      [22, 2],
      [24, 8],
    ],
    [
      [4, 2],
      [6, 2],
      [8, 8],
      [20, 2],
      [22, 2],
      [24, 8],
    ],
  ],
  bossa: [
    [
      [0, 4],
      [4, 2],
      [6, 6],
      [12, 4],
      [16, 4],
      [20, 2],
      [22, 10],
    ],
    [
      [2, 2],
      [4, 4],
      [8, 4],
      [12, 4],
      [18, 2],
      [20, 4],
      [24, 8],
    ],
  ],
  salsa: [
    [
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 4],
      [12, 2],
      [14, 2],
      [16, 2],
      [18, 2],
      [20, 4],
      [26, 6],
    ],
    [
      [2, 2],
      [6, 2],
      [8, 4],
      [14, 2],
      [18, 2],
      [22, 2],
      [24, 8],
    ],
  ],
  funk: [
    [
      [0, 1],
      [2, 1],
      [3, 2],
      [6, 2],
      [10, 1],
      [11, 1],
      [12, 2],
      [16, 1],
      [18, 1],
      [19, 2],
      [22, 2],
      [26, 4],
    ],
  ],
  dnb: [
    [
      [0, 8],
      [8, 8],
      [16, 12],
      [28, 4],
    ],
    [
      [0, 12],
      [12, 4],
      [16, 16],
    ],
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// The arrangement

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** The scale the melody uses over a chord: the key's scale, with chord tones replacing clashing neighbours. */
function chordScale(chord: Chord, mode: Mode): number[] {
  const scale = new Set(mode === 'major' ? MAJOR_SCALE : MINOR_SCALE);
  for (const interval of INTERVALS[chord.quality]) {
    const tone = (chord.root + interval) % 12;
    if (scale.has(tone)) continue;
    scale.delete((tone + 1) % 12);
    scale.delete((tone + 11) % 12);
    scale.add(tone);
  }
  return [...scale].sort((a, b) => a - b);
}

/** The nearest pitch at or around `near` whose pitch class is in `classes` (relative to `tonic`). */
function nearest(near: number, tonic: number, classes: readonly number[], lo: number, hi: number): number {
  let best = near;
  let bestDistance = Infinity;
  for (let p = lo; p <= hi; p += 1) {
    if (!classes.includes((((p - tonic) % 12) + 12) % 12)) continue;
    const d = Math.abs(p - near);
    if (d < bestDistance) {
      best = p;
      bestDistance = d;
    }
  }
  return best;
}

/** A closed voicing of the chord near `centre`, moving as little as possible from the previous one. */
function voice(chord: Chord, tonic: number, centre: number): number[] {
  const root = tonic + chord.root;
  const intervals = INTERVALS[chord.quality];
  let bestNotes: number[] = [];
  let bestCost = Infinity;
  for (let inversion = 0; inversion < intervals.length; inversion += 1) {
    for (let octave = 3; octave <= 6; octave += 1) {
      const notes = intervals.map((iv, i) => 12 * octave + root + iv + (i < inversion ? 12 : 0));
      const mean = notes.reduce((a, b) => a + b, 0) / notes.length;
      if (Math.abs(mean - centre) < bestCost) {
        bestCost = Math.abs(mean - centre);
        bestNotes = notes;
      }
    }
  }
  return bestNotes;
}

const STEP_TICKS = TICKS_PER_QUARTER / 4;

/** The whole song for a spec: sections of the two loops, an optional beatless intro, and a cadence. */
export function arrange(spec: SongSpec): Song {
  const random = mulberry32(spec.seed * 104_729 + 3);
  const { style, mode, tonic } = spec;
  const barSeconds = (4 * 60) / spec.bpm;
  // About 45 s of music: whole 4-bar phrases.
  const phrases = Math.max(3, Math.round(45 / barSeconds / 4));
  const verseText = spec.progressions?.[0] ?? pick(random, PROGRESSIONS[mode]);
  let chorusText = spec.progressions?.[1] ?? pick(random, PROGRESSIONS[mode]);
  while (
    !spec.progressions &&
    (chorusText === verseText || (RELATIVE_AMBIGUOUS.has(verseText) && RELATIVE_AMBIGUOUS.has(chorusText)))
  ) {
    chorusText = PROGRESSIONS[mode][(PROGRESSIONS[mode].indexOf(chorusText) + 3) % PROGRESSIONS[mode].length]!;
  }
  const cadenceText = pick(random, CADENCES[mode]);
  // Fast styles hold a chord for two bars, so a loop spans 8 bars; others change every bar.
  const barsPerChord = spec.bpm >= 140 && random() < 0.6 ? 2 : 1;
  const verse = parseProgression(verseText, mode);
  const chorus = parseProgression(chorusText, mode);
  const cadence = parseProgression(cadenceText, mode);
  const totalBars = phrases * 4;
  const intro = random() < 0.4 ? 4 : 0;
  const chords: Chord[] = [];
  for (let bar = 0; bar < totalBars; bar += 1) {
    if (bar >= totalBars - 2) {
      // The last two bars: the cadence, then (a whole bar) the tonic.
      const last = bar === totalBars - 1;
      const cadenceChord = cadence[last ? cadence.length - 1 : 0]!;
      const ends =
        last && cadenceChord.root !== 0
          ? { root: 0, quality: mode === 'major' ? ('maj' as const) : ('min' as const) }
          : cadenceChord;
      chords.push(colour(ends, style, mode));
      continue;
    }
    const section = Math.floor(bar / 8) % 2 === 0 ? verse : chorus;
    chords.push(colour(section[Math.floor(bar / barsPerChord) % section.length]!, style, mode));
  }

  const parts = PARTS[style];
  const variant = Math.floor(random() * 12);
  const busyHatsChance: Partial<Record<Style, number>> = {
    ballad: 0.35,
    pop: 0.35,
    hiphop: 0.4,
    dnb: 0.3,
    rock: spec.bpm < 130 ? 0.25 : 0,
  };
  const busyHats = random() < (busyHatsChance[style] ?? 0);
  const human = (spread: number): number => Math.round((random() - 0.5) * 2 * spread);
  const drums: MidiNote[] = [];
  const bass: MidiNote[] = [];
  const comp: MidiNote[] = [];
  const pad: MidiNote[] = [];
  const lead: MidiNote[] = [];
  const swing = style === 'hiphop' ? 0.18 : style === 'funk' ? 0.08 : 0;
  const stepTick = (bar: number, step: number): number =>
    (bar * 16 + step + (step % 2 === 1 ? swing * 2 : 0)) * STEP_TICKS;

  const bassPattern = pick(random, BASS_PATTERNS[style]);
  const compPattern = pick(random, COMP_PATTERNS[style]);
  const leadRhythm = pick(random, LEAD_RHYTHMS[style]);
  const hasPad = style !== 'funk' || random() < 0.5;
  const compCentre = style === 'rock' ? 52 : style === 'salsa' ? 66 : 62;
  const leadLo = style === 'rock' ? 64 : 67;
  const leadHi = leadLo + 17;

  let leadPitch = nearest(leadLo + 7, tonic, [0], leadLo, leadHi);
  for (let bar = 0; bar < totalBars; bar += 1) {
    const chord = chords[bar]!;
    const next = chords[Math.min(totalBars - 1, bar + 1)]!;
    const beatless = bar < intro;
    const lastBar = bar === totalBars - 1;
    // Drums: from the end of the intro; a fill closes each 4-bar phrase except the last; a crash opens sections.
    if (!beatless && !lastBar) {
      for (const [key, step, velocity] of drumBar(
        style,
        bar,
        bar % 4 === 3 && bar < totalBars - 2,
        random,
        variant,
        busyHats,
      )) {
        drums.push({
          tick: stepTick(bar, step) + human(6),
          durationTicks: STEP_TICKS,
          pitch: key,
          velocity: velocity + human(8),
        });
      }
      if (bar % 8 === 0 && (bar > 0 || intro === 0))
        drums.push({ tick: bar * 16 * STEP_TICKS, durationTicks: STEP_TICKS * 4, pitch: CRASH, velocity: 90 });
    }
    if (lastBar)
      drums.push({ tick: bar * 16 * STEP_TICKS, durationTicks: STEP_TICKS * 16, pitch: CRASH, velocity: 95 });

    // Bass: from the end of the intro.
    const bassRoot = 28 + ((tonic + chord.root - 4 + 12) % 12); // E1..D#2
    if (!beatless) {
      for (const [step, length, tone] of lastBar ? ([[0, 16, 0]] as const) : bassPattern) {
        const pitch =
          tone === 0
            ? bassRoot
            : tone === 1
              ? bassRoot + 7
              : tone === 2
                ? bassRoot + 12
                : 28 + ((tonic + next.root - 4 + 12) % 12);
        bass.push({
          tick: stepTick(bar, step) + human(8),
          durationTicks: length * STEP_TICKS * 0.9,
          pitch,
          velocity: 92 + human(10),
        });
      }
    }

    // Comping: power chords for rock guitars (root, fifth, octave), voiced triads or sevenths otherwise.
    const voicing = style === 'rock' ? [bassRoot + 12, bassRoot + 19, bassRoot + 24] : voice(chord, tonic, compCentre);
    if (lastBar || (compPattern !== 'arp' && compPattern !== 'arp16')) {
      for (const [step, length] of lastBar
        ? ([[0, 16]] as const)
        : (compPattern as ReadonlyArray<readonly [number, number]>)) {
        for (const pitch of voicing)
          comp.push({
            tick: stepTick(bar, step) + human(10),
            durationTicks: length * STEP_TICKS * 0.95,
            pitch,
            velocity: 74 + human(10),
          });
      }
    } else {
      const order = [0, 1, 2, 1, voicing.length > 3 ? 3 : 2, 1, 2, 1];
      const stepsPerNote = compPattern === 'arp16' ? 1 : 2;
      for (let i = 0; i * stepsPerNote < 16; i += 1) {
        const pitch =
          voicing[order[i % order.length]! % voicing.length]! + (compPattern === 'arp16' && i % 8 >= 4 ? 12 : 0);
        comp.push({
          tick: stepTick(bar, i * stepsPerNote) + human(10),
          durationTicks: STEP_TICKS * (stepsPerNote + 1),
          pitch,
          velocity: (i % 2 ? 60 : 70) + human(10),
        });
      }
    }

    // Pad: the chord held for the bar, above the comping (under rock's power chords it keeps the third).
    if (hasPad) {
      for (const pitch of voice(chord, tonic, compCentre + 5))
        pad.push({ tick: bar * 16 * STEP_TICKS, durationTicks: 16 * STEP_TICKS - 10, pitch, velocity: 62 + human(6) });
    }

    // Lead: two-bar phrases on the style's rhythm; chord tones on beats, steps through the chord scale between;
    // phrase ends on a chord tone, the song on the tonic. Silent in the intro and in every fourth phrase (a break).
    if (beatless || Math.floor(bar / 4) % 4 === 3) continue;
    if (bar % 2 === 1) continue;
    const chordTones = INTERVALS[chord.quality].map((iv) => (chord.root + iv) % 12);
    for (const [index, [step, length]] of leadRhythm.entries()) {
      const inBar = bar + Math.floor(step / 16);
      if (inBar >= totalBars) break;
      const here = chords[inBar]!;
      const tones = inBar === bar ? chordTones : INTERVALS[here.quality].map((iv) => (here.root + iv) % 12);
      const strong = step % 4 === 0;
      const phraseEnd = index === leadRhythm.length - 1;
      if (inBar === totalBars - 1 || (phraseEnd && inBar >= totalBars - 2)) {
        leadPitch = nearest(leadPitch, tonic, [0], leadLo, leadHi);
      } else if (strong || phraseEnd) {
        // Melodies lean on the tonic triad (what listeners' tonal hierarchies measure): on strong beats a chord tone
        // that is also in the tonic triad is preferred when the chord has one.
        const tonicTriad = mode === 'major' ? [0, 4, 7] : [0, 3, 7];
        const stable = tones.filter((t) => tonicTriad.includes(t));
        leadPitch = nearest(
          leadPitch + human(3),
          tonic,
          stable.length > 0 && random() < 0.6 ? stable : tones,
          leadLo,
          leadHi,
        );
      } else {
        const scale = chordScale(here, mode);
        const direction = random() < 0.5 ? -1 : 1;
        const target = leadPitch + direction * (1 + Math.floor(random() * 3));
        leadPitch = nearest(target, tonic, scale, leadLo, leadHi);
      }
      lead.push({
        tick: stepTick(bar, step) + human(12),
        durationTicks: length * STEP_TICKS * 0.9,
        pitch: leadPitch,
        velocity: 88 + human(12),
      });
    }
  }

  const detune = spec.detuneCents;
  const level = (base: number): number => base + human(8);
  const tracks: MidiTrack[] = [
    { channel: 9, program: pick(random, DRUM_KITS[style]), notes: drums, volume: level(108), reverb: 30 },
    { channel: 0, program: pick(random, parts.bass), notes: bass, volume: level(100), reverb: 10, detuneCents: detune },
    {
      channel: 1,
      program: pick(random, parts.chords),
      notes: comp,
      volume: level(style === 'rock' ? 80 : 86),
      pan: 44,
      reverb: 40,
      detuneCents: detune,
    },
    {
      channel: 3,
      program: pick(random, parts.lead),
      notes: lead,
      volume: level(92),
      pan: 76,
      reverb: 50,
      detuneCents: detune,
    },
  ];
  if (hasPad)
    tracks.push({
      channel: 2,
      program: pick(random, parts.pad),
      notes: pad,
      volume: level(64),
      pan: 84,
      reverb: 70,
      detuneCents: detune,
    });
  return { spec, tracks, progressions: [verseText, chorusText, cadenceText], seconds: totalBars * barSeconds };
}
