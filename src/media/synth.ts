/**
 * A small synthesizer for audio with a known key and tempo: the corpus for the analysis benchmark, the tests' sources
 * and the demo's tracks. Deterministic for a given spec (seeded), so a failing case can be replayed.
 *
 * A clip is a repeating four-bar progression in the key (pad chords, a bass line on the chord roots, an arpeggiated
 * melody) over a drum pattern at the tempo (kick on every beat, snare on 2 and 4, hi-hat on the off-beats).
 */

export type Timbre = 'sine' | 'saw' | 'square' | 'organ' | 'pluck';
export const TIMBRES: readonly Timbre[] = ['sine', 'saw', 'square', 'organ', 'pluck'];

export interface SynthSpec {
  /** Pitch class of the tonic: 0 = C, 1 = C#/Db, ... 11 = B. */
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
  readonly bpm: number;
  readonly timbre: Timbre;
  readonly seconds: number;
  readonly sampleRate?: number;
  /**
   * Progression style: 0 = cadential (I IV V I / i iv V i), 1 = pop (I V vi IV / the Aeolian i VI VII i).
   * (The i VI III VII loop is left out: with no tonic emphasis its key is a matter of convention, minor or its relative
   * major, so it cannot serve as ground truth for "exact key".)
   */
  readonly progression?: 0 | 1;
  readonly drums?: boolean;
  readonly seed?: number;
}

const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11];
const MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10];

/** Chords as (scale degree, quality), degree 0 = tonic. "V" in minor is major (harmonic minor's leading tone). */
const PROGRESSIONS: Record<'major' | 'minor', Array<Array<[number, 'maj' | 'min' | 'dim']>>> = {
  major: [
    [
      [0, 'maj'],
      [3, 'maj'],
      [4, 'maj'],
      [0, 'maj'],
    ],
    [
      [0, 'maj'],
      [4, 'maj'],
      [5, 'min'],
      [3, 'maj'],
    ],
  ],
  minor: [
    [
      [0, 'min'],
      [3, 'min'],
      [4, 'maj'],
      [0, 'min'],
    ],
    [
      [0, 'min'],
      [5, 'maj'],
      [6, 'maj'],
      [0, 'min'],
    ],
  ],
};

