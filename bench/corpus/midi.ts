/**
 * A minimal Standard MIDI File (format 1) writer: enough for the benchmark's arrangements (notes, programs, pitch
 * bend, controllers, one tempo). Layout from the MIDI 1.0 specification's "Standard MIDI Files 1.0" chapter: an
 * MThd chunk (format, track count, ticks per quarter note) and one MTrk chunk per track, each event a
 * variable-length delta time followed by the event bytes.
 */

/** Ticks per quarter note: 480 resolves 16th-note triplets and small timing offsets (a tick is 1 ms at 125 BPM). */
export const TICKS_PER_QUARTER = 480;

export interface MidiNote {
  /** Start, in ticks from the beginning. */
  readonly tick: number;
  readonly durationTicks: number;
  /** MIDI note number, 0-127 (60 = middle C). */
  readonly pitch: number;
  /** 1-127. */
  readonly velocity: number;
}

export interface MidiTrack {
  /** 0-15; channel 9 (the tenth) is the General MIDI drum kit. */
  readonly channel: number;
  /** General MIDI program, 0-127; on channel 9 it selects the drum kit (0 standard, 16 power, 25 TR-808...). */
  readonly program: number;
  readonly notes: readonly MidiNote[];
  /** Channel volume (controller 7), 0-127. */
  readonly volume?: number;
  /** Pan (controller 10), 0 left, 64 centre, 127 right. */
  readonly pan?: number;
  /** Reverb send (controller 91), 0-127. */
  readonly reverb?: number;
  /** A whole-track detune in cents (pitch bend, with the default ±2 semitone bend range). */
  readonly detuneCents?: number;
}

function variableLength(value: number): number[] {
  const bytes = [value & 0x7f];
  for (let v = value >> 7; v > 0; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
  return bytes;
}

function chunk(type: string, body: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.write(type, 0, 'ascii');
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, Buffer.from(body)]);
}

function clamp7(v: number): number {
  return Math.max(0, Math.min(127, Math.round(v)));
}

/** The bytes of a format-1 file: a tempo track, then one track per part. */
export function writeMidi(bpm: number, tracks: readonly MidiTrack[]): Buffer {
  const microsPerQuarter = Math.round(60_000_000 / bpm);
  const tempoTrack = [
    0,
    0xff,
    0x51,
    3,
    (microsPerQuarter >> 16) & 0xff,
    (microsPerQuarter >> 8) & 0xff,
    microsPerQuarter & 0xff,
    0,
    0xff,
    0x58,
    4,
    4,
    2,
    24,
    8, // 4/4
    0,
    0xff,
    0x2f,
    0,
  ];
  const chunks = [chunk('MTrk', tempoTrack)];
  for (const track of tracks) {
    const ch = track.channel & 0x0f;
    const events: Array<{ tick: number; order: number; bytes: number[] }> = [];
    events.push({ tick: 0, order: 0, bytes: [0xc0 | ch, track.program & 0x7f] });
    events.push({ tick: 0, order: 0, bytes: [0xb0 | ch, 7, clamp7(track.volume ?? 100)] });
    events.push({ tick: 0, order: 0, bytes: [0xb0 | ch, 10, clamp7(track.pan ?? 64)] });
    events.push({ tick: 0, order: 0, bytes: [0xb0 | ch, 91, clamp7(track.reverb ?? 40)] });
    if (track.detuneCents) {
      const bend = Math.max(0, Math.min(16_383, Math.round(8192 + (track.detuneCents / 200) * 8192)));
      events.push({ tick: 0, order: 0, bytes: [0xe0 | ch, bend & 0x7f, bend >> 7] });
    }
    for (const note of track.notes) {
      const pitch = clamp7(note.pitch);
      const start = Math.max(0, Math.round(note.tick));
      const end = start + Math.max(1, Math.round(note.durationTicks));
      events.push({ tick: start, order: 2, bytes: [0x90 | ch, pitch, Math.max(1, clamp7(note.velocity))] });
      // Note-offs sort before note-ons at the same tick, so a repeated note is not cut by its predecessor's end.
      events.push({ tick: end, order: 1, bytes: [0x80 | ch, pitch, 0] });
    }
    events.sort((a, b) => a.tick - b.tick || a.order - b.order);
    const body: number[] = [];
    let last = 0;
    for (const event of events) {
      body.push(...variableLength(event.tick - last), ...event.bytes);
      last = event.tick;
    }
    body.push(0, 0xff, 0x2f, 0);
    chunks.push(chunk('MTrk', body));
  }
  const header = [
    0,
    1,
    (chunks.length >> 8) & 0xff,
    chunks.length & 0xff,
    (TICKS_PER_QUARTER >> 8) & 0xff,
    TICKS_PER_QUARTER & 0xff,
  ];
  return Buffer.concat([chunk('MThd', header), ...chunks]);
}

/** Every tempo (set-tempo meta event) of a Standard MIDI File, in BPM, in file order. */
export function readTemposBpm(file: Buffer): number[] {
  const tempos: number[] = [];
  const marker = Buffer.from([0xff, 0x51, 0x03]);
  for (let at = file.indexOf(marker); at >= 0 && at + 6 <= file.length; at = file.indexOf(marker, at + 6)) {
    const micros = (file[at + 3]! << 16) | (file[at + 4]! << 8) | file[at + 5]!;
    if (micros > 0) tempos.push(60_000_000 / micros);
  }
  return tempos;
}