/** A small seeded PRNG (Mulberry32): the same seed gives the same sequence on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WAVETABLE_SIZE = 4096;

/** One cycle of each timbre, built from harmonics (band-limited to 10 partials, so no aliasing at these pitches). */
function wavetable(timbre: Timbre): Float32Array {
  const partials: number[] =
    timbre === 'sine'
      ? [1]
      : timbre === 'saw'
        ? Array.from({ length: 10 }, (_, i) => 1 / (i + 1))
        : timbre === 'square'
          ? Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1 / (i + 1) : 0))
          : timbre === 'organ'
            ? [1, 0.6, 0.4, 0.3, 0, 0.2, 0, 0.15]
            : [1, 0.5, 0.33, 0.25, 0.2, 0.16];
  const table = new Float32Array(WAVETABLE_SIZE);
  let peak = 0;
  for (let i = 0; i < WAVETABLE_SIZE; i += 1) {
    let v = 0;
    partials.forEach((amp, h) => (v += amp * Math.sin((2 * Math.PI * (h + 1) * i) / WAVETABLE_SIZE)));
    table[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  for (let i = 0; i < WAVETABLE_SIZE; i += 1) table[i]! /= peak;
  return table;
}

const midiToHz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

/** Adds one note to `out` with an attack-decay-sustain-release envelope. */
function addNote(
  out: Float32Array,
  sampleRate: number,
  table: Float32Array,
  hz: number,
  start: number,
  length: number,
  gain: number,
  pluck: boolean,
): void {
  const first = Math.max(0, Math.floor(start * sampleRate));
  const last = Math.min(out.length, Math.floor((start + length) * sampleRate));
  const step = (hz * WAVETABLE_SIZE) / sampleRate;
  const attack = 0.01 * sampleRate;
  const release = Math.min(0.05 * sampleRate, (last - first) / 4);
  let phase = 0;
  for (let i = first; i < last; i += 1) {
    const n = i - first;
    let env = n < attack ? n / attack : last - i < release ? (last - i) / release : 1;
    if (pluck) env *= Math.exp((-3 * n) / sampleRate);
    out[i]! += gain * env * table[Math.floor(phase) & (WAVETABLE_SIZE - 1)]!;
    phase += step;
  }
}

function addKick(out: Float32Array, sampleRate: number, start: number, gain: number): void {
  const first = Math.floor(start * sampleRate);
  const length = Math.floor(0.18 * sampleRate);
  let phase = 0;
  for (let n = 0; n < length && first + n < out.length; n += 1) {
    const t = n / sampleRate;
    const hz = 50 + 100 * Math.exp(-t * 30);
    phase += (2 * Math.PI * hz) / sampleRate;
    out[first + n]! += gain * Math.exp(-t * 18) * Math.sin(phase);
  }
}

function addNoiseHit(
  out: Float32Array,
  sampleRate: number,
  start: number,
  seconds: number,
  gain: number,
  random: () => number,
  highPass: boolean,
): void {
  const first = Math.floor(start * sampleRate);
  const length = Math.floor(seconds * sampleRate);
  let previous = 0;
  for (let n = 0; n < length && first + n < out.length; n += 1) {
    const white = random() * 2 - 1;
    const sample = highPass ? white - previous : white;
    previous = white;
    out[first + n]! += gain * Math.exp((-n / length) * 5) * sample;
  }
}

/** Renders a mono clip in [-1, 1]. */
export function synthesize(spec: SynthSpec): Float32Array {
  const sampleRate = spec.sampleRate ?? 44_100;
  const random = mulberry32(
    spec.seed ?? spec.tonic * 1000 + Math.round(spec.bpm * 10) + (spec.mode === 'minor' ? 7 : 0),
  );
  const out = new Float32Array(Math.round(spec.seconds * sampleRate));
  const table = wavetable(spec.timbre);
  const pluck = spec.timbre === 'pluck';
  const beat = 60 / spec.bpm;
  const bar = 4 * beat;
  const scale = spec.mode === 'major' ? MAJOR_SCALE : MINOR_SCALE;
  const progression = PROGRESSIONS[spec.mode][spec.progression ?? 0]!;
  const tonicMidi = 48 + spec.tonic; // the C3 octave

  for (let barIndex = 0; barIndex * bar < spec.seconds; barIndex += 1) {
    const [degree, quality] = progression[barIndex % progression.length]!;
    const root = tonicMidi + scale[degree]!;
    const third = quality === 'maj' ? 4 : 3;
    const fifth = quality === 'dim' ? 6 : 7;
    const chord = [root + 12, root + 12 + third, root + 12 + fifth];
    const start = barIndex * bar;
    for (const note of chord) addNote(out, sampleRate, table, midiToHz(note), start, bar, 0.09, pluck);
    addNote(out, sampleRate, table, midiToHz(root - 12), start, bar * 0.9, 0.16, false);
    const arpeggio = [chord[0]! + 12, chord[1]! + 12, chord[2]! + 12, chord[1]! + 12];
    for (let eighth = 0; eighth < 8; eighth += 1) {
      const velocity = 0.05 + 0.02 * random();
      addNote(
        out,
        sampleRate,
        table,
        midiToHz(arpeggio[eighth % 4]!),
        start + (eighth * beat) / 2,
        beat / 2,
        velocity,
        true,
      );
    }
  }
  if (spec.drums !== false) {
    for (let i = 0; i * beat < spec.seconds; i += 1) {
      const t = i * beat;
      addKick(out, sampleRate, t, 0.55);
      if (i % 2 === 1) addNoiseHit(out, sampleRate, t, 0.12, 0.18, random, false);
      addNoiseHit(out, sampleRate, t + beat / 2, 0.03, 0.06, random, true);
    }
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  const scaleBy = peak > 0 ? 0.89 / peak : 1; // about -1 dBFS
  for (let i = 0; i < out.length; i += 1) out[i]! *= scaleBy;
  return out;
}

/** A 16-bit PCM WAV file (stereo, both channels the same) of a mono clip. */
export function encodeWav(samples: Float32Array, sampleRate = 44_100, channels = 2): Buffer {
  const bytesPerSample = 2;
  const dataBytes = samples.length * channels * bytesPerSample;
  const buffer = Buffer.alloc(44 + dataBytes);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + dataBytes, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(channels, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * channels * bytesPerSample, 28);
  buffer.writeUInt16LE(channels * bytesPerSample, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(dataBytes, 40);
  let offset = 44;
  for (const sample of samples) {
    const v = Math.max(-1, Math.min(1, sample));
    const int = Math.round(v < 0 ? v * 0x8000 : v * 0x7fff);
    for (let c = 0; c < channels; c += 1) {
      buffer.writeInt16LE(int, offset);
      offset += 2;
    }
  }
  return buffer;
}

export const PITCH_CLASS_NAMES_SHARP = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
